"""Growth estimators on synthetic data with known parameters, and the back-test's no-look-ahead rule."""

from __future__ import annotations

import shutil
import warnings

import numpy as np
import pandas as pd
import pytest

import forecast
from forecast.model.fitting import FORMS, GrowthModel, select_form

from ..conftest import CHINA, ROOT


def synthetic(growth=0.06, years=range(2012, 2025), noise=0.0, pandemic=None, seed=1):
    rng = np.random.default_rng(seed)
    years = np.array(list(years))
    log_y = np.log(1000.0) + np.log1p(growth) * (years - years[0]) + rng.normal(0, noise, len(years))
    for year, shift in (pandemic or {}).items():
        log_y[years == year] += shift
    s = pd.Series(np.exp(log_y), index=years)
    s.attrs["units"] = "yuan/person/year"
    return s


@pytest.mark.parametrize("form", FORMS)
def test_each_form_recovers_a_known_growth_rate(form):
    model = GrowthModel(form, pandemic_years=()).fit(synthetic(0.06))
    assert model.growth_ == pytest.approx(0.06, abs=1e-6 if form != "ets" else 2e-3)
    assert model.fit(synthetic(0.06)) is model  # fit returns self
    predicted = model.predict([2025, 2026])
    assert predicted.dims == ("year",) and predicted.attrs["units"] == "yuan/person/year"
    assert float(predicted.sel(year=2026)) == pytest.approx(1000 * 1.06**14, rel=3e-3)


@pytest.mark.parametrize("form", ["loglinear", "drift"])
def test_pandemic_dummies_keep_a_one_year_shock_out_of_the_trend(form):
    """One-year level shifts in 2020 and 2022: with dummies the trend is exact and the residuals
    vanish; without them the log-linear trend is biased and both forms see spurious noise (the
    drift's mean is not biased: a one-year shift in and out cancels)."""
    shocked = synthetic(0.05, pandemic={2020: -0.10, 2022: -0.05})
    with_dummies = GrowthModel(form).fit(shocked)
    without = GrowthModel(form, pandemic_years=()).fit(shocked)
    assert with_dummies.growth_ == pytest.approx(0.05, abs=1e-9)
    assert with_dummies.sigma_ == pytest.approx(0.0, abs=1e-9) and without.sigma_ > 0.02
    assert with_dummies.params_["pandemic_2020"] == pytest.approx(-0.10, abs=1e-9)
    if form == "loglinear":
        assert abs(without.growth_ - 0.05) > 1e-3


def test_short_samples_leave_an_unidentifiable_pandemic_year_out_and_say_so():
    short = synthetic(0.05, years=range(2019, 2022), pandemic={2020: -0.2})
    model = GrowthModel("drift").fit(short)
    assert model.excluded_ == [2020] and model.summary()["pandemic_excluded"] == [2020]
    assert model.growth_ == pytest.approx(0.05, abs=1e-9)
    with pytest.raises(ValueError, match="after leaving out the pandemic year"):
        GrowthModel("drift").fit(synthetic(0.05, years=range(2019, 2021)))


def test_interval_widens_with_the_horizon_and_the_noise_is_recovered():
    """A random walk with drift 4% and N(0, 0.02) shocks over 400 years: drift and shock s.d. are
    recovered within three standard errors; the interval widens with the horizon."""
    rng = np.random.default_rng(7)
    years = np.arange(1625, 2025)
    log_y = np.log(100.0) + np.cumsum(np.log1p(0.04) + rng.normal(0, 0.02, len(years)))
    s = pd.Series(np.exp(log_y), index=years)
    model = GrowthModel("drift", pandemic_years=()).fit(s)
    assert model.log_growth_ == pytest.approx(np.log1p(0.04), abs=3 * 0.02 / np.sqrt(len(years)))
    assert model.sigma_ == pytest.approx(0.02, rel=3 / np.sqrt(2 * len(years)))
    band = model.predict_interval([2025, 2027, 2030], level=0.8)
    width = (band["upper"] - band["lower"]).values
    assert (np.diff(width) > 0).all() and band.attrs["level"] == 0.8


