"""Enrollment: insured persons per pool and status, by year, sex and single age.

Stage inputs are the projected mid-year population (year, sex, age), the statutory
retirement-age rules and the base-year calibration (:class:`EnrollmentCalibration`).

- **Retirement.** The share of an age group past its statutory retirement age
  (:func:`retired_fraction`) follows the rule of each birth cohort and birth month: the
  2025 reform raises the age by one month for every ``months_per_step`` months of birth date
  (men 60→63 and women cadres 55→58 every 4 months, women workers 50→55 every 2 months). Women
  are split between the two tracks by ``female_worker_share``.
- **In-service members** = coverage × population aged 18+ not yet retired, the coverage
  uniform over age and sex, calibrated to the bulletin's in-service count in the base year
  and moved by the scenario's ``in_service_coverage`` index.
- **Retirees** = population past retirement age × the share of the birth cohort that retires
  from the employee pool: calibrated to the bulletin's retiree count for cohorts already
  retiring in the base year; for later cohorts, the in-service coverage they retire from.
- **Residents** = coverage × the rest of the population (calibrated to the bulletin), minus
  working-age residents who join the employee pool as flexible workers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr

from ...vocabulary import BASIC_POOLS, INSURED_STATUSES, RETIREMENT_TRACKS, SEXES
from .past import past_members

__all__ = ["retirement_age_months", "retired_fraction", "retired_share", "EnrollmentCalibration",
           "calibrate_enrollment", "project_enrollment", "mid_year_population", "enrollment_terms", "year_statuses",
           "WORKING_AGE", "age_cost_index", "pool_age_index", "retirement_schedule"]

#: first age counted as working age (in-service coverage is uniform from here to retirement)
WORKING_AGE = 18


def retirement_age_months(rule: dict, start_year: int, birth_years: np.ndarray) -> np.ndarray:
    """Statutory retirement age in months by birth year and birth month (cohort, 12).

    ``rule`` has ``from``, ``to`` (years) and ``months_per_step``. The first cohort affected
    is the one reaching the original age in January of ``start_year``; each later
    ``months_per_step`` months of birth add one month, up to ``to``.

    Men born January-April 1965 retire at 60 years 1 month, September-December 1965 at 60
    years 3 months (the schedule annexed to the 2024 decision):

    >>> rule = {"from": 60, "to": 63, "months_per_step": 4}
    >>> retirement_age_months(rule, 2025, np.array([1964, 1965]))[:, [0, 3, 4, 11]].tolist()
    [[720, 720, 720, 720], [721, 721, 722, 723]]
    """
    original, target, step = int(rule["from"]) * 12, int(rule["to"]) * 12, int(rule["months_per_step"])
    first = start_year - int(rule["from"])
    months_since = (np.asarray(birth_years)[:, None] - first) * 12 + np.arange(12)[None, :]
    delay = np.where(months_since >= 0, np.minimum(months_since // step + 1, target - original), 0)
    return original + delay


def retired_fraction(years: np.ndarray, ages: np.ndarray, rules: dict, start_year: int,
                     female_worker_share: float) -> xr.DataArray:
    """Share of each (year, sex, age) group past the statutory retirement age at mid-year.

    Age ``a`` at the end of year ``t`` means born in ``t − a``; someone born in month m
    (0 = January) is ``12a + 5.5 − m`` months old on 1 July, and counts as retired when that
    reaches the retirement age of their birth month. Women are a mix of the workers' and the
    cadres' tracks.
    """
    years = np.asarray(years)
    ages = np.asarray(ages)
    births = years[:, None] - ages[None, :]
    flat = births.ravel()
    lo = flat.min()
    age_months = 12 * ages[None, :, None] + 5.5 - np.arange(12)[None, None, :]

    def share(rule):
        table = retirement_age_months(rule, start_year, np.arange(lo, flat.max() + 1))
        months = table[births - lo]  # (year, age, 12)
        return (age_months >= months).mean(axis=-1)

    male = share(rules["male"])
    female = (female_worker_share * share(rules["female_worker"])
              + (1 - female_worker_share) * share(rules["female_cadre"]))
    da = xr.DataArray(np.stack([male, female], axis=1), dims=("year", "sex", "age"),
                      coords={"year": years, "sex": ["male", "female"], "age": ages})
    da.attrs["units"] = "ratio"
    return da


@dataclass(frozen=True)
class EnrollmentCalibration:
    """Base-year coverage rates that reproduce the bulletin's insured counts (one per draw: each
    draw's base-year population is its own)."""

    year: int
    in_service_coverage: xr.DataArray
    retiree_cohort_share: xr.DataArray
    resident_coverage: xr.DataArray
    #: last birth year (per sex) of the cohorts already retiring in the base year
    last_retiring_cohort: xr.DataArray


