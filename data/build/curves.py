"""The derived curves of data/china: cost by age, disability prevalence, claim sizes and case mix.

Each is one named method of methods.py applied to cited figures (data/build/inputs/
published_figures.csv, the NHSA bulletins) and the bundle's own demography (the 2020 census
population by sex and age, WPP 2024 death rates); data/china/SOURCES.md describes methods 3 to 6.
"""

from __future__ import annotations

import methods
import numpy as np
from buildio import GROUPS, INPUTS, read

from forecast.inputs.tables import parse_age


def _figures() -> dict[str, float]:
    return {r["figure"]: float(r["value"]) for r in read(INPUTS / "published_figures.csv")}


def cost_curve_rows(schedule: methods.WppSchedule, pop_rows, nhsa) -> tuple[list[list], dict]:
    """Mortality-proxy cost curve calibrated to the 2024 UEBMI retiree / in-service cost ratio (method 3)."""
    figures = _figures()
    retirees = float(nhsa.pick(2024, "uebmi", "insured_retirees")["value"])
    in_service = float(nhsa.pick(2024, "uebmi", "insured_in_service")["value"])
    target = (figures["uebmi_retiree_medical_cost_2024"] / retirees) / (
        figures["uebmi_in_service_medical_cost_2024"] / in_service
    )
    pop = {(r[0], r[1]): r[2] for r in pop_rows}
    period = next(i for i, (a, b) in enumerate(schedule.periods) if a <= 2022 <= b)
    mx = np.array(
        [
            (pop["male", g] * schedule.mx[(period, "male")][i] + pop["female", g] * schedule.mx[(period, "female")][i])
            / (pop["male", g] + pop["female", g])
            for i, g in enumerate(GROUPS)
        ]
    )

    def weights(rule):
        return np.array([sum(pop[s, g] * rule(s, parse_age(g)[0]) for s in ("male", "female")) for g in GROUPS])

    def in_service_share(sex, start):  # men work 20-59; women 20-49, half of 50-54 (retire at 50 or 55)
        if start < 20:
            return 0.0
        if sex == "male":
            return 1.0 if start < 60 else 0.0
        return 1.0 if start < 50 else (0.5 if start == 50 else 0.0)

    def retired_share(sex, start):
        if sex == "male":
            return 1.0 if start >= 60 else 0.0
        return 1.0 if start >= 55 else (0.5 if start == 50 else 0.0)

    reference = weights(lambda s, a: 1.0 if 20 <= a < 60 else 0.0)
    theta, curve = methods.mortality_proxy_cost_curve(
        mx, weights(in_service_share), weights(retired_share), target, reference
    )
    rows = []
    for service in ("inpatient", "outpatient"):
        for sex in ("male", "female"):
            for g, c in zip(GROUPS, curve):
                rows.append(
                    [
                        service,
                        sex,
                        g,
                        f"{c:.4f}",
                        "ratio",
                        "WPP2024;CENSUS2020_T15;BULLETIN2024_COSTS;S2024B",
                        "mortality-proxy curve (mx^θ)",
                    ]
                )
    return rows, {"theta": theta, "target_ratio": target}


def disability_rows(pop_rows) -> tuple[list[list], dict]:
    """Logistic age-sex disability prevalence, 60+, at the 2015 survey's level (method 4)."""
    figures = _figures()
    pop = {(r[0], r[1]): r[2] for r in pop_rows}
    old = [g for g in GROUPS if parse_age(g)[0] >= 60]
    mid = np.array([parse_age(g)[0] + 2.5 for g in old])
    both = np.array([pop["male", g] + pop["female", g] for g in old], dtype=float)

    def mean_age(lo, hi):
        sel = (mid >= lo) & (mid < hi)
        return float(both[sel] @ mid[sel] / both[sel].sum())

    alpha, beta, gamma, curves = methods.logistic_disability_curve(
        [mean_age(60, 70), mean_age(70, 80), mean_age(80, 200)],
        [figures["adl_disability_60_69"], figures["adl_disability_70_79"], figures["adl_disability_80_plus"]],
        {"male": figures["adl_disability_men"], "female": figures["adl_disability_women"]},
        figures["disabled_share_60_plus_2015"],
        mid,
        {s: np.array([pop[s, g] for g in old], dtype=float) for s in ("male", "female")},
    )
    rows = [
        [s, g, f"{p:.4f}", "ratio", "DISAB_META2023;DISAB_SURVEY2015;CENSUS2020_T15", "logistic age-sex model"]
        for s in ("male", "female")
        for g, p in zip(old, curves[s])
    ]
    return rows, {"alpha": alpha, "beta": beta, "gamma": gamma}


