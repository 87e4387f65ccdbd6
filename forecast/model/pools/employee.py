"""The employee pool (职工基本医疗保险): the pooled fund (统筹基金, maternity included) and the
individual accounts (个人账户).

Income: contributions of in-service members and flexible workers (and retirees, if a scenario
makes them pay) less what is credited to the accounts (国发〔1998〕44号; 国办发〔2021〕14号:
in-service members' accounts receive ``in_service_rate`` of the base, retirees' a fixed credit),
:mod:`forecast.model.financing.contributions`. Expenditure: benefits by service on its claims
(:mod:`forecast.model.benefits`), maternity, and transfers out (the LTCI employer half, the
employee critical-illness layer where it has one), which the receiving pools declare. The lever of
a financing rule is the employer rate. The accounts pay what members draw on them, at most what
they hold (:func:`accounts`).
"""

from __future__ import annotations

import xarray as xr

from ..benefits import spending
from ..benefits.outpatient_status import retired_outpatient
from ..financing import contributions as financing
from ..financing.rules import Lever
from ..fund import account_roll_forward
from .base import Context, PoolFlows

__all__ = ["flows", "lever", "contribution_base", "account_credits", "accounts"]


def contribution_base(ctx: Context) -> xr.DataArray:
    """Collected contribution base per in-service member (year, draw), yuan/person/year."""
    return ctx.once(
        "employee_contribution_base",
        lambda: financing.contribution_base(ctx.cal.contribution_base_, ctx.wages, ctx.rules, ctx.root),
    )


def _statuses(ctx: Context) -> xr.Dataset:
    return ctx.members["count"].to_dataset("status")


def account_credits(ctx: Context) -> xr.DataArray:
    """Credits to the individual accounts on the contribution base, yuan (none where the bundle
    folds the accounts into the pooled fund); made once per context (the pooled fund and the
    accounts read them)."""

    def credits() -> xr.DataArray:
        base_pay = contribution_base(ctx)
        if bool(ctx.figures["accounts_folded"]):
            return xr.zeros_like(ctx.count("in_service") * base_pay)
        return financing.account_credits(_statuses(ctx), base_pay, ctx.rules, ctx.cal.retiree_credit_)

    return ctx.once("employee_account_credits", credits)


def flows(ctx: Context) -> PoolFlows:
    """The pooled fund's income and expenditure by item, its members and the retirees' outpatient results."""
    base_pay = contribution_base(ctx)
    contributions = financing.employee_contributions(_statuses(ctx), base_pay, ctx.rules)
    out = PoolFlows(income={"contributions": contributions - account_credits(ctx)}, insured=ctx.employees())
    paid = spending.benefit_spending(ctx.units["employee"], ctx.pay["employee"])
    out.expenditure = {str(item): paid.sel(item=item, drop=True) for item in paid["item"].values}
    out.expenditure["maternity"] = spending.maternity(ctx.cal.maternity_per_birth_, ctx.births, ctx.wages)
    out.results = retired_outpatient(ctx.units["employee"], ctx.pay["employee"])
    return out


def lever(ctx: Context) -> Lever:
    """The employer rate (v₀) and the income one unit of it brings: contributors × base (k)."""
    e = ctx.rules.employee
    contributors = ctx.count("in_service") + ctx.count("flexible") * e.flexible_base_ratio
    return Lever(e.employer_rate + 0.0 * contributors, contributors * contribution_base(ctx))


def accounts(ctx: Context, rate: xr.DataArray, opening: float, outpatient: xr.DataArray | None = None) -> dict:
    """The individual accounts' result variables: income (credits + interest), expenditure and
    reserve, yuan (year, draw); and the pooled fund's general-outpatient payments, 门诊共济
    (``outpatient``: its ``outpatient`` expenditure from :func:`flows`, if already made)."""
    credits = account_credits(ctx)
    rolled = account_roll_forward(credits, ctx.cal.account_usage_, opening, rate)
    if outpatient is None:
        outpatient = spending.benefit_spending(ctx.units["employee"], ctx.pay["employee"]).sel(
            item="outpatient", drop=True
        )
    return {
        "individual_account_income": (credits + rolled["interest"]).assign_attrs(
            units="yuan", description="individual-account income (credits + interest)"
        ),
        **{f"individual_account_{k}": rolled[k] for k in ("expenditure", "reserve")},
        "outpatient_mutual_aid": outpatient.assign_attrs(
            units="yuan",
            description=(
                "门诊共济保障: the employee pooled fund's general-outpatient payments (国办发〔2021〕14号), "
                "part of its outpatient expenditure"
            ),
        ),
    }
