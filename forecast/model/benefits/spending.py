"""Expenditure: claims × benefit design, per pool and claim type, for every year and draw.

Per-capita use by age and sex follows the bundle's age–sex cost curve: a member of age a and sex
s counts as ``curve(s, a)`` claim units (*weighted members*), so population ageing enters through
the curve, never through a growth rate. The number of claims of each type is the base year's
frequency (:class:`~forecast.model.benefits.payers.ClaimModel`) × weighted members × the pool's and the
service's utilisation index (:func:`cost_indices`); the payment per claim
(:func:`~forecast.model.benefits.payments.payments`) grows with the severity index (price inflation
and the payment-reform effect). An optional induced-demand elasticity scales the number of claims
by ``(patient share / base-year patient share) ** e``.
"""

from __future__ import annotations

import xarray as xr

from ...labelled import stack
from ...registry import CLAIM_TYPE_ENTRIES
from ...vocabulary import BASIC_POOLS, CLAIM_TYPES, HOSPITAL_LEVELS, SERVICES
from .payers import CURVE_OF

__all__ = [
    "cost_indices",
    "claim_units",
    "induced_demand",
    "benefit_spending",
    "critical_illness_claims",
    "maternity",
    "utilisation",
    "SERVICE_OF",
]

#: the utilisation-growth series that moves each claim type's frequency (forecast.registry)
SERVICE_OF = {c.name: c.service for c in CLAIM_TYPE_ENTRIES}
#: the expenditure item each claim type's payments are booked under
ITEM_OF = {c.name: c.item for c in CLAIM_TYPE_ENTRIES}
#: the expenditure items paid claim by claim, in the registry's order
CLAIM_ITEMS = tuple(dict.fromkeys(ITEM_OF.values()))


def _index(growth: xr.DataArray) -> xr.DataArray:
    factors = (1.0 + growth).copy()
    factors[{"year": 0}] = 1.0
    return factors.cumprod("year")


def cost_indices(rules) -> xr.Dataset:
    """Cost indices relative to the base year (ratio):

    - ``severity`` (year): cost per claim — price inflation × the payment-reform effect;
    - ``utilisation`` (year, pool, service): claims per weighted member — the pool's real cost
      trend × the service's own utilisation growth on top of it;
    - ``care`` (year): long-term care use per beneficiary;
    - ``assistance`` (year): medical assistance beyond its rules (``assistance_trend``).
    """
    severity = _index((1 + rules.economy.price_inflation) * (1 + rules.medical_costs.payment_reform_effect) - 1)
    services = [s for s in SERVICES if s != "long_term_care"]
    own = rules.ds["utilisation_growth"].sel(service=services)
    utilisation = _index((1 + rules.ds["cost_trend"].sel(pool=list(BASIC_POOLS))) * (1 + own) - 1).transpose(
        "year", "pool", "service"
    )
    care = _index(rules.ds["utilisation_growth"].sel(service="long_term_care", drop=True))
    assistance = _index(rules.medical_costs.assistance_trend)
    return xr.Dataset(
        {
            name: index.assign_attrs(units="ratio")
            for name, index in (
                ("severity", severity),
                ("utilisation", utilisation),
                ("care", care),
                ("assistance", assistance),
            )
        }
    )


def claim_units(
    frequency: xr.DataArray, weighted: xr.DataArray, utilisation: xr.DataArray, induced=1.0
) -> xr.DataArray:
    """Expected claims by claim type: frequency × weighted members (``weighted`` by curve, each
    type taking its curve's) × utilisation index (by the type's service) × induced demand
    (year, claim_type[, draw])."""
    members = (
        weighted.sel(curve=[CURVE_OF[k] for k in CLAIM_TYPES])
        .rename(curve="claim_type")
        .assign_coords(claim_type=list(CLAIM_TYPES))
    )
    growth = (
        utilisation.sel(service=[SERVICE_OF[k] for k in CLAIM_TYPES])
        .rename(service="claim_type")
        .assign_coords(claim_type=list(CLAIM_TYPES))
    )
    out = frequency * members * growth * induced
    out.attrs["units"] = "persons"
    return out.transpose("year", "claim_type", ...)


def induced_demand(pay: xr.Dataset, base_patient_share: xr.DataArray, elasticity: xr.DataArray) -> xr.DataArray:
    """Claims multiplier (patient share / base-year patient share) ** elasticity; 1 where the
    elasticity is 0 or the base year's patient share is 0."""
    share = 1 - pay["basic"] / pay["cost"]
    active = (elasticity != 0) & (base_patient_share > 0)
    ratio = (share / base_patient_share.where(base_patient_share > 0, 1.0)) ** elasticity
    out = xr.where(active, ratio, 1.0)
    out.attrs["units"] = "ratio"
    return out


def benefit_spending(units: xr.DataArray, pay: xr.Dataset) -> xr.DataArray:
    """The pool's benefit payments by expenditure item (inpatient, outpatient_special, outpatient), yuan."""
    paid = units * pay["basic"]
    out = stack(
        [paid.sel(claim_type=[k for k in CLAIM_TYPES if ITEM_OF[k] == item]).sum("claim_type") for item in CLAIM_ITEMS],
        "item",
        CLAIM_ITEMS,
    )
    out.attrs["units"] = "yuan"
    return out


def critical_illness_claims(units: xr.DataArray, pay: xr.Dataset) -> xr.DataArray:
    """What critical illness pays on the pool's claims, yuan."""
    out = (units * pay["critical_illness"]).sum("claim_type")
    out.attrs["units"] = "yuan"
    return out


def maternity(per_birth, births: xr.DataArray, wages: xr.DataArray) -> xr.DataArray:
    """Maternity benefits: the base year's spending per birth × births × wages (the allowance is
    paid on the contribution base), yuan."""
    out = per_birth * births * wages
    out.attrs["units"] = "yuan"
    return out


def utilisation(units: xr.DataArray, pay: xr.Dataset, visits_per_claim: dict) -> xr.Dataset:
    """Benefit use of a pool, as the bulletins publish it (year[, draw]): ``admissions`` (住院人次),
    ``outpatient_visits`` (普通门急诊人次) and ``special_disease_visits`` (门诊慢特病人次), in
    person-times; ``cost_per_admission`` (次均住院费用, policy-scope cost, yuan). Outpatient claims are
    member-years and special-disease claims patient-years: ``visits_per_claim`` (claim type -> the
    base year's published visits per claim) turns them into visits."""
    inpatient = units.sel(claim_type=list(HOSPITAL_LEVELS))
    admissions = inpatient.sum("claim_type")
    cost = (inpatient * pay["cost"].sel(claim_type=list(HOSPITAL_LEVELS))).sum("claim_type") / admissions.where(
        admissions > 0, 1.0
    )
    out = xr.Dataset(
        {
            "admissions": admissions.assign_attrs(
                units="persons", description="admissions a year (住院人次; person-times)"
            ),
            "outpatient_visits": (
                units.sel(claim_type="outpatient", drop=True) * visits_per_claim["outpatient"]
            ).assign_attrs(
                units="persons", description="general-outpatient visits a year (普通门急诊人次; person-times)"
            ),
            "special_disease_visits": (
                units.sel(claim_type="outpatient_special", drop=True) * visits_per_claim["outpatient_special"]
            ).assign_attrs(
                units="persons",
                description="special and chronic disease outpatient visits a year (门诊慢特病人次; person-times)",
            ),
            "cost_per_admission": cost.assign_attrs(
                units="yuan", description="policy-scope cost per admission (次均住院费用)"
            ),
        }
    )
    return out
