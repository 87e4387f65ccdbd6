"""Reading an approved budget (批复预算): its line items from a CSV or a budget workbook.

The vocabulary of budget lines (the labels a line is known by, the pool sheets, the budget-year
column) and the two readers :func:`read_budget_csv` and :func:`read_budget_workbook`, each
returning rows pool, key, scope, amount (yuan; months for months_covered), line, or ending in
located problems. :func:`forecast.apps.approved.read_budget` chooses between them.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd

from ..errors import InputError, Problem
from ..inputs.xlsx import read_sheets
from ..limits import MAX_MONEY
from ..units import PUBLISHED_UNITS, plain_number, to_canonical
from ..vocabulary import POOLS
from .budget_layout import EMPLOYEE_TOTAL_SHEET, INCOME_KEYS, RESULT_LINES, SERVICES, SHEET_NAMES
from .budget_tables import ACCOUNT_LINES
from .csv_rows import read_csv_rows
from .scopes import SCOPE_WORDS, default_scope, scope_of

__all__ = ["read_budget_csv", "read_budget_workbook", "LINE_KEYS"]

CSV_COLUMNS = ("pool", "item", "amount", "unit")

#: every label a budget line is known by (numbering stripped) -> its key
LINE_KEYS: dict[str, str] = {
    "收入合计": "income",
    "支出合计": "expenditure",
    "待遇支出": "benefits",
    "转移支出": "transfer_out",
    "其他支出": "other_expenditure",
    "保险费收入": "contributions",
    "缴费收入": "contributions",
    "财政补贴收入": "fiscal_subsidy",
    "利息收入": "interest",
    "转移收入": "transfer_in",
    "其他收入": "other_income",
    **{label: key for key, label in SERVICES},
    **{re.sub(r"^[一二三四五六七八九十]+、|（月）$", "", label): key for key, label in RESULT_LINES},
}
KNOWN_KEYS = {*LINE_KEYS.values(), *INCOME_KEYS}
POOL_KEYS = {
    **{p: p for p in POOLS},
    **{name: pool for pool, name in SHEET_NAMES.items()},
    EMPLOYEE_TOTAL_SHEET: "employee",
}
#: a sheet's scope (the employee sheet written where the bundle does not split the accounts is the total)
SHEET_SCOPES = {EMPLOYEE_TOTAL_SHEET: "total"}
#: the employee accounts table under the pooled fund's: label -> (key, scope)
ACCOUNT_KEYS = {
    label: (flow, "individual_account" if key.startswith("ia_") else "total") for key, flow, label in ACCOUNT_LINES
}
#: the budget-year column: 下年预算数 in a workbook of the 财政 form, 本年预算数 in one written before it
BUDGET_COLUMNS = ("下年预算数", "本年预算数")


def _label_key(text: str) -> str | None:
    text = str(text).strip()
    bare = re.sub(r"^[一二三四五六七八九十]+、|（月）$|\(月\)$", "", text).strip()
    return LINE_KEYS.get(bare) or (bare if bare in KNOWN_KEYS else None)


def _money(text, unit: str, key: str) -> float | None:
    """The amount in yuan (months for 可支付月数), finite and within the money limit; None if not."""
    try:
        value = plain_number(text) if key == "months_covered" else to_canonical(text, unit)
    except (ValueError, TypeError, ArithmeticError, KeyError):
        return None
    if value is None:
        return None
    return value if math.isfinite(value) and abs(value) <= MAX_MONEY else None


def read_budget_csv(path: Path) -> pd.DataFrame:
    rows, problems = [], []
    for line, row in read_csv_rows(path, CSV_COLUMNS, "an approved budget CSV", optional=("scope",)):
        pool, key, unit = POOL_KEYS.get(row["pool"]), _label_key(row["item"]), row["unit"]
        scope = scope_of(pool, row.get("scope", "")) if pool else None
        if pool is not None and scope is None:
            problems.append(
                Problem(
                    path,
                    f"unknown scope '{row['scope']}' for {pool}",
                    f"use {', '.join(SCOPE_WORDS)} (empty: {default_scope(pool)})",
                    line,
                    "scope",
                    row["scope"],
                )
            )
            continue
        if pool is None:
            problems.append(
                Problem(
                    path,
                    f"unknown pool '{row['pool']}'",
                    f"use one of {', '.join(POOLS)} (or the sheet names {', '.join(SHEET_NAMES.values())})",
                    line,
                    "pool",
                    row["pool"],
                )
            )
            continue
        if key is None:
            problems.append(
                Problem(
                    path,
                    f"unknown budget line '{row['item']}'",
                    "use a line of the budget workbook, e.g. 收入合计, 支出合计, 住院, 本年收支结余",
                    line,
                    "item",
                    row["item"],
                )
            )
            continue
        months = key == "months_covered"
        if (months and unit not in ("月", "months")) or (
            not months and (unit not in PUBLISHED_UNITS or PUBLISHED_UNITS[unit][0] != "yuan")
        ):
            problems.append(
                Problem(
                    path,
                    f"unknown unit '{unit}' for {row['item']}",
                    "use 月 for 可支付月数" if months else "use 元, 万元 or 亿元",
                    line,
                    "unit",
                    unit,
                )
            )
            continue
        amount = _money(row["amount"], unit, key)
        if amount is None:
            fix = (
                "remove the thousands separators"
                if "," in row["amount"]
                else f"write the amount in {unit} as a plain number"
            )
            problems.append(Problem(path, "amount must be a finite number", fix, line, "amount", row["amount"]))
            continue
        rows.append({"pool": pool, "key": key, "scope": scope, "amount": amount, "line": f"line {line}"})
    if problems:
        raise InputError(problems)
    return _no_duplicates(path, pd.DataFrame(rows, columns=["pool", "key", "scope", "amount", "line"]))


def _no_duplicates(path: Path, frame: pd.DataFrame) -> pd.DataFrame:
    twice = frame[frame.duplicated(["pool", "key", "scope"], keep="first")]
    if len(twice):
        first = twice.iloc[0]
        raise InputError(
            Problem(
                path,
                f"two amounts for {first['pool']} {first['key']} ({first['scope']}; the second at {first['line']})",
                "keep one row per pool, scope and line item",
            )
        )
    return frame


def _pool_sheets(path: Path):
    """The pool sheets among a workbook's sheets (refused when there is none)."""

    def choose(names: list[str]) -> list[str]:
        sheets = [name for name in names if name in POOL_KEYS]
        if not sheets:
            raise InputError(
                Problem(
                    path,
                    f"no pool sheet found (sheets: {', '.join(names)})",
                    f"name the sheets as 'forecast budget' does: {', '.join(SHEET_NAMES.values())}",
                )
            )
        return sheets

    return choose


