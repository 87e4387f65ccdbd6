"""The headline explained (forecast explain): the decomposition multiplies back to each pool's
growth, and the cost scenarios move the deficit years the way they must."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import forecast
from forecast.apps.headline import decompose, headline_table

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def runs():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {name: forecast.run(name) for name in ("baseline", "high_cost_growth", "low_cost_growth")}


def test_the_drivers_multiply_to_the_growth_of_income_and_expenditure(runs):
    ds = runs["baseline"]
    table = decompose(ds, 2035)
    for pool, row in table.iterrows():
        c = ds.sel(pool=pool)
        for flow in ("income", "expenditure"):
            ratio = float(c[flow].sel(year=2035) / c[flow].sel(year=2024))
            assert (1 + row[flow]) ** 11 == pytest.approx(ratio, rel=1e-9)
        assert (1 + row["income"]) == pytest.approx((1 + row["income_per_member"]) * (1 + row["members"]), rel=1e-12)
        assert (1 + row["expenditure"]) == pytest.approx(
            (1 + row["cost_per_insured"]) * (1 + row["members"]), rel=1e-12
        )
        parts = (1 + row["price"]) * (1 + row["utilisation"]) * (1 + row["ageing"]) * (1 + row["benefits_and_mix"])
        assert parts == pytest.approx(1 + row["cost_per_insured"], rel=1e-12)
        assert row["price"] == pytest.approx(0.02, abs=1e-12)  # the baseline's price inflation


def test_higher_cost_growth_brings_the_deficits_forward_and_lower_pushes_them_back(runs):
    table = headline_table(runs, 2035)
    horizon = 2061
    for pool in ("employee", "resident"):
        years = {name: np.nan_to_num(table.loc[(name, pool), "first_deficit"], nan=horizon) for name in runs}
        assert years["high_cost_growth"] <= years["baseline"] <= years["low_cost_growth"], (pool, years)
        assert years["high_cost_growth"] < years["low_cost_growth"]
        use = {name: table.loc[(name, pool), "utilisation"] for name in runs}
        assert use["high_cost_growth"] == pytest.approx((1 + use["baseline"]) * 1.015 - 1, abs=2e-4)


def test_the_command_prints_the_decomposition_and_writes_its_table(tmp_path, capsys):
    from forecast.cli import main

    assert main(["explain", "baseline", "--until", "2030", "--out", str(tmp_path / "x")]) == 0
    out = capsys.readouterr().out
    assert "cost per insured" in out and "baseline — resident: first deficit" in out
    text = (tmp_path / "x" / "explain.csv").read_text()
    assert text.startswith("scenario,pool,from,to,income,") and ",2024,2030," in text


def test_the_resident_headline_is_the_standard_that_keeps_the_band(tmp_path):
    """Issue 23: every run gives the resident per-person standard that keeps 6-9 months each year
    (以收定支), beside the open-loop deficit years: it is the lever a balance_band rule sets, and a
    run at that lever stays in the band."""
    import numpy as np

    import forecast

    base = forecast.run("baseline")
    rule = tmp_path / "band.yaml"
    rule.write_text(
        "title: t\npolicy:\n  resident:\n    financing_rule: {rule: balance_band, low_months: 6, high_months: 9}\n",
        encoding="utf-8",
    )
    ruled = forecast.run(f"baseline+{rule}")
    np.testing.assert_allclose(base["required_standard"].values, ruled["rule_lever_resident"].values, rtol=1e-9)
    months = ruled["months_covered"].sel(pool="resident", year=slice(2025, None)).values
    assert np.all((months >= 6 - 1e-6) & (months <= 9 + 1e-6))
    assert base["required_standard"].attrs["units"] == "yuan/person/year"
    from forecast.engine import resolved_rules

    scenario = forecast.load_scenario("baseline")
    rules = resolved_rules(
        scenario,
        forecast.load_region(scenario.region_path),
        dict(scenario.params),
        dict(scenario.root_params),
        scenario.horizon,
    )
    income = rules.economy.disposable_income_per_capita
    np.testing.assert_allclose(
        base["required_standard_share"].values, (base["required_standard"] / income).values, rtol=1e-12
    )
    assert (
        float(base["required_standard_share"].sel(year=2050))
        > float(base["required_standard_share"].sel(year=2030))
        > 0.01
    )  # rising faster than incomes


def test_the_analysis_of_change_ends_at_today_s_headline():
    """docs/analysis_of_change.md (printed by benchmarks/analysis_of_change.py, one commit per
    change): its last row is the headline the code gives today."""
    import re

    import forecast

    from ..conftest import ROOT

    rows = [
        line
        for line in (ROOT / "docs" / "analysis_of_change.md").read_text(encoding="utf-8").splitlines()
        if line.startswith("| ") and "`" in line
    ]
    assert len(rows) == 6
    cells = [c.strip() for c in rows[-1].strip("|").split("|")]
    ds = forecast.run("baseline")

    def years(pool):
        deficit, gone = (f().sel(pool=pool).item() for f in (ds.fund.first_deficit_year, ds.fund.exhaustion_year))
        return f"{int(deficit) if deficit == deficit else '—'} / {int(gone) if gone == gone else '—'}"

    assert cells[2:5] == [years("employee"), years("resident"), years("ltci")]
    assert cells[5] == " / ".join(
        f"{float(ds['months_covered'].sel(pool='employee', year=y)):.1f}" for y in (2030, 2040, 2050)
    )
    assert re.search(r"`[0-9a-f]{7}`", rows[0])
