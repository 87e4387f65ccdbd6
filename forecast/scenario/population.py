"""Population assumptions: how mortality, fertility and the sex ratio at birth evolve.

A :class:`PopulationAssumptions` is validated data (from a scenario's ``population:`` section,
:func:`forecast.scenario.load_scenario`); nothing in it is executed.

Mortality methods:

- ``schedule`` — the bundle's own mortality surface (e.g. WPP's medium variant), interpolated
  log-linearly between period mid-points;
- ``lee_carter`` — Lee–Carter fitted by sex to the bundle's surface over ``fit_years``,
  k_t forecast as a random walk with drift (statsmodels), jump-off from the last fitted period;
- ``improvement`` — the bundle's rates in the base year reduced by ``improvement_rate`` a year,
  by sex and age band (one rate; one per sex; or per sex a set of age bands covering 0..100+);
- ``e0_target`` — the base year's rates scaled, year by year and sex by sex, so that life
  expectancy at birth meets ``e0_targets`` (dated values, linear between dates, held after the
  last; solved with scipy's brentq).

Fertility: ``tfr`` dated values (linear between dates, held after the last), or the bundle's
``total_fertility`` path when absent; times the bundle's age pattern. Sex ratio at birth: a
number, or the bundle's table when absent.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["PopulationAssumptions", "MORTALITY_METHODS"]

MORTALITY_METHODS = ("schedule", "lee_carter", "improvement", "e0_target")


@dataclass(frozen=True)
class PopulationAssumptions:
    mortality_method: str = "schedule"
    #: Lee–Carter fitting window (inclusive calendar years; periods wholly inside are used)
    fit_years: tuple[int, int] = (1990, 2019)
    #: annual rate of mortality decline: {sex: ((age_start, age_end or None, rate), ...)}, the
    #: bands of each sex covering ages 0..100+
    improvement_rate: dict = field(default_factory=lambda: {s: ((0, None, 0.01),) for s in ("male", "female")})
    #: {year: {"male": e0, "female": e0}}
    e0_targets: dict = field(default_factory=dict)
    #: {year: TFR}; empty -> the bundle's total_fertility path
    tfr: dict = field(default_factory=dict)
    #: s.d. of the TFR random walk's annual shocks (births/woman) in stochastic runs; None ->
    #: the s.d. of the annual TFR changes over the 20 years up to the bundle's base year
    tfr_volatility: float | None = None
    #: male births per female birth; None -> the bundle's table
    sex_ratio_at_birth: float | None = None
    #: use the bundle's net migration table when it has one
    migration: bool = True

    def __post_init__(self):
        if self.mortality_method not in MORTALITY_METHODS:
            raise ValueError(f"mortality method must be one of {MORTALITY_METHODS}")


def improvement_by_age(assumptions: PopulationAssumptions, open_age: int = 100):
    """The annual improvement rates as an array (sex, age) for ages 0..open_age."""
    out = np.zeros((2, open_age + 1))
    for i, sex in enumerate(("male", "female")):
        for start, end, rate in assumptions.improvement_rate[sex]:
            out[i, start : (open_age if end is None else end) + 1] = rate
    return out
