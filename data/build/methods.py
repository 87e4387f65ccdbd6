"""Named demographic and actuarial methods used to build the bundles' derived tables.

Each function is one documented method; SOURCES.md of each bundle says which was used
for which table. Nothing here invents a figure: every input is an official figure (or a
published study's figure) read from a cited page or file.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import brentq

# one implementation, the package's (init-region rounds prefecture populations with it too)
from forecast.apps.regions.province import largest_remainder_round

__all__ = [
    "WppSchedule",
    "period_sex_ratio",
    "rake_sex_split",
    "largest_remainder_round",
    "reverse_survival_cohorts",
    "mortality_proxy_cost_curve",
    "logistic_disability_curve",
]


class WppSchedule:
    """Period × sex × age-group death rates (WPP layout), looked up by single age and year.

    Years before the first period use the first period's rates; after the last, the last.
    """

    def __init__(self, periods: list[tuple[int, int]], groups: list[tuple[int, int | None]], mx: dict):
        self.periods = periods
        self.groups = groups
        self.mx = mx  # (period_index, sex) -> np.array over groups

    def rate(self, sex: str, age: int, year: float) -> float:
        p = max((i for i, (start, _) in enumerate(self.periods) if year >= start), default=0)
        g = next(i for i, (s, e) in enumerate(self.groups) if age >= s and (e is None or age <= e))
        return float(self.mx[(p, sex)][g])


def period_sex_ratio(age: int, srb: float, schedule: WppSchedule, table_year: float) -> float:
    """Sex ratio (males per female) at single age ``age`` in the stationary population of a
    period life table: SR = SRB × l_male(age + 0.5) / l_female(age + 0.5).

    l(x) = exp(-H(x)) with H the cumulative hazard of the period table for ``table_year``.
    This is the "stationary population" approximation of the sex ratio by age: it assumes
    each cohort lived its life under the period's sex differential in mortality, and
    ignores migration (China's net migration is below 0.1‰ a year).
    """
    hazard = {}
    for sex in ("male", "female"):
        hazard[sex] = sum(schedule.rate(sex, t, table_year) for t in range(age)) + 0.5 * schedule.rate(
            sex, age, table_year
        )
    return srb * math.exp(-(hazard["male"] - hazard["female"]))


def rake_sex_split(totals: np.ndarray, male_odds: np.ndarray, male_total: float) -> np.ndarray:
    """Males per group such that groups keep ``totals`` and males sum to ``male_total``.

    Iterative proportional fitting of a groups × sex table whose row totals are fixed and
    whose male column total is ``male_total`` converges to the seed's odds multiplied by one
    common factor k (IPF preserves cross-product ratios); we solve for k directly.
    """

    def excess(log_k: float) -> float:
        odds = male_odds * math.exp(log_k)
        return float(np.sum(totals * odds / (1 + odds)) - male_total)

    log_k = brentq(excess, -5, 5, xtol=1e-14)
    odds = male_odds * math.exp(log_k)
    return totals * odds / (1 + odds)


def reverse_survival_cohorts(ages, census_year: float, births_of_year, schedule: WppSchedule, srb_of_year):
    """Expected survivors by sex of the cohorts aged ``ages`` at the census (reverse survival).

    The cohort aged a at 1 November of ``census_year`` was born from 1 November
    (census_year - a - 1) to 31 October (census_year - a): its births are
    2/12 · B(census_year - a - 1) + 10/12 · B(census_year - a). Survival to the census is
    exp(-H), H the cumulative hazard along the cohort's diagonal of the period tables (one year of age per calendar
    year); births are split by the SRB of their year.
    """
    out = {"male": [], "female": []}
    year = int(census_year)
    for a in ages:
        births = 2 / 12 * births_of_year(year - a - 1) + 10 / 12 * births_of_year(year - a)
        srb = srb_of_year(year - a)
        birth = census_year - a - 0.5
        for sex, share in (("male", srb / (1 + srb)), ("female", 1 / (1 + srb))):
            h = sum(schedule.rate(sex, t, birth + t + 0.5) for t in range(a))
            h += 0.5 * schedule.rate(sex, a, birth + a + 0.25)
            out[sex].append(births * share * math.exp(-h))
    return {k: np.array(v) for k, v in out.items()}


def mortality_proxy_cost_curve(
    mx: np.ndarray, weights_in: np.ndarray, weights_out: np.ndarray, target_ratio: float, reference: np.ndarray
):
    """Relative cost c = mx^θ, θ calibrated so mean(c | out) / mean(c | in) = target_ratio.

    The "mortality-proxy" age-cost curve: per-capita medical cost rises with age roughly as
    a power of the death rate (both are driven by morbidity), giving the familiar J shape
    (higher in infancy, lowest at 5-14, rising steeply after 40). One parameter θ is
    calibrated to an observed cost ratio between two populations with known age
    structures (``weights_in``, ``weights_out``: persons by group). The curve is normalised
    so that the ``reference`` weights' mean is 1.
    """

    def ratio(theta: float) -> float:
        c = mx**theta
        return float((weights_out @ c / weights_out.sum()) / (weights_in @ c / weights_in.sum()))

    theta = brentq(lambda t: ratio(t) - target_ratio, 1e-4, 3.0, xtol=1e-12)
    c = mx**theta
    return theta, c / (reference @ c / reference.sum())


def logistic_disability_curve(group_ages, group_prevalence, sex_prevalence, level, ages, weights):
    """Disability prevalence p(x, s) with logit p = α + β (x - 60) + γ [female].

    β: least-squares slope of logit prevalence on mean age over the published age groups;
    γ: logit(women) - logit(men) from the published sex-specific prevalences; α: solved so
    the population-weighted prevalence over ``ages`` (``weights[sex]``) equals ``level``.
    Returns (alpha, beta, gamma, {sex: prevalence at ``ages``}).
    """
    logit = lambda p: math.log(p / (1 - p))  # noqa: E731
    x = np.asarray(group_ages, dtype=float) - 60
    y = np.array([logit(p) for p in group_prevalence])
    beta = float(np.polyfit(x, y, 1)[0])
    gamma = logit(sex_prevalence["female"]) - logit(sex_prevalence["male"])
    ages = np.asarray(ages, dtype=float)

    def curve(alpha, sex):
        z = alpha + beta * (ages - 60) + (gamma if sex == "female" else 0.0)
        return 1 / (1 + np.exp(-z))

    def excess(alpha):
        num = sum(weights[s] @ curve(alpha, s) for s in ("male", "female"))
        den = sum(weights[s].sum() for s in ("male", "female"))
        return num / den - level

    alpha = brentq(excess, -20, 20, xtol=1e-12)
    return alpha, beta, gamma, {s: curve(alpha, s) for s in ("male", "female")}


def lognormal_cv_from_top_share(top_fraction: float, cost_share: float) -> tuple[float, float]:
    """(σ, cv) of the lognormal whose top ``top_fraction`` of claimants hold ``cost_share`` of cost.

    For X lognormal(μ, σ) the share of E[X] held by the top p is 1 − Φ(z_{1−p} − σ)
    (the first-moment distribution of a lognormal is lognormal(μ + σ², σ)), so
    σ = z_{1−p} − Φ⁻¹(1 − share) and cv = sqrt(exp(σ²) − 1).

    >>> s, cv = lognormal_cv_from_top_share(0.10, 0.49)
    >>> round(s, 3), round(cv, 2)
    (1.256, 2.0)
    """
    from scipy.stats import norm

    sigma = float(norm.ppf(1 - top_fraction) - norm.ppf(1 - cost_share))
    return sigma, float(np.sqrt(np.expm1(sigma**2)))


def tier_mix(
    hospital_admissions: float, primary_admissions: float, hospital_cost: float, tier3_cost: float, tier2_cost: float
) -> dict:
    """Admission shares by level: primary care is tier1; hospitals split into tier3 and tier2.

    The tier-3 share of hospital admissions w solves w·c3 + (1 − w)·c2 = c (the hospitals'
    average cost per admission), with c3 and c2 the tier-3 and tier-2 costs per admission
    ("implied case-mix" method; tier-1 hospitals are folded into tier2).
    """
    w = (hospital_cost - tier2_cost) / (tier3_cost - tier2_cost)
    primary = primary_admissions / (hospital_admissions + primary_admissions)
    return {"tier3": (1 - primary) * w, "tier2": (1 - primary) * (1 - w), "tier1": primary}
