"""Employee budgets and execution on their scope (issue 24): 统筹基金, 个人账户 and 合计 are compared
like with like; 统筹基金 and 个人账户 given together convert to 合计 (the rule stated); anything else
is refused with what to give. An example bundle's workbook says 示例 and its employee scope."""

from __future__ import annotations

import csv

import pytest
from openpyxl import load_workbook

from forecast.apps.scopes import CONVERSION_RULE
from forecast.cli import main

from .conftest import ROOT

ACTUALS_SPLIT = (
    "pool,month,income,expenditure,unit,scope\nemployee,6,9000,7000,亿元,统筹基金\nemployee,6,3000,2900,亿元,个人账户\n"
)
ACTUALS_TOTAL = "pool,month,income,expenditure,unit,scope\nemployee,6,12000,9900,亿元,合计\n"
BUDGET_TOTAL = "pool,item,amount,unit,scope\nemployee,收入合计,24000,亿元,合计\nemployee,支出合计,20000,亿元,合计\n"
BUDGET_SPLIT = (
    "pool,item,amount,unit,scope\n"
    "employee,收入合计,17500,亿元,统筹基金\nemployee,支出合计,14000,亿元,统筹基金\n"
    "employee,收入合计,6500,亿元,个人账户\nemployee,支出合计,6000,亿元,个人账户\n"
)
BUDGET_POOLED = "pool,item,amount,unit\nemployee,收入合计,17500,亿元\nemployee,支出合计,14000,亿元\n"


def _files(tmp_path, actuals: str, budget: str):
    (tmp_path / "actuals.csv").write_text(actuals, encoding="utf-8")
    (tmp_path / "budget.csv").write_text(budget, encoding="utf-8")
    return str(tmp_path / "actuals.csv"), str(tmp_path / "budget.csv")


def _rates(folder) -> dict:
    with open(folder / "budget_execution.csv", encoding="utf-8") as handle:
        return {r["line"]: r for r in csv.DictReader(handle)}


@pytest.mark.parametrize(("actuals", "budget"), [(ACTUALS_SPLIT, BUDGET_TOTAL), (ACTUALS_TOTAL, BUDGET_SPLIT)])
def test_pooled_fund_and_accounts_convert_to_the_total_with_the_rule_stated(tmp_path, capsys, actuals, budget):
    a, b = _files(tmp_path, actuals, budget)
    assert main(["execution", a, "--budget", b, "--out", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert CONVERSION_RULE in out and "employee (合计)" in out
    rates = _rates(tmp_path / "out")
    assert rates["income"]["scope"] == "total"
    assert float(rates["income"]["to_date"]) == pytest.approx(12000e8) and float(
        rates["income"]["approved"]
    ) == pytest.approx(24000e8)
    assert float(rates["income"]["rate_to_date"]) == pytest.approx(0.5)


def test_the_same_scope_compares_without_conversion(tmp_path, capsys):
    a, b = _files(tmp_path, ACTUALS_SPLIT, BUDGET_SPLIT)
    assert main(["execution", a, "--budget", b, "--out", str(tmp_path / "out")]) == 0
    assert CONVERSION_RULE not in capsys.readouterr().out
    assert _rates(tmp_path / "out")["income"]["scope"] == "pooled_fund"
    assert float(_rates(tmp_path / "out")["income"]["approved"]) == pytest.approx(17500e8)


def test_a_total_against_a_pooled_budget_is_refused_never_compared(tmp_path, capsys):
    """The 145% of the issue: actuals on 合计 against a budget on 统筹基金 alone."""
    a, b = _files(tmp_path, ACTUALS_TOTAL, BUDGET_POOLED)
    assert main(["execution", a, "--budget", b]) == 2
    err = capsys.readouterr().err
    assert "different scopes" in err and "统筹基金" in err and "合计" in err and "Traceback" not in err


def test_an_execution_rate_outside_80_to_120_percent_is_a_hint(tmp_path, capsys):
    a, b = _files(tmp_path, "pool,month,income,expenditure,unit\nemployee,6,13000,7000,亿元\n", BUDGET_POOLED)
    assert main(["execution", a, "--budget", b]) == 0
    out = capsys.readouterr().out
    hint = next(line for line in out.splitlines() if "全年预计执行率" in line)
    assert hint.strip().startswith("提示：") and "收入合计" in hint and "口径" in hint


def test_an_unknown_scope_is_located(tmp_path, capsys):
    a, _ = _files(
        tmp_path,
        "pool,month,income,expenditure,unit,scope\nemployee,6,1,1,万元,统筹\nresident,6,1,1,万元,个人账户\n",
        "",
    )
    assert main(["execution", a]) == 2
    err = capsys.readouterr().err
    assert "line 3, field 'scope'" in err and "unknown scope '个人账户'" in err


def test_an_example_bundle_s_workbook_says_so_and_its_employee_sheet_is_the_total(tmp_path, capsys):
    """data/lhasa (illustration; the employee fund given as one total): the sheet is 职工医保基金, no
    accounts section, every sheet says 示例, and 说明 states the scope."""
    assert main(["budget", "--region", "lhasa", "--year", "2025", "--out", str(tmp_path)]) == 0
    capsys.readouterr()
    book = load_workbook(tmp_path / "budget.xlsx")
    assert book.sheetnames[0] == "职工医保基金"
    ws = book["职工医保基金"]
    assert "示例" in ws["A1"].value and "示例" in ws["A3"].value
    assert not any(str(c.value).startswith("职工医保个人账户") for row in ws.iter_rows() for c in row if c.value)
    assert ws.cell(5, 4).value.startswith("示例")
    notes = {r[0]: r[1] for r in book["说明"].iter_rows(min_row=3, values_only=True)}
    assert "统筹基金与个人账户合计" in notes["职工医保口径"]
    assert (
        main(
            [
                "execution",
                str(ROOT / "examples" / "execution" / "lhasa_2023_jan_may.csv"),
                "--budget",
                str(tmp_path / "budget.xlsx"),
            ]
        )
        == 0
    )
    assert "employee (合计)" in capsys.readouterr().out, "the example's actuals are the total, as the bundle"


def test_budget_execution_on_another_scope_than_the_run_is_refused(tmp_path, capsys):
    (tmp_path / "a.csv").write_text(ACTUALS_TOTAL, encoding="utf-8")
    assert main(["budget", "--year", "2026", "--execution", str(tmp_path / "a.csv")]) == 2
    assert "different scopes" in capsys.readouterr().err
