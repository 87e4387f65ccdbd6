"""Stochastic drivers (issue 13): reproducible per driver stream, the deterministic run at zero
volatility, cost-growth uncertainty in the spread, percentiles and probabilities, the low/high
sets, and the sensitivity."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import forecast
from forecast.model.uncertainty.stochastic import draw_drivers, uncertainty_settings

from ..conftest import ROOT

SCENARIOS = ROOT / "scenarios"


def overlay(tmp_path, name: str, uncertainty: dict) -> str:
    lines = [f"extends: {SCENARIOS / 'baseline.yaml'}", f"title: {name}", "assumptions:", "  uncertainty:"]
    lines += [f"    {k}: {v}" for k, v in uncertainty.items()]
    path = tmp_path / f"{name}.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def quiet_run(*args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return forecast.run(*args, **kwargs)


@pytest.fixture(scope="module")
def drawn():
    return quiet_run("baseline", draws=60, seed=5)


@pytest.mark.slow
def test_the_same_seed_repeats_the_run_byte_for_byte_and_another_seed_does_not(drawn):
    again = quiet_run("baseline", draws=60, seed=5)
    for name, var in drawn.data_vars.items():
        assert np.array_equal(var.values, again[name].values, equal_nan=var.dtype.kind == "f"), name
    other = quiet_run("baseline", draws=60, seed=6)
    assert not np.array_equal(drawn["reserve"].values, other["reserve"].values)


@pytest.mark.slow
def test_a_drivers_stream_does_not_move_when_another_driver_is_switched_off(tmp_path):
    china = forecast.load_region(ROOT / "data" / "china")
    scenario = forecast.load_scenario("baseline")
    settings = uncertainty_settings(dict(scenario.params))
    years = np.arange(2024, 2041)
    every = draw_drivers(china, 2024, dict(scenario.params), settings, years, 50, entropy=11)
    without_cost = draw_drivers(
        china, 2024, dict(scenario.params), {**settings, "cost_trend": 0.0}, years, 50, entropy=11
    )
    assert np.all(without_cost["cost_trend_index"].values == 1.0)
    for name in ("wage_growth_index", "coverage_index", "interest_deviation", "financing_deviation"):
        assert np.array_equal(every[name].values, without_cost[name].values), name
    # and the population's draws do not move when the fund drivers are switched off
    off = overlay(
        tmp_path,
        "off",
        {k: 0 for k in ("cost_trend", "wage_growth", "coverage", "interest_rate", "financing_increment")},
    )
    a, b = quiet_run("baseline", draws=20, seed=3), quiet_run(off, draws=20, seed=3)
    assert np.array_equal(a["population"].values, b["population"].values)
    assert not np.array_equal(a["expenditure"].values, b["expenditure"].values)


@pytest.mark.slow
def test_with_every_volatility_at_zero_the_stochastic_run_is_the_deterministic_run(tmp_path):
    still = overlay(
        tmp_path,
        "still",
        {k: 0 for k in ("population", "cost_trend", "wage_growth", "coverage", "interest_rate", "financing_increment")},
    )
    deterministic, drawn = quiet_run(still), quiet_run(still, draws=4, seed=1)
    for name in ("income", "expenditure", "reserve", "months_covered", "insured", "individual_account_reserve"):
        for draw in range(4):
            a, b = drawn[name].isel(draw=draw).values, deterministic[name].values
            assert np.allclose(a, b, rtol=1e-9, atol=1e-9 * np.abs(b).max()), (name, draw)


@pytest.mark.slow
def test_the_spread_of_resident_spending_per_insured_comes_mostly_from_cost_growth(tmp_path):
    """2040 resident expenditure per insured: the 10-90% range across draws with every driver is
    more than twice the range without the cost-growth driver (population, wages and coverage
    alone move it little), and the median stays near the deterministic value."""
    no_cost = overlay(tmp_path, "no_cost", {"cost_trend": 0})

    def spread(ds):
        per = (ds["expenditure"] / ds["insured"]).sel(pool="resident", year=2040)
        return float(per.quantile(0.9) - per.quantile(0.1)), float(per.median())

    every, _ = spread(quiet_run("baseline", draws=300, seed=8))
    without, _ = spread(quiet_run(no_cost, draws=300, seed=8))
    assert every > 2 * without, (every, without)
    central = quiet_run("baseline")
    median = spread(quiet_run("baseline", draws=300, seed=8))[1]
    value = float((central["expenditure"] / central["insured"]).sel(pool="resident", year=2040))
    assert median == pytest.approx(value, rel=0.08)


@pytest.mark.slow
def test_percentiles_are_ordered_and_probabilities_cumulate(drawn):
    q = drawn["reserve_quantile"].sel(pool="resident")
    assert (q.diff("quantile") >= 0).all()
    assert float(q.sel(quantile=0.5, year=2040)) == pytest.approx(
        float(drawn["reserve"].sel(pool="resident", year=2040).median()), rel=1e-9
    )
    p = drawn["p_exhausted"]
    assert ((p >= 0) & (p <= 1)).all() and (p.diff("year") >= 0).all()
    assert float(p.sel(pool="critical_illness").max()) == 0.0  # financed as it pays: never exhausted
    by_draw = drawn["exhaustion_year"].sel(pool="resident")
    assert float(p.sel(pool="resident", year=2045)) == pytest.approx(float((by_draw <= 2045).mean()))


@pytest.mark.slow
def test_the_low_and_high_cost_sets_bracket_the_baseline():
    years = {}
    for name in ("low_cost", "baseline", "high_cost"):
        ds = quiet_run(name)
        gone = ds.fund.exhaustion_year()
        years[name] = {pool: np.nan_to_num(float(gone.sel(pool=pool)), nan=2061) for pool in ("employee", "resident")}
        if name != "baseline":
            assert ds.attrs["driver_quantiles"]["cost_trend"] == (0.9 if name == "high_cost" else pytest.approx(0.1))
    for pool in ("employee", "resident"):
        assert years["high_cost"][pool] < years["baseline"][pool] <= years["low_cost"][pool], (pool, years)


def test_a_set_with_draws_is_refused(capsys):
    from forecast.cli import main

    assert main(["run", "high_cost", "--draws", "10"]) == 2
    assert "one path of every driver" in capsys.readouterr().err


@pytest.mark.slow
def test_the_sensitivity_moves_each_group_alone_and_writes_the_tornado(tmp_path, capsys):
    from forecast.cli import main

    assert main(["sensitivity", "raise_special_disease_caps", "--out", str(tmp_path / "s")]) == 0
    out = capsys.readouterr().out
    assert "cost growth (resident)" in out and "policy.resident.benefits.outpatient_special.annual_cap" in out
    import pandas as pd

    table = pd.read_csv(tmp_path / "s" / "tornado.csv")
    rows = table[(table["pool"] == "resident") & (table["metric"] == "months_covered_2035")].set_index("group")
    assert (
        rows.loc["cost growth (resident)", "high"]
        < rows.loc["cost growth (resident)", "base"]
        < rows.loc["cost growth (resident)", "low"]
    )
    assert rows.loc["cost growth (employee)", "swing"] == pytest.approx(0.0, abs=1e-9)  # the other pool's costs
    assert "policy.resident.benefits.outpatient_special.annual_cap" in rows.index
    every = rows.loc["(all policy changes)"]
    assert (
        every["high"] == pytest.approx(every["base"]) and every["low"] > every["high"]
    )  # undoing the raise leaves more reserve
    assert (tmp_path / "s" / "tornado.png").stat().st_size > 20_000


@pytest.mark.slow
def test_the_stochastic_backtest_bands_cover_about_80_percent():
    from forecast.apps.backtest import backtest, coverage

    scenario = forecast.load_scenario("baseline")
    region = forecast.load_region(ROOT / "data" / "china")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pandas as pd

        table = pd.concat([backtest(scenario, region, cut, 3, draws=300, seed=1)[0] for cut in (2021, 2022, 2023)])
    share = coverage(table, ("draws_p10", "draws_p90"))[("all", "all")]
    assert 0.70 <= share <= 0.90, share  # calibrated (forecast.model.uncertainty.shocks.CALIBRATION)


@pytest.mark.slow
def test_sobol_indices_name_the_drivers_that_matter():
    """A small Saltelli sample (8 × 10 runs, one vectorised run): the resident pool's exhaustion
    year owes most of its variance to the resident pool's cost growth, none to the employee's."""
    from forecast.apps.sensitivity import sobol

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = sobol(forecast.load_scenario("baseline"), 8)
    assert table.attrs["samples"] == 80
    rows = table[(table["pool"] == "resident") & (table["metric"] == "exhaustion_year")].set_index("group")
    assert rows["ST"].idxmax() == "cost growth (resident)"
    assert abs(rows.loc["cost growth (employee)", "ST"]) < 0.05


@pytest.mark.slow
def test_summary_csv_gives_the_exhaustion_percentiles_the_console_prints(drawn):
    """summary.csv and the console count a draw that is never exhausted as later than any year
    (the CSV once took percentiles of the exhausted draws only: 2038 where the console said 2039)."""
    from forecast.results.report import fund_summary
    from forecast.results.uncertainty import uncertainty_lines

    table = fund_summary(drawn)
    text = "\n".join(uncertainty_lines(drawn))
    last = int(drawn["year"].values[-1])
    for pool in ("employee", "resident"):
        years = drawn.fund.exhaustion_year().sel(pool=pool).values
        filled = np.sort(np.where(np.isnan(years), np.inf, years))
        for q, column in ((0.1, "exhaustion_year_p10"), (0.9, "exhaustion_year_p90")):
            expected = filled[int(np.ceil(q * len(filled))) - 1]  # the inverted CDF by hand
            got = table.loc[pool, column]
            assert (np.isnan(got) and not np.isfinite(expected)) or got == expected, (pool, column)
        p10, p90 = (table.loc[pool, c] for c in ("exhaustion_year_p10", "exhaustion_year_p90"))
        words = [f"after {last}" if np.isnan(v) else str(int(v)) for v in (p10, p90)]
        assert any(pool in line and words[0] in line and words[1] in line for line in text.splitlines()), (pool, words)
