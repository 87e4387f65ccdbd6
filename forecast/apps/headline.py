"""The headline explained: why a pool's first deficit and exhaustion come when they do.

For each contributory pool (employee, resident) of a run, :func:`decompose` turns the growth of
income and expenditure from the base year to ``until`` into yearly rates of their drivers:

    income      = income per member × members
    expenditure = cost per insured × members,
    cost per insured = price × utilisation × ageing × benefits and mix

price, utilisation (the pool's real cost trend) and ageing (its members' age–sex mix) are the
run's own indices (:mod:`forecast.model.benefits.indicators`); "benefits and mix" is what is left — nominal
deductibles and caps that do not move with costs, the mix of claim types, transfers, maternity —
so the four multiply to the cost per insured exactly. :func:`headline_table` sets the first
deficit and exhaustion years of several runs side by side (``forecast explain``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["decompose", "headline_table", "POOLS_EXPLAINED"]

POOLS_EXPLAINED = ("employee", "resident")


def _rate(ratio: float, years: int) -> float:
    return float(ratio ** (1 / years) - 1)


def decompose(ds, until: int | None = None) -> pd.DataFrame:
    """Yearly growth (ratio) of each driver from the base year to ``until`` (default: base + 11),
    by pool, with the pool's first deficit and exhaustion years."""
    central = ds.fund.central()
    base = int(ds.attrs["base_year"])
    last = int(central["year"].values[-1])
    until = min(until or base + 11, last)
    span = until - base
    first, gone = ds.fund.first_deficit_year(), ds.fund.exhaustion_year()
    if "draw" in first.dims:
        first, gone = first.median("draw"), gone.median("draw")
    rows = []
    for pool in POOLS_EXPLAINED:
        c = central.sel(pool=pool)

        def grow(da):
            return _rate(float(da.sel(year=until) / da.sel(year=base)), span)

        members = grow(c["insured"])
        cost = (1 + grow(c["expenditure"])) / (1 + members) - 1
        price, use, ageing = grow(central["price_index"]), grow(c["utilisation_index"]), grow(c["ageing_index"])
        rows.append(
            {
                "pool": pool,
                "from": base,
                "to": until,
                "income": grow(c["income"]),
                "income_per_member": (1 + grow(c["income"])) / (1 + members) - 1,
                "members": members,
                "expenditure": grow(c["expenditure"]),
                "cost_per_insured": cost,
                "price": price,
                "utilisation": use,
                "ageing": ageing,
                "benefits_and_mix": (1 + cost) / ((1 + price) * (1 + use) * (1 + ageing)) - 1,
                "first_deficit": float(first.sel(pool=pool)),
                "exhausted": float(gone.sel(pool=pool)),
            }
        )
    out = pd.DataFrame(rows).set_index("pool")
    out.attrs = {
        "units": "ratio a year (growth); year (first_deficit, exhausted; NaN: not within the horizon)",
        "scenario": ds.attrs.get("scenario_title", ""),
    }
    return out


def headline_table(runs: dict, until: int | None = None) -> pd.DataFrame:
    """The decomposition of several runs (name -> result), one block of rows per run."""
    frames = [decompose(ds, until).assign(scenario=name).reset_index() for name, ds in runs.items()]
    return pd.concat(frames, ignore_index=True).set_index(["scenario", "pool"])


def years_text(value: float) -> str:
    return "none" if not np.isfinite(value) else str(int(value))
