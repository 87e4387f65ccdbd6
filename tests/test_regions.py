"""Prefecture bundles (issue 15): the provincial census, forecast init-region and the five seed places.

Published figures: the 2020 and 2010 census by province, sex and age group (中国人口普查年鉴-2020 表1-5,
2010 表1-7; data/provinces/SOURCES.md), the places' census bulletins and the local medical security
bureau reports quoted in ../shared/DATA.md (data/build/inputs/places/*.yaml cite each).
"""

from __future__ import annotations

import csv
import re
import shutil
import textwrap
from pathlib import Path

import numpy as np
import pytest
import yaml

import forecast
from forecast.apps.regions.province import (
    GROUPS,
    SEXES,
    life_expectancy,
    province_names,
    province_structure,
    scale_to_life_expectancy,
    scaled_population,
)
from forecast.cli import main

from .conftest import RESEARCH, ROOT

PLACES = {"qiandongnan": "贵州", "wenzhou": "浙江", "shaoxing": "浙江", "nanchang_county": "江西", "lhasa": "西藏"}
FIGURES = ROOT / "data" / "build" / "inputs" / "places"
CENSUS = ROOT / "data" / "provinces" / "census_2010_2020_pop_by_age5_sex_province.csv"


def census_rows() -> list[dict]:
    with open(CENSUS, encoding="utf-8") as f:
        return list(csv.DictReader(f))


# ----------------------------------------------------------------------------- the provincial census


def test_the_carried_table_is_the_shared_one_unchanged():
    """DATA.md: figures as published, no edits."""
    shared = RESEARCH / CENSUS.name
    assert CENSUS.read_bytes() == shared.read_bytes()


@pytest.mark.parametrize("year", [2010, 2020])
def test_provincial_structures_sum_to_the_census_by_sex_and_group(year):
    """Each province's groups add up to its published totals by sex; the 31 provinces to 全国 by sex and group."""
    table = {
        (r["area"], r["sex"], r["age_group"]): int(r["population"])
        for r in census_rows()
        if int(r["census_year"]) == year
    }
    names = province_names()
    assert len(names) == 31
    for name in names:
        structure = province_structure(name, year)
        for sex in SEXES:
            assert sum(structure[sex, g] for g in GROUPS) == table[name, sex, "total"]
    for sex in SEXES:
        for g in GROUPS:
            assert sum(province_structure(n, year)[sex, g] for n in names) == table["全国", sex, g], (sex, g)


def test_scaling_keeps_the_structure_and_the_totals_exactly():
    guizhou = province_structure("贵州")
    scaled = scaled_population(guizhou, 3_758_622)
    assert sum(scaled.values()) == 3_758_622
    share = {k: v / sum(guizhou.values()) for k, v in guizhou.items()}
    assert max(abs(scaled[k] / 3_758_622 - share[k]) for k in scaled) < 1e-6  # within rounding of one person
    by_sex = scaled_population(guizhou, 1000, male=600, female=400, bands={(0, 14): 200, (15, None): 800})
    assert sum(by_sex["male", g] for g in GROUPS) == 600 and sum(by_sex["female", g] for g in GROUPS) == 400


def test_unknown_province_lists_the_valid_names(tmp_path, capsys):
    code = main(["init-region", str(tmp_path / "x"), "--province", "Atlantis", "--from", str(FIGURES / "lhasa.yaml")])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err == (
        "--province: unknown province 'Atlantis' (found 'Atlantis'). Fix: give one of the census table's 31 names: "
        f"{', '.join(province_names())}."
    )
    assert not (tmp_path / "x").exists()


def test_proportional_mx_scaling_reaches_the_target_life_expectancy():
    """The abridged life table of data/china's 2020-2024 male schedule, scaled to e0 = 75 and 80."""
    china = forecast.load_region(ROOT / "data" / "china")
    mx = china.mortality.sel(period="2020-2024", sex="male").values
    widths = np.array([1, 4] + [5] * 19 + [0], dtype=float)
    for target in (75.0, 80.0):
        k = scale_to_life_expectancy({"male": mx}, widths, target, {"male": 1.0})
        assert life_expectancy(mx * k, widths) == pytest.approx(target, abs=1e-8)
    assert (
        scale_to_life_expectancy({"male": mx}, widths, 75.0, {"male": 1.0})
        > 1
        > scale_to_life_expectancy({"male": mx}, widths, 80.0, {"male": 1.0})
    )