def test_selection_prefers_the_form_that_forecasts_best():
    # a series that is a clean log-linear trend with one outlier year: the drift form, which
    # starts from the last point, forecasts worse than the trend through all points
    s = synthetic(0.05)
    s.loc[2018] *= 1.15
    best, table = select_form(s)
    assert best in FORMS and set(table["form"]) == set(FORMS)
    mape = table.assign(a=table["error"].abs()).groupby("form")["a"].mean()
    assert mape[best] == mape.min()


def test_backtest_uses_no_figure_after_the_cut_off(tmp_path):
    """Change every bundle figure after 2021 (fund history, insured, benefit use, financing):
    the back-test from 2021 must not move."""
    from forecast.apps.backtest import backtest

    scenario = forecast.load_scenario(ROOT / "scenarios" / "baseline.yaml")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        original, _ = backtest(scenario, forecast.load_region(CHINA), 2021, 3)
        bundle = tmp_path / "bundle"
        shutil.copytree(CHINA, bundle)
        for name in ("fund_history", "insured", "utilisation", "financing"):
            frame = pd.read_csv(bundle / f"{name}.csv", dtype=str, keep_default_na=False)
            later = frame["year"].astype(int) > 2021
            values = pd.to_numeric(frame["value"], errors="coerce")
            change = later & values.notna()
            # persons change less, so the bundle stays plausible (no more insured than people)
            factor = np.select([frame["unit"] == "ratio", frame["unit"].isin(["万人", "persons", "人"])], [0.5, 1.05], 1.7)
            frame.loc[change, "value"] = (values * factor)[change].map(lambda v: f"{v:.6g}")
            frame.to_csv(bundle / f"{name}.csv", index=False)
        changed = forecast.load_region(bundle)
        assert float(changed.fund("employee", "income")[2024]) != float(forecast.load_region(CHINA).fund("employee", "income")[2024])
        again, _ = backtest(scenario, changed, 2021, 3)
    pd.testing.assert_series_equal(original["forecast"], again["forecast"])
    assert not np.allclose(original["actual"], again["actual"])  # the actuals did change


#: README "Back-testing": errors (%) of the back-test from 2021 (forecast / bulletin - 1)
README_2021 = {
    ("employee total", "income"): (0.29, -0.48, 5.04),
    ("employee total", "expenditure"): (6.44, 1.13, 4.28),
    ("resident", "income"): (0.19, -0.05, -1.79),
    ("resident", "expenditure"): (6.96, 2.96, 8.72),
}


def test_backtest_from_2021_matches_the_readme():
    """The README's back-test table (train until 2021, horizons 1-3) is what the code gives, to 0.01
    percentage point. The issue's target is a 3-year-ahead MAPE of at most 5%: met for resident
    income and employee expenditure; missed by 0.04 points for employee income and by 3.7 points for
    resident expenditure (the README explains why)."""
    from forecast.apps.backtest import backtest

    scenario = forecast.load_scenario(ROOT / "scenarios" / "baseline.yaml")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table, _ = backtest(scenario, forecast.load_region(CHINA), 2021, 3)
    for (series, item), errors in README_2021.items():
        rows = table[(table["series"] == series) & (table["item"] == item)].sort_values("year")
        assert rows["year"].tolist() == [2022, 2023, 2024]
        assert np.allclose(rows["error"].to_numpy() * 100, errors, atol=0.01), (series, item, (rows["error"] * 100).round(2).tolist())


def test_backtest_command_prints_the_table_and_writes_a_chart(tmp_path, capsys):
    from forecast.cli import main

    out = tmp_path / "bt"
    assert main(["backtest", "--train-until", "2022", "--horizon", "2", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "Mean absolute percentage error" in text and "employee total" in text
    assert (out / "backtest.png").stat().st_size > 10_000 and (out / "backtest.csv").read_text().startswith("series,item,year")


def test_backtest_before_the_history_is_a_clear_error(capsys):
    from forecast.cli import main

    assert main(["backtest", "--train-until", "2019"]) == 2
    err = capsys.readouterr().err
    assert "cannot back-test from 2019" in err and "Traceback" not in err


def test_backtest_from_a_pandemic_year_with_too_little_history_is_a_clear_error(capsys):
    from forecast.cli import main

    assert main(["backtest", "--train-until", "2020"]) == 2
    err = capsys.readouterr().err
    assert "'fitted' cannot be estimated from employee fund income (pooled + accounts) per in-service member up to 2020" in err
    assert "after leaving out the pandemic year(s) [2020]" in err and "Traceback" not in err
