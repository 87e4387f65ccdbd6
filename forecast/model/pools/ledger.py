"""The pools' accounts side by side: each pool's flows as items over (year, pool, item, draw), the
transfers between pools booked once on both sides, the insured persons by pool."""

from __future__ import annotations

import numpy as np
import xarray as xr

from ...labelled import stack, values_like
from ...registry import ITEMS
from ...vocabulary import EXPENDITURE_ITEMS, INCOME_ITEMS, POOLS
from .base import FORMULAS, Context, PoolFlows

__all__ = ["item_table", "book", "insured_by_pool", "with_rolled", "declared_items", "ROLLED"]

#: the items the roll-forward books (interest on a reserve, a deficit's interest or its top-up)
ROLLED = ("interest", "deficit_subsidy", "debt_interest")


def item_table(entries: dict, items: tuple[str, ...], dim: str, like: xr.DataArray) -> xr.DataArray:
    """A (year, pool, ``dim``, draw) array of yuan from {(pool, item): array over (year, draw)}; 0
    where not given. ``like`` is a (year, draw) array giving the shape and labels."""
    like = like.transpose("year", "draw")
    values = np.zeros((like.sizes["year"], len(POOLS), len(items), like.sizes["draw"]))
    for (pool, item), value in entries.items():
        present = [d for d in ("year", "draw") if d in value.dims]
        array = value.transpose(*present).values
        values[:, POOLS.index(pool), items.index(item)] = array.reshape(
            [array.shape[present.index(d)] if d in present else 1 for d in ("year", "draw")]
        )
    coords = {"year": like["year"].values, "pool": list(POOLS), dim: list(items), "draw": like["draw"].values}
    return xr.DataArray(values, dims=("year", "pool", dim, "draw"), coords=coords, attrs={"units": "yuan"})


def _transfers(flows: dict[str, PoolFlows]) -> tuple[dict, dict]:
    """Each pool's transfers in and out: what a pool receives (declared by it) is what its payer pays."""
    received, paid = {}, {}
    for pool in POOLS:
        for payer, amount in flows[pool].receives.items():
            received[pool] = amount if pool not in received else received[pool] + amount
            paid[payer] = amount if payer not in paid else paid[payer] + amount
    return received, paid


def declared_items(ctx: Context, flows: dict[str, PoolFlows]) -> dict[str, PoolFlows]:
    """``flows`` with the items the registry declares with rules of their own added to their
    pools' income or expenditure, by their formulas (:func:`~.base.formula`)."""
    for (pool, name), function in FORMULAS.items():
        side = flows[pool].income if ITEMS[name].side == "income" else flows[pool].expenditure
        side[name] = function(ctx)
    return flows


def book(flows: dict[str, PoolFlows], like: xr.DataArray) -> tuple[xr.DataArray, xr.DataArray]:
    """The income and expenditure items of every pool in the registry's order, yuan (year, pool,
    item, draw); the roll-forward's own lines (:data:`ROLLED`) are 0 until :func:`with_rolled`
    writes them (a sum over items is the same with them: x + 0 is x)."""
    received, paid = _transfers(flows)
    income = {(pool, item): value for pool in POOLS for item, value in flows[pool].income.items()}
    spent = {(pool, item): value for pool in POOLS for item, value in flows[pool].expenditure.items()}
    income.update({(pool, "transfer_in"): value for pool, value in received.items()})
    spent.update(
        {(pool, "transfer_out"): value + spent.get((pool, "transfer_out"), 0.0) for pool, value in paid.items()}
    )
    return item_table(income, INCOME_ITEMS, "income_item", like), item_table(
        spent, EXPENDITURE_ITEMS, "expenditure_item", like
    )


def with_rolled(
    income_items: xr.DataArray, expenditure_items: xr.DataArray, rolled: xr.Dataset
) -> tuple[xr.DataArray, xr.DataArray]:
    """The items with the roll-forward's own (:data:`ROLLED`) written into their lines, in place:
    these arrays (from :func:`book`) are the largest of a group of draws, so they are not copied."""
    for items, dim, names in (
        (income_items, "income_item", ("interest", "deficit_subsidy")),
        (expenditure_items, "expenditure_item", ("debt_interest",)),
    ):
        if items.dims != ("year", "pool", dim, "draw"):
            raise ValueError(f"items over {items.dims}, not (year, pool, {dim}, draw)")
        held = list(items[dim].values)
        for name in names:
            part = rolled[name].transpose("year", "pool", "draw")
            xr.align(part, items.isel({dim: 0}, drop=True), join="exact")  # the same labels, in the same order
            items.values[:, :, held.index(name)] = part.values
    return income_items, expenditure_items


def insured_by_pool(flows: dict[str, PoolFlows], like: xr.DataArray) -> xr.DataArray:
    """Mid-year insured (covered) persons per pool (year, pool, draw)."""

    def over_like(insured) -> xr.DataArray:  # a pool's insured over like's (year, draw), its attributes kept
        return like.copy(data=values_like(insured, like)).assign_attrs(getattr(insured, "attrs", {}))

    return stack([over_like(flows[p].insured) for p in POOLS], "pool", POOLS).transpose("year", "pool", ...)
