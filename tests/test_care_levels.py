"""Benefit rules by level of care and the seed places' scenario files (issue 15, rules side).

The general-outpatient ratio graded by level (tier3, tier2, tier1 with township centres, village
clinics) is costed as one effective ratio a year, c + Σ_l s_l·(c_l − c), with s_l the level's share
of outpatient spending from the bundle's claim_sizes (data/china SOURCES.md, method 6b). Checked
here: the identity (levels at the flat ratio give the flat run, exactly), a hand computation of a
raised level's cost, the claim_sizes shares, and the place scenarios in scenarios/places.
"""

from __future__ import annotations

import csv

import numpy as np
import pytest
import xarray as xr

import forecast
from forecast.cli import main
from forecast.engine import resolved_rules
from forecast.library import resolve_scenario, scenario_names
from forecast.model.benefits.care_levels import outpatient_ratio, outpatient_spending_shares
from forecast.scenario.dated import DatedValue
from forecast.scenario.load import load_scenario
from forecast.vocabulary import CARE_LEVELS

from .conftest import CHINA, ROOT

PLACES = ROOT / "scenarios" / "places"
PLACE_NAMES = ("qiandongnan", "wenzhou", "shaoxing", "nanchang_county", "lhasa")
BASELINE = ROOT / "scenarios" / "baseline.yaml"


def place_scenario(name: str, tmp_path) -> str:
    """The scenario argument for place ``name``: its file, which runs on its own bundle data/<name>."""
    return str(PLACES / f"{name}.yaml")


def overlay(tmp_path, name: str, policy: str) -> str:
    """baseline + an overlay holding ``policy`` (YAML below 'policy:', indented two spaces)."""
    path = tmp_path / f"{name}.yaml"
    path.write_text(f"title: {name}\npolicy:\n{policy}", encoding="utf-8")
    return f"{BASELINE}+{path}"


def hand_spending_shares() -> dict[str, float]:
    """Each level's share of outpatient spending, read from data/china/claim_sizes.csv by hand:
    visits share × cost per visit relative to tier2, normalised."""
    rows = list(csv.DictReader((CHINA / "claim_sizes.csv").read_text(encoding="utf-8").splitlines()))
    value = {
        (r["level"], r["parameter"]): float(r["value"])
        for r in rows
        if r["service"] == "outpatient" and r["level"] != "all"
    }
    spending = {
        level: value[level, "level_share"] * value[level, "level_cost_ratio"]
        for level in ("tier3", "tier2", "tier1", "village")
    }
    total = sum(spending.values())
    return {level: v / total for level, v in spending.items()}


def test_outpatient_spending_shares_are_the_claim_sizes_rows(china):
    """Method 6b: NHC 2023 visits (hospitals 42.6亿, primary care 23.5亿, village clinics 14.0亿)
    × relative cost per visit (tier3/tier2 354.4/218.6, NHC 2022 Q1); shares add up to 1."""
    shares = outpatient_spending_shares(china)
    assert shares.attrs["units"] == "ratio" and list(shares["level"].values) == list(CARE_LEVELS)
    hand = hand_spending_shares()
    for level in CARE_LEVELS:
        assert shares.sel(level=level).item() == pytest.approx(hand[level], rel=1e-12)
    assert float(shares.sum()) == pytest.approx(1.0, rel=1e-12)
    # the rows as method 6b derives them: village clinics' 14.0亿 of the 80.1亿 visits at hospitals,
    # primary care and village clinics; tier3 / tier2 cost per visit 354.4 / 218.6
    assert china.claim("outpatient", "level_share", "village") == round(14.0 / (42.6 + 13.1 + 8.3 + 2.1 + 14.0), 4)
    assert china.claim("outpatient", "level_share", "tier1") == round((13.1 + 8.3 + 2.1) / 80.1, 4)
    assert china.claim("outpatient", "level_cost_ratio", "tier3") == round(354.4 / 218.6, 4)


