"""What a run's expenditure is made of, by pool and year, for the result: benefit use as the
bulletins publish it (admissions, visits, cost per admission) and the indices of cost per insured
person — price, utilisation (the pool's real cost trend) and ageing (the age–sex mix of its
members) — relative to the base year, so that a pool's headline can be decomposed
(:mod:`forecast.apps.headline`)."""

from __future__ import annotations

import numpy as np
import xarray as xr

from ...vocabulary import BASIC_POOLS, POOLS
from ..enrollment.members import age_cost_index
from . import spending as expenditure

__all__ = ["benefit_use", "cost_indices"]


def benefit_use(region, units: dict, pay: dict, claims: dict, base: int, like: xr.DataArray) -> dict:
    """Benefit use by pool (:func:`~forecast.model.benefits.spending.utilisation`; 0 for the pools with
    no claims of their own), or nothing when the base year publishes no use (reduced claims)."""
    if any(claims[pool].reduced for pool in BASIC_POOLS):
        return {}
    parts = {}
    for pool in BASIC_POOLS:
        first = units[pool].isel(year=0)
        per_claim = {
            kind: region.use(base, pool, kind, "uses") / first.sel(claim_type=kind, drop=True)
            for kind in ("outpatient", "outpatient_special")
        }
        parts[pool] = expenditure.utilisation(units[pool], pay[pool], per_claim)
    out = {}
    for name in parts["employee"].data_vars:
        attrs = {
            **parts["employee"][name].attrs,
            "description": parts["employee"][name].attrs["description"] + "; 0 for pools without claims of their own",
        }
        out[name] = _by_pool({p: parts[p][name] for p in BASIC_POOLS}, like, 0.0).assign_attrs(attrs)
    return out


def _by_pool(values: dict, like: xr.DataArray, fill: float) -> xr.DataArray:
    """(year, pool, draw) from arrays of some pools (year[, draw]); ``fill`` for the others."""
    like = like.transpose("year", "draw")
    data = np.full((like.sizes["year"], len(POOLS), like.sizes["draw"]), fill)
    for pool, value in values.items():
        data[:, POOLS.index(pool)] = np.broadcast_to(
            value.transpose("year", ...).values.reshape(like.sizes["year"], -1),
            (like.sizes["year"], like.sizes["draw"]),
        )
    return xr.DataArray(
        data,
        dims=("year", "pool", "draw"),
        coords={"year": like["year"].values, "pool": list(POOLS), "draw": like["draw"].values},
    )


def cost_indices(
    indices: xr.Dataset,
    weighted: xr.DataArray,
    count: xr.DataArray,
    like: xr.DataArray,
    weights: dict,
    shocks: dict | None = None,
) -> dict:
    """``price_index`` (year), ``utilisation_index`` and ``ageing_index`` (year, pool; 1 for the pools
    without claims of their own), relative to the base year, ratio. Ageing: the pool's age–sex cost
    index (:func:`~forecast.model.enrollment.members.age_cost_index`, mixed by ``weights``: pool ->
    curve -> its base-year cost share), the measure the fits remove from the history. ``shocks``: a
    stochastic run's cost indices per pool on top of the central trend."""
    members = {
        "employee": count.sel(status=["in_service", "flexible", "retired"]).sum("status"),
        "resident": count.sel(status="resident", drop=True),
    }
    ageing = {
        pool: age_cost_index(weighted.sel(pool=pool, drop=True), members[pool], weights[pool]) for pool in BASIC_POOLS
    }
    ageing = {pool: index / index.isel(year=0) for pool, index in ageing.items()}
    use = {
        pool: indices["utilisation"].sel(pool=pool, service="inpatient", drop=True) * (shocks or {}).get(pool, 1.0)
        for pool in BASIC_POOLS
    }

    return {
        "price_index": xr.broadcast(indices["severity"], like)[0].assign_attrs(
            units="ratio",
            description="cost per claim relative to the base year: price inflation and the payment-reform effect",
        ),
        "utilisation_index": _by_pool(use, like, 1.0).assign_attrs(
            units="ratio",
            description=(
                "claims per weighted member relative to the base year: the pool's real cost trend "
                "(inpatient; 1 for pools without claims of their own)"
            ),
        ),
        "ageing_index": _by_pool(ageing, like, 1.0).assign_attrs(
            units="ratio",
            description=(
                "the pool's age-sex cost index: its members weighted by its cost curves (mixed by their base-year "
                "cost shares), per member, relative to the base year (1 for pools without claims of their own)"
            ),
        ),
    }
