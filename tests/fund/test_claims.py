"""Benefit layers on lognormal claim sizes: closed forms, Monte Carlo, and the cap's properties."""

import contextlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, stats

from forecast.model.benefits import layers as layer_module
from forecast.model.benefits.layers import (
    Layer,
    band_layer,
    basic_layer,
    compose_oop,
    expected_layer,
    expected_layers,
    lognormal_lev,
    lognormal_sigma,
    shared_edges,
    shared_expectation,
)


def frozen(mean, cv):
    sigma = lognormal_sigma(cv)
    return stats.lognorm(s=sigma, scale=np.exp(np.log(mean) - sigma**2 / 2))


@pytest.mark.parametrize(
    ("mean", "cv", "limit"),
    [(11707, 1.96, 800), (11707, 1.96, 50_000), (7408, 1.0, 286_514), (300, 3.9, 4000), (1e6, 0.2, 1e6)],
)
def test_lev_matches_numerical_integration(mean, cv, limit):
    """LEV(b) = ∫0^b S(x) dx (Klugman, Panjer & Willmot, Loss Models, eq. 3.10)."""
    dist = frozen(mean, cv)
    numeric, _ = integrate.quad(dist.sf, 0, limit, limit=200, points=[mean])
    assert float(lognormal_lev(limit, mean, cv)) == pytest.approx(numeric, rel=1e-6)


def test_lev_limits():
    assert float(lognormal_lev(0.0, 5000, 1.5)) == 0.0
    assert float(lognormal_lev(np.inf, 5000, 1.5)) == pytest.approx(5000)
    means = np.array([100.0, 1000.0, 10000.0])
    assert lognormal_lev(500.0, means, 1.2).shape == (3,)


def test_basic_layer_matches_monte_carlo():
    """E[min(c·(X−d)+, u)] against 2 million simulated claims (s.e. about 0.1%)."""
    rng = np.random.default_rng(20241)
    mean, cv = 11707.0, 1.96
    dist = frozen(mean, cv)
    x = dist.rvs(size=2_000_000, random_state=rng)
    d, c, u = 800.0, 0.8, 50_000.0
    simulated = np.minimum(c * np.clip(x - d, 0, None), u)
    closed = float(expected_layer(basic_layer(d, c, u), mean, cv))
    assert closed == pytest.approx(simulated.mean(), rel=3 * simulated.std() / np.sqrt(x.size) / simulated.mean())


def test_layer_formula_is_c_times_lev_difference():
    d, c, u, mean, cv = 400.0, 0.7, 200_000.0, 7408.0, 1.96
    expected = c * (lognormal_lev(d + u / c, mean, cv) - lognormal_lev(d, mean, cv))
    assert float(expected_layer(basic_layer(d, c, u), mean, cv)) == pytest.approx(float(expected), rel=1e-12)


def test_infinite_cap_is_the_uncapped_payment():
    mean, cv, d, c = 7408.0, 1.96, 800.0, 0.7
    uncapped = c * (mean - float(lognormal_lev(d, mean, cv)))
    assert float(expected_layer(basic_layer(d, c, np.inf), mean, cv)) == pytest.approx(uncapped, rel=1e-12)


def test_raising_a_cap_or_a_ratio_or_lowering_a_deductible_raises_the_payment():
    mean, cv = 11707.0, 1.96
    pay = lambda d, c, u: float(expected_layer(basic_layer(d, c, u), mean, cv))  # noqa: E731
    assert pay(800, 0.7, 200_000) < pay(800, 0.7, 280_000) < pay(800, 0.7, np.inf)
    assert pay(800, 0.7, 200_000) < pay(800, 0.8, 200_000)
    assert pay(800, 0.7, 200_000) < pay(400, 0.7, 200_000)


def test_composition_of_layers_is_exact():
    """Critical illness on the out-of-pocket cost, as a Layer in x, equals applying it pointwise."""
    basic = basic_layer(800, 0.7, 200_000)
    ci = band_layer(20_000, [(100_000, 0.6), (np.inf, 0.7)], 300_000)
    on_x = compose_oop(basic).then(ci)
    x = np.array([0, 500, 800, 10_000, 60_000, 90_000, 300_000, 500_000, 2e6, 1e7])
    assert np.allclose(on_x(x), ci(x - basic(x)))


def _summed(layer: Layer, x: float) -> float:
    """g(x) added interval by interval, as composition evaluated it before it kept g at each break."""
    value, edges = 0.0, (*layer.breaks, np.inf)
    for s, lo, hi in zip(layer.slopes, edges, edges[1:]):
        if x <= lo:
            break
        value += s * (min(x, hi) - lo)
    return value


_layers = st.builds(
    lambda deductible, ratio, cap, threshold, ratios, ci_cap: (
        basic_layer(deductible, ratio, cap),
        band_layer(threshold, [(w, r) for w, r in ratios] + [(np.inf, 0.9)], ci_cap),
    ),
    st.sampled_from([0.0, 300.0, 800.0, 1_500.5]),
    st.floats(0.0, 1.0),
    st.sampled_from([np.inf, 2_000.0, 200_000.0]),
    st.sampled_from([0.0, 20_000.0]),
    st.lists(st.tuples(st.floats(1.0, 1e5), st.floats(0.0, 1.0)), max_size=3),
    st.sampled_from([np.inf, 300_000.0]),
)


