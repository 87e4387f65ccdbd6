"""The demography of data/china: base population by sex and age, mortality, fertility, sex ratio
at birth (../shared/reference-data: the 2020 census and UN WPP 2022; data/build/inputs/nbs_births.csv).

The base population's 0-9 groups and its sex split are derived by methods 1 and 2 of
data/china/SOURCES.md (methods.py); the WPP schedules are carried in as published.
"""

from __future__ import annotations

import methods
import numpy as np
from buildio import GROUPS, INPUTS, REF, read, wpp_period

from forecast.inputs.tables import parse_age

CENSUS_YEAR = 2020 + 10 / 12  # 1 November 2020
SEX_RATIO_TABLE_YEAR = 2017  # the WPP 2015-2019 period life table, the last before the census


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
