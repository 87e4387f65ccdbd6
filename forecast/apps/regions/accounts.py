"""A prefecture bundle's fund accounts and benefit use: the bureau's figures, annualised and completed.

- A partial fund year (``months`` < 12) without full-year figures is annualised for the
  calibration (the published year-to-date figure kept in the row's note): ``year-to-date / s(month)`` with the national
  seasonal profile of data/china (NHSA's monthly releases), its interval beside it
  (:func:`forecast.apps.execution.full_year`, as ``forecast execution`` does); medical assistance
  has no published profile and is annualised uniformly (m/12), without interval.
- Figures the base year needs and the bureau lacks are derived and labelled ``derived``: a pool's
  income and expenditure as the nation's per insured × the local insured; the opening reserve as
  the nation's reserve-to-expenditure ratio × the local expenditure; medical assistance per
  resident insured; maternity 0 (not split out: it stays in the employee fund's expenditure).
- Benefit use: the nation's use (admissions, visits, medical expenses) × the local / national fund
  expenditure of the pool, mean costs and payment ratios as the nation's.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..execution import full_year
from .figures import FUND_POOLS, Figures

__all__ = ["fund_rows", "utilisation_rows", "FUND_HEADER", "UTILISATION_HEADER", "ANNUALISED"]

FUND_HEADER = ["year", "pool", "account", "item", "value", "unit", "months", "report_type", "source", "note"]
UTILISATION_HEADER = ["year", "pool", "service", "indicator", "value", "unit", "source", "note"]
ANNUALISED = "annualised"
PER_INSURED = ("uses", "users", "medical_expenses")
#: years before the base year derived from the nation for the fitted drivers (a fit needs two points)
HISTORY_YEARS = 2


def _g(value: float) -> str:
    return f"{value:.12g}"


def _annualised(fund_year, profile: pd.DataFrame) -> list[list]:
    """Full-year rows for the flows of a partial year (reserves are stocks: not annualised)."""
    actuals = pd.DataFrame(
        [
            {
                "pool": pool,
                "month": fund_year.months,
                **{item: fund_year.figures.get((pool, item), np.nan) for item in ("income", "expenditure")},
            }
            for pool in FUND_POOLS
            if (pool, "expenditure") in fund_year.figures
        ]
    )
    if actuals.empty:
        return []
    estimate = full_year(actuals, profile)
    rows = []
    for pool, row in estimate.iterrows():
        for item in ("income", "expenditure"):
            if not np.isfinite(row[f"{item}_to_date"]):
                continue
            if row["profile_years"] == "uniform":
                how = (
                    f"uniform profile (x 12/{fund_year.months}; no published seasonal profile for {pool}), no interval"
                )
            else:
                how = (
                    f"national seasonal profile (data/china monthly_fund, years {row['profile_years']}): "
                    f"{row[f'{item}_share']:.4f} of the year by month {fund_year.months}; interval "
                    f"{row[f'{item}_low']:,.0f}-{row[f'{item}_high']:,.0f} yuan"
                )
            note = (
                f"annualised from the published January-month {fund_year.months} figure ({row[f'{item}_to_date']:,.2f} "
                f"yuan) with the {how}"
            )
            rows.append(
                [
                    fund_year.year,
                    pool,
                    "total",
                    item,
                    _g(round(row[f"{item}_estimate"], 2)),
                    "元",
                    12,
                    ANNUALISED,
                    fund_year.source,
                    note,
                ]
            )
    return rows


def _published(fund_year) -> list[list]:
    kind = "local_report" if fund_year.months == 12 else "local_report_year_to_date"
    note = fund_year.note or (
        "full year" if fund_year.months == 12 else f"January-month {fund_year.months} (year to date)"
    )
    return [
        [fund_year.year, pool, "total", item, _g(value), "元", fund_year.months, kind, fund_year.source, note]
        for (pool, item), value in fund_year.figures.items()
    ]


def fund_rows(figures: Figures, nation, profile: pd.DataFrame, insured: dict) -> list[list]:
    """Rows of fund_history.csv; ``insured``: {pool: persons} in the base year (employee, resident)."""
    base = figures.base_year
    rows = _bureau_rows(figures, profile)
    flows = {(r[0], r[1], r[3]): float(r[4]) for r in rows if int(r[6]) == 12 and r[3] != "reserve"}
    reserves = {(r[0], r[1]): float(r[4]) for r in rows if r[3] == "reserve" and int(r[6]) == 12}
    derived = _base_flows(base, flows, nation, insured)
    derived += [
        _opening_reserve(base, pool, flows, reserves, nation)
        for pool in ("employee", "resident")
        if (base - 1, pool) not in reserves
    ]
    derived.append(
        [
            base,
            "employee",
            "maternity",
            "expenditure",
            "0",
            "元",
            12,
            "derived",
            figures.insured.get("source", ""),
            "not split out locally: maternity stays in the employee fund's expenditure",
        ]
    )
    first = min([base - HISTORY_YEARS, *(year for year, _, _ in flows)])
    for pool, item in [(p, i) for p in ("employee", "resident") for i in ("income", "expenditure")] + [
        ("medical_assistance", "expenditure")
    ]:
        years = [y for y in range(first, base) if (y, pool, item) not in flows]
        history = history_rows(
            nation.region.fund(pool, item),
            base,
            flows[base, pool, item],
            years,
            [pool, "total", item],
            ["元", 12, "derived", ""],
            f"{pool} {item}",
        )
        derived += [r[:8] + [nation.source("fund_history", r[0], pool=pool, item=item)] + r[9:] for r in history]
    return sorted(rows + derived, key=lambda r: (r[0], r[1], r[2], r[3], int(r[6])))


def _bureau_rows(figures: Figures, profile: pd.DataFrame) -> list[list]:
    """The bureau's figures; a partial year without full-year figures annualised in their place."""
    rows = []
    full = {(fy.year, pool) for fy in figures.funds if fy.months == 12 for pool, _ in fy.figures}
    for fy in sorted(figures.funds, key=lambda f: (f.year, f.months)):
        annualised = (
            _annualised(fy, profile)
            if fy.months < 12 and not any((fy.year, pool) in full for pool in FUND_POOLS)
            else []
        )
        replaced = {(r[1], r[3]) for r in annualised}
        rows += [r for r in _published(fy) if (r[1], r[3]) not in replaced] + annualised
    return rows