def read_budget_workbook(path: Path) -> pd.DataFrame:
    fix = "give budget.xlsx as 'forecast budget' wrote it (saved as .xlsx), or a CSV pool,item,amount,unit"
    rows = []
    for name, cells in read_sheets(path, "an approved budget", _pool_sheets(path), fix).items():
        rows += _sheet_rows(path, name, cells)
    return _no_duplicates(path, pd.DataFrame(rows, columns=["pool", "key", "scope", "amount", "line"]))


def _sheet_rows(path: Path, name: str, cells: list[tuple]) -> list[dict]:
    """The 本年预算数 of each known line of one pool sheet, in the sheet's unit."""
    unit = next(
        (
            str(c).split("：", 1)[1].strip()
            for row in cells[:5]
            for c in row
            if isinstance(c, str) and c.startswith("单位：")
        ),
        "万元",
    )
    if unit not in PUBLISHED_UNITS or PUBLISHED_UNITS[unit][0] != "yuan":
        raise InputError(
            Problem(
                path,
                f"sheet {name}: unknown unit '{unit}' in its unit line",
                "write the unit line as 单位：万元 (or 元, 亿元)",
            )
        )
    texts = [[str(c).strip() if c is not None else "" for c in row] for row in cells]
    header = next((i for i, row in enumerate(texts) if any(name in row for name in BUDGET_COLUMNS)), None)
    if header is None:
        raise InputError(
            Problem(
                path,
                f"sheet {name}: no header row with a 下年预算数 (or 本年预算数) column",
                "keep the header row 'forecast budget' wrote (项目 … 下年预算数 …)",
            )
        )
    title = next(c for c in BUDGET_COLUMNS if c in texts[header])
    column = texts[header].index(title)
    pool, sheet_scope = POOL_KEYS[name], SHEET_SCOPES.get(name, default_scope(POOL_KEYS[name]))
    out = []
    for number, row in enumerate(cells[header + 1 :], start=header + 2):
        label = str(row[0]).strip() if row and row[0] is not None else ""
        key, scope = ACCOUNT_KEYS.get(label, (_label_key(label) if label else None, sheet_scope))
        if key is None or column >= len(row):
            continue
        value = row[column]
        if value is None or (isinstance(value, str) and value.strip() in ("", "不适用", "—")):
            continue
        amount = _money(value, unit, key)
        if amount is None:
            raise InputError(
                Problem(
                    f"{path}, sheet {name}, row {number}",
                    f"{title} of {row[0]} must be a finite number",
                    f"write the amount in {unit} as a number",
                    field=title,
                    value=value,
                )
            )
        out.append({"pool": pool, "key": key, "scope": scope, "amount": amount, "line": f"sheet {name}, row {number}"})
    return out
