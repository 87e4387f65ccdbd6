"""The budget table's layout (基本医疗保险基金收支预算表): a run's year in official line items.

:func:`budget_sheets` lays out, per pool, the rows a fund revenue-and-expenditure budget table
has — 收入合计 above its items (保险费收入 or 缴费收入, 财政补贴收入, 利息收入, 转移收入,
其他收入), 支出合计 above 待遇支出 (itself above its services) and 转移支出, 其他支出, then
本年收支结余, 年末滚存结余 and 可支付月数 — with the columns 上年预算数 (an approved budget, when
given), 上年执行数 (the previous year: the bulletin's year as calibrated, or the run's estimate
when that year is not closed), 本年预算数, 增减额 (本年预算数 − 上年执行数), 增减% and the
prediction interval of the totals.

Money is in 万元 rounded to the cent (0.01 万元) *before* the totals are added up, so every total
in the table is exactly the sum of the items shown under it; 可支付月数 is in months.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr

from ..model.fund import CODES, verdict_codes
from ..registry import ITEM_ENTRIES, POOL_ENTRIES, form_label
from .regions.province import largest_remainder_round

__all__ = [
    "BudgetLine",
    "SHEET_NAMES",
    "EMPLOYEE_TOTAL_SHEET",
    "SERVICES",
    "INCOME_KEYS",
    "RESULT_LINES",
    "budget_lines",
    "budget_sheets",
    "sheet_name",
    "WAN",
    "COLUMNS",
]

#: yuan per 万元
WAN = 1e4

#: one sheet per pool, named as a budget office names the fund (the registry's Pool.sheet)
SHEET_NAMES = {p.name: p.sheet for p in POOL_ENTRIES}
#: the employee sheet where the bundle does not split the individual accounts out (scope 合计)
EMPLOYEE_TOTAL_SHEET = "职工医保基金"


def sheet_name(ds, pool: str) -> str:
    """The sheet of ``pool`` in the run's scope: the employee pooled fund, or the employee fund as a whole."""
    from ..results.provenance import pool_scope

    return EMPLOYEE_TOTAL_SHEET if pool == "employee" and pool_scope(ds, pool) == "total" else SHEET_NAMES[pool]


@dataclass(frozen=True)
class BudgetLine:
    """One row: its key (the model's item, or a total), label, indent level and kind.

    kind: ``total`` (收入合计, 支出合计), ``subtotal`` (待遇支出), ``item``, ``result`` (money
    below the accounts) or ``months`` (可支付月数, in months)."""

    key: str
    label: str
    level: int
    kind: str


#: the benefit lines under 待遇支出: (model item, its line in the form), from the registry
SERVICES = tuple((item.name, item.form) for item in ITEM_ENTRIES if item.group == "benefits")


#: the lines below the accounts: (key, 中文)
RESULT_LINES = (
    ("balance", "三、本年收支结余"),
    ("reserve", "四、年末滚存结余"),
    ("months_covered", "五、可支付月数（月）"),
)

#: the items of 收入合计, in the table's order
INCOME_KEYS = ("contributions", "fiscal_subsidy", "interest", "transfer_in", "other_income")


def budget_lines(ds, pool: str, years) -> list[BudgetLine]:
    """The rows of ``pool``'s table: every official income line, the services the pool pays in
    any of ``years``, then the accounts' results."""
    income_labels = tuple(form_label(key, pool) for key in INCOME_KEYS)
    lines = [
        BudgetLine("income", "一、收入合计", 0, "total"),
        *(BudgetLine(key, label, 1, "item") for key, label in zip(INCOME_KEYS, income_labels)),
        BudgetLine("expenditure", "二、支出合计", 0, "total"),
        BudgetLine("benefits", "待遇支出", 1, "subtotal"),
    ]
    paid = ds["expenditure_items"].sel(pool=pool, year=list(years))
    lines += [
        BudgetLine(item, label, 2, "item")
        for item, label in SERVICES
        if float(abs(paid.sel(expenditure_item=item)).max()) > 0
    ]
    lines += [
        BudgetLine("transfer_out", form_label("transfer_out", pool), 1, "item"),
        BudgetLine("other_expenditure", form_label("other_expenditure", pool), 1, "item"),
        *(BudgetLine(key, label, 0, "months" if key == "months_covered" else "result") for key, label in RESULT_LINES),
    ]
    return lines


