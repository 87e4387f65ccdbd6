"""Build the CSV files of data/china from the official figures they come from.

Run from the project root:  .venv/bin/python data/build/china.py
Inputs: ../shared/reference-data (official figures, carried in with their sources) and
data/build/inputs/*.csv (official figures read from public pages, each row with its URL).
The derived tables (base population by sex; cost curves; disability prevalence) are made
by the named methods in methods.py; data/china/SOURCES.md describes each.

A test (tests/test_data_china.py) re-runs this script into a temporary folder and checks
that the committed files are exactly what it produces.
"""

from __future__ import annotations

import csv
import os
import sys
from decimal import Decimal
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

import methods  # noqa: E402

from forecast.inputs.tables import parse_age  # noqa: E402

REF = Path(os.environ.get("FORECAST_SHARED", ROOT.parent / "shared")) / "reference-data"
INPUTS = HERE / "inputs"
CENSUS_YEAR = 2020 + 10 / 12  # 1 November 2020
GROUPS = ["0", "1-4"] + [f"{a}-{a + 4}" for a in range(5, 100, 5)] + ["100+"]
SEX_RATIO_TABLE_YEAR = 2017  # the WPP 2015-2019 period life table, the last before the census
PREF = ["bulletin_final", "quick_report_preliminary", "shuzhiku_series", "monthly_indicator"]