def claim_size_rows() -> tuple[list[list], dict]:
    """Claim-size dispersion from published cost concentration; case mix from NHC figures (methods 5, 6)."""
    f = _figures()
    sigma_in, cv_in = methods.lognormal_cv_from_top_share(0.10, f["inpatient_top10_cost_share"])
    sigma_out, cv_out = methods.lognormal_cv_from_top_share(0.05, f["patient_top5_cost_share"])
    mix = methods.tier_mix(
        f["hospital_admissions_2023"],
        f["township_admissions_2023"] + f["community_admissions_2023"],
        f["hospital_cost_per_admission_2022"],
        f["tier3_public_cost_per_admission_2022q1"],
        f["tier2_public_cost_per_admission_2022q1"],
    )
    ratio3 = f["tier3_public_cost_per_admission_2022q1"] / f["tier2_public_cost_per_admission_2022q1"]
    conc = "lognormal cv from the top-decile cost share"
    rows = [
        [
            "inpatient",
            "all",
            "cv",
            f"{cv_in:.4f}",
            "ratio",
            "COSTCONC_FAN2022",
            f"{conc}: top 10% of inpatients hold 49% of cost (sigma {sigma_in:.4f})",
        ],
        [
            "outpatient",
            "all",
            "cv",
            f"{cv_out:.4f}",
            "ratio",
            "COSTCONC_YE",
            f"lognormal cv from the top-5% cost share: top 5% of patients hold 51% (sigma {sigma_out:.4f})",
        ],
        [
            "outpatient_special",
            "all",
            "cv",
            f"{cv_out:.4f}",
            "ratio",
            "COSTCONC_YE",
            f"as outpatient (sigma {sigma_out:.4f}); no separate figure for special diseases",
        ],
        [
            "outpatient_special",
            "all",
            "uses_per_patient",
            "12",
            "per_person_year",
            "S2024B",
            "assumption: one visit a month per special-disease patient (no national figure); patients = visits / 12",
        ],
    ]
    notes = {
        "tier3": (
            "implied case mix: hospitals' 2022 cost per admission between the tier-3 and tier-2 public-hospital costs "
            "(2022 Q1)"
        ),
        "tier2": "same; tier-1 hospitals folded into tier2",
        "tier1": "primary care (township and community centres) share of 2023 admissions",
    }
    for level in ("tier3", "tier2", "tier1"):
        rows.append(
            ["inpatient", level, "level_share", f"{mix[level]:.4f}", "ratio", "NHC2023;NHC2022;NHC2022Q1", notes[level]]
        )
    rows += [
        [
            "inpatient",
            "tier3",
            "level_cost_ratio",
            f"{ratio3:.4f}",
            "ratio",
            "NHC2022Q1",
            "tier-3 / tier-2 public-hospital cost per admission, 2022 Q1",
        ],
        ["inpatient", "tier2", "level_cost_ratio", "1", "ratio", "NHC2022Q1", "reference level"],
        [
            "inpatient",
            "tier1",
            "level_cost_ratio",
            "1",
            "ratio",
            "NHC2022Q1",
            "no published primary-care cost per admission: taken as tier2",
        ],
    ]
    visits, visit_notes = outpatient_level_rows(f, mix)
    rows += visits
    return rows, {
        "inpatient_sigma": sigma_in,
        "outpatient_sigma": sigma_out,
        **{f"share_{k}": v for k, v in mix.items()},
        **visit_notes,
    }


def outpatient_level_rows(f: dict, admissions_mix: dict) -> tuple[list[list], dict]:
    """General-outpatient visits by level (method 6b): primary care (township and community centres
    and stations) is tier1, village clinics village, and the hospitals' visits split into tier3 and
    tier2 as their admissions are (method 6's implied mix; the same method on the cost per visit puts
    95% of hospital visits in tier3, as the hospitals' average cost per visit, private hospitals
    included, is close to the tier-3 public hospitals': not usable). Shares of the visits at these
    four kinds of institution (2023); cost per visit relative to tier2 (2022 Q1, public hospitals)."""
    primary = f["township_visits_2023"] + f["community_centre_visits_2023"] + f["community_station_visits_2023"]
    w = admissions_mix["tier3"] / (admissions_mix["tier3"] + admissions_mix["tier2"])
    mix = {"tier3": w * f["hospital_visits_2023"], "tier2": (1 - w) * f["hospital_visits_2023"], "tier1": primary}
    counted = f["hospital_visits_2023"] + primary + f["village_visits_2023"]
    shares = {**{k: v / counted for k, v in mix.items()}, "village": f["village_visits_2023"] / counted}
    ratio3 = f["tier3_public_cost_per_visit_2022q1"] / f["tier2_public_cost_per_visit_2022q1"]
    source = "NHC2023;NHC2022;NHC2022Q1"
    notes = {
        "tier3": (
            "assumption: the hospitals' 2023 visits split between tier3 and tier2 as their admissions (method 6, "
            f"tier-3 share {w:.4f}); share of the visits at hospitals, primary care and village clinics"
        ),
        "tier2": "same; tier-1 hospitals folded into tier2",
        "tier1": "primary care (township health centres, community centres and stations) share of 2023 visits",
        "village": "village clinics' share of 2023 visits",
    }
    rows = [
        ["outpatient", level, "level_share", f"{shares[level]:.4f}", "ratio", source, notes[level]]
        for level in ("tier3", "tier2", "tier1", "village")
    ]
    rows += [
        [
            "outpatient",
            "tier3",
            "level_cost_ratio",
            f"{ratio3:.4f}",
            "ratio",
            "NHC2022Q1",
            "tier-3 / tier-2 public-hospital cost per outpatient visit, 2022 Q1",
        ],
        ["outpatient", "tier2", "level_cost_ratio", "1", "ratio", "NHC2022Q1", "reference level"],
        [
            "outpatient",
            "tier1",
            "level_cost_ratio",
            "1",
            "ratio",
            "NHC2022Q1",
            "assumption: no national primary-care cost per visit in the figures at hand: taken as tier2 (overstates "
            "primary care's share of spending)",
        ],
        [
            "outpatient",
            "village",
            "level_cost_ratio",
            "1",
            "ratio",
            "NHC2022Q1",
            "assumption: no national village-clinic cost per visit in the figures at hand: taken as tier2 (overstates "
            "the village share of spending)",
        ],
    ]
    return rows, {f"visit_share_{k}": v for k, v in shares.items()}
