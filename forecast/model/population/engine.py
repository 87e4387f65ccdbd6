"""The cohort-component projection: annual steps by single year of age and sex.

Timing. ``population[year]`` is the population on 31 December of ``year`` (the package
convention of UN WPP's annual files). A base population dated inside a year (the 2020 census:
1 November) is first carried to 31 December by a fractional step of f = (days left in the
year) / 365 (61/365 for 1 November); then every step is one calendar year.

One annual step (year t, from 31 Dec t-1 to 31 Dec t), per sex, vectorised over draws:

- survivors: P(x+1, t) = (P(x, t-1) + M(x+1)/2) · L(x+1)/L(x) + M(x+1)/2 for x = 0..ω-2;
  open group: P(ω, t) = (P(ω-1, t-1) + P(ω, t-1) + M(ω)/2) · T(ω)/T(ω-1) + M(ω)/2;
- births: B = Σ_x f(x) · (W(x, t-1) + W(x, t)) / 2, women at the start and end of the year,
  split by sex with the sex ratio at birth (male share SRB / (1 + SRB));
- infants: P(0, t) = (B_s + M(0)/2) · L(0) + M(0)/2 (L with radix l(0) = 1);
- net migrants M(x) (by age reached at year end) arrive evenly through the year: half of them
  are exposed to the year's mortality (the half-year convention);
- deaths D(x) (by age reached at year end, D(0) = deaths among the year's births) are what the
  inflows lose: D = inflow - P(t), so P(t) = survivors + births + net migration holds exactly.

The fractional step of length f moves a share f of each age to the next (birthdays in the
interval), applies survival exp(-f·m(x)), adds f·B births surviving exp(-f·m(0)/2), and f of
the year's migration.
"""

from __future__ import annotations

import numpy as np

from ...vocabulary import SEXES
from .lifetable import infant_ax, projection_table

__all__ = ["project_arrays", "sex_life_tables", "survival_ratios"]


def sex_life_tables(mx: np.ndarray, expectancy_ages=(0, 60)) -> dict[str, np.ndarray]:
    """What the projection needs of the life tables for mx with dims (..., sex, age), sex = (male,
    female): :func:`~.lifetable.projection_table` (Lx, T at the open age and the one before,
    life expectancy at ``expectancy_ages``)."""
    a0 = np.stack([infant_ax(mx[..., i, 0], s) for i, s in enumerate(SEXES)], axis=-1)
    return projection_table(mx, a0, expectancy_ages)


