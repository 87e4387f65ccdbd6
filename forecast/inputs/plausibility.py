"""Checks across a bundle's tables: what every file may pass alone but the region cannot be.

:func:`check_bundle` runs on every load (and so in ``forecast validate``): sources cited by
rows must be in the register; parts must not exceed totals; no more insured persons than
people; a full fund year with income has expenditure; the base population has both sexes; death
probabilities below the open age group are below 1 and the open group's death rate is
positive; every fertility period has births; cost curves are not all zero. Each problem names the file, line and fix.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import Problem

__all__ = ["check_bundle", "POPULATION_ALLOWANCE"]

#: insured persons may exceed the base population by this factor before a bundle is refused:
#: the population is the census's while insured counts are later years' (growth since the
#: census) and people insured in two places are counted twice (NHSA removes some duplicates
#: each year); 1.2 leaves room for a fast-growing city and refuses a unit slip (人 for 万人)
POPULATION_ALLOWANCE = 1.2
#: a basic pool's yearly income per insured person must lie in this range (yuan): the 2024
#: bulletin gives about 7,000 (employees, pooled fund and accounts) and 1,100 (residents); a unit
#: slip (万元 for 亿元, 人 for 万人) moves it by a factor of 10,000
INCOME_PER_INSURED = (20.0, 100_000.0)
#: cost curves the fund model spreads claims with (forecast.model.benefits.curves)
CURVES_USED = ("inpatient", "outpatient")


def check_bundle(folder: Path, meta: dict, frames: dict[str, pd.DataFrame], problems: list[Problem]) -> None:
    """Append a Problem for every cross-table inconsistency of the bundle in ``folder``."""

    def where(name: str) -> Path:
        return folder / meta["files"][name]["path"]

    _sources_used(where, meta, frames, problems)
    _population(where, frames["base_population"], problems)
    _insured(where, frames["insured"], float(frames["base_population"]["value"].sum()), problems)
    _fund_years(where, frames["fund_history"], problems)
    _income_per_insured(where, frames["fund_history"], frames["insured"], problems)
    _mortality(where, frames["mortality"], problems)
    _fertility(where, frames["fertility"], problems)
    _cost_curves(where, frames["cost_curves"], problems)
    if "utilisation" in frames and "claim_sizes" not in frames:
        problems.append(
            Problem(
                folder / "region.yaml",
                "the bundle gives benefit use (utilisation) but no claim_sizes table: the fund model needs the "
                "claim-size distribution to cost benefits from it",
                "add claim_sizes.csv (see data/china/claim_sizes.csv), or leave out utilisation to run the reduced "
                "claim model",
                field="files",
            )
        )


def _sources_used(where, meta, frames, problems) -> None:
    """Row-level ``source`` columns must cite ids from the register."""
    known = set(meta["sources"])
    for name, df in frames.items():
        if "source" not in df.columns:
            continue
        for cell, line in zip(df["source"].tolist(), df["line"].tolist()):
            for sid in filter(None, (s.strip() for s in str(cell).split(";"))):
                if sid not in known:
                    problems.append(
                        Problem(
                            where(name),
                            f"unknown source id '{sid}'",
                            "add it to region.yaml 'sources:' or correct the id",
                            line,
                            "source",
                            sid,
                        )
                    )


def _population(where, pop: pd.DataFrame, problems) -> None:
    if pop["value"].sum() <= 0:
        problems.append(
            Problem(where("base_population"), "the base population is zero", "fill in the population counts")
        )
        return
    for sex in ("male", "female"):
        if pop.loc[pop["sex"] == sex, "value"].sum() <= 0:
            problems.append(
                Problem(
                    where("base_population"),
                    f"the base population has no {'men' if sex == 'male' else 'women'} (every {sex} count is 0)",
                    "fill in the counts of both sexes: the projection needs women for births and both sexes for deaths",
                )
            )


def _insured(where, ins: pd.DataFrame, population: float, problems) -> None:
    """Statuses within their total; no pool, and not employee + resident together, above the population."""
    path = where("insured")
    limit = POPULATION_ALLOWANCE * population
    by_year: dict[int, float] = {}
    flagged: set[int] = set()
    groups = _grouped(ins, ["year", "pool"], ["status", "value", "line"])
    for (year, pool), rows in sorted(groups.items()):
        values = {status: value for status, value, _ in rows}
        total = values.get("all", np.nan)
        parts = sum(v for s, v in values.items() if s != "all" and not np.isnan(v))
        line = int(rows[-1][2])
        if not np.isnan(total) and parts > total * 1.0001:
            problems.append(
                Problem(
                    path,
                    f"{pool} {year}: the statuses sum to {parts:,.0f}, more than the total {total:,.0f}",
                    "check the figures",
                    line,
                    "value",
                )
            )
        insured = total if not np.isnan(total) else parts
        if insured > limit:
            flagged.add(year)
            problems.append(
                Problem(
                    path,
                    f"{pool} {year}: {insured:,.0f} insured persons, more than the region's base population "
                    f"({population:,.0f}) allows (coverage above 1; at most {POPULATION_ALLOWANCE:g} times it)",
                    "check the unit (人 or 万人) and the figures, or the base population",
                    line,
                    "value",
                )
            )
        if pool in ("employee", "resident"):
            by_year[year] = by_year.get(year, 0.0) + insured
    for year, both in sorted(by_year.items()):
        if both > limit and year not in flagged:
            line = max(int(row[2]) for (y, _), rows in groups.items() if y == year for row in rows)
            problems.append(
                Problem(
                    path,
                    f"{year}: employee and resident pools together insure {both:,.0f} persons, more than the region's "
                    f"base population ({population:,.0f}) allows (at most {POPULATION_ALLOWANCE:g} times it)",
                    "check the unit (人 or 万人) and the figures: a person is insured in one basic pool",
                    line,
                    "value",
                )
            )


def _grouped(df: pd.DataFrame, keys: list[str], columns: list[str], where: tuple | None = None) -> dict:
    """The rows of ``df`` as tuples of ``columns`` by the values of ``keys`` (a tuple, or the value
    of a single key), in the table's order; only rows whose ``where`` = (column, value) holds."""
    data = [df[c].tolist() for c in (*keys, *columns)]
    chosen = [v == where[1] for v in df[where[0]].tolist()] if where and where[0] in df.columns else None
    out: dict = {}
    n = len(keys)
    for i, row in enumerate(zip(*data)):
        if chosen is None or chosen[i]:
            out.setdefault(row[:n] if n > 1 else row[0], []).append(row[n:])
    return out