def read(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def write(path: Path, header: list[str], rows: list[list]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def wpp_period(label: str) -> str:
    """WPP period '2020-2025' (1 July 2020 to 30 June 2025) -> calendar years '2020-2024'."""
    a, b = label.split("-")
    return f"{a}-{int(b) - 1}"


# --------------------------------------------------------------------------- demography


def wpp_schedule():
    rows = read(REF / "wpp2022_china_mx_age5_period5.csv")
    periods = sorted({r["period"] for r in rows})
    spans = [tuple(map(int, wpp_period(p).split("-"))) for p in periods]
    groups = [parse_age(g) for g in GROUPS]
    index = {g: i for i, g in enumerate(GROUPS)}
    mx = {}
    for r in rows:
        key = (periods.index(r["period"]), r["sex"])
        mx.setdefault(key, np.zeros(len(GROUPS)))[index[r["age_group"]]] = float(r["mx"])
    return methods.WppSchedule(spans, groups, mx), rows


def srb_lookup():
    rows = read(REF / "wpp2022_china_srb_period5.csv")
    spans = [(tuple(map(int, wpp_period(r["period"]).split("-"))), float(r["srb_male_per_female"])) for r in rows]

    def srb(year: int) -> float:
        for (a, b), v in spans:
            if a <= year <= b:
                return v
        return spans[0][1] if year < spans[0][0][0] else spans[-1][1]

    return srb, rows


def census_male_total_31() -> float:
    """Males in the 31 provinces: Σ population × male share (bulletins No. 3 and No. 4)."""
    rows = read(REF / "census2020_province_population_sex_age_structure.csv")
    return sum(float(r["population_2020"]) * float(r["male_pct"]) / 100 for r in rows if r["area"] not in ("全国", "现役军人"))


def base_population(schedule, srb) -> tuple[list[list], dict]:
    census = {r["age_group"]: int(r["population"]) for r in read(REF / "census_national_age5_both_sexes_partial.csv") if r["census_year"] == "2020"}
    indicators = {r["indicator"]: float(r["value"]) for r in read(REF / "china2020_national_indicators.csv")}
    total_31 = int(indicators["total_population_31_provinces_DERIVED"])
    under10 = total_31 - sum(census.values())
    assert under10 == int(indicators["age_0_14"]) - census["10-14"], "0-9 by two routes"

    births = {int(r["year"]): float(r["value"]) * 1e4 for r in read(INPUTS / "nbs_births.csv")}
    young = methods.reverse_survival_cohorts(range(10), CENSUS_YEAR, births.__getitem__, schedule, srb)
    single = young["male"] + young["female"]
    single_int = methods.largest_remainder_round(single / single.sum() * under10, under10)
    young_totals = {"0": single_int[0], "1-4": single_int[1:5].sum(), "5-9": single_int[5:10].sum()}
    young_odds = {
        "0": young["male"][0] / young["female"][0],
        "1-4": young["male"][1:5].sum() / young["female"][1:5].sum(),
        "5-9": young["male"][5:10].sum() / young["female"][5:10].sum(),
    }
    totals = np.array([young_totals.get(g, census.get(g)) for g in GROUPS], dtype=float)
    odds = []
    for g in GROUPS:
        if g in young_odds:
            odds.append(young_odds[g])
            continue
        start, end = parse_age(g)
        ages = range(start, (end if end is not None else start + 4) + 1)
        ratios = (methods.period_sex_ratio(a, srb(2020 - a), schedule, SEX_RATIO_TABLE_YEAR) for a in ages)
        shares = [sr / (1 + sr) for sr in ratios]
        share = float(np.mean(shares))
        odds.append(share / (1 - share))
    male_total = census_male_total_31()
    males = methods.rake_sex_split(totals, np.array(odds), male_total)
    males_int = methods.largest_remainder_round(males, int(round(male_total)))
    rows = []
    for g, t, m in zip(GROUPS, totals.astype(np.int64), males_int):
        method = "published both-sexes count (census table 1-5)" if g in census else "0-9 total (bulletin 0-14 minus 10-14) split by reverse survival of NBS births"
        src = "CENSUS2020_T15;CENSUS2020_B" if g in census else "CENSUS2020_B;NBS_BIRTHS;WPP2022"
        method += "; sex split by stationary-population sex ratios (WPP 2015-2019 life table) raked to the 31-province male total"
        rows.append(["male", g, int(m), "persons", src + ";WPP2022", method])
        rows.append(["female", g, int(t - m), "persons", src + ";WPP2022", method])
    return rows, {"male_total": male_total, "under10": under10}


def mortality(rows) -> list[list]:
    return [[wpp_period(r["period"]), r["sex"], r["age_group"], "mx", r["mx"], "per_person_year", "WPP2022", r["variant"]] for r in rows]


def fertility() -> list[list]:
    out = []
    for r in read(REF / "wpp2022_china_fertility_age5_period5.csv"):
        out.append([wpp_period(r["period"]), r["age_group"], r["asfr_DERIVED_per_woman_per_year"], "per_person_year", "WPP2022", r["variant"]])
    return out


def total_fertility() -> list[list]:
    return [[r["year"], r["tfr"], "births/woman", "WPP2022", r["variant"]] for r in read(REF / "wpp2022_china_tfr_annual.csv")]


def sex_ratio_at_birth(rows) -> list[list]:
    return [[wpp_period(r["period"]), r["srb_male_per_female"], "ratio", "WPP2022", r["variant"]] for r in rows]


# --------------------------------------------------------------------------- insurance


class Nhsa:
    """The NHSA figures at hand, keyed by (year, scheme, indicator) -> {report_type: row}."""

    def __init__(self):
        self.rows: dict = {}
        for r in read(REF / "nhsa_fund_annual_2018_2024.csv"):
            self.rows.setdefault((int(r["year"]), r["scheme"], r["indicator"]), {})[r["report_type"]] = r

    def pick(self, year, scheme, indicator, allowed=PREF):
        found = self.rows.get((year, scheme, indicator), {})
        for kind in allowed:
            if kind in found:
                return found[kind]
        return None


def series(nhsa: Nhsa, years, scheme, indicator, allowed=PREF, overrides=None):
    """One row per year: (value string, unit, report_type, source, note); blanks where absent."""
    out = {}
    for y in years:
        if overrides and y in overrides:
            out[y] = overrides[y]
            continue
        r = nhsa.pick(y, scheme, indicator, allowed)
        out[y] = (r["value"], r["unit"], r["report_type"], r["source_id"], r["note"]) if r else ("", None, "not_available", "", "not in the published figures at hand")
    return out


def derived(nhsa: Nhsa, year, terms, unit, formula, kind="bulletin_final"):
    """A figure derived from published ones by + and - (exact decimal arithmetic)."""
    total, sources = Decimal(0), []
    for sign, scheme, indicator in terms:
        r = nhsa.pick(year, scheme, indicator, [kind])
        total += Decimal(r["value"]) * sign
        sources.append(r["source_id"])
    return (str(total), unit, "derived", ";".join(dict.fromkeys(sources)), formula)


def insured_rows(nhsa: Nhsa) -> list[list]:
    years = range(2018, 2025)
    ncms2018 = derived(nhsa, 2018, [(1, "urrbmi", "insured"), (1, "ncms", "insured")], "万人", "URRBMI 89736 + NCMS 13000 (2018 bulletin): residents incl. the not-yet-integrated NCMS")
    split2021 = {
        "in_service": ("26106", "万人", "bulletin_final", "S2021B", "2021 bulletin full text (临西县医疗保障局 repost)"),
        "retired": ("9324", "万人", "bulletin_final", "S2021B", "2021 bulletin full text (临西县医疗保障局 repost)"),
    }
    spec = [
        ("employee", "all", series(nhsa, years, "uebmi", "insured")),
        ("employee", "in_service", series(nhsa, years, "uebmi", "insured_in_service", overrides={2021: split2021["in_service"]})),
        ("employee", "retired", series(nhsa, years, "uebmi", "insured_retirees", overrides={2021: split2021["retired"]})),
        ("resident", "all", series(nhsa, years, "urrbmi", "insured", overrides={2018: ncms2018})),
        ("ltci", "all", series(nhsa, range(2023, 2025), "ltci", "insured")),
    ]
    return [[y, pool, status, v, u or "万人", kind, src, note] for pool, status, s in spec for y, (v, u, kind, src, note) in s.items()]


def fund_rows(nhsa: Nhsa) -> list[list]:
    years = range(2018, 2025)
    yi = "亿元"
    res2018 = {
        "income": derived(nhsa, 2018, [(1, "urrbmi", "income"), (1, "ncms", "income")], yi, "URRBMI 6971 + NCMS 875 (2018 bulletin)"),
        "expenditure": derived(nhsa, 2018, [(1, "urrbmi", "expenditure"), (1, "ncms", "expenditure")], yi, "URRBMI 6277 + NCMS 839 (2018 bulletin)"),
    }
    pooled_reserve = {
        y: derived(nhsa, y, [(1, "basic_total", "accumulated_balance"), (-1, "uebmi_ia", "accumulated_balance"), (-1, "urrbmi", "accumulated_balance")], yi, "basic total reserve - employee individual accounts - resident reserve (bulletin)")
        for y in (2021, 2022)
    }
    pooled_reserve.update(
        {y: derived(nhsa, y, [(1, "basic_pooled", "accumulated_balance"), (-1, "urrbmi", "accumulated_balance")], yi, "basic pooled-fund reserve - resident reserve (bulletin)") for y in (2023, 2024)}
    )
    total_reserve = {
        y: derived(nhsa, y, [(1, "basic_total", "accumulated_balance"), (-1, "urrbmi", "accumulated_balance")], yi, "basic total reserve - resident reserve (bulletin)") for y in (2021, 2022)
    }
    ia_2024 = Decimal("14471.75")  # bulletin text: 个人账户累计结存14471.75亿元
    ia_balance_2024 = Decimal(nhsa.pick(2024, "uebmi_ia", "income")["value"]) - Decimal(nhsa.pick(2024, "uebmi_ia", "expenditure")["value"])
    mirror = "2024 bulletin text (个人账户累计结存14471.75亿元) via the mirror http://blog.lgjyuntun.com/p?id=8795594"
    ia_reserve = {
        2024: (str(ia_2024), yi, "bulletin_final", "S2024B", mirror),
        2023: (str(ia_2024 - ia_balance_2024), yi, "derived", "S2024B", "2024 reserve minus the 2024 balance (income 6390.01 - expenditure 5879.83)"),
    }
    employee_total = {
        y: (str(Decimal(pooled_reserve[y][0]) + Decimal(ia_reserve[y][0])), yi, "derived", "S2023B;S2024B", "pooled-fund reserve + individual-account reserve")
        for y in (2023, 2024)
    }
    spec = [
        ("employee", "total", "income", series(nhsa, years, "uebmi", "income")),
        ("employee", "total", "expenditure", series(nhsa, years, "uebmi", "expenditure")),
        ("employee", "total", "reserve", series(nhsa, years, "uebmi", "accumulated_balance", overrides={**total_reserve, **employee_total})),
        ("employee", "total", "contribution_income", series(nhsa, range(2020, 2023), "uebmi", "income_contributions")),
        ("employee", "pooled_fund", "income", series(nhsa, range(2023, 2025), "uebmi_pooled", "income")),
        ("employee", "pooled_fund", "expenditure", series(nhsa, range(2023, 2025), "uebmi_pooled", "expenditure")),
        ("employee", "pooled_fund", "reserve", series(nhsa, range(2019, 2025), "uebmi_pooled", "accumulated_balance", overrides=pooled_reserve)),
        ("employee", "individual_account", "income", series(nhsa, range(2023, 2025), "uebmi_ia", "income")),
        ("employee", "individual_account", "expenditure", series(nhsa, range(2023, 2025), "uebmi_ia", "expenditure")),
        ("employee", "individual_account", "reserve", series(nhsa, range(2019, 2025), "uebmi_ia", "accumulated_balance", overrides=ia_reserve)),
        ("employee", "individual_account", "mutual_aid_expenditure", series(nhsa, range(2024, 2025), "uebmi_ia", "mutual_aid_usage")),
        ("employee", "maternity", "expenditure", series(nhsa, years, "maternity", "fund_expenditure")),
        ("resident", "total", "income", series(nhsa, years, "urrbmi", "income", overrides={2018: res2018["income"]})),
        ("resident", "total", "expenditure", series(nhsa, years, "urrbmi", "expenditure", overrides={2018: res2018["expenditure"]})),
        ("resident", "total", "balance", series(nhsa, range(2021, 2025), "urrbmi", "current_balance")),
        ("resident", "total", "reserve", series(nhsa, range(2019, 2025), "urrbmi", "accumulated_balance")),
        ("medical_assistance", "total", "expenditure", series(nhsa, years, "medical_assistance", "expenditure")),
        ("ltci", "total", "income", series(nhsa, range(2023, 2025), "ltci", "income")),
        ("ltci", "total", "expenditure", series(nhsa, range(2023, 2025), "ltci", "expenditure")),
        ("basic", "total", "income", series(nhsa, years, "basic_total", "income")),
        ("basic", "total", "expenditure", series(nhsa, years, "basic_total", "expenditure")),
        ("basic", "total", "balance", series(nhsa, range(2021, 2023), "basic_total", "current_balance")),
        ("basic", "total", "reserve", series(nhsa, range(2018, 2023), "basic_total", "accumulated_balance")),
        ("basic", "pooled_fund", "reserve", series(nhsa, range(2023, 2025), "basic_pooled", "accumulated_balance")),
        ("basic", "pooled_fund", "balance", series(nhsa, range(2023, 2025), "basic_pooled", "current_balance")),
    ]
    return [[y, pool, acc, item, v, u or yi, kind, src, note] for pool, acc, item, s in spec for y, (v, u, kind, src, note) in s.items()]


def financing_rows() -> list[list]:
    rows = []
    for r in read(REF / "urrbmi_financing_standards.csv"):
        if not r["fiscal_subsidy_min_yuan_per_person"]:
            continue  # 2025: the national notice was not found
        note = r["document"]
        rows.append([r["year"], "resident", "fiscal_subsidy", r["fiscal_subsidy_min_yuan_per_person"], "yuan/person/year", "URRBMI_NOTICES", f"minimum per-capita fiscal subsidy; {note}"])
        rows.append([r["year"], "resident", "individual_contribution", r["individual_contribution_yuan_per_person"], "yuan/person/year", "URRBMI_NOTICES", f"per-capita individual contribution; {note}"])
    rows += [
        [1998, "employee", "employer_rate", "0.06", "ratio", "POLICY_1998", "控制在职工工资总额的6%左右 (local rates vary, e.g. 6%-10%)"],
        [1998, "employee", "employee_rate", "0.02", "ratio", "POLICY_1998", "一般为本人工资收入的2%"],
        [1998, "employee", "individual_account_employer_share", "0.30", "ratio", "POLICY_1998", "一般为用人单位缴费的30%左右 credited to individual accounts (plus the whole employee contribution)"],
        [2021, "employee", "individual_account_employer_share", "0", "ratio", "POLICY_2021_IA", "outpatient mutual-aid reform: employer contribution goes entirely to the pooled fund (local implementation 2021-2023)"],
        [2012, "critical_illness", "critical_illness_reimbursement_ratio", "0.5", "ratio", "CI_2012", "actual reimbursement at least 50% (original rule)"],
        [2019, "critical_illness", "critical_illness_reimbursement_ratio", "0.6", "ratio", "CI_2019", "policy-scope reimbursement raised from 50% to 60%"],
        [2019, "critical_illness", "critical_illness_threshold_income_share", "0.5", "ratio", "CI_2019", "threshold in principle 50% of previous-year per-capita disposable income"],
    ]
    return rows


# --------------------------------------------------------------------------- curves


def cost_curve_rows(schedule, pop_rows) -> tuple[list[list], float]:
    """Mortality-proxy cost curve calibrated to the 2024 UEBMI retiree / in-service cost ratio."""
    figures = {r["figure"]: float(r["value"]) for r in read(INPUTS / "published_figures.csv")}
    nhsa = Nhsa()
    retirees = float(nhsa.pick(2024, "uebmi", "insured_retirees")["value"])
    in_service = float(nhsa.pick(2024, "uebmi", "insured_in_service")["value"])
    target = (figures["uebmi_retiree_medical_cost_2024"] / retirees) / (figures["uebmi_in_service_medical_cost_2024"] / in_service)
    pop = {(r[0], r[1]): r[2] for r in pop_rows}
    period = next(i for i, (a, b) in enumerate(schedule.periods) if a <= 2022 <= b)
    mx = np.array([(pop["male", g] * schedule.mx[(period, "male")][i] + pop["female", g] * schedule.mx[(period, "female")][i]) / (pop["male", g] + pop["female", g]) for i, g in enumerate(GROUPS)])

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
    theta, curve = methods.mortality_proxy_cost_curve(mx, weights(in_service_share), weights(retired_share), target, reference)
    rows = []
    for service in ("inpatient", "outpatient"):
        for sex in ("male", "female"):
            for g, c in zip(GROUPS, curve):
                rows.append([service, sex, g, f"{c:.4f}", "ratio", "WPP2022;BULLETIN2024_COSTS;S2024B", "mortality-proxy curve (mx^θ)"])
    return rows, {"theta": theta, "target_ratio": target}


def disability_rows(pop_rows) -> tuple[list[list], dict]:
    figures = {r["figure"]: float(r["value"]) for r in read(INPUTS / "published_figures.csv")}
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
    rows = [[s, g, f"{p:.4f}", "ratio", "DISAB_META2023;DISAB_SURVEY2015;CENSUS2020_T15", "logistic age-sex model"] for s in ("male", "female") for g, p in zip(old, curves[s])]
    return rows, {"alpha": alpha, "beta": beta, "gamma": gamma}


def utilisation_rows() -> list[list]:
    """NHSA bulletin benefit-use figures, as typed in inputs/nhsa_utilisation.csv."""
    return [[r["year"], r["pool"], r["service"], r["indicator"], r["value"], r["unit"], r["source"]] for r in read(INPUTS / "nhsa_utilisation.csv")]


def monthly_rows() -> list[list]:
    """NHSA monthly cumulative fund figures, as typed in inputs/nhsa_monthly.csv."""
    return [[r["year"], r["month"], r["pool"], r["item"], r["value"], r["unit"], r["source"]] for r in read(INPUTS / "nhsa_monthly.csv")]


def claim_size_rows() -> tuple[list[list], dict]:
    """Claim-size dispersion from published cost concentration; case mix from NHC figures."""
    f = {r["figure"]: float(r["value"]) for r in read(INPUTS / "published_figures.csv")}
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
        ["inpatient", "all", "cv", f"{cv_in:.4f}", "ratio", "COSTCONC_FAN2022", f"{conc}: top 10% of inpatients hold 49% of cost (sigma {sigma_in:.4f})"],
        ["outpatient", "all", "cv", f"{cv_out:.4f}", "ratio", "COSTCONC_YE", f"lognormal cv from the top-5% cost share: top 5% of patients hold 51% (sigma {sigma_out:.4f})"],
        ["outpatient_special", "all", "cv", f"{cv_out:.4f}", "ratio", "COSTCONC_YE", f"as outpatient (sigma {sigma_out:.4f}); no separate figure for special diseases"],
        ["outpatient_special", "all", "uses_per_patient", "12", "per_person_year", "S2024B", "assumption: one visit a month per special-disease patient (no national figure); patients = visits / 12"],
    ]
    notes = {
        "tier3": "implied case mix: hospitals' 2022 cost per admission between the tier-3 and tier-2 public-hospital costs (2022 Q1)",
        "tier2": "same; tier-1 hospitals folded into tier2",
        "tier1": "primary care (township and community centres) share of 2023 admissions",
    }
    for level in ("tier3", "tier2", "tier1"):
        rows.append(["inpatient", level, "level_share", f"{mix[level]:.4f}", "ratio", "NHC2023;NHC2022;NHC2022Q1", notes[level]])
    rows += [
        ["inpatient", "tier3", "level_cost_ratio", f"{ratio3:.4f}", "ratio", "NHC2022Q1", "tier-3 / tier-2 public-hospital cost per admission, 2022 Q1"],
        ["inpatient", "tier2", "level_cost_ratio", "1", "ratio", "NHC2022Q1", "reference level"],
        ["inpatient", "tier1", "level_cost_ratio", "1", "ratio", "NHC2022Q1", "no published primary-care cost per admission: taken as tier2"],
    ]
    return rows, {"inpatient_sigma": sigma_in, "outpatient_sigma": sigma_out, **{f"share_{k}": v for k, v in mix.items()}}


def sources_register() -> dict:
    """The source register: ../shared/reference-data/sources.csv plus sources_extra.yaml."""
    import yaml

    register = {}
    for r in read(REF / "sources.csv"):
        entry = {"title": r["title"], "publisher": r["publisher_date"]}
        if r["primary_url"].startswith("http"):
            entry["url"] = r["primary_url"]
        entry["read_via"] = r["read_via"]
        entry["reliability"] = r["reliability"]
        register[r["source_id"]] = entry
    register["S2021B"]["read_via"] += "; full text reposted by 临西县医疗保障局 2022-06-27 at http://info.linxi.gov.cn/content/45224.html (in-service/retiree split)"
    with open(HERE / "sources_extra.yaml", encoding="utf-8") as f:
        register.update(yaml.safe_load(f))
    return register


FILES = {
    "base_population": ["CENSUS2020_T15", "CENSUS2020_B", "NBS_BIRTHS", "WPP2022"],
    "mortality": ["WPP2022"],
    "fertility": ["WPP2022"],
    "total_fertility": ["WPP2022"],
    "sex_ratio_at_birth": ["WPP2022"],
    "insured": ["S2018B", "S2019B", "S2019B2", "S2020B", "S2020K", "S2021B", "S2022B", "S2022K", "S2023B", "S2024B"],
    "fund_history": ["S2018B", "S2019B", "S2019B2", "S2019K", "S2020B", "S2020B2", "S2020K", "S2021B", "S2022B", "S2022K", "S2023B", "S2024B", "SSZK"],
    "financing": ["URRBMI_NOTICES", "POLICY_1998", "POLICY_2021_IA", "CI_2012", "CI_2019"],
    "cost_curves": ["WPP2022", "BULLETIN2024_COSTS", "S2024B"],
    "disability_prevalence": ["DISAB_META2023", "DISAB_SURVEY2015", "CENSUS2020_T15"],
    "utilisation": ["S2023B", "S2024B"],
    "monthly_fund": ["NHSA_MONTHLY"],
    "claim_sizes": ["COSTCONC_FAN2022", "COSTCONC_YE", "NHC2023", "NHC2022", "NHC2022Q1", "S2024B"],
}


def region_yaml(out: Path) -> None:
    import yaml

    meta = {
        "name": "中国",
        "name_en": "China (31 provinces)",
        "level": "national",
        "base_year": 2020,
        "population_date": __import__("datetime").date(2020, 11, 1),
        "currency": "CNY",
        "description": (
            "National default bundle. Population basis: the 31 provinces (the census excludes the 2,000,000 "
            "active servicemen from its tables by age). Fund figures: NHSA statistical bulletins 2018-2024. "
            "Generated by data/build/china.py; see SOURCES.md for every table's source and method."
        ),
        "files": {name: {"path": f"{name}.csv", "sources": ids} for name, ids in FILES.items()},
        "sources": sources_register(),
    }
    text = "# Generated by data/build/china.py from ../shared/reference-data and data/build/inputs; do not edit by hand.\n"
    text += yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=120)
    (out / "region.yaml").write_text(text, encoding="utf-8")