@pytest.mark.slow
def test_levels_at_the_flat_ratio_give_the_flat_run_exactly(tmp_path):
    """Identity: every level written at the flat ratio (resident 60%, employee 50%) is the baseline."""
    graded = overlay(
        tmp_path,
        "levels_at_flat",
        "  resident:\n    benefits:\n      outpatient:\n"
        + "".join(f"        {lv}: {{reimbursement_ratio: 0.60}}\n" for lv in CARE_LEVELS)
        + "  employee:\n    benefits:\n      outpatient:\n"
        + "".join(f"        {lv}: {{reimbursement_ratio: 0.50}}\n" for lv in CARE_LEVELS),
    )
    assert (
        load_scenario(graded).params["policy.resident.benefits.outpatient.village.reimbursement_ratio"].points[-1][1]
        == 0.60
    )
    xr.testing.assert_equal(
        forecast.run(graded), forecast.run(str(BASELINE))
    )  # every variable and coordinate (attrs aside)


@pytest.mark.slow
def test_levels_left_out_take_the_flat_ratio(tmp_path, china):
    """A level left out takes the flat ratio when the rules resolve, so it follows whatever moves the
    flat ratio (an overlay, or a solver's benefit lever); the rules Dataset holds the ratios along
    'level' with their unit, and the effective ratio weighs the named levels' gaps."""
    spec = overlay(
        tmp_path,
        "flat_raised",
        "  resident:\n    benefits:\n      outpatient:\n        reimbursement_ratio: {2024: 0.6, 2025: 0.7}\n"
        "        village: {reimbursement_ratio: 0.9}\n",
    )
    scenario = load_scenario(spec)
    params, root = dict(scenario.params), dict(scenario.root_params)
    flat = "policy.resident.benefits.outpatient.reimbursement_ratio"
    assert "policy.resident.benefits.outpatient.tier2.reimbursement_ratio" not in params
    rules = resolved_rules(scenario, china, params, root, 2030)
    ratio = rules.ds["outpatient_level_reimbursement_ratio"]
    assert ratio.attrs["units"] == "ratio" and list(ratio["level"].values) == list(CARE_LEVELS)
    assert ratio.sel(pool="resident", level="tier1", year=2024).item() == 0.6
    assert ratio.sel(pool="resident", level="tier1", year=2026).item() == 0.7
    assert ratio.sel(pool="resident", level="village", year=2024).item() == 0.9
    moved = resolved_rules(scenario, china, {**params, flat: DatedValue.constant(0.8)}, root, 2030)
    assert (
        moved.ds["outpatient_level_reimbursement_ratio"].sel(pool="resident", level=["tier3", "tier2", "tier1"]) == 0.8
    ).all()
    s_village = hand_spending_shares()["village"]
    np.testing.assert_allclose(outpatient_ratio(moved, "resident", china), 0.8 + s_village * (0.9 - 0.8), rtol=1e-12)
    assert (
        outpatient_ratio(moved, "resident") == 0.8
    ).all()  # without the bundle (the reduced claim model): the flat ratio
    # a change undone to a root that leaves the level out (forecast sensitivity: root.get(path) is None)
    undone = resolved_rules(
        scenario, china, {**params, "policy.resident.benefits.outpatient.village.reimbursement_ratio": None}, root, 2030
    )
    assert (
        undone.ds["outpatient_level_reimbursement_ratio"].sel(pool="resident", level="village", year=2026).item() == 0.7
    )


