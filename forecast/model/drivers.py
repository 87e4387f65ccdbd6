"""What a run's expenditure is made of, by pool and year, for the result: benefit use as the
bulletins publish it (admissions, visits, cost per admission) and the indices of cost per insured
person — price, utilisation (the pool's real cost trend) and ageing (the age–sex mix of its
members) — relative to the base year, so that a pool's headline can be decomposed
(:mod:`forecast.apps.headline`)."""

from __future__ import annotations

import xarray as xr

from ..labelled import stack
from ..vocabulary import BASIC_POOLS, POOLS
from . import expenditure

__all__ = ["benefit_use", "cost_indices"]


def benefit_use(region, units: dict, pay: dict, claims: dict, base: int, like: xr.DataArray) -> dict:
    """Benefit use by pool (:func:`~forecast.model.expenditure.utilisation`; 0 for the pools with
    no claims of their own), or nothing when the base year publishes no use (reduced claims)."""
    if any(claims[pool].reduced for pool in BASIC_POOLS):
        return {}
    parts = {}
    for pool in BASIC_POOLS:
        first = units[pool].isel(year=0)
        per_claim = {kind: region.use(base, pool, kind, "uses") / first.sel(claim_type=kind, drop=True) for kind in ("outpatient", "outpatient_special")}
        parts[pool] = expenditure.utilisation(units[pool], pay[pool], per_claim)
    out = {}
    for name in parts["employee"].data_vars:
        values = [xr.broadcast(parts[p][name], like)[0] if p in parts else xr.zeros_like(like) for p in POOLS]
        out[name] = stack(values, "pool", POOLS).transpose("year", "pool", ...).assign_attrs({**parts["employee"][name].attrs, "description": parts["employee"][name].attrs["description"] + "; 0 for pools without claims of their own"})
    return out


def cost_indices(indices: xr.Dataset, weighted: xr.DataArray, count: xr.DataArray, like: xr.DataArray) -> dict:
    """``price_index`` (year), ``utilisation_index`` and ``ageing_index`` (year, pool; 1 for the pools
    without claims of their own), relative to the base year, ratio. Ageing: the pool's members
    weighted by the inpatient cost curve, per member."""
    members = {"employee": count.sel(status=["in_service", "flexible", "retired"]).sum("status"), "resident": count.sel(status="resident", drop=True)}
    ageing = {pool: weighted.sel(pool=pool, curve="inpatient", drop=True) / members[pool] for pool in BASIC_POOLS}
    ageing = {pool: index / index.isel(year=0) for pool, index in ageing.items()}
    use = {pool: indices["utilisation"].sel(pool=pool, service="inpatient", drop=True) for pool in BASIC_POOLS}

    def by_pool(values: dict) -> xr.DataArray:
        return stack([xr.broadcast(values[p], like)[0] if p in values else xr.ones_like(like) for p in POOLS], "pool", POOLS).transpose("year", "pool", ...)

    return {
        "price_index": xr.broadcast(indices["severity"], like)[0].assign_attrs(units="ratio", description="cost per claim relative to the base year: price inflation and the payment-reform effect"),
        "utilisation_index": by_pool(use).assign_attrs(units="ratio", description="claims per weighted member relative to the base year: the pool's real cost trend (inpatient; 1 for pools without claims of their own)"),
        "ageing_index": by_pool(ageing).assign_attrs(units="ratio", description="the pool's members weighted by the inpatient cost curve, per member, relative to the base year (1 for pools without claims of their own)"),
    }
