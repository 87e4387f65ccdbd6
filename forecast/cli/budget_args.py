"""The options of the budget compilers' commands, ``budget`` and ``execution`` (the bodies in
:mod:`forecast.cli.budget`). Only the standard library is imported here (see :mod:`forecast.cli.args`)."""

from __future__ import annotations

from .options import YEAR, add_out, add_scenario, fraction

__all__ = ["add_budget"]


def add_budget(command) -> None:
    """The parsers of budget and execution, made by ``command`` (see :func:`forecast.cli.args.build_parser`)."""
    p = command("budget", "next year's fund budget per pool in budget line items, with a prediction interval")
    add_scenario(p)
    p.add_argument("--year", type=YEAR, required=True, metavar="YEAR", help="the budget year (after the base year)")
    p.add_argument(
        "--level",
        type=fraction("the level", "--level 0.8"),
        default=0.8,
        metavar="P",
        help="prediction-interval level (default 0.8)",
    )
    p.add_argument(
        "--previous-budget",
        metavar="FILE",
        help="last year's approved budget (budget.xlsx or CSV pool,item,amount,unit) for the 上年预算数 column",
    )
    p.add_argument(
        "--execution",
        metavar="ACTUALS",
        help=(
            "last year's year-to-date actuals (as for 'forecast execution'; employee: the pooled fund): its full-year "
            "estimate is the form's 本年预计执行数"
        ),
    )
    add_out(p, "write budget.csv and budget.xlsx (the budget workbook) into DIR (each file atomically)")

    p = command("execution", "estimate the full year from year-to-date actuals and say whether it closes 收支平衡")
    p.add_argument(
        "actuals", metavar="ACTUALS", help="CSV: pool,month,income,expenditure,unit (cumulated from January)"
    )
    p.add_argument(
        "--history",
        metavar="CSV",
        help=(
            "the fund's own monthly history: year,pool,month,income,expenditure,unit (cumulative; month 12 = the year)"
        ),
    )
    p.add_argument(
        "--budget",
        metavar="FILE",
        help="the approved budget (budget.xlsx from 'forecast budget', or CSV pool,item,amount,unit): report 执行率",
    )
    add_out(p, "write execution.csv (and budget_execution.csv with --budget) into DIR (atomically)")