def _working(population: xr.DataArray, retired: xr.DataArray) -> xr.DataArray:
    return population * (1 - retired) * (population["age"] >= WORKING_AGE)


def calibrate_enrollment(population: xr.DataArray, retired: xr.DataArray, in_service: float, retirees: float,
                         residents: float, year: int) -> EnrollmentCalibration:
    """Coverage rates such that the model's base-year counts equal the published ones.

    ``population`` is the mid-year population (year[, draw], sex, age); ``retired`` the share past
    retirement age under the root baseline's rules (year, sex, age)."""
    pop = population.sel(year=year)
    ret = retired.sel(year=year)
    working = _working(pop, ret)
    c_w = in_service / working.sum(("sex", "age"))
    k_r = retirees / (pop * ret).sum(("sex", "age"))
    employees = c_w * working + k_r * pop * ret
    c_r = residents / (pop - employees).sum(("sex", "age"))
    first_retired_age = ret["age"].where(ret > 0).min("age")
    last = (year - first_retired_age).astype(int)
    return EnrollmentCalibration(year, c_w, k_r, c_r, last)


def project_enrollment(population: xr.DataArray, retired: xr.DataArray, calibration: EnrollmentCalibration,
                       in_service_index: xr.DataArray, resident_index: xr.DataArray,
                       flexible_share: xr.DataArray) -> xr.Dataset:
    """Insured persons (year, draw, sex, age) by status: in_service, flexible, retired, resident.

    ``population`` is the mid-year population (year, draw, sex, age); ``retired`` the share past
    retirement age (year, sex, age); ``*_index`` and ``flexible_share`` the scenario's enrollment
    assumptions over ``year`` (the indices relative to the base year's coverage); the
    calibration's rates are per draw:

    - in_service = c_w × index_w × working (aged 18+, not retired);
    - retired = population × retired share × (k_r for cohorts already retiring in the base year,
      else the in-service coverage they retire from);
    - flexible = flexible share × c_r × (working − in_service)+;
    - resident = (c_r × index_r × (population − in_service − retired)+ − flexible)+.

    The readable form of :func:`~.summary.insured_summary`, which the engine uses.
    """
    pop = population.transpose("year", "draw", "sex", "age")
    ret, adult, old, *rates = enrollment_terms(pop["year"].values, pop["age"].values, retired, calibration,
                                                in_service_index, resident_index, flexible_share)
    statuses = np.empty((len(INSURED_STATUSES), *pop.shape))
    for i in range(pop.sizes["year"]):
        factors = (np.broadcast_to(f, (pop.sizes["year"], pop.sizes["draw"], 1, 1))[i] for f in rates)
        year_statuses(pop.values[i], statuses[:, i], ret[i], adult, old[i], *factors)
    coords = {d: pop[d] for d in pop.dims}
    return xr.Dataset({name: xr.DataArray(values, dims=pop.dims, coords=coords, attrs={"units": "persons"})
                       for name, values in zip(INSURED_STATUSES, statuses)})


def enrollment_terms(years, ages, retired, calibration, in_service_index, resident_index, flexible_share) -> tuple:
    """The factors of the enrollment formulas as arrays shaped (year, draw, sex, age) for broadcasting."""
    ret = retired.transpose("year", "sex", "age").values[:, None]
    c_w, k_r, c_r = (getattr(calibration, name).values.reshape(1, -1, 1, 1)
                     for name in ("in_service_coverage", "retiree_cohort_share", "resident_coverage"))
    index_w, index_r, flex = (_year_draw(a) for a in (in_service_index, resident_index, flexible_share))
    last = calibration.last_retiring_cohort.sel(sex=list(SEXES)).values
    old = ((years[:, None, None] - ages[None, None, :]) <= last[None, :, None])[:, None]  # (year, 1, sex, age)
    adult = ages >= WORKING_AGE
    return ret, adult, old, c_w * index_w, k_r, flex * c_r, c_r * index_r


def _year_draw(a: xr.DataArray) -> np.ndarray:
    """An assumption over year (and draw, in a stochastic run) as a (year, draw, 1, 1) factor."""
    if "draw" in a.dims:
        return a.transpose("year", "draw").values.astype(float)[:, :, None, None]
    return np.asarray(a.values, dtype=float).reshape(-1, 1, 1, 1)


