"""Indexation as a first-class rule (issue 23): every money parameter continues after its last given
value by its schema's rule, whatever form the value takes; benefit limits follow the wage index
(employees) or per-capita disposable income (residents), one year behind, unless frozen."""

from __future__ import annotations

import numpy as np
import pytest

import forecast
from forecast.scenario.dated import GROWTH_SERIES
from forecast.scenario.param import MONEY_UNITS
from forecast.scenario.parameters import iter_params
from forecast.scenario.rules import resolve_rules

from .conftest import without_fits

YEARS = np.arange(2024, 2061)
#: money parameters deliberately held after their last given value, and why
HELD = {
    "policy.medical_assistance.budget": "a total the budget sets year by year (0: pay as you go)",
    "policy.employee.individual_account.retiree_credit": "国办发〔2021〕14号: the reform year's amount, not adjusted",
}


def _rules(**switches):
    params = without_fits(dict(forecast.load_scenario("baseline").params))
    params.update(switches)
    return resolve_rules(params, YEARS)


def test_every_money_parameter_has_a_continuation_rule():
    for path, param in iter_params():
        if param.unit in MONEY_UNITS and path not in HELD:
            assert param.after != "hold", f"{path} holds its yuan value for ever"


@pytest.mark.slow
def test_every_schema_leaf_with_a_growth_rule_grows_by_it():
    """Walks the schema: each leaf continued by a growth series grows from 2025 by that series
    (lagged where the leaf says so), whatever form the baseline gives it in."""
    rules = _rules()
    checked = 0
    for path, param in iter_params():
        if param.after not in GROWTH_SERIES or path not in rules.values:
            continue
        value = np.asarray(rules[path], dtype=float)
        if not value[0] > 0:
            continue  # 0 stays 0 (no deductible)
        growth = np.asarray(rules[GROWTH_SERIES[param.after]], dtype=float)
        lagged = np.concatenate([np.full(param.lag, growth[0]), growth[: len(growth) - param.lag]])
        given = max(i for i, y in enumerate(YEARS) if y <= _last_given(path))
        expected = value[given] * np.cumprod(np.where(np.arange(len(YEARS)) > given, 1 + lagged, 1.0))
        assert np.allclose(value[given:], expected[given:], rtol=1e-12), path
        assert value[-1] > value[given] * 1.5, path
        checked += 1
    assert checked >= 20


def _last_given(path: str) -> int:
    value = forecast.load_scenario("baseline").params.get(path)
    return 2024 if value is None or value.is_constant else value.last_year


def test_frozen_limits_hold_their_yuan_values_and_nothing_else_changes():
    indexed, frozen = _rules(), _rules(**{"assumptions.indexation.benefit_limits": "frozen"})
    for path, param in iter_params():
        if path not in indexed.values or not isinstance(indexed[path], np.ndarray):
            continue
        if param.limit:
            assert np.all(frozen[path] == frozen[path][0]), path
        else:
            assert np.array_equal(frozen[path], indexed[path]), path


@pytest.mark.slow
def test_ltci_spending_per_beneficiary_grows_with_the_wage_index():
    from forecast.engine import resolved_rules

    scenario = forecast.load_scenario("baseline")
    ds = forecast.run(scenario)
    rules = resolved_rules(
        scenario,
        forecast.load_region(scenario.region_path),
        dict(scenario.params),
        dict(scenario.root_params),
        scenario.horizon,
    )
    per_user = ds["expenditure"].sel(pool="ltci") / ds["ltci_beneficiaries"]
    wages = np.cumprod(1 + np.asarray(rules["assumptions.economy.wage_growth"], dtype=float)[1:])
    ratio = float(per_user.sel(year=2050) / per_user.sel(year=2024))
    assert ratio == pytest.approx(wages[2050 - 2025], rel=0.01)


def test_a_long_form_value_may_freeze_or_lag(tmp_path):
    overlay = tmp_path / "freeze.yaml"
    overlay.write_text(
        "title: t\npolicy:\n  resident:\n    benefits:\n      inpatient:\n"
        "        annual_cap: {values: {2024: 200000}, after: constant}\n"
        "      outpatient:\n        annual_cap: {values: {2024: 600}, after: wage_growth, lag: 0}\n",
        encoding="utf-8",
    )
    params = without_fits(dict(forecast.load_scenario(f"baseline+{overlay}").params))
    rules = resolve_rules(params, YEARS)
    cap = rules.ds["benefit_annual_cap"].sel(pool="resident")
    assert np.all(cap.sel(benefit="inpatient").values == 200000)
    wages = np.asarray(rules["assumptions.economy.wage_growth"], dtype=float)
    assert float(cap.sel(benefit="outpatient", year=2025)) == pytest.approx(600 * (1 + wages[1]))
