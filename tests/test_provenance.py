"""Scope and provenance as data (issue 24): every fund figure says what it covers (统筹基金, 个人账户,
合计) and where it comes from (公布, 推算, 假设, 示例), from the bundle's report_type to the run's
attrs, the CSVs and the terminal; and the 提示 lines a reviewer expects (calibration factors far
from 1, intervals wider than the year's spending)."""

from __future__ import annotations

import pytest

import forecast
from forecast.cli import main
from forecast.inputs.provenance import REPORT_TYPES, provenance_of
from forecast.results.provenance import figure_provenance, place
from forecast.results.review import FACTOR_BAND, calibration_hints, interval_hints


@pytest.fixture(scope="module")
def china_run():
    return forecast.run("baseline")


@pytest.fixture(scope="module")
def example_run():
    return forecast.run("places/qiandongnan")


@pytest.mark.parametrize("report_type", sorted(REPORT_TYPES))
def test_every_report_type_maps_to_one_label_and_an_example_is_never_published_unless_it_is(report_type):
    label = provenance_of(report_type, illustration=False)
    assert label in ("published", "derived")
    assert provenance_of(report_type, illustration=True) == ("published" if label == "published" else "example")


def test_a_row_without_a_report_type_is_the_bundles_own_figure():
    assert provenance_of(None, False) == provenance_of("", False) == provenance_of(float("nan"), False) == "published"
    assert provenance_of("a_new_kind", False) == "derived", "a type that names no publication is not published"


def test_the_national_bundle_s_base_year_is_the_bulletin_and_its_accounts_are_apart(china_run):
    """data/china 2024: 统筹基金 and 个人账户 both from the 2024 bulletin (S2024B, bulletin_final)."""
    assert china_run.attrs["fund_scope"]["employee"] == "pooled_fund"
    assert not china_run.attrs["illustration"]
    for key in ("employee_pooled_income", "individual_account_income", "resident_expenditure", "in_service"):
        assert china_run.attrs["base_year_provenance"][key] == "published", key
    assert figure_provenance(china_run, "employee", "income", 2024) == "published"
    assert figure_provenance(china_run, "employee", "income", 2030) == "derived"


def test_an_example_bundle_labels_its_borrowed_figures_example_and_its_scope_total(example_run):
    """黔东南 (init-region, illustration): the employee fund is given as one total (accounts
    included), derived from national per-capita figures: labelled 示例, scope 合计."""
    assert example_run.attrs["illustration"] and example_run.attrs["fund_scope"]["employee"] == "total"
    assert set(example_run.attrs["base_year_provenance"].values()) == {"example"}
    assert figure_provenance(example_run, "resident", "income", 2030) == "example"
    assert "示例" in place(example_run)


def test_the_terminal_says_example_scope_and_each_figure_s_label(capsys):
    assert main(["run", "places/qiandongnan"]) == 0
    text = capsys.readouterr().out
    first = text.splitlines()[0]
    assert "示例" in first
    assert "employee scope: 合计" in text
    assert "employee fund (pooled + accounts) income (亿元)" in text and "individual accounts income" not in text
    assert text.count("示例") >= 8, "each calibration row of an example carries its label"
    assert main(["run", "places/qiandongnan", "-q"]) == 0
    assert "示例" in capsys.readouterr().out.splitlines()[0]


def test_a_calibration_factor_outside_the_band_is_a_hint_with_its_figure(example_run, china_run):
    factor = example_run.attrs["calibration"]["outpatient_factor"]["employee"]
    assert not FACTOR_BAND[0] <= factor <= FACTOR_BAND[1]
    lines = [h.line() for h in calibration_hints(example_run)]
    assert any("职工医保普通门诊校准系数" in line and f"{factor:.0%}" in line and "请核对" in line for line in lines), (
        lines
    )
    inside = china_run.copy()
    inside.attrs = {
        **china_run.attrs,
        "calibration": {
            "outpatient_factor": {"employee": 1.0, "resident": 1.0},
            "assistance_factor": 1.5,
            "resident_realisation": 1.0,
        },
    }
    assert calibration_hints(inside) == []


def test_an_interval_wider_than_the_year_s_spending_is_a_hint(example_run):
    """黔东南's calibrated 80% bands stay within the year's spending to 2060; its 95% bands widen past it:
    each hint names the first such year, and its interval is wider than that year's spending."""
    assert interval_hints(example_run) == []
    hints = interval_hints(example_run, 0.95)
    assert hints, "黔东南's 95% bands widen past the year's spending within the horizon"
    band = example_run.fund.interval(0.95)
    for hint in hints:
        year = int(hint.topic.split("年")[0][-4:])
        pool = "employee" if "职工" in hint.topic else "resident"
        width = band["expenditure_upper"].sel(pool=pool) - band["expenditure_lower"].sel(pool=pool)
        spent = example_run["expenditure"].sel(pool=pool)
        assert float(width.sel(year=year)) > float(spent.sel(year=year)), hint.line()
        assert bool((width <= spent).sel(year=slice(None, year - 1)).all()), hint.line()
