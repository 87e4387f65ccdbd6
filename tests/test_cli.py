"""The command line a person expects (issue 16): an example in every --help, -q on every command,
the same SCENARIO and --region everywhere, progress bars only on a terminal, readable compare
tables, CSVs with plain decimals and a unit column, and the scenario library with its titles."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys

import pandas as pd
import pytest

import forecast
from forecast.cli import main
from forecast.cli.args import EXAMPLES, build_parser
from forecast.results.csvtext import plain

from .conftest import CHINA

COMMANDS = sorted(EXAMPLES)
#: a number in scientific notation, e.g. 3.04e+12 or 1.5e-07
SCIENTIFIC = re.compile(r"\d[eE][+-]?\d")


def test_every_command_is_listed_with_its_example():
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    assert sorted(sub.choices) == COMMANDS


@pytest.mark.parametrize("command", COMMANDS)
def test_help_shows_an_example_and_quiet(command, capsys):
    assert main([command, "--help"]) == 0
    text = capsys.readouterr().out
    assert "Example:\n  forecast " + command in text
    assert "-q, --quiet" in text
    for line in EXAMPLES[command].split("\n"):
        assert line.strip() in text  # RawDescriptionHelpFormatter keeps each example on its own line


def test_the_examples_parse():
    parser = build_parser()
    for command, examples in EXAMPLES.items():
        for line in examples.split("\n"):
            words = line.split()[1:]
            assert words[0] == command
            args = parser.parse_args(words)  # placeholders such as ACTUALS.csv parse as file names
            assert args.command_name == command.replace("-", "_")


@pytest.mark.parametrize(
    "command",
    [c for c in COMMANDS if c not in ("validate", "scenarios", "show-scenario", "batch", "init-region", "template")],
)  # no bundle to choose: they name theirs (the template has none)
def test_region_and_scenario_mean_the_same_everywhere(command):
    parser = build_parser()
    required = {
        "validate": ["x"],
        "solve": ["--pool", "resident", "--lever", "financing"],
        "backtest": ["--train-until", "2022"],
        "budget": ["--year", "2025"],
        "execution": ["a.csv"],
        "compare": ["baseline", "ltci_extension"],
        "report": ["--out", "out/report"],
    }.get(command, [])
    args = parser.parse_args([command, *required, "--region", "data/china", "-q"])
    assert args.region == "data/china" and args.quiet
    if hasattr(args, "scenario_option"):
        assert args.scenario == "baseline"  # the default, positional or --scenario
        assert parser.parse_args([command, "low_cost", *required]).scenario == "low_cost"
        assert parser.parse_args([command, *required, "--scenario", "low_cost"]).scenario_option == "low_cost"


def test_scenario_given_twice_is_a_usage_error(capsys):
    assert main(["run", "high_cost", "--scenario", "low_cost"]) == 2
    assert "SCENARIO given twice ('high_cost' and --scenario 'low_cost'); give it once" in capsys.readouterr().err


def test_a_missing_region_names_the_option(capsys):
    assert main(["run", "baseline", "--region", "no/such/bundle"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("--region: 'no/such/bundle' does not exist") and "Traceback" not in err


@pytest.mark.slow
def test_scenarios_lists_names_and_titles(capsys):
    from forecast.library import scenario_names
    from forecast.scenario.load import load_scenario

    assert main(["scenarios"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert re.match(r"^ name\s+title$", lines[1])
    for name in scenario_names():
        assert any(
            re.match(rf"^ {re.escape(name)}\s+{re.escape(load_scenario(name).title)}$", line) for line in lines
        ), name
    assert main(["scenarios", "-q"]) == 0
    assert not capsys.readouterr().out.startswith("Shipped")


def _in_a_terminal(args: list[str]) -> tuple[int, str]:
    """Run ``forecast ARGS`` with stderr on a pseudo-terminal; return the exit code and what stderr showed."""
    leader, follower = pty.openpty()
    env = {**os.environ, "COLUMNS": "120", "TERM": "xterm"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "forecast", *args],
        stdout=subprocess.DEVNULL,
        stderr=follower,
        stdin=subprocess.DEVNULL,
        env=env,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:  # EIO: the program closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(leader)
    return proc.wait(), b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.slow
@pytest.mark.parametrize(
    "args, bar",
    [
        (["run", "baseline", "--draws", "20", "--seed", "1"], "baseline: draws"),
        (["population", "--draws", "20", "--seed", "1", "--until", "2030"], "population: draws"),
        (["backtest", "--train-until", "2022", "2023", "--horizon", "1", "--out", "{tmp}"], "back-test: cut-offs"),
        (["sensitivity"], "sensitivity: runs"),
    ],
    ids=["run", "population", "backtest", "sensitivity"],
)
def test_progress_on_a_terminal(args, bar, tmp_path):
    code, shown = _in_a_terminal([a.format(tmp=tmp_path) for a in args])
    assert code == 0
    assert bar in shown and re.search(r"(?<!\d)(\d+)/\1(?!\d)", shown), shown[-500:]  # the bar reached its end (N/N)


@pytest.mark.slow
def test_no_progress_with_quiet():
    code, shown = _in_a_terminal(["run", "baseline", "--draws", "20", "--seed", "1", "-q"])
    assert code == 0 and shown == ""


@pytest.mark.slow
def test_no_progress_when_stderr_is_not_a_terminal(capsys):
    assert main(["run", "baseline", "--draws", "5", "--seed", "1"]) == 0
    captured = capsys.readouterr()
    assert captured.err == "" and "draws" in captured.out


def test_plain_decimals():
    assert plain(3.0435790e12) == "3043579000000"
    assert plain(1.5e-7) == "0.00000015"
    assert plain(-2.5) == "-2.5" and plain(-0.0) == "0" and plain(0.1 + 0.2) == "0.3"
    assert plain(float("nan")) == ""
    with pytest.raises(ValueError, match="infinite"):
        plain(float("inf"))


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli")
    assert main(["run", "baseline", "-q", "--out", str(out / "run")]) == 0
    assert main(["run", "baseline", "-q", "--draws", "8", "--seed", "3", "--out", str(out / "draws")]) == 0
    assert main(["compare", "baseline", "raise_special_disease_caps", "-q", "--out", str(out / "compare")]) == 0
    assert main(["budget", "--year", "2025", "-q", "--out", str(out / "budget")]) == 0
    return out


@pytest.mark.slow
def test_csvs_have_plain_decimals(written):
    files = sorted(written.rglob("*.csv"))
    assert {f.name for f in files} >= {
        "accounts.csv",
        "indicators.csv",
        "summary.csv",
        "calibration.csv",
        "probabilities.csv",
        "impact.csv",
        "difference.csv",
        "budget.csv",
    }
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert not SCIENTIFIC.search(text), f"{path.name}: {SCIENTIFIC.search(text).group()}"
        assert not re.search(r"\b(nan|NaN|inf)\b", text), path.name


@pytest.mark.slow
def test_accounts_hold_money_and_indicators_the_rest(written):
    accounts = pd.read_csv(written / "run" / "accounts.csv")
    assert list(accounts.columns) == [
        "year",
        "pool",
        "scope",
        "account",
        "line",
        "provenance",
        "value",
        "unit",
        "verdict",
    ]
    assert set(accounts["unit"]) == {"yuan"}
    assert set(accounts["account"]) == {"income", "expenditure", "balance", "reserve"}
    assert set(accounts["provenance"]) <= {"published", "derived", "assumed"} and set(accounts["scope"]) == {
        "pooled_fund",
        "individual_account",
        "total",
    }
    # the employee fund's 合计 is its pooled fund and its individual accounts, every year
    employee_flows = accounts[(accounts["pool"] == "employee") & (accounts["line"] == "total")].pivot_table(
        index=["year", "account"], columns="scope", values="value"
    )
    assert (
        employee_flows["pooled_fund"] + employee_flows["individual_account"] - employee_flows["total"]
    ).abs().max() < 1
    base = accounts[
        (accounts["year"] == 2024) & (accounts["line"] == "total") & (accounts["account"] == "income")
    ].set_index(["pool", "scope"])["provenance"]
    assert base[("employee", "pooled_fund")] == base[("employee", "individual_account")] == "published", (
        "the 2024 bulletin's figures"
    )
    assert set(accounts.loc[accounts["year"] > 2024, "provenance"]) == {"derived"}, (
        "projections are derived by the model"
    )
    indicators = pd.read_csv(written / "run" / "indicators.csv")
    assert list(indicators.columns) == ["year", "pool", "indicator", "value", "unit", "verdict"]
    units = indicators.groupby("indicator")["unit"].unique().map(list).to_dict()
    assert units["months_covered"] == ["months"] and units["admissions"] == ["person-times"]
    # the roll-forward, read back: reserve(t) = reserve(t-1) + balance(t), in yuan
    employee = accounts[
        (accounts["pool"] == "employee") & (accounts["line"] == "total") & (accounts["scope"] == "pooled_fund")
    ].pivot(index="year", columns="account", values="value")
    assert (employee["reserve"].diff().iloc[1:] - employee["balance"].iloc[1:]).abs().max() < 1e-6 * employee[
        "reserve"
    ].abs().max()
    assert employee["income"].sub(employee["expenditure"]).sub(employee["balance"]).abs().max() < 1


@pytest.mark.slow
def test_long_tables_have_units(written):
    probabilities = pd.read_csv(written / "draws" / "probabilities.csv")
    assert list(probabilities.columns) == ["year", "pool", "quantity", "value", "unit"]
    assert probabilities.groupby("quantity")["unit"].first().to_dict() == {
        **{f"reserve_p{q:02d}": "yuan" for q in (5, 10, 25, 50, 75, 90, 95)},
        **{f"months_covered_p{q:02d}": "months" for q in (5, 10, 25, 50, 75, 90, 95)},
        "p_current_deficit": "ratio",
        "p_exhausted": "ratio",
    }
    calibration = pd.read_csv(written / "run" / "calibration.csv")
    assert set(calibration["unit"]) == {"万人", "亿元"}
    impact = pd.read_csv(written / "compare" / "impact.csv").set_index(["pool", "indicator"])
    assert list(impact.columns) == ["value", "unit"]
    employee = impact.loc["employee", "value"]
    assert (
        impact.loc[("employee", "extra_income_10y"), "unit"] == "yuan"
        and impact.loc[("employee", "exhaustion_year_alt"), "unit"] == "year"
    )
    assert employee["extra_balance_10y"] == pytest.approx(
        employee["extra_income_10y"] - employee["extra_expenditure_10y"], rel=1e-9
    )
    budget = pd.read_csv(written / "budget" / "budget.csv")
    assert (budget["unit"] == budget["line"].map(lambda line: "months" if line == "months_covered" else "yuan")).all()
    difference = pd.read_csv(written / "compare" / "difference.csv")
    assert list(difference.columns) == ["year", "pool", "quantity", "value", "unit"]
    assert set(difference.loc[difference["quantity"] == "months_covered", "unit"]) == {"months"}


@pytest.mark.slow
def test_compare_prints_one_compact_table_per_pool(written, capsys):
    assert main(["compare", "baseline", "raise_special_disease_caps"]) == 0
    out = capsys.readouterr().out
    assert "<NA>" not in out and "nan" not in out.lower()
    from rich.cells import cell_len  # a Chinese character takes two columns

    assert max(cell_len(line) for line in out.splitlines()) <= 100  # was 245 columns before issue 16
    for title in (
        "职工医保统筹基金 (employee) — 亿元",
        "城乡居民医保 (resident) — 亿元",
        "大病保险 (critical_illness) — 亿元",
    ):
        assert title in out
    assert "No change in: ltci" in out
    base, alt = (
        int(forecast.run(s).fund.first_deficit_year().sel(pool="employee").item())
        for s in ("baseline", "baseline+raise_special_disease_caps")
    )
    change = (
        "no change"
        if alt == base
        else f"{abs(base - alt)} year{'s' if abs(base - alt) > 1 else ''} {'earlier' if alt < base else 'later'}"
    )
    assert alt <= base and f"first deficit {base} → {alt} ({change})" in out  # the caps cost money: never later
    # the screen's first-year expenditure change is difference.csv's, in 亿元
    difference = pd.read_csv(written / "compare" / "difference.csv").set_index(["year", "pool", "quantity"])
    extra = difference.loc[(2025, "employee", "expenditure"), "value"] / 1e8
    row = next(line for line in out.splitlines() if line.strip().startswith("2025 "))
    assert row.split()[2] == f"{extra:+,.1f}"


@pytest.mark.slow
def test_quiet_leaves_out_the_explanations(capsys):
    assert main(["run", "baseline", "-q"]) == 0
    quiet = capsys.readouterr().out
    years = forecast.run("baseline").fund
    deficit, exhausted = (
        int(f().sel(pool="employee").item()) for f in (years.first_deficit_year, years.exhaustion_year)
    )
    assert "Calibration" not in quiet and re.search(rf"^ employee\s+{deficit}\s+{exhausted}", quiet, re.M)
    assert main(["explain", "-q"]) == 0
    out = capsys.readouterr().out
    assert "income = income per member" not in out and "baseline — employee: first deficit" in out


def test_summary_takes_the_bundle_either_way(capsys):
    assert main(["summary", str(CHINA)]) == 0
    positional = capsys.readouterr().out
    assert main(["summary", "--region", str(CHINA)]) == 0
    assert capsys.readouterr().out == positional
