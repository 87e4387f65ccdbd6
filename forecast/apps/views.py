"""Tables a person reads on the screen (drawn by :func:`forecast.terminal.print_table`) and the
long CSV tables that go with them: the impact of a scenario, pool by pool; the pools' verdicts;
the scenario library. Money on screen in 亿元 (a cell with nothing to show is '—'); in CSV in yuan
with a ``unit`` column."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..model.fund import VERDICTS
from ..results.report import SUMMARY_YEARS, fund_summary
from ..terminal import print_table
from ..vocabulary import POOLS

__all__ = ["milestone_years", "print_impact", "impact_long", "difference_long", "print_verdicts", "print_scenarios"]

#: the pools' Chinese names on screen
POOL_NAMES = {
    "employee": "职工医保统筹基金",
    "resident": "城乡居民医保",
    "critical_illness": "大病保险",
    "medical_assistance": "医疗救助",
    "ltci": "长期护理保险",
}
DASH = "—"


def milestone_years(years, first: int) -> list[int]:
    """The years a compact table shows: the first projected year, every fifth year for fifteen
    years, then every tenth, and the last."""
    last = int(years[-1])
    return [
        int(y)
        for y in years
        if y == first or y == last or (y > first and (y % 10 == 0 or (y % 5 == 0 and y <= first + 15)))
    ]


def _yi(value: float, sign: bool = False) -> str:
    if value is None or not np.isfinite(value):
        return DASH
    if abs(value) < 0.05e8:
        return "0.0"
    return f"{value / 1e8:+,.1f}" if sign else f"{value / 1e8:,.1f}"


def _year_text(value) -> str:
    return "none" if value is None or not np.isfinite(value) else str(int(value))


def _years_change(base, alt) -> str:
    if not (np.isfinite(base) and np.isfinite(alt)):
        return f"{_year_text(base)} → {_year_text(alt)}"
    change = int(round(alt - base))
    word = (
        "no change"
        if change == 0
        else f"{abs(change)} year{'s' if abs(change) > 1 else ''} {'later' if change > 0 else 'earlier'}"
    )
    return f"{_year_text(base)} → {_year_text(alt)} ({word})"


def print_impact(base, alt, diff) -> None:
    """One table per pool whose figures the scenario changes: for milestone years the change in
    income, expenditure and balance, the reserve of both runs and the change in months covered,
    then the changes cumulated over the first 5 and 10 projected years; the first deficit and
    exhaustion years of both runs under it."""
    central = {"base": base.fund.central(), "alt": alt.fund.central()}
    first = int(base.attrs.get("base_year", diff["year"].values[0])) + 1
    years = milestone_years(diff["year"].values, first)
    unchanged = []
    for pool in diff["pool"].values:
        at = diff.sel(pool=pool)
        if not any(np.nan_to_num(at[name].values).any() for name in ("income", "expenditure", "reserve")):
            unchanged.append(str(pool))
            continue
        payg = not np.nan_to_num(central["base"]["reserve"].sel(pool=pool).values).any()
        rows = []
        for year in years:
            cells = [at[name].sel(year=year).item() for name in ("income", "expenditure", "balance")]
            reserves = [central[run]["reserve"].sel(pool=pool, year=year).item() for run in ("base", "alt")]
            months = at["months_covered"].sel(year=year).item()
            rows.append(
                [
                    str(year),
                    *(_yi(v, sign=True) for v in cells),
                    *(DASH if payg else _yi(v) for v in reserves),
                    DASH if payg or not np.isfinite(months) else f"{months:+.1f}",
                ]
            )
        for window in (5, 10):
            if first + window - 1 <= years[-1]:
                rows.append(
                    [
                        f"{first}–{first + window - 1} Σ",
                        *(
                            _yi(at[f"extra_{flow}_{window}y"].item(), sign=True)
                            for flow in ("income", "expenditure", "balance")
                        ),
                        DASH,
                        DASH,
                        DASH,
                    ]
                )
        note = (
            "first deficit "
            f"{_years_change(at['first_deficit_year_base'].item(), at['first_deficit_year_alt'].item())}; exhausted "
            f"{_years_change(at['exhaustion_year_base'].item(), at['exhaustion_year_alt'].item())}"
        )
        print_table(
            f"{POOL_NAMES.get(str(pool), pool)} ({pool}) — 亿元",
            ["year", "Δ income", "Δ expenditure", "Δ balance", "reserve BASE", "reserve ALT", "Δ months"],
            rows,
            "" if payg else note,
        )
    if unchanged:
        print(f"No change in: {', '.join(unchanged)}")


def impact_long(diff):
    """impact.csv: one row per pool and indicator (extra income, expenditure and balance in the
    first year and cumulated over 5 and 10 years in yuan; first-deficit and exhaustion years of
    both runs and their change), with its unit."""
    names = [
        n for n in diff.data_vars if n.startswith("extra_") or n.startswith(("first_deficit_year_", "exhaustion_year_"))
    ]
    rows = [
        {
            "pool": str(pool),
            "indicator": name,
            "value": float(diff[name].sel(pool=pool)),
            "unit": diff[name].attrs.get("units", ""),
        }
        for pool in diff["pool"].values
        for name in names
    ]
    return pd.DataFrame(rows)


def difference_long(diff):
    """difference.csv: ALT − BASE per year, pool and quantity (income, expenditure, balance,
    reserve, months covered, insured), with its unit."""
    frames = []
    for name in ("income", "expenditure", "balance", "reserve", "months_covered", "insured"):
        frame = diff[name].to_dataframe().reset_index()[["year", "pool", name]].rename(columns={name: "value"})
        frames.append(frame.assign(quantity=name, unit=diff[name].attrs.get("units", "")))
    table = pd.concat(frames)[["year", "pool", "quantity", "value", "unit"]]
    order = {p: i for i, p in enumerate(POOLS)}
    return table.sort_values(
        ["year", "pool", "quantity"], key=lambda c: c.map(order) if c.name == "pool" else c, kind="stable"
    ).reset_index(drop=True)


def print_verdicts(ds) -> None:
    """The pools' first deficit and exhaustion years and their verdicts (``forecast run -q``)."""
    rows = []
    for pool, row in fund_summary(ds).iterrows():
        verdicts = [VERDICTS.get(row[f"verdict_{y}"], DASH) or DASH for y in SUMMARY_YEARS]
        rows.append([str(pool), _year_text(row["first_deficit_year"]), _year_text(row["exhaustion_year"]), *verdicts])
    from ..results.provenance import example_mark, place

    print_table(
        f"{ds.attrs.get('scenario_title', '')} — {place(ds)}{example_mark(ds) and ' 示例 ILLUSTRATION'}",
        ["pool", "first deficit", "exhausted", *(f"verdict {y}" for y in SUMMARY_YEARS)],
        rows,
    )


def print_scenarios(entries) -> None:
    """The scenario library: (name, title) pairs."""
    print_table("", ["name", "title"], [list(e) for e in entries], left=2)
