"""Hypothesis identities of the fund stage: reserve roll-forward, non-negative money, caps."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import forecast
from forecast.engine import make_plan, project_funds
from forecast.model.calibration.base_year import base_year_figures
from forecast.scenario.dated import DatedValue
from forecast.scenario.rules import resolve_rules as resolve

from ..conftest import CHINA, ROOT, without_fits

YEARS = np.arange(2024, 2046)


@lru_cache(maxsize=1)
def _inputs():
    from forecast.model.population import project_region

    region = forecast.load_region(CHINA)
    scenario = forecast.load_scenario(ROOT / "scenarios" / "baseline.yaml")
    pop = project_region(region, scenario.population, end_year=int(YEARS[-1]))
    return region, scenario, pop, base_year_figures(region, 2024)


def run_with(overrides: dict):
    region, scenario, pop, figures = _inputs()
    params = without_fits(dict(scenario.params))
    params.update({k: DatedValue.constant(v) if not isinstance(v, DatedValue) else v for k, v in overrides.items()})
    root = resolve(without_fits(dict(scenario.params)), YEARS)
    return project_funds(region, pop, make_plan(region, resolve(params, YEARS), root), figures)


policy = st.fixed_dictionaries(
    {
        "assumptions.economy.interest_rate": st.floats(0.0, 0.06),
        "assumptions.economy.price_inflation": st.floats(-0.02, 0.06),
        "assumptions.medical_costs.utilisation_growth.inpatient": st.floats(-0.02, 0.08),
        "assumptions.medical_costs.induced_demand_elasticity": st.floats(-0.5, 0.0),
        "policy.resident.benefits.inpatient.annual_cap": st.floats(20_000, 1_000_000),
        "policy.resident.benefits.inpatient.tier3.reimbursement_ratio": st.floats(0.3, 0.95),
        "policy.employee.employer_rate": st.floats(0.04, 0.12),
    }
)


@pytest.mark.slow
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(overrides=policy)
def test_reserves_roll_forward_and_money_is_never_negative(overrides):
    ds = run_with(overrides)
    reserve, income, spent = (ds[v].values for v in ("reserve", "income", "expenditure"))
    assert np.allclose(np.diff(reserve, axis=0), income[1:] - spent[1:], rtol=1e-10, atol=1e-2)
    for name in ("income", "expenditure", "income_items", "expenditure_items", "insured"):
        values = ds[name].values
        assert np.isfinite(values).all() and (values >= 0).all(), name


@pytest.mark.slow
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(low=st.floats(10_000, 400_000), extra=st.floats(1.0, 600_000))
def test_raising_a_cap_never_lowers_expenditure(low, extra):
    path = "policy.resident.benefits.inpatient.annual_cap"
    lower, higher = run_with({path: low}), run_with({path: low + extra})
    assert (higher["expenditure"].sel(pool="resident") >= lower["expenditure"].sel(pool="resident") - 1e-3).all()
    assert (
        higher["expenditure"].sel(pool="critical_illness") <= lower["expenditure"].sel(pool="critical_illness") + 1e-3
    ).all()


@settings(max_examples=60, deadline=None)
@given(
    held=st.lists(st.lists(st.booleans(), min_size=3, max_size=3), min_size=1, max_size=15),
    years=st.integers(min_value=1, max_value=16),
)
def test_a_warning_run_is_a_condition_held_every_year_of_its_window(held, years):
    """风险预警's runs (a deficit N years running, a falling surplus rate): True exactly where the
    condition held this year and the years − 1 before, as xarray's rolling count says (full windows only)."""
    import xarray as xr

    from forecast.model.fund.warning import _running

    condition = xr.DataArray(np.array(held), dims=("year", "pool"), coords={"year": 2024 + np.arange(len(held))})
    expected = (condition.astype(int).rolling(year=years, min_periods=years).sum() >= years).fillna(False)
    for layout in (("year", "pool"), ("pool", "year")):
        got = _running(condition.transpose(*layout), years)
        assert got.dims == layout
        np.testing.assert_array_equal(got.values, expected.transpose(*layout).values)
        by_hand = [
            all(row[p] for row in held[max(t - years + 1, 0) : t + 1]) and t >= years - 1
            for t in range(len(held))
            for p in range(3)
        ]
        assert got.transpose("year", "pool").values.ravel().tolist() == by_hand
