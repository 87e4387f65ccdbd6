"""Medical assistance (医疗救助): contribution subsidies and direct assistance, every year and draw.

The five groups (特困, 低保, 低保边缘, 易返贫致贫, 因病致贫重病患者) are shares of the population.
Assistance pays each group's resident contribution share (资助参保) and, on the group's share of
resident claims, its ratio of what the basic pool and critical illness leave, up to the annual
limit (:func:`~forecast.model.benefits.payments.payments`); the calibration scales direct assistance to the
published total. In the reduced claim model (no published benefit use) direct assistance is a sum
per group member instead, growing with the cost indices.
"""

from __future__ import annotations

import xarray as xr

from .base import Context, PoolFlows

__all__ = ["group_members", "contribution_subsidies", "direct_assistance", "flows"]


def group_members(rules, population: xr.DataArray) -> xr.DataArray:
    """Members of each group: its population share × the population (year, group[, draw]), persons."""
    out = rules.ds["group_population_share"] * population
    out.attrs["units"] = "persons"
    return out


def contribution_subsidies(members: xr.DataArray, rules) -> xr.DataArray:
    """Resident contributions paid for group members (资助参保), yuan."""
    out = (members * rules.ds["group_contribution_subsidy"]).sum("group") * rules.resident.individual_contribution
    out.attrs["units"] = "yuan"
    return out


def direct_assistance(
    units: xr.DataArray, pay: xr.Dataset, members: xr.DataArray, residents: xr.DataArray
) -> xr.DataArray:
    """Assistance on the groups' share of resident claims, before calibration: Σ_claim types,
    groups units × (group members / residents) × assistance per claim, yuan."""
    # one contraction (einsum), not the (year, claim type, group, draw) products: the same to a unit in the last place
    out = xr.dot(units, pay["assistance"], members, dim=("claim_type", "group")) / residents
    out.attrs["units"] = "yuan"
    return out


def _direct_spending(ctx: Context, groups: xr.DataArray) -> xr.DataArray:
    """Direct assistance, calibrated to the base year: on the groups' resident claims, or (reduced
    claims) a sum per group member growing with the resident pool's inpatient cost indices, yuan."""
    on_claims = ctx.cal.assistance_factor_ * direct_assistance(
        ctx.units["resident"], ctx.pay["resident"], groups, ctx.count("resident")
    )
    use = ctx.indices["utilisation"].sel(pool="resident", service="inpatient", drop=True) * ctx.paths.cost("resident")
    return on_claims + ctx.cal.assistance_per_member_ * groups.sum("group") * ctx.indices["severity"] * use


def flows(ctx: Context) -> PoolFlows:
    """Contribution subsidies and direct assistance (both widened by ``assistance_trend``), financed
    by public budgets as spent (pay as you go) or by a set budget; the groups' members."""
    groups = group_members(ctx.rules, ctx.population)
    widening = ctx.indices["assistance"]
    spent = {
        "contribution_subsidy": contribution_subsidies(groups, ctx.rules) * widening,
        "direct_assistance": _direct_spending(ctx, groups) * widening,
    }
    needed = spent["contribution_subsidy"] + spent["direct_assistance"]
    budget = (
        needed
        if bool(ctx.payg.sel(pool="medical_assistance"))
        else xr.broadcast(ctx.rules.medical_assistance.budget, needed)[0]
    )
    return PoolFlows(income={"fiscal_subsidy": budget}, expenditure=spent, insured=groups.sum("group"))
