"""Break-even solvers (issue 14): each lever solved, re-run with the solution (the target met) and
with a slightly smaller change (missed); financing rules; warnings; the analysis of change."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import forecast
from forecast.apps.solution import dated_with as _dated_with
from forecast.apps.solution import misses, parse_target
from forecast.apps.solve import solve
from forecast.engine import project

from ..conftest import ROOT

pytestmark = pytest.mark.slow

SCENARIOS = ROOT / "scenarios"


def quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


def rerun(scenario, solution, shrink: float = 1.0, draws=None):
    """The scenario with the solution's values, their change from the given path × ``shrink``."""
    region = forecast.load_region(scenario.region_path)
    params = dict(scenario.params)
    from forecast.engine import resolved_rules

    rules = resolved_rules(scenario, region, params, dict(scenario.root_params), scenario.horizon)
    overrides = {}
    for path, values in solution.values.items():
        given = {int(y): float(v) for y, v in zip(rules.years, np.asarray(rules[path], dtype=float))}
        moved = {y: given[y] + shrink * (v - given[y]) for y, v in values.items()}
        overrides[path] = _dated_with(params.get(path), moved, solution.anchors[path])
    return quiet(
        project,
        scenario,
        region,
        {**params, **overrides},
        dict(scenario.root_params),
        scenario.horizon,
        draws=draws,
        seed=0 if draws else None,
    )


def target_met(ds, solution) -> bool:
    import copy

    probe = copy.copy(solution)
    probe.check = ds
    return not misses(probe)


def test_the_resident_standard_path_keeps_the_fund_in_the_band_and_a_smaller_rise_does_not(tmp_path):
    """The issue's command: solve, write solved.yaml, and run BASE+solved.yaml."""
    from forecast.cli import main

    out = tmp_path / "solved"
    assert (
        quiet(
            main,
            [
                "solve",
                str(SCENARIOS / "baseline.yaml"),
                "--pool",
                "resident",
                "--lever",
                "financing",
                "--target",
                "months:6-9",
                "--until",
                "2035",
                "--out",
                str(out),
            ],
        )
        == 0
    )
    ds = quiet(forecast.run, f"{SCENARIOS / 'baseline.yaml'}+{out / 'solved.yaml'}")
    months = ds["months_covered"].sel(pool="resident", year=slice(2025, 2035)).values
    assert (months >= 6 - 1e-6).all() and (months <= 9 + 1e-6).all(), months
    scenario = forecast.load_scenario(SCENARIOS / "baseline.yaml")
    solution = quiet(solve, scenario, "resident", "financing", parse_target("months:6-9"), until=2035)
    assert not misses(solution)
    assert not target_met(rerun(scenario, solution, 0.99), solution)  # a 1% smaller change falls below 6 months


def test_the_employee_rate_path_with_no_current_deficit_and_a_smaller_rise_misses():
    scenario = forecast.load_scenario("baseline")
    solution = quiet(solve, scenario, "employee", "rate", parse_target("no_deficit"), until=2050)
    balance = solution.check["balance"].sel(pool="employee", year=slice(2025, 2050))
    assert float(balance.min()) >= -1e-3 * float(solution.check["expenditure"].sel(pool="employee", year=2050))
    employer = solution.values["policy.employee.employer_rate"]
    assert employer[2030] == pytest.approx(0.06) and employer[2050] > 0.07  # raised only once the deficits come
    assert not target_met(rerun(scenario, solution, 0.99), solution)


def test_one_employer_rate_from_2025_keeps_the_pool_from_exhaustion_and_a_smaller_one_does_not():
    scenario = forecast.load_scenario("baseline")
    solution = quiet(
        solve, scenario, "employee", "rate.employer", parse_target("no_exhaustion"), until=2060, path=False
    )
    assert solution.mode == "level" and solution.level > 1 and solution.iterations > 0
    assert target_met(solution.check, solution)
    assert not target_met(rerun(scenario, solution, 0.99), solution)


def test_the_largest_affordable_outpatient_cap(tmp_path):
    scenario = forecast.load_scenario("baseline")
    lever = "benefit:policy.employee.benefits.outpatient.annual_cap"
    solution = quiet(solve, scenario, "employee", lever, parse_target("no_exhaustion"), until=2056)
    cap = solution.level
    assert 0 < cap < 4000  # the baseline's cap runs out in 2053: a lower one is needed
    assert target_met(solution.check, solution)
    assert not target_met(rerun(scenario, solution, 0.99), solution)  # a 1% smaller cut: exhausted


def test_ltci_financing_and_the_resident_individual_part(tmp_path):
    path = tmp_path / "thin_ltci.yaml"
    path.write_text(
        f"extends: {SCENARIOS / 'baseline.yaml'}\ntitle: thin LTCI financing\npolicy:\n  ltci:\n"
        f"    financing_per_capita: {{2025: 60}}\n",
        encoding="utf-8",
    )
    scenario = forecast.load_scenario(path)
    solution = quiet(solve, scenario, "ltci", "financing", parse_target("no_deficit"), until=2045)
    assert not misses(solution)
    assert not target_met(rerun(scenario, solution, 0.99), solution)
    resident = quiet(
        solve,
        forecast.load_scenario("baseline"),
        "resident",
        "financing.individual",
        parse_target("no_deficit"),
        until=2032,
    )
    assert set(resident.values) == {"policy.resident.individual_contribution"} and not misses(resident)


