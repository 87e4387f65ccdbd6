"""Benefits per claim: what each payer pays on one claim, by pool, claim type and year.

A pool's claims (:class:`ClaimModel`, from the bulletin's base-year use and costs) are admissions
at each hospital level, special-disease patient-years and general-outpatient member-years, each
with a lognormal policy-scope cost (mean from the bulletin, coefficient of variation from the
bundle's ``claim_sizes``). The benefit rules of a year are piecewise-linear layers
(:mod:`forecast.model.benefits.layers`): the basic pool pays ``c·min((X − d)+, u/c)``; critical illness its
bands on what the basic pool leaves above the threshold; medical assistance each group's ratio of
what is still left, up to its limit. :func:`~forecast.model.benefits.payments.payments` gives the
expected payment of each layer per claim, in closed form, for every year at once (and every draw
where the claim sizes differ by draw), so nothing there is recomputed per draw in a loop.

Outpatient cost = the insured's medical expenses at institutions − inpatient cost, split between
special-disease and general outpatient care in proportion to visits (the bulletin publishes visits
but not costs by outpatient type).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr

from ...errors import InputError, Problem
from ...labelled import stack
from ...vocabulary import ASSISTANCE_GROUPS, CLAIM_TYPES, HOSPITAL_LEVELS
from .care_levels import outpatient_ratio
from .layers import IDENTITY, Layer, band_layer, basic_layer, compose_oop
from .outpatient_status import RETIRED, retired_layers

__all__ = [
    "ClaimModel",
    "BaseClaims",
    "base_claims",
    "reduced_claims",
    "curve_weights",
    "PayerLayers",
    "payer_layers",
    "CURVE_OF",
    "require",
]

#: the age–sex curve that spreads each claim type over the members (forecast.model.benefits.curves)
CURVE_OF = {
    **{level: "inpatient" for level in HOSPITAL_LEVELS},
    "outpatient_special": "outpatient",
    "outpatient": "outpatient",
}


def require(region, value: float, what: str, fix: str) -> float:
    """A published figure the calibration needs, or a located error."""
    if value is None or not np.isfinite(value):
        raise InputError(Problem(region.path, f"the fund model needs {what}, which the bundle lacks", fix))
    return float(value)


@dataclass(frozen=True)
class ClaimModel:
    """Base-year claims of one pool, by claim type (and draw where the base-year population enters).

    ``frequency``: claims per weighted member a year (members weighted by the claim type's curve,
    :data:`CURVE_OF`); ``mean_cost``: the mean claim in the base year (yuan); ``cv``: its
    coefficient of variation. ``reduced``: the base year has no published use, so the pool's
    spending is one claim type paid in full, scaled by the calibration.
    """

    frequency: xr.DataArray
    mean_cost: xr.DataArray
    cv: xr.DataArray
    reduced: bool = False


@dataclass(frozen=True)
class BaseClaims:
    """A pool's published base-year claims, before the base-year population divides them: per
    claim type, the claims (or, for general outpatient care, 1 per member) and the cost, each
    divided by the members weighted with ``per_weighted`` curve (None: not divided)."""

    claims: dict
    claims_per_weighted: dict
    cost: dict
    cost_per_weighted: dict
    cv: dict
    reduced: bool = False

    def model(self, weighted: xr.DataArray) -> ClaimModel:
        """The claim model for the base year's members weighted by each curve (``weighted``:
        curve[, draw])."""

        def divided(values: dict, curves: dict, units: str) -> xr.DataArray:
            parts = [
                values[k] / weighted.sel(curve=curves[k], drop=True) if curves[k] else values[k] for k in CLAIM_TYPES
            ]
            return stack(parts, "claim_type", CLAIM_TYPES).assign_attrs(units=units)

        return ClaimModel(
            frequency=divided(self.claims, self.claims_per_weighted, "per_person_year"),
            mean_cost=divided(self.cost, self.cost_per_weighted, "yuan"),
            cv=stack([self.cv[k] for k in CLAIM_TYPES], "claim_type", CLAIM_TYPES).assign_attrs(units="ratio"),
            reduced=self.reduced,
        )


def curve_weights(claims: BaseClaims) -> dict:
    """Each age–sex curve's share of a pool's base-year policy-scope cost (the claim types it
    spreads), curve -> ratio: the mix of the pool's age–sex cost index."""
    totals: dict = {}
    for kind in CLAIM_TYPES:
        totals[CURVE_OF[kind]] = totals.get(CURVE_OF[kind], 0.0) + float(claims.claims[kind]) * float(claims.cost[kind])
    whole = sum(totals.values())
    return {curve: value / whole for curve, value in totals.items()}


