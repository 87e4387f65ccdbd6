"""Critical-illness insurance (大病保险): a layer above a threshold of what the basic pools leave
the patient, financed by a break-even transfer from the pools it covers.

Expenditure: what its bands pay on the resident pool's claims (and the employees', where a scenario
gives employees the layer), :func:`~forecast.model.benefits.spending.critical_illness_claims`;
the insurer's margin (``loading``) as a transfer out. Income: the premium each covered pool pays,
claims × (1 + loading), declared here and booked by the ledger as the payer's transfer out. Pay as
you go: it holds no reserve.
"""

from __future__ import annotations

import xarray as xr

from ..benefits import spending
from .base import Context, PoolFlows

__all__ = ["flows", "claims"]


def claims(ctx: Context, pool: str) -> xr.DataArray:
    """What the layer pays on ``pool``'s claims, yuan (0 for employees unless they are covered)."""
    if pool == "employee" and not bool(ctx.rules.critical_illness.covers_employees):
        return xr.zeros_like(ctx.count("in_service"))
    return spending.critical_illness_claims(ctx.units[pool], ctx.pay[pool])


def flows(ctx: Context) -> PoolFlows:
    """Claims paid, the premiums received from the covered pools, the margin, the insured."""
    loading = ctx.rules.critical_illness.loading
    paid = {pool: claims(ctx, pool) for pool in ("resident", "employee")}
    covers_employees = bool(ctx.rules.critical_illness.covers_employees)
    return PoolFlows(
        expenditure={
            "inpatient": paid["resident"] + paid["employee"],
            "transfer_out": (paid["resident"] + paid["employee"]) * loading,
        },
        receives={pool: paid[pool] * (1 + loading) for pool in ("employee", "resident")},
        insured=ctx.count("resident") + (ctx.employees() if covers_employees else 0.0),
    )
