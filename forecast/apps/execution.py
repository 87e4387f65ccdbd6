"""Budget execution (预算执行): the full year estimated from year-to-date actuals.

Actuals are a small CSV, one row per pool and month reached, cumulated from January::

    pool,month,income,expenditure,unit
    employee,5,50686.38,29597.18,万元

An optional ``scope`` column says what an employee row covers: 统筹基金 (pooled_fund, the
default), 个人账户 (individual_account) or 合计 (total); the other pools' figures are their totals.

The full year is ``year-to-date / s(month)`` where s(m) is the share of the year's income (or
expenditure) usually reached by the end of month m: the *seasonal profile*. With a bundle's
``monthly_fund`` table (data/china: NHSA's national monthly releases for 2022-2023) the profile is
each published year's cumulative share, linear between its published months (0 at the start of
the year, 1 at its end), averaged over years; a monthly history of the fund's own (``--history``)
replaces it; otherwise, and for pools neither has, it is uniform (m/12) and no interval is given.
The interval spans the years' profiles and the uniform profile, so it is wide where seasonality
is uncertain and closes as the year ends. The verdict says whether the year
closes 收支平衡 (income at least expenditure), and whether that holds across the interval.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError, Problem
from ..limits import MAX_MONEY
from ..units import PUBLISHED_UNITS, to_canonical, whole_number
from ..vocabulary import POOLS
from .csv_rows import read_csv_rows
from .scopes import SCOPE_WORDS, default_scope, scope_of

__all__ = ["read_actuals", "seasonal_profile", "profile_from_history", "full_year", "full_year_lines"]

COLUMNS = ("pool", "month", "income", "expenditure", "unit")


def _amount(text: str, unit: str) -> float | None:
    """A non-negative, finite amount in yuan, or None."""
    try:
        value = to_canonical(text, unit)
    except (ValueError, TypeError, ArithmeticError):
        return None
    return value if math.isfinite(value) and 0 <= value <= MAX_MONEY else None


def read_actuals(path: Path | str, with_year: bool = False) -> pd.DataFrame:
    """Year-to-date actuals (yuan), with a located error for every bad cell. ``with_year``: a
    monthly history (an extra ``year`` column; month 12 rows give the full years)."""
    path = Path(path)
    columns = (("year",) if with_year else ()) + COLUMNS
    problems = []
    out = []
    for line, row in read_csv_rows(path, columns, optional=("scope",)):
        pool = row["pool"]
        if pool not in POOLS:
            problems.append(
                Problem(path, f"unknown pool '{pool}'", f"use one of {', '.join(POOLS)}", line, "pool", pool)
            )
            continue
        scope = scope_of(pool, row.get("scope", ""))
        if scope is None:
            problems.append(
                Problem(
                    path,
                    f"unknown scope '{row['scope']}'",
                    f"use {', '.join(SCOPE_WORDS)} (empty: {default_scope(pool)})",
                    line,
                    "scope",
                    row["scope"],
                )
            )
            continue
        month = whole_number(row["month"]) or 0
        if not 1 <= month <= 12:
            problems.append(
                Problem(
                    path,
                    "month must be a whole number from 1 to 12 (the last month the figures cover)",
                    "write e.g. 5 for January-May",
                    line,
                    "month",
                    row["month"],
                )
            )
            continue
        unit = row["unit"]
        if unit not in PUBLISHED_UNITS or PUBLISHED_UNITS[unit][0] != "yuan":
            problems.append(Problem(path, f"unknown money unit '{unit}'", "use 元, 万元 or 亿元", line, "unit", unit))
            continue
        values = {}
        for item in ("income", "expenditure"):
            values[item] = _amount(row[item], unit)
            if values[item] is None:
                fix = (
                    "remove the thousands separators"
                    if "," in row[item]
                    else f"write the amount in {unit} as a plain number, at most {MAX_MONEY:.0e} yuan"
                )
                problems.append(
                    Problem(path, f"{item} must be a non-negative, finite number", fix, line, item, row[item])
                )
        year = None
        if with_year:
            year = whole_number(row["year"])
            year = year if year is not None and 1900 <= year <= 2300 else None
            if year is None:
                problems.append(Problem(path, "year must be a year", "write e.g. 2023", line, "year", row["year"]))
                continue
        if None not in values.values():
            out.append(
                {
                    **({"year": year} if with_year else {}),
                    "pool": pool,
                    "scope": scope,
                    "month": month,
                    **values,
                    "line": line,
                }
            )
    if problems:
        raise InputError(problems)
    frame = pd.DataFrame(out)
    keys = [*(["year"] if with_year else []), "pool", "scope"]
    duplicated = frame.duplicated([*keys, "month"], keep=False)
    if duplicated.any():
        first = frame[duplicated].iloc[1]
        raise InputError(
            Problem(
                path,
                f"two rows for pool {first['pool']}, month {first['month']} (scope {first['scope']})",
                "keep one row per pool, scope and month",
                int(first["line"]),
            )
        )
    _check_cumulative(path, frame, keys, problems)
    if problems:
        raise InputError(problems)
    frame.attrs["units"] = "yuan (cumulated from January)"
    frame.attrs["source"] = str(path)
    return frame


def _check_cumulative(path: Path, frame: pd.DataFrame, keys: list[str], problems: list) -> None:
    """Figures cumulated from January never fall from one month to a later one."""
    for _, group in frame.sort_values("month").groupby(keys):
        for item in ("income", "expenditure"):
            falls = group[item].diff() < 0
            if falls.any():
                row = group[falls].iloc[0]
                before = group[group["month"] < row["month"]].iloc[-1]
                problems.append(
                    Problem(
                        path,
                        f"{row['pool']} {item} falls from month {before['month']} to month {row['month']} "
                        f"({before[item]:,.0f} to {row[item]:,.0f} yuan); "
                        "the figures must be cumulated from January",
                        "give January-to-month totals, not each month's own figure",
                        int(row["line"]),
                        item,
                    )
                )


def _shares(points: dict[int, float]) -> np.ndarray:
    """Cumulative shares at months 1..12 from published months (linear between; 0 at 0, 1 at 12)."""
    months = sorted({0: 0.0, **points, 12: 1.0}.items())
    return np.interp(np.arange(1, 13), [m for m, _ in months], [v for _, v in months])


def profile_from_history(history: pd.DataFrame, fallback: pd.DataFrame | None = None) -> pd.DataFrame:
    """The seasonal profile from a monthly history (:func:`read_actuals` with ``with_year``): each
    year with a month-12 row gives its cumulative shares; the profile is their mean, the interval
    their range (and the uniform profile's). Pools the history does not have take ``fallback``'s
    rows (the bundle's profile, :func:`seasonal_profile`), or the uniform profile; a pool it has
    with no usable full year is refused."""
    uniform = np.arange(1, 13) / 12
    source = history.attrs.get("source", "the monthly history")
    rows = []
    for pool in POOLS:
        sel = history[history["pool"] == pool]
        if sel.empty:
            rows += (
                fallback[fallback["pool"] == pool].to_dict("records")
                if fallback is not None
                else [r for item in ("income", "expenditure") for r in _profile_rows(pool, item, [], [], uniform)]
            )
            continue
        for item in ("income", "expenditure"):
            curves, years = [], []
            for year, group in sel.groupby("year"):
                annual = group.loc[group["month"] == 12, item]
                if len(annual) and float(annual.iloc[0]) > 0:
                    curves.append(_shares(dict(zip(group["month"], group[item] / float(annual.iloc[0])))))
                    years.append(int(year))
            if not curves:
                raise InputError(
                    Problem(
                        source,
                        f"{pool} {item}: no year of the history has a full-year (month 12) figure above 0, "
                        "so it gives no seasonal profile",
                        "add each year's month-12 row (the year's total, cumulated from January), "
                        "or leave the pool out of the history to use the national profile",
                    )
                )
            rows += _profile_rows(pool, item, curves, years, uniform)
    frame = pd.DataFrame(rows)
    frame.attrs["source"] = source
    return frame


def _profile_rows(pool, item, curves, years, uniform) -> list[dict]:
    central = np.mean(curves, axis=0) if curves else uniform
    envelope = np.vstack([*curves, uniform])
    rows = []
    for m in range(12):
        low, high = (envelope[:, m].min(), envelope[:, m].max()) if curves else (np.nan, np.nan)
        rows.append(
            {
                "pool": pool,
                "item": item,
                "month": m + 1,
                "share": central[m],
                "low": low,
                "high": high,
                "years": ",".join(map(str, years)) or "uniform",
            }
        )
    return rows


def seasonal_profile(region) -> pd.DataFrame:
    """Cumulative share of the year reached by each month, per pool and item: central, low, high.

    Columns: pool, item, month, share, low, high, years (the years behind the profile).
    """
    uniform = np.arange(1, 13) / 12
    monthly = region.monthly_fund if region is not None else None
    rows = []
    for pool in POOLS:
        for item in ("income", "expenditure"):
            curves, years = [], []
            if monthly is not None:
                sel = monthly[(monthly["pool"] == pool) & (monthly["item"] == item)]
                for year, group in sel.groupby("year"):
                    annual = float(region.fund(pool, item).get(int(year), np.nan))
                    if np.isfinite(annual) and annual > 0:
                        curves.append(_shares(dict(zip(group["month"].astype(int), group["value"] / annual))))
                        years.append(int(year))
            rows += _profile_rows(pool, item, curves, years, uniform)
    frame = pd.DataFrame(rows)
    frame.attrs["source"] = (
        str(region.path / region.files["monthly_fund"]["path"]) if monthly is not None else "the uniform profile"
    )
    return frame


def full_year(actuals: pd.DataFrame, profile: pd.DataFrame) -> pd.DataFrame:
    """The full-year estimate and interval per pool, from each pool's latest month."""
    scopes = actuals.groupby("pool")["scope"].nunique() if "scope" in actuals.columns else None
    if scopes is not None and (scopes > 1).any():
        raise InputError(
            Problem(
                actuals.attrs.get("source", "the actuals"),
                f"{', '.join(scopes[scopes > 1].index)}: figures on more than one scope",
                "align them first (forecast.apps.scopes.align_scopes)",
            )
        )
    latest = actuals.sort_values("month").groupby("pool").tail(1)
    rows = []
    for _, row in latest.iterrows():
        entry = {"pool": row["pool"], "scope": row.get("scope", default_scope(row["pool"])), "month": int(row["month"])}
        for item in ("income", "expenditure"):
            p = profile[
                (profile["pool"] == row["pool"]) & (profile["item"] == item) & (profile["month"] == row["month"])
            ].iloc[0]
            if not p["share"] > 0 or p["low"] <= 0:
                raise InputError(
                    Problem(
                        profile.attrs.get("source", "the seasonal profile"),
                        f"the seasonal profile reaches {min(p['share'], p['low']):.0%} of a year's {row['pool']} "
                        f"{item} by the end of month {row['month']} (years {p['years']}): "
                        "a full year cannot be estimated from it",
                        "give a history whose early months hold part of the year (cumulated from January), "
                        "or leave out --history to use the national profile",
                    )
                )
            entry[f"{item}_to_date"] = row[item]
            entry[f"{item}_share"] = p["share"]
            entry[f"{item}_estimate"] = row[item] / p["share"]
            entry[f"{item}_low"] = row[item] / p["high"]
            entry[f"{item}_high"] = row[item] / p["low"]
            entry["profile_years"] = p["years"]
        entry["to_date_provenance"] = "published"  # the bureau's own year-to-date figures
        entry["estimate_provenance"] = (
            "assumed" if entry["profile_years"] == "uniform" else "derived"
        )  # a uniform year is an assumption, not a profile
        entry["balance_estimate"] = entry["income_estimate"] - entry["expenditure_estimate"]
        entry["balance_low"] = entry["income_low"] - entry["expenditure_high"]
        entry["balance_high"] = entry["income_high"] - entry["expenditure_low"]
        if not np.isfinite(entry["balance_low"]):
            entry["verdict"] = (
                "收支平衡 likely (uniform profile: no interval)"
                if entry["balance_estimate"] >= 0
                else "当期收不抵支 likely (uniform profile: no interval)"
            )
        elif entry["balance_low"] >= 0:
            entry["verdict"] = "收支平衡 (income covers expenditure across the interval)"
        elif entry["balance_estimate"] >= 0:
            entry["verdict"] = "收支平衡 likely (the interval includes a deficit)"
        else:
            entry["verdict"] = "当期收不抵支 likely (expenditure above income)"
        rows.append(entry)
    frame = pd.DataFrame(rows).set_index("pool")
    frame.attrs["units"] = "yuan; shares as ratios"
    return frame


def full_year_lines(table: pd.DataFrame) -> list[str]:
    """The full-year estimates as printed: per pool (and its scope) the months given, the profile,
    income, expenditure and balance to date and for the year (万元, with the interval), the verdict."""
    from ..inputs.provenance import SCOPES
    from ..inputs.summary import MONTHS

    lines = []
    for pool, row in table.iterrows():
        months = "January" if row["month"] == 1 else f"January-{MONTHS[row['month'] - 1]}"
        lines.append(f"\n  {pool} ({SCOPES[row['scope']][0]}): {months} (profile: {row['profile_years']})")
        for item in ("income", "expenditure", "balance"):
            to_date = "" if item == "balance" else f"to date {row[f'{item}_to_date'] / 1e4:,.2f}; "
            low, high = row[f"{item}_low"], row[f"{item}_high"]
            band = "" if np.isnan(low) else f" [{low / 1e4:,.2f} – {high / 1e4:,.2f}]"
            lines.append(f"    {item:<12} {to_date}full year {row[f'{item}_estimate'] / 1e4:,.2f}{band}")
        lines.append(f"    verdict: {row['verdict']}")
    return lines
