"""The fund projection on data/china: base-year calibration, accounting identities, scenario effects."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import forecast
from forecast.engine import make_plan, project_funds
from forecast.model.calibration.base_year import base_year_figures
from forecast.scenario.rules import resolve_rules as resolve

from ..conftest import ROOT, without_fits

SCENARIOS = ROOT / "scenarios"


@pytest.fixture(scope="module")
def baseline():
    return forecast.run(SCENARIOS / "baseline.yaml")


def run(name: str) -> xr.Dataset:
    return forecast.run(SCENARIOS / name)


def test_base_year_reproduces_the_2024_bulletin(baseline):
    """《2024年全国医疗保障事业发展统计公报》 (S2024B), tolerance 0.5% as the issue asks.

    The reserve is the previous year's bulletin reserve rolled forward with the year's income
    and expenditure; the bulletin's own reserve differs by other adjustments (0.03%).
    """
    from forecast.results.report import calibration_table

    table = calibration_table(baseline)
    must = [
        "in-service members (万人)",
        "retirees (万人)",
        "residents (万人)",
        "employee pooled fund income (亿元)",
        "employee pooled fund expenditure (亿元)",
        "individual accounts income (亿元)",
        "individual accounts expenditure (亿元)",
        "resident fund income (亿元)",
        "resident fund expenditure (亿元)",
        "employee pooled fund reserve (亿元)",
        "resident fund reserve (亿元)",
        "medical assistance expenditure (亿元)",
        "LTCI income (亿元)",
        "LTCI expenditure (亿元)",
    ]
    for name in must:
        assert abs(table.loc[name, "difference"]) < 0.005, (name, table.loc[name].to_dict())
    assert float(baseline["insured"].sel(year=2024, pool="employee")) == pytest.approx(37948.34e4, rel=1e-9)


def test_result_contract(baseline):
    """The public contract (docs/architecture.md): dims, variables and units of the result Dataset."""
    for name in ("population", "insured", "income", "expenditure", "balance", "reserve", "months_covered", "verdict"):
        assert name in baseline and "units" in baseline[name].attrs, name
    assert baseline["population"].dims == ("year", "sex", "age")
    assert baseline["income"].dims == ("year", "pool")
    assert list(baseline["pool"].values) == list(forecast.POOLS)
    assert int(baseline["year"].values[0]) == 2024 and int(baseline["year"].values[-1]) == 2060
    assert baseline.attrs["forecast_version"] == forecast.__version__ and len(baseline.attrs["scenario_hash"]) == 64
    assert baseline["income"].attrs["units"] == "yuan" and baseline["months_covered"].attrs["units"] == "months"


def test_reserve_roll_forward_holds(baseline):
    """reserve(t) = reserve(t−1) + income(t) − expenditure(t), income including interest."""
    reserve, income, spent = (baseline[v].values for v in ("reserve", "income", "expenditure"))
    assert np.allclose(reserve[1:] - reserve[:-1], income[1:] - spent[1:], rtol=1e-12, atol=1e-3)
    ia = baseline["individual_account_reserve"].values
    assert np.allclose(
        np.diff(ia),
        baseline["individual_account_income"].values[1:] - baseline["individual_account_expenditure"].values[1:],
        rtol=1e-12,
        atol=1e-3,
    )
    items = baseline["income_items"].sum("income_item")
    assert np.allclose(items, baseline["income"], rtol=1e-12)


def test_no_nan_or_negative_money(baseline):
    for name in ("income", "expenditure", "income_items", "expenditure_items", "insured"):
        values = baseline[name].values
        assert np.isfinite(values).all() and (values >= 0).all(), name


def test_months_covered_matches_the_bulletin_derivation(baseline):
    """derived_fund_indicators.csv: 2024 employee pooled fund 27.6 months, resident 9.2 months."""
    months = baseline["months_covered"].sel(year=2024)
    assert float(months.sel(pool="employee")) == pytest.approx(27.6, abs=0.1)
    assert float(months.sel(pool="resident")) == pytest.approx(9.2, abs=0.1)


def test_verdicts_follow_the_thresholds(baseline):
    verdict = baseline.fund.verdict_label()
    months = baseline["months_covered"]
    reserve = baseline["reserve"]
    assert (verdict.sel(pool=["critical_illness", "medical_assistance"]) == "payg").all()
    funded = verdict.sel(pool=["employee", "resident", "ltci"])
    assert ((funded == "exhausted") == (reserve.sel(pool=["employee", "resident", "ltci"]) <= 0)).all()
    assert ((funded == "excessive") <= (months.sel(pool=["employee", "resident", "ltci"]) > 15)).all()
    assert str(verdict.sel(year=2024, pool="employee").item()) == "excessive"  # 27.6 months > 15


def stationary_run(china, overrides: dict | None = None):
    """Zero cost and wage growth, a stationary population, no retirement reform, and the
    retiree cohort share equal to the in-service coverage so that enrollment is stationary
    (``overrides``: further parameter values)."""
    from forecast.model.population import project_region

    scenario = forecast.load_scenario(SCENARIOS / "no_retirement_reform.yaml")
    years = np.arange(2024, 2041)
    params = without_fits(dict(scenario.params))
    zero = {
        k: v
        for k, v in params.items()
        if k.startswith(
            (
                "assumptions.medical_costs.utilisation_growth.",
                "assumptions.medical_costs.cost_trend.",
                "assumptions.medical_costs.assistance_trend",
            )
        )
    }
    from forecast.scenario.dated import DatedValue

    for path in (
        *zero,
        "assumptions.economy.wage_growth",
        "assumptions.economy.price_inflation",
        "assumptions.economy.disposable_income_growth",
        "assumptions.medical_costs.payment_reform_effect",
    ):
        params[path] = DatedValue.constant(0.0)
    for path in (
        "policy.resident.individual_contribution",
        "policy.resident.fiscal_subsidy",
        "policy.ltci.financing_per_capita",
        "assumptions.economy.disposable_income_per_capita",
        "policy.ltci.monthly_cost.home_care",
        "policy.ltci.monthly_cost.institutional_care",
    ):
        params[path] = DatedValue.constant(float(params[path].points[-1][1]))
    params.update(overrides or {})
    p = resolve(params, years)
    pop = project_region(china, scenario.population, end_year=2024)
    frozen = pop["population"].sel(year=2023)
    population = xr.concat([frozen] * (len(years) + 1), dim="year").assign_coords(year=np.arange(2023, 2041))
    births = xr.concat([pop["births"].sel(year=2024)] * len(years), dim="year").assign_coords(year=years)
    stationary = xr.Dataset({"population": population, "births": births})
    figures = base_year_figures(china, 2024)
    from forecast.model.enrollment import members as enr

    mid = population.sel(year=[2024])
    retired = enr.retired_share(p.base_year(), population["age"].values)
    c_w = figures["in_service"] / float((mid * (1 - retired) * (mid["age"] >= enr.WORKING_AGE)).sum())
    figures["retired"] = c_w * float((mid * retired).sum())
    return project_funds(china, stationary, make_plan(china, p, p), figures)


def test_zero_cost_growth_and_a_stationary_population_give_flat_per_capita_expenditure(china):
    ds = stationary_run(china)
    per_capita = ds["expenditure"] / ds["insured"]
    for pool in forecast.POOLS:
        series = per_capita.sel(pool=pool).values
        assert np.allclose(series, series[0], rtol=1e-9), (pool, series[:3], series[-3:])


def pooled(ds, pool="employee"):
    return ds["balance"].sel(pool=pool)


def test_raise_special_disease_caps_raises_expenditure(baseline):
    alt = run("raise_special_disease_caps.yaml")
    extra = alt["expenditure"] - baseline["expenditure"]
    for pool in ("employee", "resident"):
        assert float(extra.sel(pool=pool, year=2024)) == pytest.approx(0.0, abs=1.0)
        assert (extra.sel(pool=pool, year=slice(2025, None)) > 0).all()


def test_ltci_extension_raises_insured_income_and_expenditure_from_the_extension_year(baseline):
    alt = run("ltci_extension.yaml")
    for name in ("insured", "income", "expenditure"):
        diff = (alt[name] - baseline[name]).sel(pool="ltci")
        assert abs(float(diff.sel(year=2024))) < 1e-6 * float(baseline[name].sel(pool="ltci", year=2024)) + 1.0, name
        assert (diff.sel(year=slice(2026, None)) > 0).all(), name
    # the employer half comes out of the employee pooled fund
    assert (
        alt["expenditure"].sel(pool="employee", year=slice(2026, None))
        > baseline["expenditure"].sel(pool="employee", year=slice(2026, None))
    ).all()


@pytest.mark.slow
def test_retirement_reform_improves_the_employee_pooled_fund():
    reform, none = run("retirement_age_reform.yaml"), run("no_retirement_reform.yaml")
    better = pooled(reform) - pooled(none)
    assert float(better.sel(year=2024)) == pytest.approx(0.0, abs=1.0)
    assert (better.sel(year=slice(2026, None)) > 0).all()
    assert (reform["reserve"].sel(pool="employee") >= none["reserve"].sel(pool="employee") - 1.0).all()


def test_retirees_contributing_raises_employee_income(baseline):
    alt = run("retirees_contribute.yaml")
    diff = (alt["income"] - baseline["income"]).sel(pool="employee")
    assert abs(float(diff.sel(year=2025))) < 1.0
    assert (diff.sel(year=slice(2026, None)) > 0).all()


def test_compare_reports_the_impact(baseline):
    alt = run("raise_special_disease_caps.yaml")
    diff = forecast.compare(baseline, alt)
    assert float(diff["extra_expenditure_first_year"].sel(pool="resident")) == pytest.approx(
        float((alt["expenditure"] - baseline["expenditure"]).sel(pool="resident", year=2025))
    )
    assert (
        float(diff["extra_expenditure_10y"].sel(pool="employee"))
        > float(diff["extra_expenditure_5y"].sel(pool="employee"))
        > 0
    )
    assert diff["exhaustion_year_change"].attrs["units"] == "year"


def test_compare_refuses_misaligned_runs(baseline):
    with pytest.raises(ValueError):
        forecast.compare(baseline, baseline.sel(year=slice(2024, 2050)))


@pytest.mark.slow
def test_a_medical_assistance_budget_gives_a_balance(tmp_path, baseline):
    path = tmp_path / "budget.yaml"
    path.write_text(
        f"extends: {SCENARIOS / 'baseline.yaml'}\ntitle: budget\npolicy:\n  medical_assistance:\n"
        f'    budget: {{2024: "800亿", 2030: "1000亿"}}\n',
        encoding="utf-8",
    )
    ds = forecast.run(path)
    ma = ds.sel(pool="medical_assistance")
    interest = float(ma["income_items"].sel(year=2024, income_item="interest"))
    assert interest > 0 and float(ma["income"].sel(year=2024)) == pytest.approx(800e8 + interest)
    assert float(ma["reserve"].sel(year=2024)) == pytest.approx(800e8 + interest - 792.32e8, rel=1e-9)
    assert str(ma.fund.verdict_label().sel(year=2024).item()) != "payg"

    # the budget changes what the fund holds, not what it pays for care: only the interest on a deficit differs
    def care(run):
        return run["expenditure"] - run["expenditure_items"].sel(expenditure_item="debt_interest")

    np.testing.assert_allclose(care(ma).values, care(baseline).sel(pool="medical_assistance").values, rtol=1e-12)
    debt = ma["expenditure_items"].sel(expenditure_item="debt_interest")
    opening = ma["reserve"].shift(year=1, fill_value=float(ma["reserve"].isel(year=0)))
    assert (debt.where((opening >= 0) & (ma["reserve"] >= 0), 0) == 0).all()
    assert (debt.where((opening < 0) & (ma["reserve"] < 0), 1) > 0).all()


@pytest.mark.slow
def test_flexible_workers_move_from_the_resident_to_the_employee_pool(tmp_path, baseline):
    path = tmp_path / "flex.yaml"
    path.write_text(
        f"extends: {SCENARIOS / 'baseline.yaml'}\ntitle: flex\nassumptions:\n  enrollment:\n"
        f"    flexible_worker_share: {{2024: 0.0, 2026: 0.05}}\n",
        encoding="utf-8",
    )
    ds = forecast.run(path)
    moved = ds["insured_by_status"].sel(status="flexible", year=2030)
    assert float(moved) > 0
    assert float((ds["insured"] - baseline["insured"]).sel(pool="resident", year=2030)) == pytest.approx(
        -float(moved), rel=1e-9
    )
    assert float((ds["income"] - baseline["income"]).sel(pool="employee", year=2030)) > 0


@pytest.mark.slow
def test_stochastic_run_summarises_the_draws():
    from forecast.results.report import fund_headline, fund_summary

    ds = forecast.run(SCENARIOS / "lee_carter.yaml", draws=3, seed=11)
    assert ds.sizes["draw"] == 3 and ds["reserve"].dims == ("draw", "year", "pool")
    summary = fund_summary(ds)
    assert 0.0 <= summary.loc["employee", "exhausted_share_of_draws"] <= 1.0
    assert summary.loc["employee", "verdict_2030"] in forecast.model.fund.VERDICTS
    assert "Across 3 draws" in fund_headline(ds)


@settings(
    max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(
    cap=st.sampled_from([2000.0, 4000.0, 1e9]), ratio=st.floats(0.3, 0.9), deficits=st.sampled_from(["debt", "fiscal"])
)
def test_with_every_growth_driver_zero_and_the_population_frozen_every_flow_stays_flat(china, cap, ratio, deficits):
    """Issue 23: no growth anywhere (wages, prices, incomes, costs, a frozen population, held
    financing standards) leaves every income and expenditure item flat, whatever the benefit rules
    and the deficit convention; only the roll-forward's own items (interest, a deficit's interest or
    top-up) may move, as the reserve does."""
    from forecast.model.pools.ledger import ROLLED
    from forecast.scenario.dated import DatedValue

    overrides = {
        "policy.employee.benefits.outpatient.annual_cap": DatedValue.constant(cap),
        "policy.employee.benefits.outpatient.reimbursement_ratio": DatedValue.constant(ratio),
        "assumptions.deficits.financing": deficits,
    }
    ds = stationary_run(china, overrides)
    for name, dim in (("income_items", "income_item"), ("expenditure_items", "expenditure_item")):
        flows = ds[name].sel({dim: [i for i in ds[dim].values if i not in ROLLED]})
        first = flows.isel(year=0)
        assert np.allclose(flows.values, first.broadcast_like(flows).values, rtol=1e-9, atol=1e-3), name