@settings(max_examples=80, deadline=None)
@given(_layers, st.lists(st.floats(0.0, 1e7), min_size=1, max_size=8))
def test_a_layer_at_a_point_is_its_intervals_added_and_composes_pointwise(pair, xs):
    """Layer._value_at (g at the break below x plus the last interval) is, to the bit, g(x) summed
    interval by interval, on the breaks themselves too; the layers composed from it pay what
    applying them one after the other pays."""
    basic, ci = pair
    oop = compose_oop(basic)
    for layer in (basic, ci, oop):
        for x in (*xs, *layer.breaks):
            assert layer._value_at(x) == _summed(layer, x)
    x = np.array(xs)
    assert np.allclose(oop.then(ci)(x), ci(x - basic(x)), rtol=1e-12, atol=1e-6)


def test_band_layer_pays_each_band_and_stops_at_the_cap():
    layer = band_layer(1000, [(10_000, 0.5), (np.inf, 0.8)], 9000)
    assert layer(np.array([1000.0]))[0] == 0
    assert layer(np.array([11_000.0]))[0] == pytest.approx(5000)
    assert layer(np.array([16_000.0]))[0] == pytest.approx(9000)
    assert layer(np.array([1e9]))[0] == pytest.approx(9000)


def test_a_layer_rejects_bad_breaks():
    with pytest.raises(ValueError):
        Layer((0.0, 10.0, 5.0), (1.0, 0.0, 1.0))


@settings(max_examples=60, deadline=None)
@contextlib.contextmanager
def _blocks_of(numbers: int):
    """layers.LEV_BLOCK set to ``numbers`` within the block."""
    kept, layer_module.LEV_BLOCK = layer_module.LEV_BLOCK, numbers
    try:
        yield
    finally:
        layer_module.LEV_BLOCK = kept


@given(
    years=st.lists(
        st.tuples(st.floats(0, 5_000), st.floats(0.05, 1.0), st.floats(1_000, 1e6), st.floats(0.1, 0.9)),
        min_size=1,
        max_size=8,
    ),
    draws=st.sampled_from([1, 3, 700, 5_000]),
    block=st.sampled_from([1, 4_000, 9_000, 2**17]),
    cv=st.floats(0.2, 3.0),
)
@settings(max_examples=40, deadline=None)
def test_the_table_made_in_blocks_is_the_whole_table_to_the_bit(years, draws, block, cv):
    """The limited expected values made a block of rows at a time (layer_module.LEV_BLOCK numbers, so a
    claim whose mean differs by draw never makes the whole table's temporaries at once) are those
    of one evaluation of the whole table, bit for bit, whatever the block: each block is in the
    whole's size class for the normal distribution function."""
    basic = [basic_layer(d, r, cap) for d, r, cap, _ in years]
    left = [compose_oop(layer) for layer in basic]
    assistance = [oop.then(band_layer(0.0, [(np.inf, a)], 30_000)) for oop, (*_, a) in zip(left, years)]
    shared = shared_edges([basic, assistance])
    means = np.linspace(2_000, 9_000, len(years) * draws).reshape(len(years), draws)
    limits = shared.limits.reshape(-1, 1)
    whole = np.concatenate([lognormal_lev(limits, means[shared.year_of], cv), means, np.zeros((1, draws))])
    with _blocks_of(block):
        blocked = layer_module._lev_table(shared, means, cv)
    assert blocked.shape == whole.shape
    assert np.array_equal(blocked, whole)


@given(
    years=st.lists(
        st.tuples(
            st.floats(0, 5_000), st.floats(0.05, 1.0), st.floats(1_000, 1e6), st.floats(0, 50_000), st.floats(0.1, 0.9)
        ),
        min_size=1,
        max_size=6,
    ),
    draws=st.integers(1, 4),
    cv=st.floats(0.2, 3.0),
)
def test_payers_over_one_table_of_breakpoints_pay_what_each_pays_alone(years, draws, cv):
    """The basic pool, critical illness on what it leaves and assistance on the rest, over one
    table of limited expected values (each distinct breakpoint of a year evaluated once), equal
    each payer's expectation evaluated alone, year by year and draw by draw."""
    basic = [basic_layer(d, r, cap) for d, r, cap, _, _ in years]
    left = [compose_oop(layer) for layer in basic]
    ci = [oop.then(band_layer(t, [(20_000, 0.5), (np.inf, 0.7)], 200_000)) for oop, (*_, t, _) in zip(left, years)]
    rest = [oop.minus(c) for oop, c in zip(left, ci)]
    assistance = [oop.then(band_layer(0.0, [(np.inf, a)], 30_000)) for oop, (*_, a) in zip(rest, years)]
    means = np.linspace(2_000, 9_000, len(years) * draws).reshape(len(years), draws)
    payers = [basic, ci, assistance, [Layer((0.0,), (0.0,))] * len(years)]
    together = shared_expectation(shared_edges(payers), means, cv)
    for layers, value in zip(payers, together):
        assert np.allclose(value, expected_layers(layers, means, cv), rtol=1e-12, atol=1e-9)
    assert len(shared_edges(payers).limits) <= sum(len(layer.breaks) for layer in basic + ci + assistance)
