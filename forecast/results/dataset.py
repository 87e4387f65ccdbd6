"""The result Dataset of a run: the stages' arrays under the contract's names, with units.

DESIGN.md fixes the names: ``population (year, sex, age)``, ``insured``, ``income``,
``expenditure``, ``balance``, ``reserve``, ``months_covered`` and ``verdict`` (year, pool), plus
the items behind income and expenditure, the insured by status, the employee individual
accounts and the LTCI beneficiaries. A stochastic run adds ``draw`` to every flow.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from ..model.fund import months_covered, verdict_codes
from ..vocabulary import POOLS

__all__ = ["item_table", "fund_dataset"]


def item_table(entries: dict, items: tuple[str, ...], dim: str, like: xr.DataArray) -> xr.DataArray:
    """A (year, pool, ``dim``, draw) array of yuan from {(pool, item): array over (year, draw)}; 0
    where not given. ``like`` is a (year, draw) array giving the shape and labels."""
    like = like.transpose("year", "draw")
    values = np.zeros((like.sizes["year"], len(POOLS), len(items), like.sizes["draw"]))
    for (pool, item), value in entries.items():
        present = [d for d in ("year", "draw") if d in value.dims]
        array = value.transpose(*present).values
        values[:, POOLS.index(pool), items.index(item)] = array.reshape([array.shape[present.index(d)] if d in present else 1 for d in ("year", "draw")])
    coords = {"year": like["year"].values, "pool": list(POOLS), dim: list(items), "draw": like["draw"].values}
    return xr.DataArray(values, dims=("year", "pool", dim, "draw"), coords=coords, attrs={"units": "yuan"})


def fund_dataset(income_items: xr.DataArray, expenditure_items: xr.DataArray, reserve: xr.DataArray, insured: xr.DataArray, thresholds: dict, payg: xr.DataArray, extra: dict) -> xr.Dataset:
    """Totals, balance, months covered and the verdict from the items and reserves; ``extra`` are
    further variables (name -> DataArray with attrs) placed alongside."""
    extra = {name: value.reset_coords(drop=True) for name, value in extra.items()}  # scalar labels left by .sel
    income = income_items.sum("income_item")
    expenditure = expenditure_items.sum("expenditure_item")
    balance = income - expenditure
    months = months_covered(reserve, expenditure)
    idle = (income == 0) & (expenditure == 0) & (reserve == 0)
    ds = xr.Dataset(
        {
            "insured": insured.assign_attrs(units="persons", description="mid-year insured (covered) persons per pool"),
            "income": income.assign_attrs(units="yuan", description="fund income including interest (employee: pooled fund, maternity included)"),
            "expenditure": expenditure.assign_attrs(units="yuan", description="fund expenditure (employee: pooled fund, maternity included)"),
            "balance": balance.assign_attrs(units="yuan", description="current-year balance: income - expenditure (当期结余)"),
            "reserve": reserve.assign_attrs(units="yuan", description="accumulated reserve at year end (累计结余); negative = an accumulated deficit that public budgets would have to meet"),
            "months_covered": months,
            "verdict": verdict_codes(reserve, balance, months, thresholds, payg, idle),
            "income_items": income_items.assign_attrs(units="yuan", description="income by item"),
            "expenditure_items": expenditure_items.assign_attrs(units="yuan", description="expenditure by item"),
            **extra,
        }
    )
    return ds