def year_statuses(mid, out, ret, adult, old, coverage, k_r, flexible_rate, resident_rate) -> None:
    """The four statuses of one year's mid-year population ``mid`` (draws, sex, age), written in place
    into ``out`` (status, draws, sex, age) without a temporary (:func:`project_enrollment`'s formulas)."""
    in_service, flexible, retirees, residents = out
    np.multiply(mid, 1 - ret, out=flexible)  # the working: p × (1 − ret) × adult
    flexible *= adult
    np.multiply(flexible, coverage, out=in_service)
    np.copyto(retirees, coverage)
    np.copyto(retirees, k_r, where=old)
    retirees *= mid
    retirees *= ret
    np.subtract(mid, in_service, out=residents)
    residents -= retirees
    np.maximum(residents, 0.0, out=residents)
    flexible -= in_service
    np.maximum(flexible, 0.0, out=flexible)
    flexible *= flexible_rate
    residents *= resident_rate
    residents -= flexible
    np.maximum(residents, 0.0, out=residents)


def retirement_schedule(values) -> tuple[dict, int, float]:
    """The statutory retirement ages of a scenario (``values``: schema path -> value; the
    schedule is not dated): the tracks' rules, the reform's first year, the women workers' share."""
    base = "policy.employee.retirement_age."
    tracks = {track: {key: float(values[f"{base}{track}.{key}"]) for key in ("from", "to", "months_per_step")}
              for track in RETIREMENT_TRACKS}
    return tracks, int(values[f"{base}start_year"]), float(values[f"{base}female_worker_share"])


def retired_share(rules, ages) -> xr.DataArray:
    """Share of each (year, sex, age) past the statutory retirement age under ``rules``."""
    return retired_fraction(rules.years, np.asarray(ages), *retirement_schedule(rules.values))


def age_cost_index(weighted: xr.DataArray, members: xr.DataArray, weights: dict) -> xr.DataArray:
    """A pool's mean age–sex cost per member: its members weighted by each cost curve, per member,
    mixed by the curves' shares of the pool's base-year cost (``weights``: curve -> share), ratio.
    The one measure of ageing: removed from the history's growth and applied in the projection.
    ``weighted`` has a ``curve`` dimension; ``members`` the same others."""
    out = (sum(share * weighted.sel(curve=curve, drop=True) for curve, share in weights.items())
           / members.where(members > 0))
    out.attrs["units"] = "ratio"
    return out


def pool_age_index(population: xr.DataArray, counts: dict, retired: xr.DataArray, curves: xr.Dataset,
                   weights: dict) -> xr.DataArray:
    """Each basic pool's :func:`age_cost_index` in past years (year, pool): in each year of
    ``counts`` (year -> (in-service, retirees, residents) as published) the members by age are the
    ``population`` (year, sex, age) enrolled with that year's own calibration
    (:func:`~forecast.model.enrollment.past.past_members`, all years at once)."""
    years = np.array(sorted(counts))
    pop = population.sel(year=years).transpose("year", "sex", "age")
    sexes, ages = pop["sex"].values, pop["age"].values
    ret = retired.sel(year=years, sex=sexes, age=ages).transpose("year", "sex", "age").values
    members = past_members(pop.values, ret, years, ages, np.array([counts[y] for y in years], float), WORKING_AGE)
    index = []
    for pool, m in zip(BASIC_POOLS, members):  # age_cost_index's formula
        weighted = sum(share * (m * curves[c].sel(sex=sexes, age=ages).transpose("sex", "age").values).sum((1, 2))
                       for c, share in weights[pool].items())
        index.append(weighted / np.where(m.sum((1, 2)) > 0, m.sum((1, 2)), np.nan))
    return xr.DataArray(np.stack(index, axis=1), dims=("year", "pool"),
                        coords={"year": years, "pool": list(BASIC_POOLS)}, attrs={"units": "ratio", "description": (
                            "each pool's mean age-sex cost index per member, as enrolled in past years")})


def mid_year_population(population: xr.DataArray, years) -> xr.DataArray:
    """The mean of the populations at the end of the year before and of the year (year[, draw],
    sex, age); in the year of the base population the year-end population stands in."""
    end_of_year = population.sel(year=slice(int(years[0]) - 1, int(years[-1])))
    mid = ((end_of_year.shift(year=1) + end_of_year) / 2).fillna(end_of_year).sel(year=np.asarray(years))
    mid.attrs = {"units": "persons", "description": "mid-year population: the mean of the year-end populations"}
    return mid