# ----------------------------------------------------------------------------- the five bundles


@pytest.mark.parametrize("place", PLACES)
def test_prefecture_totals_equal_their_census(place):
    figures = yaml.safe_load((FIGURES / f"{place}.yaml").read_text(encoding="utf-8"))
    region = forecast.load_region(ROOT / "data" / place)
    pop = region.base_population
    total = figures["population"].get("total")
    if total is None:  # Shaoxing: its 2023 population x Zhejiang's 2020 census / 2023 population (derived, labelled)
        later = figures["population"]["later"]
        total = round(later["total"] * sum(province_structure("浙江").values()) / later["province_total"])
        assert total == round(5_394_000 * 64_567_588 / 66_270_000)
        assert "the 2020 census total is not at hand" in (ROOT / "data" / place / "base_population.csv").read_text(
            encoding="utf-8"
        )
    assert int(pop.sum()) == total
    for sex in SEXES:
        if sex in figures["population"]:
            assert int(pop.sel(sex=sex).sum()) == figures["population"][sex]
    for band, published in (figures["population"].get("ages") or {}).items():
        lo, _, hi = str(band).rstrip("+").partition("-")
        both = pop.sum("sex")
        inside = (both.age_start >= int(lo)) & (both.age_start <= (int(hi) if hi else 200))
        assert abs(int(both.where(inside, 0).sum()) - published) <= 5  # IPF margins, integer rounding by sex


def test_the_population_stage_graduates_the_groups_keeping_their_totals():
    from forecast.model.population.graduation import graduate_counts

    pop = forecast.load_region(ROOT / "data" / "qiandongnan").base_population
    single = graduate_counts(
        pop.sel(sex="female").values.astype(float), pop["age_start"].values, pop["age_end"].values, open_age=100
    )
    assert single.sum() == pytest.approx(float(pop.sel(sex="female").sum()), rel=1e-12)
    assert single[15:20].sum() == pytest.approx(float(pop.sel(sex="female", age_group="15-19")), rel=1e-9)