def build(out: Path) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    schedule, mx_rows = wpp_schedule()
    srb, srb_rows = srb_lookup()
    pop_rows, pop_info = base_population(schedule, srb)
    write(out / "base_population.csv", ["sex", "age", "value", "unit", "source", "method"], pop_rows)
    write(out / "mortality.csv", ["year", "sex", "age", "measure", "value", "unit", "source", "variant"], mortality(mx_rows))
    write(out / "fertility.csv", ["year", "age", "value", "unit", "source", "variant"], fertility())
    write(out / "total_fertility.csv", ["year", "value", "unit", "source", "variant"], total_fertility())
    write(out / "sex_ratio_at_birth.csv", ["year", "value", "unit", "source", "variant"], sex_ratio_at_birth(srb_rows))
    nhsa = Nhsa()
    write(out / "insured.csv", ["year", "pool", "status", "value", "unit", "report_type", "source", "note"], insured_rows(nhsa))
    write(out / "fund_history.csv", ["year", "pool", "account", "item", "value", "unit", "report_type", "source", "note"], fund_rows(nhsa))
    write(out / "financing.csv", ["year", "pool", "parameter", "value", "unit", "source", "note"], financing_rows())
    cost, cost_info = cost_curve_rows(schedule, pop_rows)
    write(out / "cost_curves.csv", ["service", "sex", "age", "value", "unit", "source", "method"], cost)
    dis, dis_info = disability_rows(pop_rows)
    write(out / "disability_prevalence.csv", ["sex", "age", "value", "unit", "source", "method"], dis)
    write(out / "utilisation.csv", ["year", "pool", "service", "indicator", "value", "unit", "source"], utilisation_rows())
    write(out / "monthly_fund.csv", ["year", "month", "pool", "item", "value", "unit", "source"], monthly_rows())
    claims, claim_info = claim_size_rows()
    write(out / "claim_sizes.csv", ["service", "level", "parameter", "value", "unit", "source", "method"], claims)
    region_yaml(out)
    return {**pop_info, **cost_info, **dis_info, **claim_info}


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "data" / "china"
    info = build(target)
    for k, v in info.items():
        print(f"{k}: {v}")
