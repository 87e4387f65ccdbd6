"""An honest centre and sharp, calibrated fans (issue 23).

- The ``fitted`` drivers are fitted once, on the central population path: the draws vary around
  the deterministic run, whatever the seed (the medians agree with it within Monte Carlo error).
- The shocks' estimators recover known parameters on synthetic data: the correlation of one-year
  errors, the fading of the fit's parameter uncertainty where a scenario states its path, a pool's
  age–sex cost index.
- Deficits after exhaustion are carried as debt with interest, or topped up by public budgets.
"""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import forecast
from forecast.model.fund import Deficits, roll_forward
from forecast.model.uncertainty.shocks import SHRINKAGE, error_correlation, fitted_weights
from forecast.scenario.dated import FITTED, DatedValue

#: the flows driven by the drivers: income and expenditure before the roll-forward's own items
#: (interest earned by a reserve, paid on a deficit, a deficit's top-up), which have a kink at a
#: zero reserve and so no median equal to the central path's where draws straddle it
ROLLED = ("interest", "deficit_subsidy", "debt_interest")


def _before_interest(ds, flow: str) -> xr.DataArray:
    items = ds[f"{flow}_items"]
    dim = f"{flow}_item"
    return items.sel({dim: [i for i in items[dim].values if i not in ROLLED]}).sum(dim)


@pytest.mark.parametrize("seed", [1, 2])
def test_the_median_of_many_draws_is_the_deterministic_path_whatever_the_seed(seed):
    """``forecast run baseline --draws 1000`` with seeds 1 and 2: every pool's income and
    expenditure medians in 2035 and 2050 within three Monte Carlo standard errors of the median
    (1.2533 σ / √n) of the deterministic path."""
    det, ds = forecast.run("baseline"), forecast.run("baseline", draws=1000, seed=seed)
    for flow in ("income", "expenditure"):
        central, drawn = _before_interest(det, flow), _before_interest(ds, flow)
        for pool in ("employee", "resident", "critical_illness", "medical_assistance", "ltci"):
            for year in (2035, 2050):
                x = drawn.sel(pool=pool, year=year).values
                se = 1.2533 * x.std() / np.sqrt(len(x))
                assert abs(np.median(x) - float(central.sel(pool=pool, year=year))) <= 3 * se + 1e-9 * abs(
                    np.median(x)
                ), (flow, pool, year)


def test_the_fit_is_the_same_whatever_the_draws():
    fitted = [
        forecast.run("baseline", draws=draws, seed=seed).attrs["fitted_growth"]["values"]
        for draws, seed in ((4, 1), (4, 2), (None, None))
    ]
    assert fitted[0] == fitted[1] == fitted[2]


def test_the_correlation_of_errors_is_recovered_and_shrunk():
    rng = np.random.default_rng(0)
    n, rho = 400, 0.6
    z = rng.multivariate_normal([0, 0], [[1, rho], [rho, 1]], size=n)
    shocks = {name: {"errors": dict(zip(range(2000, 2000 + n), z[:, i]))} for i, name in enumerate(("a", "b"))}
    corr = error_correlation(shocks, ["a", "b"])
    assert corr[0, 1] == pytest.approx(rho * n / (n + SHRINKAGE), abs=0.08)
    few = {name: {"errors": dict(zip(range(2020, 2024), z[:4, i]))} for i, name in enumerate(("a", "b"))}
    sample = float(np.corrcoef(z[:4, 0], z[:4, 1])[0, 1])
    assert error_correlation(few, ["a", "b"])[0, 1] == pytest.approx(sample * 4 / 7)  # four years: shrunk by 4/7
    assert np.array_equal(error_correlation({"a": {}, "b": {}}, ["a", "b"]), np.eye(2))  # no common years: none


