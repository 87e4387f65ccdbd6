"""The budget year (预算编制): next year's fund budget per pool, in a fund budget's line items.

:func:`budget_table` takes a run (:func:`forecast.run`) and a year after its base year and lays
out, per pool, the income lines (contribution income, fiscal subsidy income, interest income,
other income), the expenditure lines (benefits by service, transfers, other expenditure), the
year's balance, the year-end reserve and the months it covers. The prediction interval of each
pool's income and expenditure is the run's band (:mod:`forecast.model.uncertainty.intervals`): the fitted
parameters' uncertainty and the series' empirical forecast errors by horizon, from the history up
to the base year (LTCI: none, no history).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import InputError, Problem
from ..inputs.region import load_region
from ..model.fund import VERDICTS
from ..registry import ITEM_ENTRIES
from ..results.provenance import pool_scope, projected
from ..results.workbook import budget_workbook
from ..vocabulary import POOL_NAMES_ZH
from .approved import read_budget
from .budget_layout import budget_sheets
from .budget_notes import assumption_rows, note_rows
from .execution import full_year, read_actuals, seasonal_profile

__all__ = ["budget_table", "BUDGET_LINES"]

#: (section, model item, 中文, English), from the registry (income, then expenditure, in its order)
BUDGET_LINES = tuple((item.side, item.name, item.zh, item.en) for item in ITEM_ENTRIES)


def budget_table(ds, year: int, level: float = 0.8) -> pd.DataFrame:
    """Budget lines (yuan) per pool for ``year``, with the prediction interval of the totals, each
    with its scope (the employee pool's pooled fund, its individual accounts and their total) and
    provenance (derived by the model; example on an illustration bundle)."""
    rows = []
    interval = ds.fund.interval(level).sel(year=year)
    for pool in ds["pool"].values:
        bands = {
            flow: (float(interval[f"{flow}_lower"].sel(pool=pool)), float(interval[f"{flow}_upper"].sel(pool=pool)))
            for flow in ("income", "expenditure")
        }
        for section, item, zh, en in BUDGET_LINES:
            source = "income_items" if section == "income" else "expenditure_items"
            coord = "income_item" if section == "income" else "expenditure_item"
            value = float(ds[source].sel(year=year, pool=pool, **{coord: item}))
            if value:
                rows.append(
                    {
                        "pool": pool,
                        "section": section,
                        "line": item,
                        "line_zh": zh,
                        "line_en": en,
                        "value": value,
                        "low": np.nan,
                        "high": np.nan,
                    }
                )
        for section, zh, en in (
            ("income", "收入合计", "total income"),
            ("expenditure", "支出合计", "total expenditure"),
        ):
            value = float(ds[section].sel(year=year, pool=pool))
            low, high = (
                bands[section] if bands[section][0] < bands[section][1] else (np.nan, np.nan)
            )  # no record (LTCI): no band
            rows.append(
                {
                    "pool": pool,
                    "section": section,
                    "line": "total",
                    "line_zh": zh,
                    "line_en": en,
                    "value": value,
                    "low": low,
                    "high": high,
                }
            )
        for name, zh, en in (
            ("balance", "本年收支结余", "balance of the year"),
            ("reserve", "年末滚存结余", "reserve at year end"),
            ("months_covered", "可支付月数", "months of expenditure covered"),
        ):
            rows.append(
                {
                    "pool": pool,
                    "section": "result",
                    "line": name,
                    "line_zh": zh,
                    "line_en": en,
                    "value": float(ds[name].sel(year=year, pool=pool)),
                    "low": np.nan,
                    "high": np.nan,
                }
            )
    frame = pd.DataFrame(rows)
    frame.insert(1, "scope", [pool_scope(ds, p) for p in frame["pool"]])
    if pool_scope(ds, "employee") == "pooled_fund" and "individual_account_income" in ds:
        frame = pd.concat([frame, pd.DataFrame(_account_rows(ds, year))], ignore_index=True)
    frame.insert(1, "pool_zh", frame["pool"].map(POOL_NAMES_ZH))
    frame["provenance"] = projected(ds)
    frame.attrs = {"units": "yuan (months for months_covered)", "year": year, "level": level}
    return frame


def _account_rows(ds, year: int) -> list[dict]:
    """The employee individual accounts (scope individual_account) and the employee fund's total
    (scope total: pooled fund + accounts) of ``year``, yuan."""
    rows = []
    names = {"income": ("收入", "income"), "expenditure": ("支出", "expenditure"), "reserve": ("年末结余", "reserve")}
    for name, (zh, en) in names.items():
        account = float(ds[f"individual_account_{name}"].sel(year=year))
        pooled = float(ds[name].sel(pool="employee", year=year))
        rows.append(
            {
                "pool": "employee",
                "scope": "individual_account",
                "section": "individual_account",
                "line": name,
                "line_zh": f"个人账户{zh}",
                "line_en": f"individual accounts: {en}",
                "value": account,
                "low": np.nan,
                "high": np.nan,
            }
        )
        rows.append(
            {
                "pool": "employee",
                "scope": "total",
                "section": "total",
                "line": name,
                "line_zh": f"职工医保基金合计{zh}",
                "line_en": f"employee fund (pooled + accounts): {en}",
                "value": pooled + account,
                "low": np.nan,
                "high": np.nan,
            }
        )
    return rows


def previous_label(ds, year: int) -> str:
    """本年执行数 when the year before the budget year is closed (the base year, as the bulletin
    publishes it), else 本年预计执行数 (estimated from its year-to-date actuals, or the run's)."""
    return "本年执行数" if year - 1 <= int(ds.attrs["base_year"]) else "本年预计执行数"


def budget_inputs(
    previous_budget: str | None, execution: str | None
) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """The approved budget (``--previous-budget``) and the previous year's year-to-date actuals
    (``--execution``), read and checked (None where not given)."""
    return (read_budget(previous_budget) if previous_budget else None, read_actuals(execution) if execution else None)


def previous_year_estimate(ds, year: int, actuals: pd.DataFrame) -> pd.DataFrame:
    """The full-year estimate (:func:`forecast.apps.execution.full_year`, with the run's bundle's
    seasonal profile) of the year before ``year`` from its year-to-date ``actuals``. Refused when
    that year is closed (the base year: the bulletin's figures stand)."""
    base = int(ds.attrs["base_year"])
    source = actuals.attrs.get("source", "--execution")
    if year - 1 <= base:
        raise InputError(
            Problem(
                source,
                f"{year - 1}, the year before the budget year, is the base year: it is closed and the bulletin's "
                "figures stand",
                f"leave out --execution for --year {year}, or give the actuals of {base + 1} with --year {base + 2}",
            )
        )
    unknown = sorted(set(actuals["pool"]) - {str(p) for p in ds["pool"].values})
    if unknown:
        raise InputError(
            Problem(source, f"the run projects no pool {', '.join(unknown)}", "give actuals for the run's pools only")
        )
    from .scopes import align_to_run

    actuals, notes = align_to_run(actuals, ds)
    estimate = full_year(actuals, seasonal_profile(load_region(ds.attrs["region_path"])))
    estimate.attrs["notes"] = notes
    estimate.attrs["source"] = source
    return estimate


def budget_workbook_for(
    ds,
    scenario,
    year: int,
    level: float = 0.8,
    approved: pd.DataFrame | None = None,
    executed: pd.DataFrame | None = None,
):
    """The budget workbook of ``year`` (:mod:`forecast.results.workbook`): one budget form per pool
    (收支, the employee individual accounts and 基本数据), 假设 and 说明; ``approved``
    (:func:`forecast.apps.approved.read_budget`) fills 本年预算数; ``executed``
    (:func:`previous_year_estimate`) gives 本年预计执行数 for the pools it has."""
    from ..engine import resolved_rules
    from ..inputs.region import load_region
    from ..results.provenance import is_example, place
    from .budget_layout import sheet_name
    from .budget_tables import account_table, basic_table

    region = load_region(ds.attrs["region_path"])
    rules = resolved_rules(
        scenario, region, dict(scenario.params), dict(scenario.root_params), int(ds["year"].values[-1])
    )
    sheets = budget_sheets(ds, year, level, approved, executed, region)
    label = previous_label(ds, year)
    footnotes = {}
    for pool, frame in sheets.items():
        verdict = frame.attrs["verdict"]
        months = frame.loc[frame["key"] == "months_covered", "budget"].iloc[0]
        cover = "" if frame.attrs["payg"] else f"；可支付{months:.1f}个月（合理区间6–9个月）"
        footnotes[pool] = (
            f"下年测算结论：{VERDICTS.get(verdict, verdict)}{cover}。",
            "注：金额为万元；合计数为所列分项之和；表头第二行为各列数据的性质；口径与方法见“说明”表，假设见“假设”表。",
        )
    accounts = account_table(ds, sheets["employee"], region, approved) if "employee" in sheets else None
    meta = {
        "year": year,
        "region": place(ds),
        "scenario": ds.attrs.get("scenario_title", ""),
        "base_year": ds.attrs["base_year"],
        "previous_label": label,
        "footnotes": footnotes,
        "example": is_example(ds),
        "accounts": accounts,
        "basic": {pool: basic_table(ds, rules, pool, year, region) for pool in sheets},
    }
    source = approved.attrs.get("source") if approved is not None else None
    notes = note_rows(ds, sheets, year, level, label, source, executed)
    return budget_workbook(
        sheets, {pool: sheet_name(ds, pool) for pool in sheets}, meta, assumption_rows(ds, scenario, year), notes
    )