def test_a_probability_target_holds_in_that_share_of_the_draws():
    scenario = forecast.load_scenario("baseline")
    solution = quiet(
        solve, scenario, "resident", "financing", parse_target("no_exhaustion"), until=2035, probability=0.8, draws=80
    )
    check = solution.check["reserve"].sel(pool="resident", year=slice(2025, 2035))
    share = float((check.min("year") > 0).mean())
    assert share >= 0.8
    less = rerun(scenario, solution, 0.9, draws=80)["reserve"].sel(pool="resident", year=slice(2025, 2035))
    assert float((less.min("year") > 0).mean()) < 0.8


def test_an_unreachable_target_is_refused_with_the_best_reached(capsys, tmp_path):
    from forecast.cli import main

    assert (
        quiet(main, ["solve", "--pool", "employee", "--lever", "rate", "--target", "months:6-9", "--until", "2030"])
        == 2
    )
    err = capsys.readouterr().err
    # the best reached: the employer rate at its limit, 0, in 2025 (a run with that rate says how many months)
    lowest = tmp_path / "lowest.yaml"
    lowest.write_text("title: t\npolicy:\n  employee:\n    employer_rate: {2024: 0.06, 2025: 0.0}\n", encoding="utf-8")
    months = float(quiet(forecast.run, f"baseline+{lowest}")["months_covered"].sel(pool="employee", year=2025))
    assert (
        months > 9
        and "cannot reach 'months covered within 6-9'" in err
        and f"2025: {months:.1f} months" in err
        and "Traceback" not in err
    )


def test_a_balance_band_rule_returns_the_reserve_to_the_band_and_reports_the_change(tmp_path):
    path = tmp_path / "rule.yaml"
    path.write_text(
        f"extends: {SCENARIOS / 'baseline.yaml'}\ntitle: rule\npolicy:\n  resident:\n"
        f"    financing_rule: {{rule: balance_band, low_months: 6, high_months: 9, until_year: 2040}}\n",
        encoding="utf-8",
    )
    ds = quiet(forecast.run, path)
    months = ds["months_covered"].sel(pool="resident", year=slice(2025, 2040)).values
    assert (months >= 6 - 1e-6).all() and (months <= 9 + 1e-6).all()
    change = ds["rule_change_resident"]
    assert float(change.sel(year=2040)) > 0 and float(change.sel(year=2045)) == pytest.approx(
        float(change.sel(year=2040))
    )  # kept after the rule ends
    reserve = ds["reserve"].sel(pool="resident").values
    assert np.allclose(np.diff(reserve), ds["balance"].sel(pool="resident").values[1:], rtol=1e-9)


def test_warning_levels_follow_their_rules():
    ds = quiet(forecast.run, "baseline")
    levels = ds.fund.warning_label()
    months, balance = ds["months_covered"], ds["balance"]
    red = (levels == "red") & ~ds.fund.payg()
    assert bool(((ds["reserve"] <= 0) | (months < 3)).where(red, True).all())
    funded = ~ds.fund.payg() & (ds["expenditure"] > 0)
    exhausted = (ds["reserve"] <= 0) & funded
    assert bool(exhausted.any()) and bool((levels == "red").where(exhausted, True).all())  # every exhausted year is red
    idle = (
        (months > 15) & (balance >= 0) & funded
    )  # too much: blue, unless the surplus rate is falling low (yellow first)
    assert (
        bool(idle.any())
        and bool(levels.isin(["blue", "yellow"]).where(idle, True).all())
        and bool((levels == "blue").where(idle, False).any())
    )
    assert (levels.sel(pool="critical_illness") == "none").all()
    drawing = (balance < 0) & funded
    assert bool(drawing.any()) and bool(
        (levels != "none").where(drawing, True).all()
    )  # a current deficit is never "none"


def test_the_analysis_of_change_adds_up_to_the_total():
    from forecast.apps.change import analysis_of_change

    old, new = forecast.load_scenario("baseline"), forecast.load_scenario("high_cost_growth")
    table = quiet(analysis_of_change, old, new)
    steps = table.drop(["total", "residual"])
    assert np.allclose(steps.sum().values, table.loc["total"].values, rtol=0, atol=1e-3)
    assert np.allclose(table.loc["residual"].values, 0.0, atol=1e-3)
    assert table.loc["assumptions", ("resident", "reserve_2040")] < 0  # faster cost growth is an assumption
    assert table.loc["policy"].abs().max() == 0 and table.loc["data"].abs().max() == 0


def test_the_impact_table_shows_income_too(capsys):
    from forecast.cli import main

    assert quiet(main, ["compare", "baseline", "retirees_contribute"]) == 0
    out = capsys.readouterr().out
    employee = out.split("(employee)")[1].split("first deficit")[
        0
    ]  # the employee pool's table (issue 16: one per pool)
    assert "Δ income" in employee
    row = next(
        line for line in employee.splitlines() if line.strip().startswith("2025–2029 Σ")
    )  # cumulated over 5 years
    assert float(row.split()[2].replace(",", "")) > 1000  # retirees' contributions are income
