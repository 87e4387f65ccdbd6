"""The past years' age index (members.pool_age_index) enrolls every published year at once on bare
arrays (enrollment.past.past_members); it must give what the readable, year-by-year form gives:
calibrate_enrollment, then project_enrollment with the indices at 1 and no flexible workers, then
age_cost_index — the same numbers to the bit on the shipped bundle's population and on random ones."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st

import forecast
from forecast.model.enrollment.members import (
    age_cost_index,
    calibrate_enrollment,
    pool_age_index,
    project_enrollment,
    retired_fraction,
    retirement_schedule,
)

AGES = np.arange(101)
SEXES = ["male", "female"]


def year_by_year(population, counts, retired, curves, weights) -> xr.DataArray:
    """The readable form: each year calibrated and enrolled on its own, with the labelled functions."""
    names = list(curves.data_vars)
    out = []
    for year, (in_service, retirees, residents) in sorted(counts.items()):
        calibration = calibrate_enrollment(population, retired, in_service, retirees, residents, year)
        ones = xr.DataArray([1.0], dims="year", coords={"year": [year]})
        members = project_enrollment(
            population.sel(year=[year]).expand_dims(draw=[0]),
            retired.sel(year=[year]),
            calibration,
            ones,
            ones,
            ones * 0,
        ).isel(year=0, draw=0, drop=True)
        by_pool = {"employee": members["in_service"] + members["flexible"] + members["retired"]}
        by_pool["resident"] = members["resident"]
        index = [
            age_cost_index(
                xr.concat([(m * curves[c]).sum(("sex", "age")) for c in names], dim="curve").assign_coords(curve=names),
                m.sum(("sex", "age")),
                weights[pool],
            )
            for pool, m in by_pool.items()
        ]
        out.append(xr.concat(index, dim="pool").assign_coords(pool=list(by_pool), year=year))
    return xr.concat(out, dim="year")


@pytest.fixture(scope="module")
def schedule():
    return retirement_schedule(forecast.load_scenario("baseline").params)


def _curves(rng) -> xr.Dataset:
    return xr.Dataset(
        {
            c: xr.DataArray(rng.uniform(0.2, 5.0, (2, 101)), dims=("sex", "age"), coords={"sex": SEXES, "age": AGES})
            for c in ("inpatient", "outpatient", "disability")
        }
    )


WEIGHTS = {"employee": {"inpatient": 0.52, "outpatient": 0.48}, "resident": {"inpatient": 0.76, "outpatient": 0.24}}


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), first=st.integers(1990, 2040), n_years=st.integers(1, 6))
def test_all_years_at_once_equal_year_by_year(schedule, seed, first, n_years):
    rng = np.random.default_rng(seed)
    years = np.arange(first, first + n_years)
    population = xr.DataArray(
        rng.uniform(0.0, 2e7, (n_years, 2, 101)),
        dims=("year", "sex", "age"),
        coords={"year": years, "sex": SEXES, "age": AGES},
    )
    counts = {int(y): tuple(rng.uniform(1e7, 4e8, 3)) for y in years}
    retired = retired_fraction(years, AGES, *schedule)
    curves = _curves(rng)
    fast = pool_age_index(population, counts, retired, curves, WEIGHTS)
    slow = year_by_year(population, counts, retired, curves, WEIGHTS)
    np.testing.assert_array_equal(fast.transpose("year", "pool").values, slow.transpose("year", "pool").values)
    assert fast.attrs["units"] == "ratio"


@pytest.mark.filterwarnings("ignore:invalid value encountered in cast")  # the readable form's int of NaN
def test_a_sex_without_retirees_and_a_pool_without_members(schedule):
    """No woman past retirement age in a year (no female cohort counts as retiring in it) and a year
    without residents (no members: NaN, as age_cost_index gives)."""
    rng = np.random.default_rng(5)
    years = np.array([2023, 2024])
    population = xr.DataArray(
        rng.uniform(1e5, 2e7, (2, 2, 101)),
        dims=("year", "sex", "age"),
        coords={"year": years, "sex": SEXES, "age": AGES},
    )
    retired = retired_fraction(years, AGES, *schedule).copy()
    retired.loc[{"year": 2023, "sex": "female"}] = 0.0
    counts = {2023: (3e8, 1e8, 5e8), 2024: (4e8, 2e8, 0.0)}
    curves = _curves(rng)
    fast = pool_age_index(population, counts, retired, curves, WEIGHTS)
    slow = year_by_year(population, counts, retired, curves, WEIGHTS)
    np.testing.assert_array_equal(fast.transpose("year", "pool").values, slow.transpose("year", "pool").values)
    assert np.isnan(fast.sel(year=2024, pool="resident"))
    assert np.isfinite(fast.sel(year=2023)).all()


def test_the_shipped_bundle_s_past_index_equals_the_year_by_year_form(monkeypatch):
    """On the run's own inputs (data/china's population path, published counts and curves)."""
    from forecast.engine import plan

    captured = []
    monkeypatch.setenv("FORECAST_CACHE", "off")  # the index is made, not read
    monkeypatch.setattr(plan, "pool_age_index", lambda *args: captured.append(args) or pool_age_index(*args))
    forecast.run("baseline")
    (args,) = captured
    assert len(args[1]) >= 5  # the published years 2020-2024
    np.testing.assert_array_equal(pool_age_index(*args).values, year_by_year(*args).transpose("year", "pool").values)