def _year_column(
    ds, pool: str, year: int, lines: list[BudgetLine], opening: float | None = None, scale: dict | None = None
) -> dict[str, float]:
    """One year's values in 万元 (months for 可支付月数); 收入合计 and 本年收支结余 are the year's
    own, rounded to the cent, 支出合计 their difference, and the items are rounded so that each
    total is the sum of its items as shown (largest remainders); a year financed as it pays so
    shows a balance of exactly 0. 可支付月数 = 年末滚存结余 ÷ (支出合计 ÷ 12) of the values shown.

    ``opening``: the previous year-end reserve as shown (万元), so that 年末滚存结余 = opening +
    本年收支结余 holds to the cent in the table; otherwise the run's reserve. ``scale``: factors
    on the run's income and expenditure items (an execution estimate of the year's totals,
    spread over the items in the run's proportions)."""
    sel = {"pool": pool, "year": year}
    scale = scale or {"income": 1.0, "expenditure": 1.0}
    income = ds["income_items"].sel(**sel)
    spent = ds["expenditure_items"].sel(**sel)
    raw: dict[str, float] = {}  # 万元, unrounded
    for line in lines:
        if line.kind != "item":
            continue
        if line.key in income["income_item"].values:
            raw[line.key] = float(income.sel(income_item=line.key)) * scale["income"] / WAN
        elif line.key in spent["expenditure_item"].values:
            raw[line.key] = float(spent.sel(expenditure_item=line.key)) * scale["expenditure"] / WAN
        else:
            raw[line.key] = 0.0  # 其他收入 / 其他支出: the model projects none (说明 sheet)
    services = [line.key for line in lines if line.level == 2]
    outgoing = [*services, "transfer_out", "other_expenditure"]
    income_cents = round(sum(raw[k] for k in INCOME_KEYS) * 100)
    balance_cents = round((sum(raw[k] for k in INCOME_KEYS) - sum(raw[k] for k in outgoing)) * 100)
    values: dict[str, float] = {}
    for keys, cents in ((INCOME_KEYS, income_cents), (outgoing, income_cents - balance_cents)):
        shares = largest_remainder_round(np.array([raw[k] * 100 for k in keys]), cents)
        values.update({k: round(int(c) / 100, 2) for k, c in zip(keys, shares)})
    values["benefits"] = round(sum(values[k] for k in services), 2)
    values["income"] = round(income_cents / 100, 2)
    values["expenditure"] = round((income_cents - balance_cents) / 100, 2)
    values["balance"] = round(balance_cents / 100, 2)
    values["reserve"] = (
        round(opening + values["balance"], 2)
        if opening is not None
        else round(float(ds["reserve"].sel(**sel)) / WAN, 2)
    )
    values["months_covered"] = (
        round(values["reserve"] / (values["expenditure"] / 12), 1) if values["expenditure"] > 0 else np.nan
    )
    return values


def _execution_scale(ds, pool: str, year: int, executed: pd.DataFrame | None) -> dict[str, float] | None:
    """Factors taking the run's ``year`` to the execution estimate's full year (income and
    expenditure), or None when ``executed`` (:func:`forecast.apps.execution.full_year`, yuan,
    indexed by pool) has no row for ``pool``."""
    if executed is None or pool not in executed.index:
        return None
    factors = {}
    for flow in ("income", "expenditure"):
        model = float(ds[flow].sel(pool=pool, year=year))
        factors[flow] = float(executed.loc[pool, f"{flow}_estimate"]) / model if model > 0 else 1.0
    return factors


#: the value columns of a budget table, in the order of the form (the interval last)
COLUMNS = ("final", "previous_budget", "previous", "budget", "change", "change_share", "lower", "upper")


