"""What a study's projections share (forecast.engine.reuse): a solver's trials take the population
projected by the first and, when only the financing moves, the plan's benefit layers and indices;
the numbers are those of each trial run alone, to the bit."""

from __future__ import annotations

import importlib

import numpy as np
import pytest

import forecast
from forecast.engine import project, run_plan
from forecast.engine.plan import make_plan
from forecast.engine.reuse import Reuse
from forecast.model.financing.contributions import FINANCING_PARAMS
from forecast.scenario.dated import DatedValue
from forecast.scenario.rules import resolve_rules

plan_module = importlib.import_module("forecast.engine.plan")
draws_module = importlib.import_module("forecast.engine.draws")


@pytest.fixture(scope="module")
def baseline():
    scenario = forecast.load_scenario("baseline")
    return scenario, forecast.load_region(scenario.region_path)


def _with_nan(rules, paths):
    """``rules`` with ``paths`` NaN in every year (the others as resolved)."""
    values = {**rules.values, **{p: np.full(len(rules.years), np.nan) for p in paths}}
    return resolve_rules(values, rules.years)


def _parts(plan):
    return plan.layers, plan.root_layers, plan.indices, plan.wages, plan.payg


def _same_parts(a, b) -> bool:
    return (
        a.layers == b.layers
        and a.root_layers == b.root_layers
        and a.indices.identical(b.indices)
        and a.wages.identical(b.wages)
        and a.payg.identical(b.payg)
    )


def test_no_part_of_the_plan_reads_the_financing(baseline):
    """The plan's benefit layers, cost and wage indices and pay-as-you-go pools made with every
    financing parameter NaN are those made with the scenario's: none reads them, so a trial that
    moves only the financing may take them from the last (NaN read anywhere would show). The check
    itself finds a parameter the layers do read (the inpatient cap)."""
    scenario, region = baseline
    plan = run_plan(scenario, region, dict(scenario.params), dict(scenario.root_params), scenario.horizon)
    assert set(FINANCING_PARAMS) <= set(plan.rules.values)
    made = make_plan(region, plan.rules, plan.root, plan.fits)
    unfinanced = make_plan(region, _with_nan(plan.rules, FINANCING_PARAMS), plan.root, plan.fits)
    assert _same_parts(made, unfinanced)
    uncapped = make_plan(region, _with_nan(plan.rules, ["policy.resident.benefits.inpatient.annual_cap"]), plan.root)
    assert not _same_parts(made, uncapped)


def test_the_solvers_financing_levers_are_financing_parameters():
    """Every parameter a solver's financing lever moves is one the plan does not read."""
    from forecast.apps.solve import LEVERS

    assert {p for paths in LEVERS.values() for p in paths} <= set(FINANCING_PARAMS)


def _subsidy(scale: float) -> dict:
    return {"policy.resident.fiscal_subsidy": DatedValue(((2025, 700.0 * scale),), after="hold")}


def _counting(monkeypatch, module, name) -> list:
    calls, original = [], getattr(module, name)

    def counted(*args, **kwargs):
        calls.append(name)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


def _identical(a, b) -> None:
    assert list(a.data_vars) == list(b.data_vars)
    for name in a.data_vars:
        assert a[name].identical(b[name]), name
    assert repr(a.attrs) == repr(b.attrs)


@pytest.mark.parametrize("draws", [None, 30])
def test_trials_that_move_the_financing_share_the_population_and_the_plans_parts(baseline, monkeypatch, draws):
    """The second and third trials project no population and make no benefit layers, and each
    gives what it gives alone, to the bit (values, labels, attributes)."""
    scenario, region = baseline
    params, root = dict(scenario.params), dict(scenario.root_params)
    layers = _counting(monkeypatch, plan_module, "payer_layers")
    populations = _counting(monkeypatch, draws_module, "population_chunks")
    reuse = Reuse(region)
    for i, scale in enumerate((1.0, 1.3, 0.9)):
        layers.clear(), populations.clear()
        shared = project(scenario, region, {**params, **_subsidy(scale)}, root, scenario.horizon, draws=draws, seed=2,
                         reuse=reuse)  # fmt: skip
        if i:
            assert layers == [] and populations == []
        alone = project(scenario, region, {**params, **_subsidy(scale)}, root, scenario.horizon, draws=draws, seed=2)
        _identical(shared, alone)


def test_a_trial_that_moves_a_benefit_makes_its_layers_and_takes_the_population(baseline, monkeypatch):
    scenario, region = baseline
    params, root = dict(scenario.params), dict(scenario.root_params)
    reuse = Reuse(region)
    project(scenario, region, params, root, scenario.horizon, reuse=reuse)
    layers = _counting(monkeypatch, plan_module, "payer_layers")
    populations = _counting(monkeypatch, draws_module, "population_chunks")
    capped = {**params, "policy.resident.benefits.inpatient.annual_cap": DatedValue(((2025, 300_000.0),), after="hold")}
    shared = project(scenario, region, capped, root, scenario.horizon, reuse=reuse)
    assert layers and not populations
    _identical(shared, project(scenario, region, capped, root, scenario.horizon))


def test_nothing_is_taken_for_another_region_another_seed_or_beyond_the_budget(baseline, bundle, monkeypatch):
    scenario, region = baseline
    params, root = dict(scenario.params), dict(scenario.root_params)
    populations = _counting(monkeypatch, draws_module, "population_chunks")
    other = forecast.load_region(bundle)  # a copy of the same bundle: another region
    reuse = Reuse(region)
    project(scenario, region, params, root, scenario.horizon, draws=20, seed=1, reuse=reuse)
    assert reuse.like(other) is None and reuse.like(region) is not None
    populations.clear()
    project(scenario, other, params, root, scenario.horizon, draws=20, seed=1, reuse=reuse)
    project(scenario, region, params, root, scenario.horizon, draws=20, seed=5, reuse=reuse)
    # the other region its groups and its central path; the other seed its groups (the central path,
    # which no seed changes, is taken)
    assert len(populations) == 3
    small = Reuse(region, budget=1_000)
    for _ in range(2):
        populations.clear()
        project(scenario, region, params, root, scenario.horizon, draws=20, seed=1, reuse=small)
        assert len(populations) == 2


class _Chunk:
    nbytes = 10

    def __init__(self, i):
        self.i = i


def test_chunks_are_kept_only_once_every_one_is_made():
    """A projection that stops midway (a group refused) leaves nothing to take: the next makes them
    all again; once every group is made, the next takes them, the same objects."""
    reuse, made, region, assumptions = Reuse(object()), [], None, object()
    reuse.region = region = object()

    def chunks(fail_at=None):
        def one(i):
            made.append(i)
            if i == fail_at:
                raise ValueError("refused")
            return _Chunk(i)

        return (lambda i=i: one(i) for i in range(3))

    first = reuse.chunks(region, assumptions, ("k",), lambda: chunks(fail_at=1))
    tasks = list(first)
    tasks[0]()
    with pytest.raises(ValueError):
        tasks[1]()
    second = [task() for task in reuse.chunks(region, assumptions, ("k",), chunks)]
    assert made == [0, 1, 0, 1, 2]
    third = reuse.chunks(region, assumptions, ("k",), chunks)
    assert [c.i for c in third] == [0, 1, 2] and all(a is b for a, b in zip(third, second))
    assert made == [0, 1, 0, 1, 2]
