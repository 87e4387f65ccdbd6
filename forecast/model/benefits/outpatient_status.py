"""Employee general-outpatient rules by status: in-service members (with flexible workers) and retirees.

Local rules often give retirees (退休人员) their own general-outpatient ratio, deductible or cap
(绍兴市: in-service members 65-75%, retirees 70-80%). The scenario's
``policy.employee.benefits.outpatient.retired`` keys give the retirees' rule, each left out
following the employee outpatient value. The claims of each status are its members weighted by
the outpatient age–sex curve (the enrollment stage's ``retired_weighted`` beside the pool's
``weighted``) times the same frequency and utilisation, so with r the retirees' share of the
pool's outpatient-weighted members, p the payment per claim under the in-service rule and p_r
under the retirees' rule (each the lognormal limited expected value of its own layer,
:mod:`forecast.model.benefits.layers`), the pool's general-outpatient payments are exactly::

    claims·(1 − r)·p + claims·r·p_r = claims·(p + r·(p_r − p))

so the pool's payment per claim becomes ``p + r·(p_r − p)``, which is ``p`` itself, to the bit,
when the retirees' layer is the in-service one (no retired rule: the run is unchanged). Where the
levels of care are graded, the retirees' effective ratio is the in-service effective ratio moved by
(retirees' ratio − flat ratio): the same points at every level. The individual accounts (the
retirees' account credit, 门诊共济) are not touched here. Induced demand (an elasticity, 0 by
default) responds to the pool's patient share over both statuses.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from .care_levels import outpatient_ratio
from .layers import basic_layer

__all__ = ["retired_layers", "retired_claim_share", "status_payments", "retired_outpatient"]

#: the key a year's payer layers of the employee pool hold the retirees' outpatient layers under
RETIRED = "outpatient_retired"
_RULES = ("retired_outpatient_deductible", "retired_outpatient_reimbursement_ratio", "retired_outpatient_annual_cap")


def retired_layers(rules, region=None) -> list | None:
    """The retirees' general-outpatient layer of the employee pool per year (deductible, effective
    ratio, annual cap), or None when the rules hold no retirees' rule."""
    ds = rules.ds
    if any(name not in ds for name in _RULES):
        return None
    flat = ds["benefit_reimbursement_ratio"].sel(pool="employee", claim_type="outpatient", drop=True).values
    gap = ds["retired_outpatient_reimbursement_ratio"].values - flat
    ratio = np.clip(outpatient_ratio(rules, "employee", region) + gap, 0.0, 1.0)
    deductible, cap = ds["retired_outpatient_deductible"].values, ds["retired_outpatient_annual_cap"].values
    return [basic_layer(float(deductible[i]), float(ratio[i]), float(cap[i])) for i in range(len(rules.years))]


def retired_claim_share(members: xr.Dataset) -> xr.DataArray:
    """Retirees' share of the employee pool's outpatient-weighted members (year, draw; ratio): their
    share of the pool's general-outpatient claims."""
    pool = members["weighted"].sel(pool="employee", curve="outpatient", drop=True)
    retired = members["retired_weighted"].sel(curve="outpatient", drop=True)
    out = (retired / pool.where(pool > 0, 1.0)).where(pool > 0, 0.0)
    return out.assign_attrs(
        units="ratio", description="retirees' share of the employee pool's general-outpatient claims"
    )


def status_payments(models: dict, layers: dict, severity, years, members: xr.Dataset, payments) -> dict:
    """Each pool's payments per claim (``payments(model, layers, severity, years)``), the employee
    pool's general-outpatient ``basic`` payment over both statuses, ``p + r·(p_r − p)``; the employee
    Dataset gains ``retired_claim_share`` (r) and ``retired_basic`` (p_r, yuan per claim)."""
    pay = {pool: payments(models[pool], layers[pool], severity, years) for pool in models}
    employee = pay["employee"]
    basic = employee["basic"]
    in_service = basic.sel(claim_type="outpatient", drop=True)
    share = retired_claim_share(members)
    if RETIRED in layers["employee"][0]:
        swapped = [{**year, "outpatient": year[RETIRED]} for year in layers["employee"]]
        retired = payments(models["employee"], swapped, severity, years)["basic"].sel(
            claim_type="outpatient", drop=True
        )
        blended = in_service + share * (retired - in_service)
        basic = (
            xr.where(basic["claim_type"] == "outpatient", blended, basic)
            .transpose(*basic.dims)
            .assign_attrs(basic.attrs)
        )
    else:
        retired = in_service
    pay["employee"] = employee.assign(
        basic=basic,
        retired_claim_share=share,
        retired_basic=retired.assign_attrs(
            units="yuan", description="the employee pool's expected general-outpatient payment per retiree's claim"
        ),
    )
    return pay


def retired_outpatient(units: xr.DataArray, pay: xr.Dataset) -> dict:
    """Result variables of the employee pool (year, draw): ``retired_outpatient_claims`` (retirees'
    general-outpatient claims, member-years) and ``retired_outpatient_expenditure`` (what the pool
    pays on them, yuan; part of the pool's outpatient expenditure, the rest is the in-service members')."""
    claims = units.sel(claim_type="outpatient", drop=True) * pay["retired_claim_share"]
    return {
        "retired_outpatient_claims": claims.assign_attrs(
            units="persons", description="retirees' general-outpatient claims in the employee pool (member-years)"
        ),
        "retired_outpatient_expenditure": (claims * pay["retired_basic"]).assign_attrs(
            units="yuan",
            description=(
                "the employee pool's general-outpatient payments on retirees' claims "
                "(part of its outpatient expenditure)"
            ),
        ),
    }
