"""Budget execution (预算执行): the full year estimated from year-to-date actuals.

Actuals are a small CSV, one row per pool and month reached, cumulated from January::

    pool,month,income,expenditure,unit
    employee,5,50686.38,29597.18,万元

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

import csv
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import InputError, Problem
from .units import PUBLISHED_UNITS, to_canonical
from .vocabulary import POOLS

__all__ = ["read_actuals", "seasonal_profile", "profile_from_history", "full_year"]

COLUMNS = ("pool", "month", "income", "expenditure", "unit")


def read_actuals(path: Path | str, with_year: bool = False) -> pd.DataFrame:
    """Year-to-date actuals (yuan), with a located error for every bad cell. ``with_year``: a
    monthly history (an extra ``year`` column; month 12 rows give the full years)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(Problem(path, "file not found", "give the path of a CSV with columns pool,month,income,expenditure,unit"))
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(Problem(path, "not valid UTF-8 text", "save the file as 'CSV UTF-8'")) from None
    rows = list(csv.DictReader(text.splitlines()))
    problems = []
    columns = (("year",) if with_year else ()) + COLUMNS
    missing = [c for c in columns if not rows or c not in rows[0]]
    if missing:
        raise InputError(Problem(path, f"missing column(s) {', '.join(missing)}", f"the header must be: {','.join(columns)}", 1))
    out = []
    for line, row in enumerate(rows, start=2):
        pool = row["pool"].strip()
        if pool not in POOLS:
            problems.append(Problem(path, f"unknown pool '{pool}'", f"use one of {', '.join(POOLS)}", line, "pool", pool))
            continue
        try:
            month = int(row["month"])
            if not 1 <= month <= 12:
                raise ValueError
        except ValueError:
            problems.append(Problem(path, "month must be a whole number from 1 to 12 (the last month the figures cover)", "write e.g. 5 for January-May", line, "month", row["month"]))
            continue
        unit = row["unit"].strip()
        if unit not in PUBLISHED_UNITS or PUBLISHED_UNITS[unit][0] != "yuan":
            problems.append(Problem(path, f"unknown money unit '{unit}'", "use 元, 万元 or 亿元", line, "unit", unit))
            continue
        values = {}
        for item in ("income", "expenditure"):
            try:
                values[item] = to_canonical(row[item], unit)
                if values[item] < 0:
                    raise ValueError
            except (ValueError, TypeError):
                problems.append(Problem(path, f"{item} must be a non-negative number", f"write the amount in {unit} without separators", line, item, row[item]))
        year = None
        if with_year:
            try:
                year = int(row["year"])
            except ValueError:
                problems.append(Problem(path, "year must be a year", "write e.g. 2023", line, "year", row["year"]))
                continue
        if len(values) == 2:
            out.append({**({"year": year} if with_year else {}), "pool": pool, "month": month, **values, "line": line})
    if problems:
        raise InputError(problems)
    frame = pd.DataFrame(out)
    duplicated = frame.duplicated([*(["year"] if with_year else []), "pool", "month"], keep=False)
    if duplicated.any():
        first = frame[duplicated].iloc[1]
        raise InputError(Problem(path, f"two rows for pool {first['pool']}, month {first['month']}", "keep one row per pool and month", int(first["line"])))
    frame.attrs["units"] = "yuan (cumulated from January)"
    return frame


def _shares(points: dict[int, float]) -> np.ndarray:
    """Cumulative shares at months 1..12 from published months (linear between; 0 at 0, 1 at 12)."""
    months = sorted({0: 0.0, **points, 12: 1.0}.items())
    return np.interp(np.arange(1, 13), [m for m, _ in months], [v for _, v in months])


def profile_from_history(history: pd.DataFrame) -> pd.DataFrame:
    """The seasonal profile from a monthly history (:func:`read_actuals` with ``with_year``): each
    year with a month-12 row gives its cumulative shares; the profile is their mean, the interval
    their range (and the uniform profile's)."""
    uniform = np.arange(1, 13) / 12
    rows = []
    for pool in POOLS:
        for item in ("income", "expenditure"):
            curves, years = [], []
            sel = history[history["pool"] == pool]
            for year, group in sel.groupby("year"):
                annual = group.loc[group["month"] == 12, item]
                if len(annual) and float(annual.iloc[0]) > 0:
                    curves.append(_shares(dict(zip(group["month"], group[item] / float(annual.iloc[0])))))
                    years.append(int(year))
            rows += _profile_rows(pool, item, curves, years, uniform)
    return pd.DataFrame(rows)


def _profile_rows(pool, item, curves, years, uniform) -> list[dict]:
    central = np.mean(curves, axis=0) if curves else uniform
    envelope = np.vstack([*curves, uniform])
    rows = []
    for m in range(12):
        low, high = (envelope[:, m].min(), envelope[:, m].max()) if curves else (np.nan, np.nan)
        rows.append({"pool": pool, "item": item, "month": m + 1, "share": central[m], "low": low, "high": high, "years": ",".join(map(str, years)) or "uniform"})
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
    return pd.DataFrame(rows)


def full_year(actuals: pd.DataFrame, profile: pd.DataFrame) -> pd.DataFrame:
    """The full-year estimate and interval per pool, from each pool's latest month."""
    latest = actuals.sort_values("month").groupby("pool").tail(1)
    rows = []
    for _, row in latest.iterrows():
        entry = {"pool": row["pool"], "month": int(row["month"])}
        for item in ("income", "expenditure"):
            p = profile[(profile["pool"] == row["pool"]) & (profile["item"] == item) & (profile["month"] == row["month"])].iloc[0]
            entry[f"{item}_to_date"] = row[item]
            entry[f"{item}_share"] = p["share"]
            entry[f"{item}_estimate"] = row[item] / p["share"]
            entry[f"{item}_low"] = row[item] / p["high"]
            entry[f"{item}_high"] = row[item] / p["low"]
            entry["profile_years"] = p["years"]
        entry["balance_estimate"] = entry["income_estimate"] - entry["expenditure_estimate"]
        entry["balance_low"] = entry["income_low"] - entry["expenditure_high"]
        entry["balance_high"] = entry["income_high"] - entry["expenditure_low"]
        if not np.isfinite(entry["balance_low"]):
            entry["verdict"] = "收支平衡 likely (uniform profile: no interval)" if entry["balance_estimate"] >= 0 else "当期收不抵支 likely (uniform profile: no interval)"
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
