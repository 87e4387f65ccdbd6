"""Medical assistance (医疗救助): contribution subsidies and direct assistance, every year and draw.

The five groups (特困, 低保, 低保边缘, 易返贫致贫, 因病致贫重病患者) are shares of the population.
Assistance pays each group's resident contribution share (资助参保) and, on the group's share of
resident claims, its ratio of what the basic pool and critical illness leave, up to the annual
limit (:func:`~forecast.model.benefits.payers.payments`); the calibration scales direct assistance to the
published total. In the reduced claim model (no published benefit use) direct assistance is a sum
per group member instead, growing with the cost indices.
"""

from __future__ import annotations

import xarray as xr

__all__ = ["group_members", "contribution_subsidies", "direct_assistance"]


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


def direct_assistance(units: xr.DataArray, pay: xr.Dataset, members: xr.DataArray, residents: xr.DataArray) -> xr.DataArray:
    """Assistance on the groups' share of resident claims, before calibration: Σ_claim types,
    groups units × (group members / residents) × assistance per claim, yuan."""
    out = (units * (members / residents) * pay["assistance"]).sum(("claim_type", "group"))
    out.attrs["units"] = "yuan"
    return out