def _fund_years(where, fund: pd.DataFrame, problems) -> None:
    """A full year with income must have its expenditure (blank if unpublished, never 0)."""
    groups = _grouped(fund, ["year", "pool", "account"], ["item", "value", "line"], ("months", 12))
    for (year, pool, account), rows in sorted(groups.items()):
        items = {item: (value, line) for item, value, line in rows}
        income, spent = items.get("income"), items.get("expenditure")
        if income and spent and income[0] > 0 and spent[0] == 0:
            problems.append(
                Problem(
                    where("fund_history"),
                    f"{pool} {account} {year}: income {income[0]:,.0f} yuan but expenditure 0",
                    "give the year's expenditure; leave the value empty if it was not published",
                    int(spent[1]),
                    "value",
                )
            )


def _income_per_insured(where, fund: pd.DataFrame, ins: pd.DataFrame, problems) -> None:
    """A full year's income of the employee or resident pool per insured person of that year,
    within :data:`INCOME_PER_INSURED`: what a unit slip in either table cannot pass."""
    low, high = INCOME_PER_INSURED
    full = _grouped(fund, ["year", "pool"], ["item", "account", "value", "line"], ("months", 12))
    insured_by = _grouped(ins, ["year", "pool"], ["status", "value"])
    for (year, pool), rows in sorted(full.items()):
        accounts = {account: (value, line) for item, account, value, line in rows if item == "income"}
        if pool not in ("employee", "resident") or not accounts:
            continue
        income, line = accounts.get("total") or accounts.get("pooled_fund") or (np.nan, None)
        values = dict(insured_by.get((year, pool), []))
        insured = values.get("all", sum(v for k, v in values.items() if k != "all" and not np.isnan(v)))
        if np.isnan(income) or not insured or np.isnan(insured):
            continue
        per = income / insured
        if not low <= per <= high:
            problems.append(
                Problem(
                    where("fund_history"),
                    f"{pool} {year}: income of {per:,.2f} yuan per insured person ({income:,.0f} yuan for "
                    f"{insured:,.0f} insured in insured.csv), outside {low:,.0f}-{high:,.0f}",
                    "check the units of fund_history.csv (元, 万元, 亿元) and insured.csv (人, 万人)",
                    int(line),
                    "value",
                )
            )


def _mortality(where, mort: pd.DataFrame, problems) -> None:
    """qx below 1 except in the open age group; the open group's rate positive."""
    path = where("mortality")
    closed = mort["age_end"].notna()
    if (mort["measure"] == "qx").any():
        certain = mort[closed & (mort["value"] >= 1)]
        if len(certain):
            row = certain.iloc[0]
            problems.append(
                Problem(
                    path,
                    f"qx = {row['value']:g} at age {row['age']} ({row['year']}, {row['sex']}), below the open age "
                    f"group: everyone would die before the top age ({len(certain)} such rows)",
                    "qx is the probability of dying within the age group; only the open top group may have qx = 1",
                    int(row["line"]),
                    "value",
                )
            )
    open_rows = mort[~closed & (mort["value"] <= 0)]
    if len(open_rows):
        row = open_rows.iloc[0]
        problems.append(
            Problem(
                path,
                f"the open age group {row['age']} has a death rate of 0 ({row['year']}, {row['sex']}): its life "
                "expectancy would be infinite",
                "give the open group its death rate (mx) or qx = 1",
                int(row["line"]),
                "value",
            )
        )


def _fertility(where, fert: pd.DataFrame, problems) -> None:
    """Every period has births: an all-zero schedule is a slip (and leaves no one to insure)."""
    for period, rows in _grouped(fert, ["year"], ["value", "line"]).items():
        if _total(v for v, _ in rows) <= 0:
            problems.append(
                Problem(
                    where("fertility"),
                    f"every age-specific fertility rate of period {period} is 0: the projection would have no births",
                    "give the period's rates (births per woman per year by mother's age)",
                    int(rows[0][1]),
                    "value",
                )
            )
            break


def _total(values) -> float:
    """The sum of ``values`` leaving out NaN (as pandas sums)."""
    return sum(v for v in values if not np.isnan(v))


def _cost_curves(where, curves: pd.DataFrame, problems) -> None:
    for (service, sex), rows in sorted(_grouped(curves, ["service", "sex"], ["value", "line"]).items()):
        if service in CURVES_USED and _total(v for v, _ in rows) <= 0:
            problems.append(
                Problem(
                    where("cost_curves"),
                    f"the {service} cost curve for {sex} is 0 at every age: the model spreads claims over ages by it",
                    "give the relative cost by age (e.g. 1.0 for the reference group)",
                    int(rows[0][1]),
                    "value",
                )
            )
