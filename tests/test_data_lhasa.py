"""data/lhasa, the example prefecture bundle: Lhasa's own figures reproduced exactly.

Published figures: 拉萨市第七次全国人口普查公报 (totals by sex and broad age group) and the Lhasa medical
security bureau's January-May 2023 report (../shared/DATA.md).
"""

from __future__ import annotations

import pytest

import forecast

from .conftest import ROOT, assert_build_reproduces

LHASA = ROOT / "data" / "lhasa"


@pytest.fixture(scope="module")
def lhasa():
    return forecast.load_region(LHASA)


def test_is_labelled_as_an_illustration(lhasa):
    assert lhasa.illustration
    assert "ILLUSTRATION" in lhasa.summary()
    assert (LHASA / "SOURCES.md").is_file()


def test_census_totals_by_sex_are_exact(lhasa):
    pop = lhasa.base_population
    assert int(pop.sum()) == 867_891
    assert int(pop.sel(sex="male").sum()) == 470_353
    assert int(pop.sel(sex="female").sum()) == 397_538


@pytest.mark.parametrize(("low", "high", "published"), [(0, 14, 143_069), (15, 59, 651_141), (60, 200, 73_681), (65, 200, 48_170)])
def test_broad_age_groups_within_rounding(lhasa, low, high, published):
    """IPF reproduces the margins; integer rounding within each sex moves a band by a few persons."""
    both = lhasa.base_population.sum("sex")
    band = int(both.where((both.age_start >= low) & (both.age_start <= high), 0).sum())
    assert abs(band - published) <= 5


def test_fund_report_figures_in_yuan(lhasa):
    fh = lhasa.fund_history.set_index(["pool", "item"])
    assert fh.loc[("employee", "income"), "value"] == 506_863_800.0  # 50,686.38 万元
    assert fh.loc[("resident", "expenditure"), "value"] == 149_173_400.0  # 14,917.34 万元
    assert fh.loc[("medical_assistance", "expenditure"), "value"] == 5_896_200.0
    assert set(lhasa.fund_history["months"]) == {5}
    assert float(lhasa.insured.sel(year=2023, pool="employee", status="all")) == 143_000


def test_the_committed_files_are_what_the_build_script_makes(tmp_path):
    assert_build_reproduces("lhasa", LHASA, tmp_path)