@pytest.mark.slow
def test_all_levels_raised_equal_the_flat_ratio_raised(tmp_path):
    """Every level at 70% from 2025 costs what a flat 70% does (to rounding: 0.6 + Σ s_l·0.1)."""
    flat = overlay(
        tmp_path,
        "flat",
        "  resident:\n    benefits:\n      outpatient:\n        reimbursement_ratio: {2024: 0.6, 2025: 0.7}\n",
    )
    levels = "".join(f"        {lv}: {{reimbursement_ratio: {{2024: 0.6, 2025: 0.7}}}}\n" for lv in CARE_LEVELS)
    graded = overlay(tmp_path, "graded", "  resident:\n    benefits:\n      outpatient:\n" + levels)
    a, b = forecast.run(flat), forecast.run(graded)
    for name in ("expenditure", "income", "reserve", "expenditure_items"):
        np.testing.assert_allclose(b[name].values, a[name].values, rtol=1e-12)
    assert (
        a["expenditure"].sel(pool="resident", year=2025)
        > forecast.run(str(BASELINE))["expenditure"].sel(pool="resident", year=2025)
    ).item()


@pytest.mark.slow
def test_raising_the_village_ratio_costs_its_share_of_spending(tmp_path):
    """Hand computation. With the outpatient cap out of reach (10亿 a year) and no deductible the fund
    pays c·E[X] on a member's year X, so raising the village clinics' ratio from 60% to 90% multiplies
    resident general-outpatient payments by c̄/c = 1 + s_village·(0.9 − 0.6)/0.6 from 2025 (s_village:
    the village clinics' share of outpatient spending, from claim_sizes.csv); nothing else in the
    resident pool moves (no induced demand in the baseline). The tolerance covers the cap's remaining
    effect (P(X > 1.7e9 yuan) for a claim of a few hundred yuan)."""
    uncapped = "  resident:\n    benefits:\n      outpatient:\n        annual_cap: {2024: 600, 2025: 1000000000}\n"
    base = forecast.run(overlay(tmp_path, "uncapped", uncapped))
    raised = forecast.run(
        overlay(tmp_path, "village", uncapped + "        village: {reimbursement_ratio: {2024: 0.6, 2025: 0.9}}\n")
    )
    item = {"pool": "resident", "expenditure_item": "outpatient"}
    before, after = base["expenditure_items"].sel(item), raised["expenditure_items"].sel(item)
    factor = 1 + hand_spending_shares()["village"] * (0.9 - 0.6) / 0.6
    assert after.sel(year=2024).item() == before.sel(year=2024).item()
    years = slice(2025, None)
    np.testing.assert_allclose(after.sel(year=years).values, before.sel(year=years).values * factor, rtol=1e-9)
    extra = (after - before).sel(year=years)

    def care(run):  # spending on care: the interest on an accumulated deficit moves with the deficit
        return run["expenditure"] - run["expenditure_items"].sel(expenditure_item="debt_interest")

    np.testing.assert_allclose(
        (care(raised) - care(base)).sel(pool="resident", year=years).values, extra.values, rtol=1e-9
    )
    assert float(extra.sel(year=2025)) > 0


def test_the_place_scenarios_are_listed_and_resolve_by_name(capsys):
    assert main(["scenarios"]) == 0
    listed = [line for line in capsys.readouterr().out.splitlines() if "places/" in line]
    assert len(listed) == len(PLACE_NAMES) and not [line for line in listed if "invalid" in line]
    names = scenario_names()
    assert names[0] == "baseline" and [f"places/{p}" for p in sorted(PLACE_NAMES)] == [
        n for n in names if n.startswith("places/")
    ]
    assert resolve_scenario("places/qiandongnan") == str(PLACES / "qiandongnan.yaml")
    for name in PLACE_NAMES:
        scenario_file = (PLACES / f"{name}.yaml").read_text(encoding="utf-8")
        assert (
            f"region: ../../data/{name}\n" in scenario_file and "local medical security bureau report" in scenario_file
        )


@pytest.mark.slow
@pytest.mark.parametrize("name", PLACE_NAMES)
def test_each_place_scenario_validates_and_runs(name, tmp_path, capsys):
    """`forecast validate` passes (exit 0) and `forecast run` gives the verdict, on the place's own
    bundle (data/<place>, built by forecast init-region)."""
    spec = place_scenario(name, tmp_path)
    assert main(["validate", spec]) == 0, capsys.readouterr()
    assert "OK" in capsys.readouterr().out
    ds = forecast.run(spec)
    assert int(ds["verdict"].count()) == ds["verdict"].size
    for variable in ("income", "expenditure", "reserve"):
        assert np.isfinite(ds[variable].values).all()


