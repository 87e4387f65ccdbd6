"""Any scenario the schema accepts either runs to finite results or is refused with a located
message: never another exception, never NaN or inf (issue 10), and individual accounts never
negative (issue 12). Hypothesis writes overlays with values drawn from each parameter's full
allowed range, extremes included."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import forecast
from forecast.errors import InputError
from forecast.scenario.parameters import SCHEMA

from ..conftest import ROOT

pytestmark = pytest.mark.slow


def _range(path: str, low: float | None = None):
    """Floats over the parameter's whole allowed range (from ``low`` where the cross-field rules
    need it: a cap must exceed the baseline's deductibles)."""
    node = SCHEMA
    for key in path.split("."):
        node = node[key]
    return st.floats(min_value=node.low if low is None else low, max_value=node.high, allow_nan=False)


LOWER = {"policy.resident.benefits.inpatient.annual_cap": 10_000.0}


PARAMETERS = (
    "assumptions.economy.wage_growth",
    "assumptions.economy.interest_rate",
    "assumptions.economy.price_inflation",
    "assumptions.medical_costs.utilisation_growth.inpatient",
    "assumptions.medical_costs.utilisation_growth.pharmacy",
    "assumptions.medical_costs.cost_trend.employee",
    "policy.employee.individual_account.in_service_rate",
    "assumptions.medical_costs.induced_demand_elasticity",
    "assumptions.enrollment.compliance_rate",
    "assumptions.enrollment.flexible_worker_share",
    "policy.employee.employer_rate",
    "policy.employee.retiree_contribution_rate",
    "policy.resident.fiscal_subsidy",
    "policy.resident.benefits.inpatient.annual_cap",
    "policy.resident.benefits.outpatient.reimbursement_ratio",
    "policy.resident.benefits.outpatient.village.reimbursement_ratio",
    "policy.employee.benefits.outpatient.tier3.reimbursement_ratio",
    "policy.employee.benefits.outpatient.retired.reimbursement_ratio",
    "policy.employee.benefits.outpatient.retired.annual_cap",
    "policy.critical_illness.bands.first_ratio",
    "policy.medical_assistance.annual_limit",
    "policy.ltci.financing_per_capita",
    "policy.ltci.coverage.resident",
)


def _overlay(values: dict, tfr: float, e0: float) -> str:
    lines = [f"extends: {ROOT / 'scenarios' / 'baseline.yaml'}", "title: drawn by Hypothesis"]
    tree: dict = {}
    for path, value in values.items():
        node = tree
        *parents, leaf = path.split(".")
        for key in parents:
            node = node.setdefault(key, {})
        node[leaf] = {2025: value}
    tree.setdefault("assumptions", {})["demography"] = {
        "fertility": {"tfr": {2030: tfr}},
        "mortality": {"method": "e0_target", "e0_targets": {2040: {"male": e0, "female": e0 + 4}}},
    }

    def emit(node, depth):
        for key, value in node.items():
            if isinstance(value, dict) and not all(isinstance(k, int) for k in value):
                lines.append("  " * depth + f"{key}:")
                emit(value, depth + 1)
            else:
                lines.append(
                    "  " * depth + f"{key}: {{{', '.join(f'{k}: {v!r}' for k, v in value.items())}}}"
                    if isinstance(value, dict)
                    else "  " * depth + f"{key}: {value!r}"
                )

    emit(tree, 0)
    return "\n".join(lines) + "\n"


@pytest.mark.filterwarnings("ignore")
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(
    values=st.fixed_dictionaries({p: _range(p, LOWER.get(p)) for p in PARAMETERS}),
    tfr=st.floats(min_value=0.3, max_value=8.0),
    e0=st.floats(min_value=40.0, max_value=96.0),
)
def test_any_valid_scenario_runs_to_finite_results_or_is_refused(tmp_path_factory, values, tfr, e0):
    path = tmp_path_factory.mktemp("scenario") / "drawn.yaml"
    path.write_text(_overlay(values, tfr, e0), encoding="utf-8")
    try:
        ds = forecast.run(path)
    except InputError as err:
        assert all(p.file and p.fix for p in err.problems), err.render()
        event(f"refused: {err.problems[0].message[:60]}")
        return
    event("ran")
    for name, da in ds.data_vars.items():
        if da.dtype.kind == "f":
            assert np.isfinite(da.values).all(), name
    reserve = ds["reserve"].values
    assert np.allclose(
        reserve[1:] - reserve[:-1], ds["balance"].values[1:], rtol=1e-9, atol=1e-3 * np.abs(reserve).max()
    )
    # individual accounts never pay out more than they hold plus their income (issue 12)
    held = ds["individual_account_reserve"].values
    assert (held >= 0).all()
    spent, income = ds["individual_account_expenditure"].values, ds["individual_account_income"].values
    assert (spent[1:] <= held[:-1] + income[1:] + 1e-6 * np.abs(income).max()).all()
    assert np.allclose(held[1:] - held[:-1], income[1:] - spent[1:], rtol=1e-9, atol=1e-6 * np.abs(held).max())
