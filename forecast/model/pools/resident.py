"""The resident pool (城乡居民基本医疗保险).

Income: enrollees × (individual contribution + fiscal subsidy) × the realisation of the standard
(the base year's income per enrollee over the national minimum, and its fitted local level),
:func:`~forecast.model.financing.contributions.resident_financing`. Expenditure: benefits by
service on its claims, and the critical-illness premium (a transfer the critical-illness pool
declares). The lever of a financing rule is the per-person standard.
"""

from __future__ import annotations

import xarray as xr

from ..benefits import spending
from ..financing import contributions as financing
from ..financing.rules import Lever
from .base import Context, PoolFlows

__all__ = ["flows", "lever", "realisation"]


def realisation(ctx: Context) -> xr.DataArray:
    """The pool's realisation of the financing standard: the base year's × its fitted level, ratio."""
    return ctx.cal.resident_realisation_ * ctx.indices["realisation"]


def _financed(ctx: Context) -> xr.Dataset:
    return ctx.once(
        "resident_financing",
        lambda: financing.resident_financing(ctx.count("resident"), ctx.rules, realisation(ctx), ctx.paths.financing()),
    )


def flows(ctx: Context) -> PoolFlows:
    """Contributions and fiscal subsidies, benefits by service, and the enrollees."""
    financed = _financed(ctx)
    paid = spending.benefit_spending(ctx.units["resident"], ctx.pay["resident"])
    return PoolFlows(
        income={"contributions": financed["contributions"], "fiscal_subsidy": financed["fiscal_subsidy"]},
        expenditure={str(item): paid.sel(item=item, drop=True) for item in paid["item"].values},
        insured=ctx.count("resident"),
    )


def lever(ctx: Context) -> Lever:
    """The per-person standard as financed (v₀) and the income one yuan of it brings: enrollees × realisation (k)."""
    financed = _financed(ctx)
    k = ctx.count("resident") * realisation(ctx)
    return Lever((financed["contributions"] + financed["fiscal_subsidy"]) / k.where(k > 0, 1.0), k)