def _scenario(folder: Path, place: str, bundle: Path) -> Path:
    path = folder / f"{place}.yaml"
    path.write_text(
        f"title: {place}\ndescription: the baseline on {place}\nextends: {ROOT / 'scenarios' / 'baseline.yaml'}\n"
        f"region: {bundle}\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.slow
@pytest.mark.parametrize("place", PLACES)
def test_each_bundle_validates_and_runs_to_a_verdict(place, tmp_path, capsys):
    assert main(["validate", str(ROOT / "data" / place)]) == 0
    capsys.readouterr()
    assert main(["run", str(_scenario(tmp_path, place, ROOT / "data" / place))]) == 0
    out = capsys.readouterr().out
    assert "Pools (years; months of expenditure the reserve covers; verdict)" in out
    assert any(label in out for label in ("结余过多", "收支平衡", "结余不足", "当期收不抵支", "累计结余耗尽"))
    region = forecast.load_region(ROOT / "data" / place)
    assert region.illustration and "ILLUSTRATION" in region.summary()
    if place in ("lhasa", "nanchang_county"):
        months = {"lhasa": "May", "nanchang_county": "October"}[place]
        assert (
            f"note: {region.name} employee 2023: income and expenditure annualised from January–{months} for the "
            "calibration" in out
        )


@pytest.mark.slow
def test_the_committed_bundles_are_what_the_build_makes(tmp_path, monkeypatch):
    import filecmp
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_places", ROOT / "data" / "build" / "places.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.chdir(ROOT)
    module.build(tmp_path)
    for place in PLACES:
        names = sorted(p.name for p in (ROOT / "data" / place).iterdir())
        assert names == sorted(p.name for p in (tmp_path / place).iterdir())
        _, mismatch, errors = filecmp.cmpfiles(ROOT / "data" / place, tmp_path / place, names, shallow=False)
        assert mismatch == [] and errors == [], (place, mismatch, errors)


def test_lhasa_partial_year_is_annualised_with_the_national_profile():
    """Jan-May 2023 employee income 50,686.38万元 / the national profile's share at month 5 (2022-2023 mean)."""
    from forecast.apps.execution import seasonal_profile

    lhasa = forecast.load_region(ROOT / "data" / "lhasa")
    profile = seasonal_profile(forecast.load_region(ROOT / "data" / "china"))
    share = float(
        profile[(profile["pool"] == "employee") & (profile["item"] == "income") & (profile["month"] == 5)][
            "share"
        ].iloc[0]
    )
    fh = lhasa.fund_history.set_index(["year", "pool", "account", "item"])
    row = fh.loc[(2023, "employee", "total", "income")]
    assert row["report_type"] == "annualised" and int(row["months"]) == 12
    assert row["value"] == pytest.approx(506_863_800.0 / share, abs=0.01)
    assert "506,863,800.00 yuan" in row["note"]
    assert float(lhasa.insured.sel(year=2023, pool="employee", status="all")) == 143_000


# ----------------------------------------------------------------------------- init-region


def test_the_commented_example_builds_lhasa(tmp_path, capsys):
    """examples/figures.yaml (the README's example) holds Lhasa's figures: the same tables as data/lhasa."""
    assert (
        main(
            [
                "init-region",
                str(tmp_path / "b"),
                "--province",
                "西藏自治区",
                "--from",
                str(ROOT / "examples" / "figures.yaml"),
            ]
        )
        == 0
    )
    capsys.readouterr()
    for name in sorted(p.name for p in (ROOT / "data" / "lhasa").glob("*.csv")):
        assert (tmp_path / "b" / name).read_bytes() == (ROOT / "data" / "lhasa" / name).read_bytes(), name


@pytest.mark.slow
def test_init_region_round_trip(tmp_path, capsys):
    target = tmp_path / "lhasa"
    target.mkdir()
    (target / "notes.txt").write_text("mine", encoding="utf-8")
    argv = ["init-region", str(target), "--province", "西藏", "--from", str(FIGURES / "lhasa.yaml")]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert f"wrote 14 files into {target}; the bundle validates" in out
    for name in (
        "region.yaml",
        "SOURCES.md",
        "base_population.csv",
        "utilisation.csv",
        "claim_sizes.csv",
        "fund_history.csv",
    ):
        assert (target / name).is_file()
    assert (target / "notes.txt").read_text(encoding="utf-8") == "mine"
    for name in sorted(p.name for p in (ROOT / "data" / "lhasa").iterdir()):
        assert (target / name).read_bytes() == (ROOT / "data" / "lhasa" / name).read_bytes(), name
    assert main(argv) == 2
    assert capsys.readouterr().err.strip() == (
        f"{target / 'region.yaml'}: DIR already holds a region bundle. Fix: give a new folder, or pass --force to "
        "replace the bundle's files (files init-region does not write are left as they are)."
    )
    assert main([*argv, "--force"]) == 0
    assert (target / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_lhasa_mortality_is_scaled_to_tibets_published_life_expectancy():
    """Tibet's e0 of 71.1 in 2020 (regional government work report 2021): the scaled 2020-2024 schedule's
    both-sexes e0, births weighted by the sex ratio at birth, is 71.1."""
    region = forecast.load_region(ROOT / "data" / "lhasa")
    widths = np.array([1, 4] + [5] * 19 + [0], dtype=float)
    e0 = {s: life_expectancy(region.mortality.sel(period="2020-2024", sex=s).values, widths) for s in SEXES}
    srb = float(forecast.load_region(ROOT / "data" / "china").sex_ratio_at_birth.sel(period="2020").item())
    assert (srb * e0["male"] + e0["female"]) / (1 + srb) == pytest.approx(71.1, abs=1e-6)
    assert "proportional mx scaling solved for the province's e0 71.1 in 2020" in (
        ROOT / "data" / "lhasa" / "SOURCES.md"
    ).read_text(encoding="utf-8")


def _figures(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "figures.yaml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


HEAD = """\
name: 测试市
population: {total: 100000, source: A}
"""
SOURCES = """\
sources:
  A: {title: t, publisher: p}
"""


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            HEAD + "insured:\n  year: 2023\n  unit: 万人\n  total: 15\n  source: A\n" + SOURCES,
            "{path}, line 6, field 'insured.total': 150,000 insured persons, more than the population (100,000) allows "
            "(at most 1.2 times it: insured persons registered here but living elsewhere). Fix: check the unit (人 or "
            "万人) and the figures; the population is population.total.",
        ),
        (
            HEAD + "insured:\n  year: 2023\n  coverage: 1.05\n  source: A\n" + SOURCES,
            "{path}, line 5, field 'insured.coverage': coverage 1.05 is above 1 (100% of the population) (found 1.05). "
            "Fix: write the share of the population insured as a fraction, e.g. 0.95.",
        ),
        (
            HEAD
            + (
                "insured: {year: 2023, unit: 万人, employee: 2, resident: 6, source: A}\nfunds:\n  - year: 2023\n"
                "    unit: 万元\n    resident: {income: 5000}\n    source: A\n"
            )
            + SOURCES,
            "{path}, field 'funds[0].resident.expenditure': resident 2023: income 50,000,000 yuan but no expenditure. "
            "Fix: give the expenditure of the same months (a fund year with income has expenditure).",
        ),
    ],
    ids=["insured-above-population", "coverage-above-1", "income-without-expenditure"],
)
def test_bad_figures_are_refused_with_the_located_message(tmp_path, capsys, body, expected):
    path = _figures(tmp_path, body)
    code = main(["init-region", str(tmp_path / "out"), "--province", "贵州", "--from", str(path)])
    assert code == 2
    assert capsys.readouterr().err.strip() == expected.format(path=path)
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_a_benefit_change_the_bundle_cannot_cost_is_refused(tmp_path, capsys):
    """Without utilisation.csv the model has no claims to cost a benefit rule on: an error, not a silent 0."""
    bundle = tmp_path / "wenzhou"
    shutil.copytree(ROOT / "data" / "wenzhou", bundle)
    meta = yaml.safe_load((bundle / "region.yaml").read_text(encoding="utf-8"))
    del meta["files"]["utilisation"]
    (bundle / "region.yaml").write_text(yaml.safe_dump(meta, allow_unicode=True, sort_keys=False), encoding="utf-8")
    base = _scenario(tmp_path, "base", bundle)
    alt = tmp_path / "alt.yaml"
    alt.write_text(
        f"extends: {base}\ntitle: a cap\npolicy:\n  resident:\n    benefits:\n      inpatient:\n"
        f"        annual_cap: {{2025: 400000}}\n",
        encoding="utf-8",
    )
    assert main(["run", str(alt)]) == 2
    assert capsys.readouterr().err.strip() == (
        f"{alt}, line 7, field 'policy.resident.benefits.inpatient.annual_cap': the region publishes no benefit use "
        "for 2023 (admissions, visits and their costs), so the change to policy.resident.benefits.inpatient.annual_cap "
        "cannot be costed and would show as 0. Fix: add the base year's benefit use to the bundle's utilisation.csv "
        "(see data/china/utilisation.csv), or run without the benefit change."
    )
    assert main(["run", str(base)]) == 0  # the same bundle without the change runs (the reduced claim model)


