"""The demography of data/china: the 2020 census by sex and age, and UN WPP 2024's medium variant.

Inputs, in ../shared/research-data (official tables transcribed by third parties; SOURCES.md
cites the publications and the transcriptions):

- census_2010_2020_pop_by_age5_sex_province.csv — 中国人口普查年鉴-2020 表1-5, 全国 by sex and age group;
- wpp2024_china_*.csv — World Population Prospects 2024 for China: death rates (mx), the age
  pattern of fertility with the period TFR, the annual TFR and sex ratio at birth, net migration
  by sex and age.

Figures are written as published (the text of the transcription). Derived: the calendar-year
period labels (:func:`buildio.wpp_period`) and net migration per year (the 5-year totals / 5).

:func:`derived_base_population` keeps the derivation data/china used before the census table by
sex and age was at hand (methods 1 and 2 of SOURCES.md); it is not used for the bundle, and
tests/test_data_china.py measures its error against the table, for bundles that lack one.
"""

from __future__ import annotations

from decimal import Decimal

import methods
import numpy as np
from buildio import GROUPS, INPUTS, REF, RESEARCH, SEXES, read, wpp_period

from forecast.inputs.tables import parse_age

CENSUS = RESEARCH / "census_2010_2020_pop_by_age5_sex_province.csv"
WPP = "WPP2024"
#: WPP 2024's 5-year projection tables start with the period 2020-2025; earlier periods are estimates
FIRST_PROJECTED_YEAR = 2020


def _group(age: str) -> str:
    """WPP's age label ('0', '1', '5', ..., '100+') -> the bundle's group ('0', '1-4', '5-9', ...)."""
    if age in ("0", "100+"):
        return age
    start = int(age)
    return "1-4" if start == 1 else f"{start}-{start + 4}"


def _variant(period: str) -> str:
    return "estimate" if int(period.split("-")[0]) < FIRST_PROJECTED_YEAR else "medium"


def census_population() -> list[list]:
    """2020 census, 全国 (31 provinces, servicemen excluded), persons by sex and age group."""
    table = {
        (r["sex"], r["age_group"]): r["population"]
        for r in read(CENSUS)
        if r["census_year"] == "2020" and r["area"] == "全国"
    }
    for g in GROUPS:
        assert int(table["male", g]) + int(table["female", g]) == int(table["both", g]), g
    for sex in (*SEXES, "both"):
        assert sum(int(table[sex, g]) for g in GROUPS) == int(table[sex, "total"]), sex
    rows = []
    for g in GROUPS:
        for sex in SEXES:
            value = int(table[sex, g])
            assert str(value) == table[sex, g], "a count not written as a plain integer"
            rows.append(
                [sex, g, value, "persons", "CENSUS2020_T15", "published: census table 1-5, 全国, by sex and age group"]
            )
    return rows


def mortality() -> tuple[list[list], methods.WppSchedule]:
    """mx by period, sex and group as published, and the same as a schedule for the cost curves."""
    source = read(RESEARCH / "wpp2024_china_mx_age5_period5.csv")
    periods = list(dict.fromkeys(r["period"] for r in source))
    index = {g: i for i, g in enumerate(GROUPS)}
    rows, mx = [], {}
    for r in source:
        for sex, column in zip(SEXES, ("mxM", "mxF")):
            rows.append(
                [
                    wpp_period(r["period"]),
                    sex,
                    _group(r["age"]),
                    "mx",
                    r[column],
                    "per_person_year",
                    WPP,
                    _variant(r["period"]),
                ]
            )
            mx.setdefault((periods.index(r["period"]), sex), np.zeros(len(GROUPS)))[index[_group(r["age"])]] = float(
                r[column]
            )
    rows.sort(key=lambda row: (row[0], SEXES.index(row[1]), index[row[2]]))
    spans = [tuple(map(int, wpp_period(p).split("-"))) for p in periods]
    return rows, methods.WppSchedule(spans, [parse_age(g) for g in GROUPS], mx)


def fertility() -> list[list]:
    """ASFR = period TFR × pasfr / 100 / 5 (asfr_DERIVED of the transcription, 6 decimals)."""
    return [
        [
            wpp_period(r["period"]),
            r["age"],
            r["asfr_DERIVED"],
            "per_person_year",
            WPP,
            "estimate" if "estimate" in r["tfr_source"] else "medium",
        ]
        for r in read(RESEARCH / "wpp2024_china_pasfr_age5_period5.csv")
    ]


def _annual_variants() -> dict[str, str]:
    """Estimate or medium by year, as the annual TFR file marks them (estimates to 2023)."""
    return {
        r["year"]: "estimate" if r["kind"] == "estimate" else "medium"
        for r in read(RESEARCH / "wpp2024_china_tfr_annual.csv")
    }


def total_fertility() -> list[list]:
    variant = _annual_variants()
    return [
        [r["year"], r["tfr"], "births/woman", WPP, variant[r["year"]]]
        for r in read(RESEARCH / "wpp2024_china_tfr_annual.csv")
    ]


def sex_ratio_at_birth() -> list[list]:
    """Annual SRB (single-year periods); the variant as the annual TFR file marks the year."""
    variant = _annual_variants()
    return [
        [r["year"], r["srb"], "ratio", WPP, variant[r["year"]]]
        for r in read(RESEARCH / "wpp2024_china_sex_ratio_at_birth_annual.csv")
    ]


