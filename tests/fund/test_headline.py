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
        assert (1 + row["expenditure"]) == pytest.approx((1 + row["cost_per_insured"]) * (1 + row["members"]), rel=1e-12)
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