def _published_column(region, pool: str, year: int, lines: list[BudgetLine], account: str) -> dict[str, float]:
    """A closed year before the run (上年决算 when the budget year is the one after the base year)
    as the bundle publishes it: the totals, the balance, the reserve and its months (万元); the
    items, which the bulletins do not break down, blank."""
    values = {line.key: np.nan for line in lines}
    flows = {
        item: float(region.fund(pool, item, account).get(year, np.nan)) for item in ("income", "expenditure", "reserve")
    }
    for key in ("income", "expenditure", "reserve"):
        values[key] = round(flows[key] / WAN, 2) if np.isfinite(flows[key]) else np.nan
    values["balance"] = round(values["income"] - values["expenditure"], 2)
    values["months_covered"] = (
        round(values["reserve"] / (values["expenditure"] / 12), 1) if values["expenditure"] > 0 else np.nan
    )
    return values


def _final_column(ds, region, pool: str, year: int, lines: list[BudgetLine]) -> tuple[dict[str, float], str]:
    """上年决算 (the year two before the budget year): the run's year, or before the run the
    bundle's published year; with its provenance."""
    from ..results.provenance import figure_provenance, pool_scope

    if year >= int(ds.attrs["base_year"]):
        return _year_column(ds, pool, year, lines), figure_provenance(ds, pool, "income", year)
    from ..inputs.provenance import fund_figure_provenance

    account = pool_scope(ds, pool)
    label = fund_figure_provenance(region, pool, "income", account, year) if region is not None else None
    return _published_column(region, pool, year, lines, account) if region is not None else {
        line.key: np.nan for line in lines
    }, label or ""


def column_labels(ds, pool: str, year: int, executed: bool, final_label: str, approved: bool) -> dict[str, str]:
    """Each value column's provenance as the header shows it (公布, 推算, 假设, 示例; a closed base
    year's totals are the bundle's, its items the model's split)."""
    from ..results.provenance import PROVENANCE_ZH, figure_provenance, projected

    derived = PROVENANCE_ZH[projected(ds)]
    if executed:
        previous = f"{derived}（执行数推全年）"
    elif year - 1 == int(ds.attrs["base_year"]):
        total = PROVENANCE_ZH[figure_provenance(ds, pool, "income", year - 1)]
        previous = total if total == derived else f"{total}（合计）、{derived}（分项）"
    else:
        previous = derived
    final = PROVENANCE_ZH.get(final_label, "")
    return {
        "final": f"{final}（合计）"
        if final and final_label != projected(ds) and year - 2 < int(ds.attrs["base_year"])
        else final,
        "previous_budget": "批复" if approved else "",
        "previous": previous,
        "budget": derived,
        "change": derived,
        "change_share": derived,
    }


