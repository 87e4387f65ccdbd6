"""Hypothesis identities of the cohort-component engine.

- population(t) = survivors + births + net migration, exactly (by sex, and in total);
- with zero fertility and zero migration every cohort shrinks, year after year;
- no negative counts; the open age group loses nobody except by death;
- the vectorised engine equals a slow, obviously-correct loop over ages (STYLE 11).
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from forecast.model.population.engine import project_arrays, survival_ratios

A = 101
rates = arrays(np.float64, (2, A), elements=st.floats(1e-5, 0.6))
counts = arrays(np.float64, (2, A), elements=st.floats(0, 1e6))


def inputs(pop, mx, years, tfr, migration_scale=0.0, seed=0):
    rng = np.random.default_rng(seed)
    mx_t = np.broadcast_to(np.sort(mx, axis=-1), (years, 1, 2, A)).copy()
    asfr = np.zeros((years, 1, A))
    asfr[:, :, 15:50] = tfr / 35
    srb = np.full((years, 1), 1.06)
    migration = migration_scale * rng.standard_normal((years, 2, A)) if migration_scale else None
    return pop[None], mx_t, asfr, srb, migration


@settings(max_examples=40, deadline=None)
@given(counts, rates, st.floats(0, 3), st.floats(0, 1), st.sampled_from([0.0, 1000.0]))
def test_balancing_identity_holds_exactly(pop, mx, tfr, fraction, mig):
    base, mx_t, asfr, srb, migration = inputs(pop, mx, 5, tfr, mig)
    fraction = max(fraction, 0.01)
    P, B, D = project_arrays(base, fraction, mx_t, asfr, srb, migration)
    previous = base
    for t in range(5):
        m = 0.0 if migration is None else migration[t].sum() * (fraction if t == 0 else 1.0)
        expected = previous.sum() + B[t].sum() - D[t].sum() + m
        assert np.isclose(P[t].sum(), expected, rtol=1e-12, atol=1e-6)
        previous = P[t]


@settings(max_examples=40, deadline=None)
@given(counts, rates)
def test_without_births_or_migration_every_cohort_shrinks(pop, mx):
    base, mx_t, asfr, srb, _ = inputs(pop, mx, 6, 0.0)
    P, B, D = project_arrays(base, 1.0, mx_t, asfr, srb, None)
    assert np.all(B == 0)
    previous = base[0]
    for t in range(6):
        current = P[t, 0]
        # the cohort aged x last year is aged x+1 now, and never larger
        assert np.all(current[:, 1:-1] <= previous[:, :-2] * (1 + 1e-12) + 1e-9)
        assert np.all(current[:, -1] <= previous[:, -2] + previous[:, -1] + 1e-9)
        assert np.all(current >= 0) and np.all(D[t] >= -1e-9)
        previous = current


@settings(max_examples=30, deadline=None)
@given(counts, rates, st.floats(0, 3))
def test_no_negative_counts_and_open_group_loses_only_deaths(pop, mx, tfr):
    base, mx_t, asfr, srb, _ = inputs(pop, mx, 3, tfr)
    P, B, D = project_arrays(base, 1.0, mx_t, asfr, srb, None)
    assert np.all(P >= 0)
    top_in = base[0, :, -2] + base[0, :, -1]
    assert np.allclose(P[0, 0, :, -1] + D[0, 0, :, -1], top_in, rtol=1e-12)


def reference_step(previous, mx, asfr, srb):
    """One annual step written out age by age (no migration): the slow reference."""
    S, S_open, L0 = survival_ratios(mx)
    new = np.zeros_like(previous)
    for s in range(2):
        for x in range(A - 2):
            new[s, x + 1] = previous[s, x] * S[s, x]
        new[s, A - 1] = (previous[s, A - 2] + previous[s, A - 1]) * S_open[s]
    births = sum(asfr[x] * (previous[1, x] + new[1, x]) / 2 for x in range(A))
    male = srb / (1 + srb)
    new[0, 0] = births * male * L0[0]
    new[1, 0] = births * (1 - male) * L0[1]
    return new


@settings(max_examples=20, deadline=None)
@given(counts, rates, st.floats(0, 3))
def test_vectorised_engine_equals_the_reference_loop(pop, mx, tfr):
    base, mx_t, asfr, srb, _ = inputs(pop, mx, 2, tfr)
    P, _, _ = project_arrays(base, 1.0, mx_t, asfr, srb, None)
    expected = reference_step(base[0], mx_t[0, 0], asfr[0, 0], srb[0, 0])
    assert np.allclose(P[0, 0], expected, rtol=1e-12, atol=1e-9)