def test_the_fit_s_parameter_uncertainty_fades_where_the_scenario_states_its_path():
    years = np.arange(2025, 2041)
    wage = DatedValue(((2027, FITTED), (2035, 0.04)), between="linear")
    weights = fitted_weights(wage, years)
    assert np.all(weights[years <= 2027] == 1) and np.all(weights[years >= 2035] == 0)
    assert np.all(np.diff(weights) <= 0) and weights[years == 2031][0] == pytest.approx(0.5)
    assert np.all(fitted_weights(DatedValue.constant(0.03), years) == 0)  # a stated value: no fit to be unsure of
    assert fitted_weights(DatedValue.constant(FITTED), years, 0.8)[3] == pytest.approx(
        0.8**3
    )  # a fitted trend fades with it


def test_a_pool_s_age_index_is_its_members_mean_cost_weight(china):
    """On a synthetic population with every member at one cost weight per curve, the index is the
    curves' weights mixed by the pool's cost shares, whatever the enrollment."""
    from forecast.model.enrollment.members import pool_age_index, retired_fraction, retirement_schedule

    scenario = forecast.load_scenario("baseline")
    ages = np.arange(101)
    population = xr.DataArray(
        np.full((2, 2, 101), 1e6),
        dims=("year", "sex", "age"),
        coords={"year": [2023, 2024], "sex": ["male", "female"], "age": ages},
    )
    curves = xr.Dataset(
        {
            c: xr.DataArray(np.full((2, 101), w), dims=("sex", "age"), coords={"sex": ["male", "female"], "age": ages})
            for c, w in (("inpatient", 2.0), ("outpatient", 0.5))
        }
    )
    retired = retired_fraction(np.array([2023, 2024]), ages, *retirement_schedule(scenario.params))
    counts = {2023: (8e7, 3e7, 5e7), 2024: (8.5e7, 3.2e7, 4.5e7)}
    index = pool_age_index(
        population,
        counts,
        retired,
        curves,
        {"employee": {"inpatient": 0.5, "outpatient": 0.5}, "resident": {"inpatient": 0.8, "outpatient": 0.2}},
    )
    assert np.allclose(index.sel(pool="employee").values, 0.5 * 2.0 + 0.5 * 0.5)
    assert np.allclose(index.sel(pool="resident").values, 0.8 * 2.0 + 0.2 * 0.5)
    older = curves.assign(inpatient=curves["inpatient"] * (ages / 50.0))  # cost rising with age: an index, not a count
    weights = {"employee": {"inpatient": 1.0}, "resident": {"inpatient": 1.0}}
    ageing = pool_age_index(population, counts, retired, older, weights)
    halved = pool_age_index(
        population, {y: tuple(c / 2 for c in v) for y, v in counts.items()}, retired, older, weights
    )
    # the employee pool's members are the same mix at half the coverage; the residents are the rest
    # of the population, so theirs changes with it
    xr.testing.assert_allclose(ageing.sel(pool="employee"), halved.sel(pool="employee"))
    assert not np.allclose(ageing.sel(pool="resident"), halved.sel(pool="resident"))


def test_the_cost_decomposition_adds_up_to_the_fitted_growth():
    """nominal = (1 + price)(1 + ageing)(1 + real) − 1 for each pool, with the pool's own ageing
    (its age index's yearly growth), as the run records it and ``forecast explain`` prints it."""
    from forecast.model.fitting.fitted import ageing_effect

    index = xr.DataArray([1.0, 1.01, 1.0201, 1.030301], dims="year", coords={"year": [2020, 2021, 2022, 2023]})
    assert ageing_effect(index, 2020, 2023) == pytest.approx(0.01)
    fits = forecast.run("baseline").attrs["fitted_growth"]
    for pool in ("employee", "resident"):
        d = fits["decomposition"][pool]
        assert (1 + d["price"]) * (1 + d["ageing"]) * (1 + d["real"]) - 1 == pytest.approx(d["nominal"], rel=1e-12)
        assert d["ageing"] == fits["ageing_effect"]["growth"][pool]
    assert (
        fits["decomposition"]["employee"]["ageing"] < fits["decomposition"]["resident"]["ageing"]
    )  # employees' members age more slowly


