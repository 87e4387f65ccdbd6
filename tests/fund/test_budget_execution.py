"""The budget year and budget execution: line items add up, intervals bracket, bad input exits 2."""

from __future__ import annotations

import pandas as pd
import pytest

import forecast
from forecast.cli import main

from ..conftest import CHINA, ROOT


@pytest.fixture(scope="module")
def budget(tmp_path_factory):
    out = tmp_path_factory.mktemp("budget")
    assert main(["budget", "--year", "2025", "--out", str(out)]) == 0
    return out


@pytest.mark.slow
def test_budget_lines_add_up_to_the_totals_and_the_interval_brackets_them(budget):
    table = pd.read_csv(budget / "budget.csv")
    ds = forecast.run(ROOT / "scenarios" / "baseline.yaml")
    for pool, group in table.groupby("pool"):
        for section in ("income", "expenditure"):
            lines = group[(group["section"] == section) & (group["line"] != "total")]["value"].sum()
            total = group[(group["section"] == section) & (group["line"] == "total")].iloc[0]
            assert lines == pytest.approx(total["value"], rel=1e-6), (pool, section)
            assert total["value"] == pytest.approx(float(ds[section].sel(year=2025, pool=pool)), rel=1e-6)
            if pool in ("employee", "resident"):
                assert total["low"] < total["value"] < total["high"]


@pytest.mark.slow
def test_budget_excel_opens_with_one_sheet_per_pool(budget):
    """One budget table per pool, named in Chinese (the layout is tested in tests/test_workbook.py)."""
    from openpyxl import load_workbook

    from forecast.apps.budget_layout import SHEET_NAMES

    book = load_workbook(budget / "budget.xlsx", read_only=True)
    assert book.sheetnames == [SHEET_NAMES[pool] for pool in forecast.POOLS] + ["假设", "说明"]
    header = [c.value for c in next(book["职工医保统筹基金"].iter_rows(min_row=4, max_row=4))]
    assert {"项目", "上年决算数", "本年执行数", "下年预算数", "增减额", "增减%"} <= set(header)


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--year", "2024"], "must come after the base year 2024"),
        (["--year", "2025", "--level", "1.5"], "between 0 and 1"),
    ],
)
def test_bad_budget_options(capsys, args, fragment):
    assert main(["budget", *args]) == 2
    err = capsys.readouterr().err
    assert fragment in err and "Traceback" not in err


def test_execution_estimates_the_year_from_the_profile(tmp_path):
    from forecast.apps.execution import full_year, read_actuals, seasonal_profile

    region = forecast.load_region(CHINA)
    profile = seasonal_profile(region)
    # NHSA 2023 January-June, employee (pooled + accounts): the full-year estimate with the 2022-2023 profile
    path = tmp_path / "a.csv"
    path.write_text("pool,month,income,expenditure,unit\nemployee,6,11046.51,8200.39,亿元\n", encoding="utf-8")
    table = full_year(read_actuals(path), profile)
    row = table.loc["employee"]
    share = profile[(profile.pool == "employee") & (profile.item == "income") & (profile.month == 6)]["share"].iloc[0]
    assert row["income_estimate"] == pytest.approx(11046.51e8 / share)
    assert row["income_low"] <= row["income_estimate"] <= row["income_high"]
    # the 2023 bulletin's full year lies within 2% of the estimate (the profile includes 2023 itself)
    assert row["income_estimate"] == pytest.approx(22931.65e8, rel=0.02)


def test_execution_with_the_funds_own_history(tmp_path):
    """A fund whose months are always 8% of the year: its own history gives the exact full year."""
    from forecast.apps.execution import full_year, profile_from_history, read_actuals

    lines = ["year,pool,month,income,expenditure,unit"]
    for year in (2021, 2022):
        for month in range(1, 13):
            share = min(0.08 * month, 1.0) if month < 12 else 1.0
            lines.append(f"{year},resident,{month},{share * 1200:.6f},{share * 1000:.6f},万元")
    history = tmp_path / "history.csv"
    history.write_text("\n".join(lines) + "\n", encoding="utf-8")
    actuals = tmp_path / "actuals.csv"
    actuals.write_text("pool,month,income,expenditure,unit\nresident,5,480,400,万元\n", encoding="utf-8")
    table = full_year(read_actuals(actuals), profile_from_history(read_actuals(history, with_year=True)))
    assert table.loc["resident", "income_estimate"] == pytest.approx(1200e4)
    assert table.loc["resident", "expenditure_estimate"] == pytest.approx(1000e4)
    assert table.loc["resident", "verdict"].startswith("收支平衡")


def test_the_shipped_examples_run(capsys):
    for name in ("lhasa_2023_jan_may.csv", "nanchang_county_2023_jan_oct.csv"):
        assert main(["execution", str(ROOT / "examples" / "execution" / name)]) == 0
    out = capsys.readouterr().out
    assert "January-May" in out and "January-October" in out and "收支平衡" in out


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("pool,month,income,expenditure,unit\nemploye,5,1,1,万元\n", "line 2, field 'pool': unknown pool 'employe'"),
        (
            "pool,month,income,expenditure,unit\nemployee,13,1,1,万元\n",
            "line 2, field 'month': month must be a whole number from 1 to 12",
        ),
        (
            "pool,month,income,expenditure,unit\nemployee,5,1,1,万人\n",
            "line 2, field 'unit': unknown money unit '万人'",
        ),
        (
            "pool,month,income,expenditure,unit\nemployee,5,-1,1,万元\n",
            "line 2, field 'income': income must be a non-negative, finite number",
        ),
        ("pool,month,income,unit\nemployee,5,1,万元\n", "missing column(s) expenditure"),
        (
            "pool,month,income,expenditure,unit\nemployee,5,1,1,万元\nemployee,5,2,2,万元\n",
            "two rows for pool employee, month 5",
        ),
    ],
)
def test_bad_actuals(tmp_path, capsys, text, fragment):
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    assert main(["execution", str(path)]) == 2
    err = capsys.readouterr().err
    assert fragment in err and str(path) in err and "Traceback" not in err
