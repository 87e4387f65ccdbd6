"""data/china reproduces the official figures it cites.

Published tables reproduced here:
- 第七次全国人口普查公报 No. 3-5 and 中国人口普查年鉴-2020 table 1-5 (both sexes, 5-year groups), as
  carried in ../shared/reference-data: group counts exactly, totals exactly.
- NHSA 全国医疗保障事业发展统计公报 2018-2024 (and 快报 where no bulletin figure exists): every figure
  verbatim, derived figures by their stated formula, cross-checked with derived_fund_indicators.csv.
"""

from __future__ import annotations

import csv
from decimal import Decimal

import numpy as np
import pytest

from .conftest import CHINA, REFERENCE, RESEARCH, assert_build_reproduces, need


def rows(path):
    with open(path, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_every_csv_in_the_bundle_is_listed_with_a_source(china):
    on_disk = {p.name for p in CHINA.glob("*.csv")}
    listed = {spec["path"] for spec in china.files.values()}
    assert on_disk == listed
    for name, spec in china.files.items():
        assert spec["sources"], name
        for sid in spec["sources"]:
            assert "title" in china.sources[sid], sid
    assert (CHINA / "SOURCES.md").is_file()


def test_base_population_reproduces_the_census_totals(china):
    """31-province total 1,409,778,724 (bulletin No. 3), 0-14 253,383,938 and 65+ 190,635,280 (No. 5): exact."""
    pop = china.base_population
    both = pop.sum("sex")
    assert int(pop.sum()) == 1_409_778_724
    assert int(both.where(both.age_start < 15, 0).sum()) == 253_383_938
    assert int(both.where(both.age_start >= 65, 0).sum()) == 190_635_280
    assert pop.attrs["units"] == "persons"


def test_base_population_groups_10_plus_are_the_census_counts(china):
    need(REFERENCE)
    census = {r["age_group"]: int(r["population"]) for r in rows(REFERENCE / "census_national_age5_both_sexes_partial.csv") if r["census_year"] == "2020"}
    both = china.base_population.sum("sex")
    for group, count in census.items():
        assert int(both.sel(age_group=group)) == count, group


def test_male_total_lies_within_the_bulletin_bounds(china):
    """Bulletin No. 4: 723,339,956 males including the 2,000,000 servicemen, whose sex split is not
    published; so the 31-province male total lies between 721,339,956 and 723,339,956."""
    males = int(china.base_population.sel(sex="male").sum())
    assert 723_339_956 - 2_000_000 <= males <= 723_339_956


def test_sex_totals_match_the_census_table_by_sex(china):
    """Census table 1-5 (research-data): 721,416,394 males. The bundle estimates the male total from the
    provincial populations and male shares (two decimals); tolerance 0.01%."""
    table = rows(need(RESEARCH) / "census_2010_2020_pop_by_age5_sex_province.csv")
    census = {(r["sex"], r["age_group"]): int(r["population"]) for r in table if r["census_year"] == "2020" and r["area"] == "全国"}
    males = float(china.base_population.sel(sex="male").sum())
    assert males == pytest.approx(census["male", "total"], rel=1e-4)


# Measured error of the derived sex split against census table 1-5 by sex (SOURCES.md quotes these):
# ages 10-59 within 1.9%; 60-79 within 6.6%; 0-9 within 10.2% (allocation of the 0-9 total by births).
SEX_SPLIT_TOLERANCE = [(0, 10, 0.11), (10, 60, 0.025), (60, 80, 0.075)]


def test_sex_split_against_the_census_table_by_sex(china):
    table = rows(need(RESEARCH) / "census_2010_2020_pop_by_age5_sex_province.csv")
    census = {(r["sex"], r["age_group"]): int(r["population"]) for r in table if r["census_year"] == "2020" and r["area"] == "全国"}
    pop = china.base_population
    for sex in ("male", "female"):
        for group, start in zip(pop.age_group.values, pop.age_start.values):
            for low, high, tol in SEX_SPLIT_TOLERANCE:
                if low <= start < high:
                    ours = float(pop.sel(sex=sex, age_group=group))
                    assert ours == pytest.approx(census[sex, group], rel=tol), (sex, group)


def _reference_index():
    index = {}
    for r in rows(REFERENCE / "nhsa_fund_annual_2018_2024.csv"):
        index.setdefault((r["year"], r["source_id"], r["report_type"], r["unit"]), set()).add(r["value"])
    return index


@pytest.mark.parametrize("table", ["fund_history", "insured"])
def test_published_figures_are_carried_verbatim(table):
    need(REFERENCE)
    index = _reference_index()
    checked = 0
    for r in rows(CHINA / f"{table}.csv"):
        if r["report_type"] in ("derived", "not_available") or r["note"].startswith("2021 bulletin full text") or "via the mirror http" in r["note"]:
            continue  # derived, absent, or read from a page of the bulletin's text (cited in the note)
        assert r["value"] in index.get((r["year"], r["source"], r["report_type"], r["unit"]), set()), r
        checked += 1
    assert checked > 20


def test_individual_account_reserve_rolls_forward(china):
    """2024 bulletin: IA reserve 14471.75亿 = 2023 reserve + 2024 income 6390.01 - expenditure 5879.83."""
    reserve = china.fund("employee", "reserve", "individual_account")
    income = china.fund("employee", "income", "individual_account")
    spent = china.fund("employee", "expenditure", "individual_account")
    assert reserve[2024] == pytest.approx(reserve[2023] + income[2024] - spent[2024], abs=1.0)
    assert reserve[2024] == 1447175000000.0


@pytest.mark.parametrize(
    ("pool", "account", "item", "year", "yi_yuan"),
    [
        ("employee", "pooled_fund", "income", 2024, "17342.45"),
        ("employee", "pooled_fund", "expenditure", 2024, "13222.71"),
        ("employee", "total", "income", 2023, "22931.65"),
        ("resident", "total", "reserve", 2024, "8183.02"),
        ("resident", "total", "balance", 2023, "112.06"),
        ("medical_assistance", "total", "expenditure", 2024, "792.32"),
        ("ltci", "total", "income", 2024, "279.6"),
        ("employee", "maternity", "expenditure", 2024, "1402.93"),
        ("basic", "total", "income", 2021, "28727.58"),
    ],
)
def test_bulletin_figures_load_exactly_in_yuan(china, pool, account, item, year, yi_yuan):
    assert china.fund(pool, item, account)[year] == float(Decimal(yi_yuan) * 100_000_000)


def test_derived_reserves_agree_with_the_derived_indicator_table(china):
    """Employee pooled-fund reserve = basic (pooled) reserve − the other parts, as in derived_fund_indicators.csv."""
    need(REFERENCE)
    derived = {int(r["year"]): float(r["value"]) for r in rows(REFERENCE / "derived_fund_indicators.csv") if r["indicator"] == "uebmi_pooled_accumulated_balance"}
    series = china.fund("employee", "reserve", "pooled_fund") / 1e8
    for year in (2021, 2022, 2023, 2024):
        assert series[year] == pytest.approx(derived[year], abs=0.005), year
    resident = china.fund("resident", "income") / 1e8
    assert resident[2018] == 6971 + 875  # URRBMI + NCMS, 2018 bulletin


def test_financing_standards_match_the_notices(china):
    need(REFERENCE)
    fin = china.financing
    for r in rows(REFERENCE / "urrbmi_financing_standards.csv"):
        if not r["fiscal_subsidy_min_yuan_per_person"]:
            continue
        year = int(r["year"])
        sub = fin[(fin.year == year) & (fin.pool == "resident")].set_index("parameter")["value"]
        assert sub["fiscal_subsidy"] == float(r["fiscal_subsidy_min_yuan_per_person"])
        assert sub["individual_contribution"] == float(r["individual_contribution_yuan_per_person"])


def test_mortality_is_wpp2022_verbatim(china):
    need(REFERENCE)
    wpp = rows(REFERENCE / "wpp2022_china_mx_age5_period5.csv")
    mx = china.mortality
    assert mx.attrs["measure"] == "mx" and mx.attrs["units"] == "per_person_year"
    assert mx.size == len(wpp) == 30 * 2 * 22
    for r in wpp[::37]:
        start, end = r["period"].split("-")
        value = float(mx.sel(period=f"{start}-{int(end) - 1}", sex=r["sex"], age_group=r["age_group"]))
        assert value == float(r["mx"])


def test_cost_curve_is_normalised_and_calibrated(china):
    """Mean relative cost over ages 20-59 is 1 (population weights); the retiree/in-service ratio
    reproduces the 2024 bulletin's 3.326 (costs 10,258.35 and 8,108.22 亿元 over 10,457.5 and
    27,490.84 万 persons) up to the 4-decimal rounding of the stored curve."""
    curve = china.cost_curves.sel(service="inpatient", sex="male")
    pop = china.base_population
    both = pop.sum("sex")
    working = both.where((both.age_start >= 20) & (both.age_start < 60), 0)
    assert float((curve * working).sum() / working.sum()) == pytest.approx(1.0, abs=2e-4)
    values = curve.values
    assert np.argmin(values) in (2, 3)  # lowest at 5-14
    assert np.all(np.diff(values[4:]) > 0)  # rising from 15 on
    assert china.cost_curves.attrs["units"] == "ratio"


def test_disability_prevalence_meets_the_2015_survey_level(china):
    """Population-weighted prevalence over 60+ equals the 4th national survey's 18.3%."""
    prev = china.disability_prevalence
    pop = china.base_population.sel(age_group=prev.age_group)
    level = float((prev * pop).sum() / pop.sum())
    assert level == pytest.approx(0.183, abs=5e-4)
    assert np.all(np.diff(prev.sel(sex="male").values) > 0)
    assert np.all(prev.sel(sex="female").values > prev.sel(sex="male").values)


def test_the_committed_files_are_what_the_build_script_makes(tmp_path):
    """data/build/china.py rebuilds data/china byte for byte from the cited inputs."""
    need(REFERENCE)
    assert_build_reproduces("china", CHINA, tmp_path)