def budget_sheets(
    ds,
    year: int,
    level: float = 0.8,
    approved: pd.DataFrame | None = None,
    executed: pd.DataFrame | None = None,
    region=None,
) -> dict[str, pd.DataFrame]:
    """Per projected pool, the budget table of ``year`` (万元; months for 可支付月数).

    Columns (:data:`COLUMNS`, after key, label, level, kind): final (上年决算, two years before:
    the run's, or before the run the bundle's published totals from ``region``), previous_budget
    (本年预算数, from ``approved``: rows pool, key, amount in yuan; NaN where not given), previous
    (本年预计执行数, the year before: the run's, or for the pools ``executed`` estimates —
    :func:`forecast.apps.execution.full_year` of that year's actuals — the estimate's totals spread
    over the run's items, the year-end reserve rolled forward from the run's reserve two years
    before), budget (下年预算数: this year's income and expenditure are the run's; its reserve rolls
    forward from the previous column's), change, change_share (ratio; NaN when the previous year
    is 0), lower, upper (the ``level`` prediction interval of 收入合计 and 支出合计; NaN elsewhere and
    for pools without a record). attrs: the pool, the scope, each column's provenance label, the
    verdict. Pools the run does not project (verdict ``not_projected``) are left out.
    """
    from ..results.provenance import pool_scope

    labels = ds.fund.verdict_label().sel(year=year)
    bands = ds.fund.interval(level).sel(year=year)
    sheets = {}
    for pool in ds["pool"].values:
        pool = str(pool)
        if str(labels.sel(pool=pool).item()) == "not_projected":
            continue
        lines = budget_lines(ds, pool, (year - 1, year))
        scale = _execution_scale(ds, pool, year - 1, executed)
        opening = round(float(ds["reserve"].sel(pool=pool, year=year - 2)) / WAN, 2) if scale else None
        final, final_label = _final_column(ds, region, pool, year - 2, lines)
        before = _year_column(ds, pool, year - 1, lines, opening, scale)
        now = _year_column(ds, pool, year, lines, opening=before["reserve"])
        frame = pd.DataFrame([vars(line) for line in lines])
        frame["final"] = frame["key"].map(final)
        frame["previous_budget"] = _approved_column(approved, pool, frame["key"], pool_scope(ds, pool))
        frame["previous"] = frame["key"].map(before)
        frame["budget"] = frame["key"].map(now)
        frame["change"] = (frame["budget"] - frame["previous"]).round(2)  # both already in cents (or tenths of a month)
        with np.errstate(divide="ignore", invalid="ignore"):
            frame["change_share"] = np.where(frame["previous"] != 0, frame["change"] / frame["previous"].abs(), np.nan)
        frame["lower"], frame["upper"] = np.nan, np.nan
        for flow in ("income", "expenditure"):
            low, high = (float(bands[f"{flow}_{bound}"].sel(pool=pool)) / WAN for bound in ("lower", "upper"))
            if low < high:  # a pool without a record (LTCI) has no band
                frame.loc[frame["key"] == flow, ["lower", "upper"]] = round(low, 2), round(high, 2)
        payg = bool(ds.fund.payg().sel(pool=pool))
        if payg:  # financed as it pays: no reserve to cover months
            frame.loc[frame["key"] == "months_covered", ["final", "previous", "budget", "change", "change_share"]] = (
                np.nan
            )
        # the sheet judges the figures it shows (with --execution they roll forward from the estimate, not the run)
        verdict = (
            str(labels.sel(pool=pool).item()) if payg else _verdict_of_shown(frame, ds.attrs["verdict_thresholds"])
        )
        frame.attrs = {
            "pool": pool,
            "year": year,
            "level": level,
            "payg": payg,
            "verdict": verdict,
            "executed": scale is not None,
            "scope": pool_scope(ds, pool),
            "labels": column_labels(
                ds,
                pool,
                year,
                scale is not None,
                final_label,
                approved is not None and (approved["pool"] == pool).any(),
            ),
        }
        sheets[pool] = frame
    return sheets


def _verdict_of_shown(frame: pd.DataFrame, thresholds: dict) -> str:
    """The verdict label of the budget column as the sheet shows it (reserve, balance, months)."""

    def shown(key):
        return xr.DataArray(float(frame.loc[frame["key"] == key, "budget"].iloc[0]))

    no = xr.DataArray(False)
    code = int(verdict_codes(shown("reserve"), shown("balance"), shown("months_covered"), thresholds, no, no))
    return {value: label for label, value in CODES.items()}[code]


def _approved_column(approved: pd.DataFrame | None, pool: str, keys: pd.Series, scope: str | None = None) -> pd.Series:
    """The approved budget's amount for each line (万元; months for 可支付月数), NaN where it
    gives none, on ``scope`` (the table's: an approved budget on another scope fills nothing). ``approved`` holds yuan
    (months for ``months_covered``)."""
    if approved is None:
        return pd.Series(np.nan, index=keys.index)
    rows = approved[approved["pool"] == pool]
    if "scope" in rows.columns and scope is not None:
        rows = rows[rows["scope"] == scope]
    given = rows.set_index("key")["amount"].to_dict()

    def shown(key):
        if key not in given:
            return np.nan
        return float(given[key]) if key == "months_covered" else round(float(given[key]) / WAN, 2)

    return keys.map(shown)
