"""The engine's dimensions: draws and regions flow through the stages as labelled dims (issue 11).

- a run over D draws equals D runs of one draw each (nothing leaks between draws);
- a run over several regions equals each region's own run, along a ``region`` dimension.
"""

from __future__ import annotations

import shutil
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import xarray as xr
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import forecast
from forecast.engine import project_funds
from forecast.engine.plan import build_plan
from forecast.model.benefits.curves import age_curves
from forecast.model.calibration.base_year import base_year_figures, fund_base_year
from forecast.model.population import project_region
from forecast.scenario.rules import with_defaults

from .conftest import CHINA, ROOT

FLOWS = ("income", "expenditure", "reserve", "insured", "individual_account_reserve", "ltci_beneficiaries")


def _plan(region, scenario, population):
    """The plan a run makes (the engine's: fitted on the first draw's population)."""
    years = np.arange(fund_base_year(region), scenario.horizon + 1)
    params, root = (with_defaults(dict(p)) for p in (scenario.params, scenario.root_params))
    return build_plan(scenario, region, params, root, years, population.isel(draw=0), age_curves(region), False)


@pytest.mark.slow
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(draws=st.integers(min_value=2, max_value=5), seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_a_run_over_draws_equals_one_run_per_draw(draws, seed):
    region = forecast.load_region(CHINA)
    scenario = forecast.load_scenario(ROOT / "scenarios" / "lee_carter.yaml")
    population = project_region(region, scenario.population, end_year=scenario.horizon, draws=draws, seed=seed)
    plan, figures = _plan(region, scenario, population["population"]), base_year_figures(region, fund_base_year(region))
    together = project_funds(region, population, plan, figures)
    for d in range(draws):
        alone = project_funds(region, population.isel(draw=[d]), plan, figures)
        for name in FLOWS:
            # relative to each value, with a floor at 1e-12 of the variable's largest magnitude (as the
            # golden comparison): a reserve crossing zero (9.5亿 in a year between ±2万亿) differs by
            # rounding alone, 0.001 yuan, which is 1e-12 of itself
            floor = 1e-12 * float(np.abs(alone[name]).max())
            xr.testing.assert_allclose(together[name].isel(draw=[d]), alone[name], rtol=1e-12, atol=floor)


def test_chunks_enrolled_apart_and_joined_give_the_fund_stages_of_the_whole():
    """The engine enrolls each population chunk as it comes and takes several chunks' draws through
    the fund stages at once (forecast.engine.enrolled): the same numbers as the whole population's."""
    from forecast.engine.enrolled import Enrolled, enroll
    from forecast.engine.funds import fund_stages
    from forecast.model.uncertainty.stochastic import DriverPaths

    region = forecast.load_region(CHINA)
    scenario = forecast.load_scenario(ROOT / "scenarios" / "lee_carter.yaml")
    population = project_region(region, scenario.population, end_year=scenario.horizon, draws=6, seed=11)
    plan, figures = _plan(region, scenario, population["population"]), base_year_figures(region, fund_base_year(region))
    curves, paths = age_curves(region), DriverPaths(None, population["draw"].values)
    with xr.set_options(arithmetic_join="exact"):
        parts = [
            enroll(population.isel(draw=part), plan, figures, curves, paths) for part in (slice(0, 2), slice(2, 6))
        ]
        joined = Enrolled.joined(parts)
        assert joined.draws.tolist() == list(range(6))
        together = fund_stages(region, joined, plan, figures, paths)
    whole = project_funds(region, population, plan, figures)
    for name in FLOWS:
        floor = 1e-12 * float(np.abs(whole[name]).max())
        xr.testing.assert_allclose(together[name], whole[name], rtol=1e-12, atol=floor)


def test_a_groups_refusal_on_a_population_thread_reaches_the_caller(monkeypatch):
    """The population's groups are checked and enrolled on the population threads
    (forecast.engine.run._enrolled): the third group's refusal is the run's InputError, and the
    threads end with the run."""
    import importlib

    from forecast.errors import InputError, Problem

    projection = importlib.import_module("forecast.model.population.project")
    engine_run = importlib.import_module("forecast.engine.run")
    monkeypatch.setattr(projection, "DRAW_CHUNK", 10)
    monkeypatch.setattr(engine_run, "POPULATION_DRAWS", 10)
    checked = []

    def refuse_the_third(chunk, scenario, region, bad_from=None):
        checked.append(int(chunk["draw"].values[0]))
        if int(chunk["draw"].values[0]) == 20:
            raise InputError(Problem("scenarios/baseline.yaml", "the third group is refused", "a test"))

    monkeypatch.setattr(engine_run, "check_projection", refuse_the_third)
    with pytest.raises(InputError, match="the third group is refused"):
        forecast.run("baseline", draws=60, seed=3)
    assert 20 in checked
    assert not [t for t in threading.enumerate() if t.name.startswith("forecast-population")]


def test_the_runs_drivers_and_plan_are_made_once_and_a_failure_is_raised_to_every_asker():
    """engine.run._Prepared: the first asker makes the drivers (and the plan, when it is fitted on the
    central path or the asker brings the run's one path); the others, on other threads, get the same."""
    from forecast.engine.run import _Prepared

    made = []
    prepared = _Prepared(
        lambda: made.append("drivers") or "shocks", lambda chunk: made.append(chunk) or "plan", None, central=False
    )
    assert prepared() == (None, "shocks")  # the main thread: the plan waits for the run's one path
    with ThreadPoolExecutor(2) as pool:
        assert list(pool.map(prepared, ["path", "path"])) == [("plan", "shocks")] * 2
    assert made == ["drivers", "path"]

    def fail():
        raise ValueError("no drivers")

    failing = _Prepared(fail, lambda chunk: "plan", None, central=True)
    for _ in range(2):
        with pytest.raises(ValueError, match="no drivers"):
            failing()


@pytest.fixture(scope="module")
def two_bundles(tmp_path_factory):
    """data/china and a copy whose 2024 resident income is 5% higher (another region)."""
    other = tmp_path_factory.mktemp("regions") / "other"
    shutil.copytree(CHINA, other)
    text = (other / "fund_history.csv").read_text(encoding="utf-8")
    (other / "fund_history.csv").write_text(
        text.replace("2024,resident,total,income,11180.91", "2024,resident,total,income,11739.96"), encoding="utf-8"
    )
    return [CHINA, other]


@pytest.mark.slow
def test_a_run_over_regions_equals_each_region_alone(two_bundles):
    both = forecast.run("baseline", regions=two_bundles)
    assert both.sizes["region"] == 2 and list(both["region"].values) == [str(p) for p in two_bundles]
    scenario = forecast.load_scenario("baseline")
    for path in two_bundles:
        alone = forecast.engine.project(
            scenario, forecast.load_region(path), dict(scenario.params), dict(scenario.root_params), scenario.horizon
        )
        one = both.sel(region=str(path)).drop_vars(["region", "region_name"])
        for name in (*FLOWS, "months_covered"):
            xr.testing.assert_allclose(one[name], alone[name], rtol=1e-12)
        xr.testing.assert_equal(one["verdict"], alone["verdict"])
    assert not np.allclose(both["income"].isel(region=0), both["income"].isel(region=1))


def test_a_context_makes_each_shared_value_once_and_for_itself():
    """forecast.model.pools.Context.once: a value more than one pool function reads (the resident
    financing, the employee contribution base and account credits) is made the first time it is
    asked for in a context, and each context (each group of draws) makes its own."""
    from forecast.model.pools import Context

    fields = [None] * 13
    made = []
    context = Context(*fields)
    assert context.once("x", lambda: made.append("first") or 41) == 41
    assert context.once("x", lambda: made.append("second") or 42) == 41
    assert made == ["first"]
    assert Context(*fields).once("x", lambda: 7) == 7
    assert context == Context(*fields)  # what it keeps is not part of what it is