def test_the_qiandongnan_rules_are_those_of_the_report(tmp_path):
    """黔东南州 2023: inpatient 800/400/100 yuan and 65/80/90%; outpatient 60/85/90% (tier-2 /
    township / village), no deductible, 600 yuan a year; assistance 100/70/70/60/50% up to 50,000."""
    p = load_scenario(place_scenario("qiandongnan", tmp_path)).params

    def last(path):
        value = p[f"policy.{path}"]
        return value.points[-1][1] if hasattr(value, "points") else value

    assert [last(f"resident.benefits.inpatient.{lv}.deductible") for lv in ("tier3", "tier2", "tier1")] == [
        800,
        400,
        100,
    ]
    assert [last(f"resident.benefits.inpatient.{lv}.reimbursement_ratio") for lv in ("tier3", "tier2", "tier1")] == [
        0.65,
        0.80,
        0.90,
    ]
    assert [last(f"resident.benefits.outpatient.{lv}.reimbursement_ratio") for lv in ("tier2", "tier1", "village")] == [
        0.60,
        0.85,
        0.90,
    ]
    assert (
        last("resident.benefits.outpatient.deductible") == 0 and last("resident.benefits.outpatient.annual_cap") == 600
    )
    groups = ("tekun", "dibao", "at_risk", "near_dibao", "illness_poor")
    assert [last(f"medical_assistance.groups.{g}.assistance_ratio") for g in groups] == [1.0, 0.7, 0.7, 0.6, 0.5]
    assert last("medical_assistance.annual_limit") == 50000


@pytest.mark.slow
def test_the_qiandongnan_outpatient_grading_costs_more_than_the_flat_rule(tmp_path):
    """The graded outpatient ratios (85% and 90% at township centres and village clinics) raise the
    resident pool's outpatient payments from 2025 and leave the base year as the bulletin has it."""
    spec = place_scenario("qiandongnan", tmp_path)
    flat = tmp_path / "flat_outpatient.yaml"
    flat.write_text(
        "title: the same without the outpatient grading\npolicy:\n  resident:\n    benefits:\n      outpatient:\n"
        + "".join(f"        {lv}: {{reimbursement_ratio: 0.6}}\n" for lv in CARE_LEVELS),
        encoding="utf-8",
    )
    graded, ungraded = forecast.run(spec), forecast.run(f"{spec}+{flat}")
    item = {"pool": "resident", "expenditure_item": "outpatient"}
    assert (
        graded["expenditure_items"].sel(item).sel(year=2024).item()
        == ungraded["expenditure_items"].sel(item).sel(year=2024).item()
    )
    assert (
        graded["expenditure_items"].sel(item).sel(year=2025).item()
        > ungraded["expenditure_items"].sel(item).sel(year=2025).item()
    )


@pytest.mark.slow
@pytest.mark.parametrize("name", PLACE_NAMES)
def test_each_place_scenario_keeps_its_bundle_s_base_year(name, tmp_path):
    """A place's local rules are changes from its first projected year: its base year is the one
    the national rules calibrate (a rule differing there would show as a gap to the published
    figures, as data/shaoxing's 2024-dated rules once did)."""
    place = forecast.run(place_scenario(name, tmp_path))
    base = int(place.attrs["base_year"])
    overlay = tmp_path / "on_place.yaml"
    overlay.write_text(f"title: the baseline on data/{name}\nregion: {ROOT / 'data' / name}\n", encoding="utf-8")
    national_rules = forecast.run(f"{BASELINE}+{overlay}")
    for variable in ("income", "expenditure", "reserve"):
        np.testing.assert_allclose(
            place[variable].sel(year=base).values,
            national_rules[variable].sel(year=base).values,
            rtol=1e-9,
            err_msg=variable,
        )