@pytest.mark.slow
def test_a_benefit_change_on_a_place_is_costed(tmp_path):
    """With the borrowed benefit use and claim sizes, raising Wenzhou's resident inpatient cap costs more than 0."""
    base = _scenario(tmp_path, "base", ROOT / "data" / "wenzhou")
    alt = tmp_path / "alt.yaml"
    alt.write_text(
        f"extends: {base}\ntitle: a higher cap\npolicy:\n  resident:\n    benefits:\n      inpatient:\n"
        f"        annual_cap: {{2025: 1000000}}\n",
        encoding="utf-8",
    )
    diff = forecast.compare(forecast.run(str(base)), forecast.run(str(alt)))
    assert float(diff["extra_expenditure_first_year"].sel(pool="resident")) > 0


@pytest.mark.slow
def test_bureau_years_before_the_base_year_are_kept_and_the_gaps_filled(tmp_path, capsys):
    """A full 2021 year from the bureau stays as given; 2022 (not given) comes from the nation; an
    expenditure without its income takes the nation's income per insured."""
    path = _figures(
        tmp_path,
        HEAD
        + "insured: {year: 2023, unit: 万人, employee: 2, resident: 6, source: A}\n"
        + "funds:\n"
        + (
            "  - {year: 2021, unit: 万元, source: A, employee: {income: 12000, expenditure: 9000}, resident: {income: "
            "6000, expenditure: 5500}}\n"
        )
        + (
            "  - {year: 2023, unit: 万元, source: A, employee: {expenditure: 10000}, resident: {income: 7000, "
            "expenditure: 6500}}\n"
        )
        + SOURCES,
    )
    assert main(["init-region", str(tmp_path / "b"), "--province", "贵州", "--from", str(path)]) == 0
    capsys.readouterr()
    fh = forecast.load_region(tmp_path / "b").fund_history.set_index(["year", "pool", "account", "item"])
    assert fh.loc[(2021, "employee", "total", "income"), "value"] == 120_000_000.0
    assert fh.loc[(2021, "employee", "total", "income"), "report_type"] == "local_report"
    assert fh.loc[(2022, "employee", "total", "income"), "report_type"] == "derived"
    assert fh.loc[(2023, "employee", "total", "expenditure"), "value"] == 100_000_000.0
    assert fh.loc[(2023, "employee", "total", "income"), "report_type"] == "derived"
    assert "per employee insured" in fh.loc[(2023, "employee", "total", "income"), "note"]