def _base_flows(base: int, flows: dict, nation, insured: dict) -> list[list]:
    """Base-year income and expenditure the bureau did not give: the nation's per insured (medical
    assistance: per resident insured) x the local insured. Fills ``flows`` with them."""
    out = []
    wanted = [
        ("employee", "income", "employee"),
        ("employee", "expenditure", "employee"),
        ("resident", "income", "resident"),
        ("resident", "expenditure", "resident"),
        ("medical_assistance", "expenditure", "resident"),
    ]
    for pool, item, members_pool in wanted:
        if (base, pool, item) in flows:
            continue
        value, year = nation.fund(pool, item, base)
        members, _ = nation.insured(base, members_pool)
        flows[base, pool, item] = value / members * insured[members_pool]
        out.append(
            [
                base,
                pool,
                "total",
                item,
                _g(round(flows[base, pool, item], 2)),
                "元",
                12,
                "derived",
                nation.source("fund_history", year, pool=pool, item=item),
                f"not published locally: the national {pool} {item} per {members_pool} insured ({year}: "
                f"{value / members:,.2f} yuan) x the local {members_pool} insured ({insured[members_pool]:,.0f})",
            ]
        )
    return out


def _opening_reserve(base: int, pool: str, flows: dict, reserves: dict, nation) -> list:
    """The reserve at the end of the year before the base year: the bureau's end-of-year reserve less
    the year's balance, else the nation's reserve-to-expenditure ratio x the local expenditure."""
    if (base, pool) in reserves:
        opening = reserves[base, pool] - flows[base, pool, "income"] + flows[base, pool, "expenditure"]
        note = f"the {base} reserve less the {base} balance"
    else:
        stock, year = nation.fund(pool, "reserve", base - 1)
        national_spent, _ = nation.fund(pool, "expenditure", base)
        opening = stock / national_spent * flows[base, pool, "expenditure"]
        note = (
            f"not published locally: the national ratio of the {year} reserve to the {base} expenditure "
            f"({stock / national_spent:.4f}) x the local {base} expenditure"
        )
    return [
        base - 1,
        pool,
        "total",
        "reserve",
        _g(round(opening, 2)),
        "元",
        12,
        "derived",
        nation.source("fund_history", base - 1, pool=pool, item="reserve"),
        note,
    ]


def history_rows(
    national: pd.Series, reference: int, local: float, years, keys: list, tail: list, what: str
) -> list[list]:
    """``years`` the bureau did not give: the national figure x the ratio of the local to the national
    figure of the ``reference`` year (the local series taken to move as the nation's), so the scenario's
    'fitted' drivers are fitted on the nation's growth at the local level."""
    known = national.dropna()
    if reference not in known.index:  # a base year after the nation's last: its latest year
        reference = int(max(known.index, default=reference))
    if reference not in known.index or not known[reference] > 0:
        return []
    ratio = local / float(known[reference])
    return [
        [
            int(year),
            *keys[:-1],
            keys[-1],
            _g(round(float(national[year]) * ratio, 2)) if np.isfinite(national[year]) else "",
            *tail,
            f"not published locally: the national {year} {what} x {ratio:.6g} (the local / national {reference} "
            "ratio): the local series taken to move as the nation's",
        ]
        for year in years
        if year in national.index
    ]


def utilisation_rows(nation_region, base: int, local_expenditure: dict) -> list[list]:
    """The nation's benefit use scaled by the local share of the national fund expenditure of each
    pool in the base year (the nation's use per yuan the fund spends); mean costs and ratios as the
    nation's. The national use of the year nearest the base year (2023 or 2024)."""
    use = nation_region.utilisation
    years = sorted(int(y) for y in use["year"].unique())
    year = min(years, key=lambda y: (abs(y - base), -y))
    rows = []
    for _, r in use[(use["year"] == year) & use["pool"].isin(["employee", "resident"])].iterrows():
        if pd.isna(r["value"]):
            continue
        spent = nation_region.fund(r["pool"], "expenditure").dropna()
        national = float(spent[base] if base in spent.index else spent.iloc[-1])
        if r["indicator"] in PER_INSURED:
            ratio = local_expenditure[r["pool"]] / national
            value = r["value"] * ratio
            note = (
                f"borrowed: the national {year} {r['indicator']} x {ratio:.6g} (the local share of the national {base} "
                f"{r['pool']} fund expenditure)"
            )
        else:
            value, note = r["value"], f"borrowed: the national {year} figure"
        unit = {"persons": "人", "yuan": "元", "ratio": "ratio"}[r["unit"]]
        rows.append([base, r["pool"], r["service"], r["indicator"], _g(round(value, 4)), unit, r["source"], note])
    return rows
