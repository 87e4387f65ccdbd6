"""Employee general-outpatient rules by status: retirees' own ratio, deductible and cap (issue 15 follow-up).

``policy.employee.benefits.outpatient.retired.{reimbursement_ratio, deductible, annual_cap}``, each
left out following the employee outpatient value. Each status's claims (members weighted by the
outpatient curve) are paid under its own rule: the pool's outpatient payments are in-service
claims × p + retirees' claims × p_r (forecast/model/outpatient_status.py). Checked here: the
identity (the retirees' rule written equal to the in-service one gives the baseline), a raised
retirees' ratio costing retirees' claims × Δ payment per claim computed by hand from the lognormal
limited expected value, the in-service part unchanged, left-out keys following an overlay, and
Shaoxing's place scenario (the bad values are in tests/bad_inputs/cases.yaml).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import xarray as xr
from scipy.special import ndtr

import forecast
from forecast.engine import resolved_rules
from forecast.inputs.region import load_region
from forecast.model.benefits.care_levels import outpatient_ratio
from forecast.model.benefits.outpatient_status import retired_layers
from forecast.scenario.dated import DatedValue
from forecast.scenario.load import load_scenario

from .conftest import CHINA, ROOT

BASELINE = ROOT / "scenarios" / "baseline.yaml"
SHAOXING = ROOT / "scenarios" / "places" / "shaoxing.yaml"
RATIO = "policy.employee.benefits.outpatient.reimbursement_ratio"
RETIRED_RATIO = "policy.employee.benefits.outpatient.retired.reimbursement_ratio"


def overlay(tmp_path, name: str, outpatient: str) -> str:
    """baseline + an overlay holding ``outpatient`` (YAML below the employee's 'outpatient:')."""
    path = tmp_path / f"{name}.yaml"
    path.write_text(
        f"title: {name}\npolicy:\n  employee:\n    benefits:\n      outpatient:\n        {outpatient}\n",
        encoding="utf-8",
    )
    return f"{BASELINE}+{path}"


def employee_outpatient(ds: xr.Dataset) -> np.ndarray:
    return ds["expenditure_items"].sel(pool="employee", expenditure_item="outpatient").values


def in_service_part(ds: xr.Dataset) -> np.ndarray:
    return employee_outpatient(ds) - ds["retired_outpatient_expenditure"].values


def lev(limit: float, mean: np.ndarray, cv: float) -> np.ndarray:
    """E[min(X, limit)] for X lognormal (mean, cv), written out here from Klugman et al. appendix A."""
    sigma = math.sqrt(math.log(1 + cv**2))
    mu = np.log(mean) - sigma**2 / 2
    return mean * ndtr((math.log(limit) - mu - sigma**2) / sigma) + limit * (1 - ndtr((math.log(limit) - mu) / sigma))


@pytest.fixture(scope="module")
def baseline():
    return forecast.run(str(BASELINE))


@pytest.mark.slow
def test_the_retirees_rule_written_as_the_in_service_rule_is_the_baseline(tmp_path, baseline):
    """Identity: retirees at the employee deductible 0, ratio 50% and cap 4,000 give the baseline run."""
    same = overlay(tmp_path, "same", "retired: {deductible: 0, reimbursement_ratio: 0.50, annual_cap: 4000}")
    assert load_scenario(same).params[RETIRED_RATIO].points[-1][1] == 0.5
    run = forecast.run(same)
    assert set(run.data_vars) == set(baseline.data_vars)
    for name in baseline.data_vars:
        if np.issubdtype(baseline[name].dtype, np.number):
            np.testing.assert_allclose(run[name].values, baseline[name].values, rtol=1e-12, atol=0, err_msg=name)
        else:
            assert (run[name].values == baseline[name].values).all(), name
    # the retirees' part of the pool's outpatient payments, recorded in every run
    retirees = baseline["retired_outpatient_claims"].values
    assert (retirees > 0).all() and (
        baseline["retired_outpatient_expenditure"].values < employee_outpatient(baseline)
    ).all()
    assert (
        baseline["retired_outpatient_claims"].attrs["units"] == "persons"
        and baseline["retired_outpatient_expenditure"].attrs["units"] == "yuan"
    )


@pytest.mark.slow
def test_a_raised_retirees_ratio_costs_their_claims_times_the_hand_computed_payment(tmp_path):
    """No deductible and a cap no claim reaches (1e9 yuan): at ratio c a retiree's claim is paid c·m;
    then the retirees' cap at the employee's (4,000 in the base year, indexed to wages after it) and
    ratio 70%: c·LEV(u/c). The in-service part never moves."""
    uncapped = forecast.run(
        overlay(tmp_path, "uncapped", "retired: {deductible: 0, reimbursement_ratio: 0.60, annual_cap: 1.0e9}")
    )
    raised = forecast.run(
        overlay(tmp_path, "raised", "retired: {deductible: 0, reimbursement_ratio: 0.80, annual_cap: 1.0e9}")
    )
    capped = forecast.run(
        overlay(tmp_path, "capped", "retired: {reimbursement_ratio: 0.70}")
    )  # deductible 0 and cap 4,000: the employee's
    claims = uncapped["retired_outpatient_claims"].values
    for run in (raised, capped):
        np.testing.assert_allclose(run["retired_outpatient_claims"].values, claims, rtol=1e-12, atol=0)
        np.testing.assert_allclose(in_service_part(run), in_service_part(uncapped), rtol=1e-12, atol=0)
    paid = uncapped["retired_outpatient_expenditure"].values / claims  # 0.6·m per claim
    mean = paid / 0.60
    cv = load_region(CHINA).claim("outpatient", "cv")
    assert np.all(
        1 - lev(1.0e9 / 0.80, mean, cv) / mean < 1e-10
    )  # the 1e9 cap: the payment beyond it, far below the 1e-9 checked
    np.testing.assert_allclose(
        employee_outpatient(raised) - employee_outpatient(uncapped), claims * (0.80 - 0.60) * mean, rtol=1e-9, atol=0
    )
    scenario = load_scenario(overlay(tmp_path, "capped", "retired: {reimbursement_ratio: 0.70}"))
    rules = resolved_rules(
        scenario, load_region(scenario.region_path), dict(scenario.params), dict(scenario.root_params), scenario.horizon
    )
    cap = rules.employee.benefits.outpatient.retired.annual_cap.values
    assert cap[0] == 4000 and cap[-1] > 2 * cap[0]  # the base year's cap, indexed
    hand = 0.70 * np.array([lev(c / 0.70, m, cv) for c, m in zip(cap, mean)])
    assert np.all(hand < 0.70 * mean)  # the cap binds on some claims
    np.testing.assert_allclose(
        employee_outpatient(capped) - employee_outpatient(uncapped), claims * (hand - paid), rtol=1e-9, atol=0
    )


@pytest.mark.slow
def test_left_out_retirees_keys_follow_the_employee_rule_when_an_overlay_moves_it(tmp_path, baseline):
    """An overlay (or a solver) moving the employee outpatient ratio and cap moves the retirees' too."""
    moved = overlay(tmp_path, "moved", "reimbursement_ratio: {2024: 0.50, 2026: 0.70}\n        annual_cap: 6000")
    scenario = load_scenario(moved)
    assert RETIRED_RATIO not in scenario.params  # left out, filled when the rules resolve
    region = load_region(scenario.region_path)
    rules = resolved_rules(scenario, region, dict(scenario.params), dict(scenario.root_params), 2030)
    assert list(rules.employee.benefits.outpatient.retired.reimbursement_ratio.values) == list(rules[RATIO])
    assert list(rules.employee.benefits.outpatient.retired.annual_cap.values) == list(
        rules.employee.benefits.outpatient.annual_cap.values
    )
    assert rules.employee.benefits.outpatient.retired.annual_cap.values[0] == 6000.0
    solver = {**scenario.params, RATIO: DatedValue(((2024, 0.5), (2027, 0.65)), after="hold")}
    solved = resolved_rules(scenario, region, solver, dict(scenario.root_params), 2030)
    assert list(solved.employee.benefits.outpatient.retired.reimbursement_ratio.values) == list(solved[RATIO])
    # left out = written out with the moved values, every variable
    explicit = overlay(
        tmp_path,
        "explicit",
        "reimbursement_ratio: {2024: 0.50, 2026: 0.70}\n        annual_cap: 6000\n"
        "        retired: {deductible: 0, reimbursement_ratio: {2024: 0.50, 2026: 0.70}, annual_cap: 6000}",
    )
    assert RETIRED_RATIO in load_scenario(explicit).params
    run, written = forecast.run(moved), forecast.run(explicit)
    xr.testing.assert_equal(run, written)
    assert not run.equals(baseline)
    assert (run["retired_outpatient_expenditure"] / run["retired_outpatient_claims"]).diff("year").sel(
        year=2026
    ).item() > 0  # 70% from 2026


@pytest.mark.slow
def test_shaoxing_retirees_get_every_level_plus_five_points_and_cost_more(tmp_path):
    """绍兴市: in-service 65/65/75/75% by level around a flat 70%, retirees 75%: 70–80%; on data/shaoxing
    the scenario costs more than the same file without the retirees' rule, the in-service part the same."""
    text = SHAOXING.read_text(encoding="utf-8")
    assert "Not expressible" not in text and "retired: {reimbursement_ratio: {2023: 0.50, 2024: 0.75}}" in text
    kept = [
        line
        for line in text.splitlines()
        if not line.strip().startswith(("retired:", "reimbursement_ratio: {2023: 0.50, 2024: 0.70}"))
    ]
    assert len(kept) == len(text.splitlines()) - 2
    without = tmp_path / "shaoxing_without_retirees.yaml"
    without.write_text(
        "\n".join(kept)
        .replace("../baseline.yaml", str(BASELINE))
        .replace("../../data/shaoxing", str(ROOT / "data" / "shaoxing"))
        + "\n",
        encoding="utf-8",
    )

    scenario = load_scenario(str(SHAOXING))
    region = load_region(scenario.region_path)
    assert region.path.name == "shaoxing"
    rules = resolved_rules(scenario, region, dict(scenario.params), dict(scenario.root_params), 2030)
    slopes = np.array([max(layer.slopes) for layer in retired_layers(rules, region)])
    effective = outpatient_ratio(rules, "employee", region)
    later = rules.years >= 2024  # data/shaoxing's first projected year; 2023, its base year, has the national rules
    np.testing.assert_allclose(slopes[later], effective[later] + 0.05, rtol=1e-12)
    assert np.all(slopes[later] > 0.70) and np.all(slopes[later] < 0.80)
    np.testing.assert_allclose(slopes[~later], 0.50, rtol=1e-12)

    with_rule, without_rule = forecast.run(str(SHAOXING)), forecast.run(str(without))
    assert with_rule.attrs["region_path"] == without_rule.attrs["region_path"] == str(ROOT / "data" / "shaoxing")
    projected = with_rule["year"].values >= 2024
    assert np.all(employee_outpatient(with_rule)[projected] > employee_outpatient(without_rule)[projected])
    assert np.all(
        with_rule["expenditure"].sel(pool="employee").values[projected]
        > without_rule["expenditure"].sel(pool="employee").values[projected]
    )
    np.testing.assert_allclose(
        employee_outpatient(with_rule)[~projected], employee_outpatient(without_rule)[~projected], rtol=1e-12
    )  # the base year
    np.testing.assert_allclose(in_service_part(with_rule), in_service_part(without_rule), rtol=1e-12, atol=0)
    np.testing.assert_allclose(
        with_rule["expenditure"].sel(pool="resident").values,
        without_rule["expenditure"].sel(pool="resident").values,
        rtol=1e-12,
    )