def test_an_annualised_row_with_a_note_of_its_own_is_still_reported(tmp_path):
    """A bureau may edit fund_history.csv by hand: a row marked annualised whose note is not
    init-region's still gives its line, not an internal error."""
    from forecast.apps.regions.bundle import run_notes

    bundle = tmp_path / "lhasa"
    shutil.copytree(ROOT / "data" / "lhasa", bundle)
    path = bundle / "fund_history.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"January-month \d+", "our own estimate", text), encoding="utf-8")
    lines = run_notes(forecast.load_region(bundle))
    assert lines and all("annualised from a partial year for the calibration" in line for line in lines)


@pytest.mark.parametrize(
    ("written", "name"),
    [
        ("贵州省", "贵州"),
        ("广西壮族自治区", "广西"),
        ("新疆维吾尔自治区", "新疆"),
        ("北京市", "北京"),
        ("上海", "上海"),
        ("浙江市", "浙江市"),
    ],
)
def test_province_names_as_bureaus_write_them(written, name):
    """Full names with 省 or an autonomous region's full name map to the census table's; 市 only
    for the four municipalities (浙江市 is left as written, and so refused as unknown)."""
    from forecast.apps.regions.province import bare_name

    assert bare_name(written) == name


@pytest.mark.slow
def test_a_bureau_with_every_base_year_figure_gets_a_bundle_of_its_own_not_an_illustration(tmp_path, capsys):
    """Earlier years derived for the fits do not make a bundle an illustration; a borrowed base-year
    figure or opening reserve does (the five seed places stay illustrations)."""
    full = textwrap.dedent(
        """
        name: 测试县
        population: {total: 500000}
        insured: {year: 2023, unit: 万人, employee: {in_service: 8, retired: 3}, resident: 35}
        funds:
        """
    ) + (
        "  - {year: 2023, months: 12, unit: 万元, employee: {income: 60000, expenditure: 50000, reserve: 90000}, "
        "resident: {income: 38000, expenditure: 36000, reserve: 20000}, "
        "medical_assistance: {income: 3000, expenditure: 3000}}\n"
    )
    (tmp_path / "full.yaml").write_text(full, encoding="utf-8")
    (tmp_path / "no_reserve.yaml").write_text(full.replace(", reserve: 20000", ""), encoding="utf-8")
    assert (
        main(["init-region", str(tmp_path / "own"), "--province", "浙江", "--from", str(tmp_path / "full.yaml")]) == 0
    )
    assert (
        main(
            [
                "init-region",
                str(tmp_path / "borrowed"),
                "--province",
                "浙江",
                "--from",
                str(tmp_path / "no_reserve.yaml"),
            ]
        )
        == 0
    )
    capsys.readouterr()
    own, borrowed = (forecast.load_region(tmp_path / name) for name in ("own", "borrowed"))
    assert not own.illustration and own.name == "测试县" and "ILLUSTRATION" not in own.summary()
    assert borrowed.illustration and borrowed.name == "测试县 (示例)"
    for place in PLACES:
        assert forecast.load_region(ROOT / "data" / place).illustration, place
