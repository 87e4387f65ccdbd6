"""The approved budget (批复预算) and its execution rate (执行率).

An approved budget is read from either

- the workbook ``forecast budget`` writes (budget.xlsx, perhaps edited and approved): every
  pool sheet (职工医保统筹基金, 城乡居民医保基金, ...), its 本年预算数 column, in the unit its
  unit line states (单位：万元); or
- a CSV, one row per pool and line item::

      pool,item,amount,unit
      employee,收入合计,18778843.91,万元
      employee,支出合计,14233372.26,万元

  ``pool`` is the pool's identifier (employee, resident, critical_illness, medical_assistance,
  ltci) or its sheet name; ``item`` the line's Chinese label as the workbook writes it (with or
  without its "一、" number) or its identifier (income, expenditure, contributions, inpatient,
  ...); ``unit`` 元, 万元 or 亿元 (月 for 可支付月数).

:func:`execution_rates` sets the year-to-date actuals and the full-year estimate
(:func:`forecast.apps.execution.full_year`) against it: 执行率 = year-to-date ÷ approved, and
the full-year estimate (with its interval) ÷ approved, for 收入合计 and 支出合计 — the lines
the actuals give — with the balance's estimate beside the approved balance.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError, Problem
from ..inputs.provenance import SCOPES
from .approved_readers import read_budget_csv, read_budget_workbook
from .budget_layout import EMPLOYEE_TOTAL_SHEET, SHEET_NAMES

__all__ = ["read_budget", "execution_rates", "rates_text"]


def read_budget(path: Path | str) -> pd.DataFrame:
    """The approved budget: rows pool, key, amount (yuan; months for months_covered), line
    (where it was read: 'line N' or 'sheet S, row N'). Bad files end in located problems."""
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        frame = read_budget_workbook(path)
    elif path.suffix.lower() == ".csv":
        frame = read_budget_csv(path)
    else:
        raise InputError(
            Problem(
                path,
                "an approved budget must be the workbook written by 'forecast budget' (.xlsx) or a CSV (.csv), "
                f"not '{path.suffix or 'no extension'}'",
                "give budget.xlsx or a CSV with the header pool,item,amount,unit",
            )
        )
    if frame.empty:
        raise InputError(
            Problem(path, "the approved budget has no line items", "give at least each pool's 收入合计 and 支出合计")
        )
    frame.attrs["source"] = str(path)
    return frame


def execution_rates(full: pd.DataFrame, approved: pd.DataFrame) -> pd.DataFrame:
    """执行率 per pool and line: year-to-date and full-year estimate against the approved budget.

    ``full``: :func:`~forecast.apps.execution.full_year` (yuan, indexed by pool). Rows: pool,
    line (income, expenditure, balance), approved, to_date, rate_to_date, estimate,
    rate_estimate, rate_low, rate_high (ratios; the balance has amounts only)."""
    source = approved.attrs.get("source", "the approved budget")
    given = approved.set_index(["pool", "key"])["amount"]
    rows = []
    for pool, row in full.iterrows():
        for key, label in (("income", "收入合计"), ("expenditure", "支出合计"), ("balance", "本年收支结余")):
            if (pool, key) not in given.index:
                if key == "balance":
                    continue
                raise InputError(
                    Problem(
                        source,
                        f"the approved budget has no {label} for {pool}, which the actuals report",
                        f"add the line: {pool},{label},AMOUNT,万元 (or the pool's sheet from 'forecast budget')",
                    )
                )
            budget = float(given[(pool, key)])
            entry = {
                "pool": pool,
                "scope": row.get("scope", ""),
                "line": key,
                "label": label,
                "approved": budget,
                "estimate": row[f"{key}_estimate"],
                "estimate_low": row[f"{key}_low"],
                "estimate_high": row[f"{key}_high"],
            }
            if key != "balance":
                usable = budget > 0
                entry |= {
                    "to_date": row[f"{key}_to_date"],
                    "rate_to_date": row[f"{key}_to_date"] / budget if usable else np.nan,
                    "rate_estimate": row[f"{key}_estimate"] / budget if usable else np.nan,
                    "rate_low": row[f"{key}_low"] / budget if usable else np.nan,
                    "rate_high": row[f"{key}_high"] / budget if usable else np.nan,
                }
            rows.append(entry)
    frame = pd.DataFrame(rows)
    frame.attrs = {"units": "yuan; rates as ratios", "source": source}
    return frame


def rates_text(rates: pd.DataFrame) -> str:
    """The execution-rate table as printed: 万元 and percentages."""
    lines = [f"\n执行率 against the approved budget {rates.attrs.get('source', '')} (万元; rate = actual ÷ approved)"]
    for pool, group in rates.groupby("pool", sort=False):
        scope = group["scope"].iloc[0] if "scope" in group.columns else ""
        lines.append(
            f"\n  {SHEET_NAMES.get(pool, pool) if scope != 'total' or pool != 'employee' else EMPLOYEE_TOTAL_SHEET} "
            f"({pool}{', ' + SCOPES[scope][0] if scope in SCOPES else ''})"
        )
        for _, row in group.iterrows():
            if row["line"] == "balance":
                lines.append(
                    f"    {row['label']:<8} approved {row['approved'] / 1e4:>16,.2f}   "
                    f"full-year estimate {row['estimate'] / 1e4:,.2f}"
                )
                continue
            rate = "—" if np.isnan(row["rate_to_date"]) else f"{row['rate_to_date']:.1%}"
            full = "—" if np.isnan(row["rate_estimate"]) else f"{row['rate_estimate']:.1%}"
            band = (
                ""
                if np.isnan(row["rate_low"]) or np.isnan(row["rate_high"])
                else f" [{row['rate_low']:.1%} – {row['rate_high']:.1%}]"
            )
            lines.append(
                f"    {row['label']:<8} approved {row['approved'] / 1e4:>16,.2f}   to date {row['to_date'] / 1e4:,.2f} "
                f"({rate})   full year {row['estimate'] / 1e4:,.2f} ({full}{band})"
            )
    return "\n".join(lines)