def reduced_claims(region) -> BaseClaims:
    """The claims of a base year without published benefit use (before 2023 in data/china): one
    claim type (general outpatient), paid in full, one unit per weighted member; the calibration
    scales it to the pool's expenditure. Benefit-design changes have no effect."""
    cv = region.claim("outpatient", "cv")
    none = {k: None for k in CLAIM_TYPES}
    return BaseClaims(
        claims={**{k: 0.0 for k in CLAIM_TYPES}, "outpatient": 1.0},
        claims_per_weighted=none,
        cost={k: 1.0 for k in CLAIM_TYPES},
        cost_per_weighted=none,
        cv={**{k: 1.0 for k in CLAIM_TYPES}, "outpatient": cv if np.isfinite(cv) else 1.0},
        reduced=True,
    )


def base_claims(region, year: int, pool: str) -> BaseClaims:
    """Base-year claims and costs of ``pool`` from the bulletin's use and cost figures
    (:func:`reduced_claims` when the base year has none): read once per run."""
    fix = "add the bulletin's figures to utilisation.csv (see data/china)"

    def use(service, indicator):
        return require(
            region,
            region.use(year, pool, service, indicator),
            f"utilisation {pool} {service} {indicator} for {year}",
            fix,
        )

    def claim(service, parameter, level="all"):
        return require(
            region,
            region.claim(service, parameter, level),
            f"claim_sizes {service} {level} {parameter}",
            "add it to claim_sizes.csv (see data/china)",
        )

    if not np.isfinite(region.use(year, pool, "inpatient", "uses")):
        return reduced_claims(region)
    admissions, mean_cost = use("inpatient", "uses"), use("inpatient", "mean_cost")
    pharmacy = region.use(year, pool, "pharmacy", "medical_expenses")
    institutions = use("all", "medical_expenses") - (pharmacy if np.isfinite(pharmacy) else 0.0)
    outpatient_cost = institutions - admissions * mean_cost
    visits_general, visits_special = use("outpatient", "uses"), use("outpatient_special", "uses")
    special_cost = outpatient_cost * visits_special / (visits_general + visits_special)
    patients = visits_special / claim("outpatient_special", "uses_per_patient")
    shares = {level: claim("inpatient", "level_share", level) for level in HOSPITAL_LEVELS}
    ratios = {level: claim("inpatient", "level_cost_ratio", level) for level in HOSPITAL_LEVELS}
    total_share = sum(shares.values())
    shares = {k: v / total_share for k, v in shares.items()}
    norm = sum(shares[k] * ratios[k] for k in HOSPITAL_LEVELS)
    return BaseClaims(
        claims={
            **{k: admissions * shares[k] for k in HOSPITAL_LEVELS},
            "outpatient_special": patients,
            "outpatient": 1.0,
        },
        claims_per_weighted={**CURVE_OF, "outpatient": None},
        cost={
            **{k: mean_cost * ratios[k] / norm for k in HOSPITAL_LEVELS},
            "outpatient_special": special_cost / patients,
            "outpatient": outpatient_cost - special_cost,
        },
        cost_per_weighted={**{k: None for k in CLAIM_TYPES}, "outpatient": "outpatient"},
        cv={
            **{k: claim("inpatient", "cv") for k in HOSPITAL_LEVELS},
            "outpatient_special": claim("outpatient_special", "cv"),
            "outpatient": claim("outpatient", "cv"),
        },
    )


def _basic_layers(rules, pool: str, region=None) -> list[dict]:
    """The basic pool's layer per claim type, every year (deductible, ratio, the annual cap;
    special-disease care may share the inpatient cap; general outpatient care at its effective
    ratio over the levels of care, :func:`~forecast.model.benefits.care_levels.outpatient_ratio`)."""
    ds = rules.ds.sel(pool=pool)
    deductible = ds["benefit_deductible"].sel(claim_type=list(CLAIM_TYPES)).transpose("year", "claim_type").values
    ratio = (
        ds["benefit_reimbursement_ratio"]
        .sel(claim_type=list(CLAIM_TYPES))
        .transpose("year", "claim_type")
        .values.copy()
    )
    ratio[:, CLAIM_TYPES.index("outpatient")] = outpatient_ratio(rules, pool, region)
    cap = ds["benefit_annual_cap"].transpose("year", "benefit")
    caps = {benefit: cap.sel(benefit=benefit).values for benefit in cap["benefit"].values}
    shared = ds["special_cap_shared_with_inpatient"].values
    out = []
    for i in range(len(rules.years)):
        limit = {level: caps["inpatient"][i] for level in HOSPITAL_LEVELS}
        limit["outpatient_special"] = caps["inpatient"][i] if shared[i] else caps["outpatient_special"][i]
        limit["outpatient"] = caps["outpatient"][i]
        out.append(
            {
                kind: basic_layer(float(deductible[i, j]), float(ratio[i, j]), float(limit[kind]))
                for j, kind in enumerate(CLAIM_TYPES)
            }
        )
    return out


