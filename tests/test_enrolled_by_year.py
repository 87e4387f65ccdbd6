"""The enrollment stage fused with the population's projection (forecast.engine.enrolled.EnrollingByYear):
each year enrolled as the projection makes it gives the numbers of the kept projection enrolled after
it, to the bit; a run so made is the run that keeps every draw's population; a bad year is refused
as the check of a kept projection refuses it."""

from __future__ import annotations

import importlib

import numpy as np
import pytest
import xarray as xr

import forecast
from forecast.engine.draws import stochastic_setup
from forecast.engine.enrolled import EnrollingByYear, enroll
from forecast.engine.plan import build_plan
from forecast.engine.run import base_year
from forecast.errors import InputError
from forecast.model.population.engine import project_arrays
from forecast.model.population.indicators import check_projection
from forecast.model.uncertainty.stochastic import DriverPaths, fund_drivers
from forecast.scenario.rules import with_defaults

project_module = importlib.import_module("forecast.model.population.project")


@pytest.fixture(scope="module")
def group():
    """The first group of 50 draws of the baseline (chunks of 20: a group joins three), its plan,
    figures, curves and fund drivers."""
    scenario = forecast.load_scenario("baseline")
    region = forecast.load_region(scenario.region_path)
    params, root = with_defaults(dict(scenario.params)), with_defaults(dict(scenario.root_params))
    base, _, years, figures, curves = base_year(scenario, region, params, root, scenario.horizon)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(project_module, "DRAW_CHUNK", 20)
        setup = stochastic_setup(scenario, region, params, scenario.horizon, 50, 4, None, None, group=50, deferred=True)
        task = next(iter(setup.chunks))
    plan = build_plan(scenario, region, params, root, years, setup.central_population(None), curves, False)
    shocks = fund_drivers(region, base, params, setup.settings, years, 50, setup.entropy, setup.quantiles, None)
    return task, plan, figures, curves, shocks


def _identical(a: xr.DataArray, b: xr.DataArray) -> None:
    xr.testing.assert_identical(a, b)
    assert np.array_equal(a.values, b.values)  # to the bit, not within a tolerance


def test_a_group_enrolled_as_projected_is_the_kept_projection_enrolled_after(group):
    task, plan, figures, curves, shocks = group
    kept = task()
    after = enroll(kept, plan, figures, curves, DriverPaths(shocks, kept["draw"].values))
    enrolling = EnrollingByYear(plan, figures, curves, shocks)
    chunk = task(each_year=enrolling)
    assert "population" not in chunk and enrolling.bad_from is None
    by_year = enrolling.enrolled(chunk)
    for name in after.members:
        _identical(by_year.members[name], after.members[name])
    _identical(by_year.births, after.births)
    _identical(by_year.population, after.population)
    years = plan.rules.years
    summed = kept["population"].sum("draw", skipna=False).sel(year=years)
    assert np.array_equal(enrolling.over_draws().values, summed.values)
    assert list(enrolling.over_draws()["year"].values) == list(years)


def test_a_run_enrolled_as_projected_is_the_run_that_keeps_every_draws_population(monkeypatch):
    """Keeping every draw's population takes the other path (each group projected whole, then
    enrolled): the fund stages' numbers are the same to the bit, the mean population within rounding.
    A deterministic run (its plan fitted on its one path) takes the other path too."""
    engine_run = importlib.import_module("forecast.engine.run")
    made = []
    monkeypatch.setattr(engine_run, "EnrollingByYear", lambda *args: made.append(args) or EnrollingByYear(*args))
    fused = forecast.run("baseline", draws=30, seed=5)
    assert len(made) == 1  # one group of 30 draws
    kept = forecast.run("baseline", draws=30, seed=5, keep=("population",))
    forecast.run("baseline")
    assert len(made) == 1
    for name in ("income", "expenditure", "reserve", "insured", "verdict"):
        assert np.array_equal(fused[name].values, kept[name].values, equal_nan=True), name
    mean = kept["population"].mean("draw")
    np.testing.assert_allclose(fused["population"].values, mean.values, rtol=1e-13)


def test_each_year_sees_the_populations_the_projection_keeps_and_then_keeps_none():
    rng = np.random.default_rng(0)
    years, draws, ages = 6, 3, 101
    base = rng.uniform(0, 1e5, (draws, 2, ages))
    mx = np.sort(rng.uniform(1e-4, 0.4, (years, 1, 2, ages)), axis=-1)
    asfr = np.zeros((years, 1, ages))
    asfr[:, :, 15:50] = 1.6 / 35
    srb = np.full((years, 1), 1.06)
    migration = 100.0 * rng.standard_normal((years, 2, ages))
    kept, births, _ = project_arrays(base, 0.2, mx, asfr, srb, migration)
    seen = []
    none, born, _ = project_arrays(
        base,
        0.2,
        mx,
        asfr,
        srb,
        migration,
        each_year=lambda t, previous, new: seen.append((t, previous.copy(), new.copy())),
    )
    assert none is None and np.array_equal(born, births)
    assert [t for t, _, _ in seen] == list(range(years))
    for t, previous, new in seen:
        assert np.array_equal(new, kept[t])
        assert np.array_equal(previous, base if t == 0 else kept[t - 1])


@pytest.mark.parametrize("value", [np.nan, np.inf, -1e-9])
def test_a_bad_year_stops_the_enrollment_and_is_refused_as_a_kept_projection_is(group, value):
    _, plan, figures, curves, shocks = group
    enrolling = EnrollingByYear(plan, figures, curves, shocks)
    each_year = enrolling(np.arange(2))
    good = np.full((2, 2, 101), 1000.0)
    bad = good.copy()
    bad[1, 0, 40] = value
    first = int(plan.rules.years[0])
    each_year(first - 1, good, good)
    each_year(first, good, bad)
    each_year(first + 1, bad, good)  # after a bad year nothing is enrolled
    assert enrolling.bad_from == first and enrolling.insured is None
    chunk = xr.Dataset(
        {"births": (("year", "draw", "sex"), np.ones((3, 2, 2)))}, coords={"year": [first - 1, first, first + 1]}
    )

    class Scenario:
        files = ("scenarios/baseline.yaml",)

    class Region:
        path = "data/china"

    with pytest.raises(InputError, match=f"negative or non-finite counts from {first}"):
        check_projection(chunk, Scenario(), Region(), enrolling.bad_from)