def per_year(thousands_in_period: str) -> str:
    """A WPP 5-year total in thousands -> persons a year: × 1000 / 5, in exact decimals.

    >>> per_year("-58.411"), per_year("0.005"), per_year("-0.000")
    ('-11682.2', '1', '0')
    """
    value = (Decimal(thousands_in_period) * 200).normalize()
    return format(value + 0, "f")  # + 0 turns -0 into 0


def migration() -> list[list]:
    """Net migrants a year by period, sex and group; the published 5-year total kept beside."""
    rows = []
    for r in read(RESEARCH / "wpp2024_china_net_migration_projection_age5_period5_thousands.csv"):
        for sex, column in zip(SEXES, ("migM", "migF")):
            rows.append(
                [wpp_period(r["period"]), sex, r["age"], per_year(r[column]), "persons", WPP, "medium", r[column]]
            )
    return rows


FILES = {
    "base_population": ["CENSUS2020_T15"],
    "mortality": [WPP],
    "fertility": [WPP],
    "total_fertility": [WPP],
    "sex_ratio_at_birth": [WPP],
    "migration": [WPP],
}
HEADERS = {
    "base_population": ["sex", "age", "value", "unit", "source", "method"],
    "mortality": ["year", "sex", "age", "measure", "value", "unit", "source", "variant"],
    "fertility": ["year", "age", "value", "unit", "source", "variant"],
    "total_fertility": ["year", "value", "unit", "source", "variant"],
    "sex_ratio_at_birth": ["year", "value", "unit", "source", "variant"],
    "migration": ["year", "sex", "age", "value", "unit", "source", "variant", "wpp_thousands_in_period"],
}


# --------------------------------------------------------------------------- the old derivation

CENSUS_YEAR = 2020 + 10 / 12  # 1 November 2020
SEX_RATIO_TABLE_YEAR = 2017  # the WPP 2022 2015-2019 period life table, the last before the census


def _wpp2022_schedule() -> methods.WppSchedule:
    rows = read(REF / "wpp2022_china_mx_age5_period5.csv")
    periods = sorted({r["period"] for r in rows})
    index = {g: i for i, g in enumerate(GROUPS)}
    mx = {}
    for r in rows:
        mx.setdefault((periods.index(r["period"]), r["sex"]), np.zeros(len(GROUPS)))[index[r["age_group"]]] = float(
            r["mx"]
        )
    return methods.WppSchedule(
        [tuple(map(int, wpp_period(p).split("-"))) for p in periods], [parse_age(g) for g in GROUPS], mx
    )


def _wpp2022_srb():
    spans = [
        (tuple(map(int, wpp_period(r["period"]).split("-"))), float(r["srb_male_per_female"]))
        for r in read(REF / "wpp2022_china_srb_period5.csv")
    ]

    def srb(year: int) -> float:
        for (a, b), v in spans:
            if a <= year <= b:
                return v
        return spans[0][1] if year < spans[0][0][0] else spans[-1][1]

    return srb


def derived_base_population() -> dict[tuple[str, str], int]:
    """Persons by (sex, group) from what the bulletins publish without a table by sex and age.

    Both-sexes counts by group from 10-14 up (census table 1-5, ../shared/reference-data); 0-9 =
    the bulletin's 0-14 less 10-14, split by reverse survival of NBS births (method 1); the sex
    split by stationary-population sex ratios of the WPP 2022 2015-2019 life table, raked to the
    31-province male total of bulletins No. 3 and 4 (method 2).
    """
    schedule, srb = _wpp2022_schedule(), _wpp2022_srb()
    census = {
        r["age_group"]: int(r["population"])
        for r in read(REF / "census_national_age5_both_sexes_partial.csv")
        if r["census_year"] == "2020"
    }
    indicators = {r["indicator"]: float(r["value"]) for r in read(REF / "china2020_national_indicators.csv")}
    under10 = int(indicators["total_population_31_provinces_DERIVED"]) - sum(census.values())
    assert under10 == int(indicators["age_0_14"]) - census["10-14"], "0-9 by two routes"

    births = {int(r["year"]): float(r["value"]) * 1e4 for r in read(INPUTS / "nbs_births.csv")}
    young = methods.reverse_survival_cohorts(range(10), CENSUS_YEAR, births.__getitem__, schedule, srb)
    single = methods.largest_remainder_round(
        (young["male"] + young["female"]) / (young["male"] + young["female"]).sum() * under10, under10
    )
    spans = {"0": slice(0, 1), "1-4": slice(1, 5), "5-9": slice(5, 10)}
    totals = np.array([single[spans[g]].sum() if g in spans else census[g] for g in GROUPS], dtype=float)
    odds = []
    for g in GROUPS:
        if g in spans:
            odds.append(young["male"][spans[g]].sum() / young["female"][spans[g]].sum())
            continue
        start, end = parse_age(g)
        ratios = [
            methods.period_sex_ratio(a, srb(2020 - a), schedule, SEX_RATIO_TABLE_YEAR)
            for a in range(start, (end if end is not None else start + 4) + 1)
        ]
        share = float(np.mean([sr / (1 + sr) for sr in ratios]))
        odds.append(share / (1 - share))
    provinces = read(REF / "census2020_province_population_sex_age_structure.csv")
    male_total = sum(
        float(r["population_2020"]) * float(r["male_pct"]) / 100
        for r in provinces
        if r["area"] not in ("全国", "现役军人")
    )
    males = methods.largest_remainder_round(
        methods.rake_sex_split(totals, np.array(odds), male_total), int(round(male_total))
    )
    out = {}
    for g, t, m in zip(GROUPS, totals.astype(np.int64), males):
        out["male", g], out["female", g] = int(m), int(t - m)
    return out
