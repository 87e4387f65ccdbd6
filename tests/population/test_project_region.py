"""Projection of the national bundle under each mortality method, and the stochastic mode."""

from __future__ import annotations

import numpy as np
import pytest

from forecast.model.population import PopulationAssumptions, project_region
from forecast.model.population.lifetable import infant_ax, life_table


@pytest.fixture(scope="module")
def baseline(china):
    return project_region(china, end_year=2060)


def test_outputs_carry_units_and_dims(baseline):
    for name in (
        "population",
        "births",
        "deaths",
        "life_expectancy_birth",
        "life_expectancy_60",
        "old_age_dependency_ratio",
        "median_age",
    ):
        assert "units" in baseline[name].attrs, name
    assert baseline["population"].dims == ("year", "sex", "age")
    assert baseline["age"].values[-1] == 100
    assert int(baseline["year"].values[0]) == 2020  # 31 December 2020, from the 1 November census


def test_first_step_carries_the_census_to_year_end(china, baseline):
    """61 days of 2020 remain after the census: about 1/6 of a year's births and deaths."""
    assert baseline.attrs["first_step_years"] == pytest.approx(61 / 366)
    births = float(baseline["births"].sel(year=2020).sum())
    full_year = float(baseline["births"].sel(year=2021).sum())
    assert births == pytest.approx(full_year * 61 / 366, rel=0.15)


def test_population_ages_and_shrinks(baseline):
    share65 = baseline["population"].sum("sex").sel(age=slice(65, None)).sum("age") / baseline["population_total"]
    assert float(share65.sel(year=2050)) > float(share65.sel(year=2025)) > float(share65.sel(year=2020))
    assert float(baseline["population_total"].sel(year=2060)) < float(baseline["population_total"].sel(year=2025))


def test_e0_target_is_met(china):
    targets = {2035: {"male": 78.0, "female": 84.0}, 2050: {"male": 80.0, "female": 86.0}}
    ds = project_region(china, PopulationAssumptions(mortality_method="e0_target", e0_targets=targets), end_year=2055)
    for year, pair in targets.items():
        for sex, value in pair.items():
            assert float(ds["life_expectancy_birth"].sel(year=year, sex=sex)) == pytest.approx(value, abs=1e-6)
    assert float(ds["life_expectancy_birth"].sel(year=2055, sex="male")) == pytest.approx(80.0, abs=1e-6)  # held


def test_improvement_rates_compound(china):
    rates = {"male": ((0, None, 0.02),), "female": ((0, None, 0.01),)}
    ds = project_region(
        china, PopulationAssumptions(mortality_method="improvement", improvement_rate=rates), end_year=2030
    )
    e0 = ds["life_expectancy_birth"]
    assert float(e0.sel(year=2030, sex="male") - e0.sel(year=2020, sex="male")) > float(
        e0.sel(year=2030, sex="female") - e0.sel(year=2020, sex="female")
    )


def test_lee_carter_reports_drift_and_standard_error(china):
    ds = project_region(china, PopulationAssumptions(mortality_method="lee_carter"), end_year=2040)
    for sex in ("male", "female"):
        fit = ds.attrs["fit"][f"lee_carter_{sex}"]
        assert fit["drift_per_year"] < 0 < fit["drift_se"]
        assert fit["explained_variance"] > 0.9
    e0 = ds["life_expectancy_birth"].sel(sex="female")
    assert float(e0.sel(year=2040)) > float(e0.sel(year=2020))


def test_stochastic_draws_are_reproducible_and_bracket_the_centre(china):
    a = PopulationAssumptions(mortality_method="lee_carter")
    one = project_region(china, a, end_year=2040, draws=200, seed=5)
    two = project_region(china, a, end_year=2040, draws=200, seed=5)
    other = project_region(china, a, end_year=2040, draws=200, seed=6)
    assert one["population"].dims == ("year", "draw", "sex", "age")
    assert np.array_equal(one["population"].values, two["population"].values)
    assert not np.array_equal(one["population"].values, other["population"].values)
    central = project_region(china, a, end_year=2040)["population_total"].sel(year=2040)
    totals = one["population_total"].sel(year=2040)
    assert float(totals.quantile(0.05)) < float(central) < float(totals.quantile(0.95))


def test_draws_centre_on_any_methods_deterministic_path(china):
    """Schedule mortality: the draws perturb the schedule by Lee–Carter k_t deviations; with the
    volatility at 0 every draw is the deterministic path, to rounding."""
    from forecast.model.population.project import population_chunks

    central = project_region(china, PopulationAssumptions(), end_year=2040)
    drawn = project_region(china, PopulationAssumptions(), end_year=2040, draws=200, seed=4)["population_total"].sel(
        year=2040
    )
    assert float(drawn.quantile(0.1)) < float(central["population_total"].sel(year=2040)) < float(drawn.quantile(0.9))
    still = next(
        population_chunks(
            china, PopulationAssumptions(), end_year=2040, draws=3, seed=4, with_indicators=False, volatility=0.0
        )
    )
    for draw in range(3):
        assert np.allclose(still["population"].isel(draw=draw).values, central["population"].values, rtol=1e-12)


def test_life_expectancy_indicator_matches_the_life_table(china, baseline):
    from forecast.model.population.rates import annual_rates, single_age_mortality

    mx = annual_rates(single_age_mortality(china.mortality), [2030]).sel(year=2030, sex="female").values
    e0 = life_table(mx, infant_ax(mx[0], "female"))["ex"][0]
    assert float(baseline["life_expectancy_birth"].sel(year=2030, sex="female")) == pytest.approx(e0, rel=1e-12)


def test_improvement_rates_by_age_band(china):
    """Only ages 65+ improve: the 65+ rates fall by (1 - 0.03)^10 over ten years, younger ones stay."""
    from forecast.model.population.mortality import mortality_path

    rates = {s: ((0, 64, 0.0), (65, None, 0.03)) for s in ("male", "female")}
    a = PopulationAssumptions(mortality_method="improvement", improvement_rate=rates)
    mx, _ = mortality_path(china, a, list(range(2020, 2031)))
    ratio = mx.sel(year=2030) / mx.sel(year=2020)
    assert np.allclose(ratio.sel(age=slice(0, 64)), 1.0)
    assert np.allclose(ratio.sel(age=slice(65, None)), 0.97**10)