def survival_ratios(mx: np.ndarray, table: dict | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(S, S_open, L0) from mx with dims (..., sex, age): S[x] = L(x+1)/L(x) for x < ω-1,
    S_open = T(ω)/T(ω-1), L0 = person-years in the first year per birth."""
    table = table if table is not None else sex_life_tables(mx)
    L = table["Lx"]
    return _ratio(L[..., 1:-1], L[..., :-2]), _ratio(table["T_open"], table["T_before_open"]), L[..., 0]


def _ratio(later, earlier):
    """later / earlier, 0 where no one is left to survive (earlier = 0: rates so high that a
    life table's cohort is extinct before this age)."""
    return np.divide(later, earlier, out=np.zeros(np.broadcast(later, earlier).shape), where=earlier > 0)


def project_arrays(
    base, fraction, mx, asfr, srb, migration=None, expectancy: dict | None = None, deaths: bool = True, each_year=None
):
    """Run the projection on plain arrays.

    base: (D, 2, A) population at the start; fraction: length of the first step in years (1.0 when
    the base is dated 31 December of the year before the first projected year);
    mx: (Y, Dm, 2, A) death rates for each projected year (Dm = 1 or D), or anything whose ``[t]`` is
    year t's (Dm, 2, A) rates and ``shape`` that of the whole (:class:`~.mortality.DrawnRates`);
    asfr: (Y, Df, A) births per woman by single age (Df = 1 or D); srb: (Y, Df) male births per
    female birth; migration: (Y, 2, A) net migrants by age at year end, or None.
    Each year's life tables are made in its step (small arrays that stay in cache, however many
    draws); ``expectancy``, if given, receives life expectancy at 0 and 60 (Y, Dm, 2) by age.
    Returns population (Y, D, 2, A) at each year end, births (Y, D, 2), deaths (Y, D, 2, A; None
    with ``deaths=False``: a run's fund stages read none, and the array is as large as the population,
    nor what flowed into each age, from which they are made).

    ``each_year(t, previous, new)``, if given, is called once year t's population ``new`` (D, 2, A)
    is whole, ``previous`` the one before (the base at t = 0), and the population is not kept
    (returned as None): each year is written over the one two years before, so a consumer that
    reduces it as it comes (the fund engine's enrollment, :mod:`forecast.engine.enrolled`) reads it
    while it is in cache, and no array as large as every year's population is made.
    """
    base = np.asarray(base, dtype=float)
    n_years = mx.shape[0]
    draws, _, ages = base.shape
    pop = np.empty((n_years if each_year is None else min(n_years, 2), draws, 2, ages))
    births_out = np.empty((n_years, draws, 2))
    deaths_out = np.empty((n_years, draws, 2, ages)) if deaths else None
    if expectancy is not None:
        expectancy.update({age: np.empty(mx.shape[:3]) for age in (0, 60)})
    previous = base
    for t in range(n_years):
        rates = mx[t]  # (Dm, 2, A): an array's year, or the year's rates made now (mortality.DrawnRates)
        table = sex_life_tables(rates, (0, 60) if expectancy is not None else ())
        if expectancy is not None:
            for age in (0, 60):
                expectancy[age][t] = table["ex"][age]
        S, S_open, L0 = survival_ratios(rates, table)
        mig = np.zeros((2, ages)) if migration is None else migration[t]
        f = fraction if t == 0 else 1.0
        new = pop[t % len(pop)]  # the year's survivors are written in place
        if f < 1.0:
            inflow = _fractional_step(previous, rates, f, mig, new)
        else:
            inflow = _annual_step(previous, S, S_open, mig, new, inflows=deaths_out is not None)
        women_start, women_end = previous[:, 1, :], new[:, 1, :]
        births = f * np.sum(asfr[t] * (women_start + women_end) / 2.0, axis=-1)
        male_share = srb[t] / (1.0 + srb[t])
        births_sex = births[:, None] * np.stack(
            [male_share * np.ones(draws), (1 - male_share) * np.ones(draws)], axis=-1
        )
        infant_survival = L0 if f >= 1.0 else np.exp(-f * rates[..., 0] / 2.0)
        new[..., 0] += (births_sex + f * mig[:, 0] / 2.0) * infant_survival + f * mig[:, 0] / 2.0
        births_out[t] = births_sex
        if deaths_out is not None:
            inflow[..., 0] += births_sex + f * mig[:, 0]
            np.subtract(inflow, new, out=deaths_out[t])
        if each_year is not None:
            each_year(t, previous, new)
        previous = new
    return (pop if each_year is None else None), births_out, deaths_out


def _annual_step(previous, S, S_open, mig, new, inflows: bool = True):
    """Survivors of a full year, written into ``new``; age 0 is left empty (0) for the year's
    births. Returns what flowed into each age (for the deaths; None without ``inflows``)."""
    new[..., 0] = 0.0
    new[..., 1:-1] = (previous[..., :-2] + mig[:, 1:-1] / 2.0) * S + mig[:, 1:-1] / 2.0
    top = previous[..., -2] + previous[..., -1]
    new[..., -1] = (top + mig[:, -1] / 2.0) * S_open + mig[:, -1] / 2.0
    if not inflows:
        return None
    inflow = np.zeros_like(previous)
    inflow[..., 1:-1] = previous[..., :-2] + mig[:, 1:-1]
    inflow[..., -1] = top + mig[:, -1]
    return inflow


def _fractional_step(previous, mx, f, mig, new):
    """Survivors of a step of f years, written into ``new``: a share f of each age has its
    birthday; age 0 keeps the infants not yet 1 (births are added by the caller). Returns what
    flowed into each age."""
    moving = f * previous
    inflow = previous - moving  # those who stay at their age
    inflow[..., 1:] += moving[..., :-1]
    inflow[..., -1] += moving[..., -1]  # the open group keeps its members
    inflow[..., 1:] += f * mig[:, 1:]
    np.multiply(inflow, np.exp(-f * mx), out=new)
    return inflow