def _critical_illness_layers(rules) -> list[Layer]:
    """Per year, the bands on the out-of-pocket cost above a threshold of the previous year's
    disposable income."""
    income = rules.economy.disposable_income_per_capita.values
    ci = rules.critical_illness
    share, cap = ci.threshold_income_share.values, ci.annual_cap.values
    limit, first, second = (getattr(ci.bands, k).values for k in ("band_limit", "first_ratio", "second_ratio"))
    return [
        band_layer(
            float(share[i]) * income[max(i - 1, 0)],
            [(float(limit[i]), float(first[i])), (np.inf, float(second[i]))],
            float(cap[i]),
        )
        for i in range(len(rules.years))
    ]


def _assistance_layers(rules) -> list[dict]:
    """Per year, each group's share of what is still left, up to the annual limit."""
    limit = rules.medical_assistance.annual_limit.values
    ratios = rules.ds["group_assistance_ratio"].transpose("year", "group")
    groups = [str(g) for g in ratios["group"].values]
    ratio = {g: ratios.values[:, groups.index(g)] for g in ASSISTANCE_GROUPS}
    return [
        {g: band_layer(0.0, [(np.inf, float(ratio[g][i]))], float(limit[i])) for g in ASSISTANCE_GROUPS}
        for i in range(len(rules.years))
    ]


@dataclass(frozen=True)
class PayerLayers:
    """What each payer pays on a claim x of one type in one year, as layers in x: the basic pool,
    critical illness (on what the pool leaves) and each assistance group (on what is still left)."""

    basic: Layer
    critical_illness: Layer | None
    assistance: dict


def payer_layers(
    rules, pool: str, with_ci: bool, with_assistance: bool, reduced: bool = False, region=None
) -> list[dict]:
    """Per year, per claim type, the :class:`PayerLayers` of ``pool``: composed once per run and
    shared by every draw. In the reduced claim model the pool pays general outpatient claims in
    full and nothing else. ``region``: the bundle whose outpatient spending by level of care
    weighs outpatient ratios graded by level (None: only a flat ratio is allowed). The employee
    pool's years also hold the retirees' general-outpatient layers (key ``outpatient_retired``,
    :mod:`forecast.model.benefits.outpatient_status`) when their rule differs from the in-service one."""
    out = []
    basic_by_year = _basic_layers(rules, pool, None if reduced else region)
    retired = retired_layers(rules, region) if pool == "employee" and not reduced else None
    if retired is not None and all(r == year["outpatient"] for r, year in zip(retired, basic_by_year)):
        retired = None  # the retirees' rule is the in-service one: one layer, the run unchanged
    ci_layers = _critical_illness_layers(rules) if with_ci else None
    group_layers = _assistance_layers(rules) if with_assistance else None
    for i in range(len(rules.years)):
        basic = basic_by_year[i]
        ci_layer = ci_layers[i] if ci_layers is not None else None
        groups = group_layers[i] if group_layers is not None else {}
        year = {}
        for kind in CLAIM_TYPES:
            if reduced:
                year[kind] = PayerLayers(IDENTITY if kind == "outpatient" else basic_layer(0.0, 0.0), None, {})
                continue
            remaining = compose_oop(basic[kind])
            ci_on_x = None
            if ci_layer is not None and kind != "outpatient":
                ci_on_x = remaining.then(ci_layer)
                remaining = remaining.minus(ci_on_x)
            year[kind] = PayerLayers(basic[kind], ci_on_x, {g: remaining.then(layer) for g, layer in groups.items()})
        if retired is not None:  # employee general outpatient care of retirees (no critical illness, no assistance)
            year[RETIRED] = PayerLayers(retired[i], None, {})
        out.append(year)
    return out
