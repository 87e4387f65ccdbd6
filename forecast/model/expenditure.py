"""Expenditure: claims × benefit design, per pool, service and year.

Per-capita use by age and sex follows the bundle's age–sex cost curve: a member of age a and
sex s counts as ``curve(s, a)`` claim units (*weighted members*), so population ageing enters
through the curve, never through a growth rate. Each claim unit draws a policy-scope cost X,
lognormal with the base year's mean (from the bulletin) times the price index, and the
coefficient of variation of the bundle's ``claim_sizes``; the same claim-size distribution
applies at every age (the bundle has no age-specific claim sizes).

- inpatient: claims are admissions, split by hospital level (tier3/tier2/tier1) with the
  bundle's case mix; deductible and ratio per level, annual cap applied per admission;
- outpatient_special: claims are patient-years (patients = visits / visits per patient);
- outpatient: claims are weighted member-years (general outpatient pooling, 门诊共济);
- the fund pays E[basic(X)] per claim (:mod:`forecast.model.claims`, closed form); critical
  illness pays its bands on the out-of-pocket cost above the threshold; medical assistance
  pays a share of what is still left, up to its limit, for its groups.

Cost growth: the mean claim grows with price inflation and the payment-reform effect
(severity); the number of claims with the service's ``utilisation_growth`` (frequency). An
optional induced-demand elasticity scales the number of claims by
``(patient share / base-year patient share) ** elasticity``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .claims import Layer, band_layer, basic_layer, compose_oop, expected_layer

__all__ = [
    "ClaimModel",
    "INPATIENT_LEVELS",
    "benefit_layers",
    "claim_payments",
    "critical_illness_layer",
    "assistance_layer",
]

INPATIENT_LEVELS = ("tier3", "tier2", "tier1")


@dataclass(frozen=True)
class ClaimModel:
    """Base-year claim frequencies (per weighted member) and claim sizes of one pool."""

    inpatient_rate: float  # admissions per weighted member (inpatient curve)
    inpatient_mean: dict  # level -> mean cost per admission (yuan, base year)
    inpatient_share: dict  # level -> share of admissions
    inpatient_cv: float
    special_rate: float  # special-disease patients per weighted member (outpatient curve)
    special_mean: float  # yuan per patient-year
    special_cv: float
    outpatient_mean: float  # yuan per weighted member-year
    outpatient_cv: float
    #: True when the base year has no published benefit use: the pool's medical spending is one
    #: claim type paid in full (no benefit layers), scaled by the calibration
    reduced: bool = False


def benefit_layers(benefits: dict) -> dict:
    """The basic pool's payment Layer per claim type, from one year's benefit values.

    ``benefits`` maps e.g. ``inpatient.tier3.deductible`` to a number (one year's values).
    """
    cap_in = benefits["inpatient.annual_cap"]
    layers = {level: basic_layer(benefits[f"inpatient.{level}.deductible"], benefits[f"inpatient.{level}.reimbursement_ratio"], cap_in) for level in INPATIENT_LEVELS}
    special_cap = cap_in if benefits["outpatient_special.cap_shared_with_inpatient"] else benefits["outpatient_special.annual_cap"]
    layers["outpatient_special"] = basic_layer(benefits["outpatient_special.deductible"], benefits["outpatient_special.reimbursement_ratio"], special_cap)
    layers["outpatient"] = basic_layer(benefits["outpatient.deductible"], benefits["outpatient.reimbursement_ratio"], benefits["outpatient.annual_cap"])
    return layers


def critical_illness_layer(threshold: float, first_ratio: float, band_limit: float, second_ratio: float, cap: float) -> Layer:
    """What critical illness pays on an out-of-pocket amount y (bands above the threshold, capped)."""
    return band_layer(threshold, [(band_limit, first_ratio), (np.inf, second_ratio)], cap)


def assistance_layer(ratio: float, limit: float) -> Layer:
    """What medical assistance pays on a remaining amount r: ratio·r, at most ``limit``."""
    return band_layer(0.0, [(np.inf, ratio)], limit)


def claim_payments(model: ClaimModel, layers: dict, severity: float, ci: Layer | None = None, assistance: dict | None = None) -> dict:
    """Expected payments per claim unit, for one pool and one year.

    Returns, per claim type (``tier3``, ``tier2``, ``tier1``, ``outpatient_special``,
    ``outpatient``): ``cost`` (mean claim), ``basic`` (fund payment), ``ci`` (critical
    illness payment) and ``assistance`` ({group: payment}); yuan per claim.
    """
    out = {}
    if model.reduced:
        from .claims import IDENTITY

        layers = {kind: (IDENTITY if kind == "outpatient" else basic_layer(0.0, 0.0)) for kind in layers}
        ci, assistance = None, None
    for kind, layer in layers.items():
        if kind in INPATIENT_LEVELS:
            mean, cv = model.inpatient_mean[kind] * severity, model.inpatient_cv
        elif kind == "outpatient_special":
            mean, cv = model.special_mean * severity, model.special_cv
        else:
            mean, cv = model.outpatient_mean * severity, model.outpatient_cv
        oop = compose_oop(layer)
        entry = {"cost": float(mean), "basic": float(expected_layer(layer, mean, cv)), "ci": 0.0, "assistance": {}}
        remaining = oop
        if ci is not None and kind != "outpatient":
            ci_on_x = oop.then(ci)
            entry["ci"] = float(expected_layer(ci_on_x, mean, cv))
            remaining = oop.minus(ci_on_x)
        for group, group_layer in (assistance or {}).items():
            entry["assistance"][group] = float(expected_layer(remaining.then(group_layer), mean, cv))
        out[kind] = entry
    return out