def _rolled(balances, convention, rate=0.02, debt_rate=0.05, opening=10.0):
    years = np.arange(len(balances))
    balance = xr.DataArray(
        np.array(balances, dtype=float)[:, None], dims=("year", "pool"), coords={"year": years, "pool": ["p"]}
    )
    return roll_forward(
        balance,
        xr.DataArray([opening], dims="pool", coords={"pool": ["p"]}),
        xr.DataArray(np.full(len(years), rate), dims="year", coords={"year": years}),
        xr.DataArray([False], dims="pool", coords={"pool": ["p"]}),
        deficits=Deficits(convention, debt_rate),
    ).sel(pool="p")


def test_a_deficit_carried_as_debt_pays_interest_at_its_rate():
    out = _rolled([-30.0, -5.0, 2.0], "debt")
    average = 10.0 - 30.0 / 2  # −5: a deficit on average over the first year
    assert float(out["debt_interest"][0]) == pytest.approx(0.05 * 5.0) and float(out["interest"][0]) == 0
    assert float(out["reserve"][0]) == pytest.approx(10.0 - 30.0 - 0.05 * -average)
    reserve = np.concatenate([[10.0], out["reserve"].values])
    np.testing.assert_allclose(
        np.diff(reserve), out["balance"] + out["interest"] - out["debt_interest"] + out["deficit_subsidy"]
    )


def test_a_deficit_financed_by_public_budgets_is_topped_up_to_zero():
    out = _rolled([-30.0, -5.0, 2.0], "fiscal")
    assert (
        np.all(out["reserve"].values >= 0)
        and float(out["reserve"][0]) == 0
        and float(out["deficit_subsidy"][1]) == pytest.approx(5.0)
    )
    assert float(out["reserve"][2]) == pytest.approx(
        2.0 + 0.02 * 1.0
    )  # interest on the year's average reserve, 0 + 2/2
    reserve = np.concatenate([[10.0], out["reserve"].values])
    np.testing.assert_allclose(
        np.diff(reserve), out["balance"] + out["interest"] - out["debt_interest"] + out["deficit_subsidy"]
    )


def test_the_baseline_carries_deficits_as_debt_and_a_scenario_may_make_budgets_pay(tmp_path):
    overlay = tmp_path / "fiscal.yaml"
    overlay.write_text("title: 财政兜底\nassumptions:\n  deficits: {financing: fiscal}\n", encoding="utf-8")
    debt, fiscal = forecast.run("baseline"), forecast.run(f"baseline+{overlay}")
    resident = debt["reserve"].sel(pool="resident")
    assert (
        float(resident.min()) < 0
        and float(debt["expenditure_items"].sel(pool="resident", expenditure_item="debt_interest").max()) > 0
    )
    assert float(fiscal["reserve"].sel(pool="resident").min()) == 0
    topped = fiscal["income_items"].sel(pool="resident", income_item="deficit_subsidy")
    assert (
        float(topped.sum()) > 0 and float(fiscal["expenditure_items"].sel(expenditure_item="debt_interest").sum()) == 0
    )


def test_the_central_path_is_the_fans_middle_line_and_the_median_of_the_draws():
    """``ds.fund.central()`` of a run with draws: the fanned flows are the summary's 0.5 percentile to
    the bit (taken once, not twice), which is the median over the draws within a unit in the last
    place; a flow without a fan (the insured) is its median."""
    from forecast.results.uncertainty import FANNED

    ds = forecast.run("baseline", draws=200, seed=5)
    central = ds.fund.central()
    for name in FANNED:
        middle = ds[f"{name}_quantile"].sel(quantile=0.5, drop=True).transpose(*central[name].dims)
        np.testing.assert_array_equal(central[name].values, middle.values, err_msg=name)
        median = ds[name].median("draw").transpose(*central[name].dims)
        np.testing.assert_allclose(central[name].values, median.values, rtol=4e-16, atol=0, err_msg=name)
    np.testing.assert_array_equal(
        central["insured"].values, ds["insured"].median("draw").transpose(*central["insured"].dims).values
    )
