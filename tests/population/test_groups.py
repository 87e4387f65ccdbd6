"""Chunks of draws projected together (forecast/model/population/groups.py) and death rates made a
year at a time (mortality.DrawnRates): the same numbers, bit for bit, as each chunk projected alone
with its rates made whole; and the background thread that makes the next chunk (prefetched)."""

from __future__ import annotations

import importlib
import threading

import numpy as np
import pytest

from forecast.model.population import PopulationAssumptions
from forecast.model.population.groups import prefetched
from forecast.model.population.mortality import DrawnRates, fit_lee_carter, mortality_draws, mortality_path

#: the population stage's projection module (the package's attribute ``project`` is a function)
projection = importlib.import_module("forecast.model.population.project")


def test_drawn_rates_are_the_whole_arrays_made_a_year_at_a_time(china):
    """m × exp(b_x · k) for year t equals the year of the (draw, year, sex, age) array the same
    operations make at once: to the bit."""
    years = np.arange(2021, 2041)
    central, _ = mortality_path(china, PopulationAssumptions(), years)
    models = fit_lee_carter(china, PopulationAssumptions())
    rates, notes = mortality_draws(central, models, years, 7, np.random.default_rng(5), volatility=1.3)
    assert isinstance(rates, DrawnRates) and rates.shape == (len(years), 7, 2, central.sizes["age"])
    assert set(notes) == {"lee_carter_male", "lee_carter_female"}
    whole = np.empty((7, len(years), 2, central.sizes["age"]))
    for i, sex in enumerate(("male", "female")):
        k = rates.k[:, :, i].T[..., None]  # (draw, year, 1)
        np.multiply(k, models[sex].bx_[None, None, :], out=whole[:, :, i, :])
        np.exp(whole[:, :, i, :], out=whole[:, :, i, :])
        np.multiply(
            central.sel(sex=sex).transpose("year", "age").values[None], whole[:, :, i, :], out=whole[:, :, i, :]
        )
    for t in range(len(years)):
        np.testing.assert_array_equal(rates[t], whole[:, t])
    joined = DrawnRates.joined([rates, rates])
    assert joined.shape[1] == 14
    np.testing.assert_array_equal(joined[3][7:], rates[3])


def test_drawn_fertility_is_the_whole_product_made_a_year_at_a_time(china):
    """The TFR paths of several draws × the fertility pattern, year t of the whole (draw, year, age)
    product that xarray makes at once: to the bit; a path that does not differ by draw stays whole."""
    import xarray as xr

    from forecast.model.population.rates import DrawnFertility, drawn_fertility, fertility_pattern

    years = np.arange(2021, 2041)
    pattern = fertility_pattern(china.fertility, years)
    shocks = np.random.default_rng(3).standard_normal((5, len(years))).cumsum(axis=1) * 0.05
    path = (1.1 + xr.DataArray(shocks, dims=("draw", "year"), coords={"year": years})).clip(min=0.1)
    drawn = drawn_fertility(path, pattern)
    assert isinstance(drawn, DrawnFertility) and drawn.sizes == {"draw": 5}
    whole = (path * pattern).transpose("year", "draw", "age").values
    for t in range(len(years)):
        np.testing.assert_array_equal(drawn[t], whole[t])
    one = drawn_fertility(path.isel(draw=0, drop=True), pattern)
    assert isinstance(one, xr.DataArray) and one.dims == ("year", "age")


@pytest.mark.parametrize("group", [None, 30, 45])
def test_chunks_projected_in_groups_are_the_chunks_projected_alone(china, monkeypatch, group):
    """Chunks of 15 draws (each its own random stream) projected three at a time, or two and a
    remainder: the same population and births, draw by draw, to the bit; the draws numbered on."""
    monkeypatch.setattr(projection, "DRAW_CHUNK", 15)
    options = dict(end_year=2035, draws=40, seed=11, with_indicators=False)
    alone = list(projection.population_chunks(china, PopulationAssumptions(), **options))
    grouped = list(projection.population_chunks(china, PopulationAssumptions(), group=group, **options))
    assert [c.sizes["draw"] for c in alone] == [15, 15, 10]
    expected = {None: [15, 15, 10], 30: [30, 10], 45: [40]}[group]
    assert [c.sizes["draw"] for c in grouped] == expected
    for name in ("population", "births"):
        a = np.concatenate([c[name].values for c in alone], axis=1)
        g = np.concatenate([c[name].values for c in grouped], axis=1)
        np.testing.assert_array_equal(g, a, err_msg=name)
    assert np.concatenate([c["draw"].values for c in grouped]).tolist() == list(range(40))
    assert {c.attrs["seed"] for c in grouped} == {alone[0].attrs["seed"]}
    assert "deaths" not in grouped[0] and "life_expectancy_birth" not in grouped[0]


def _numbers(n, seen=None):
    for i in range(n):
        if seen is not None:
            seen.append(threading.current_thread().name)
        yield i


def test_prefetched_makes_each_chunk_in_the_background_and_stops_when_left():
    seen = []
    with prefetched(_numbers(4, seen)) as ahead:
        assert list(ahead) == [0, 1, 2, 3]
    assert all(name.startswith("forecast-population") for name in seen)
    made = []
    with prefetched(_numbers(100, made)) as ahead:
        for chunk in ahead:
            if chunk == 1:
                break
    assert len(made) <= 3  # the one taken, the one after it, and at most the one under way


def test_prefetched_several_ahead_keeps_the_order_and_stops_when_left():
    with prefetched(_numbers(7), ahead=3) as ahead:
        assert list(ahead) == list(range(7))
    made = []
    with prefetched(_numbers(100, made), ahead=3) as ahead:
        for chunk in ahead:
            if chunk == 1:
                break
    assert len(made) <= 6  # the two taken, the three ahead, and at most the one under way


def test_chunks_made_as_functions_on_two_threads_are_the_chunks_in_order(china, monkeypatch):
    """population_chunks(deferred=True) gives each group as a function that projects it, its random
    numbers drawn in order; prefetched makes them on two threads at once and gives them in order,
    each the same to the bit as made one after another."""
    monkeypatch.setattr(projection, "DRAW_CHUNK", 15)
    options = dict(end_year=2035, draws=60, seed=4, with_indicators=False, group=30)
    alone = list(projection.population_chunks(china, PopulationAssumptions(), **options))
    deferred = projection.population_chunks(china, PopulationAssumptions(), deferred=True, **options)
    with prefetched(deferred, ahead=2, workers=2) as ahead:
        together = list(ahead)
    assert len(together) == len(alone) == 2
    for a, t in zip(alone, together):
        assert t["draw"].values.tolist() == a["draw"].values.tolist()
        for name in ("population", "births"):
            np.testing.assert_array_equal(t[name].values, a[name].values, err_msg=name)


def test_prefetched_raises_the_chunks_error_in_the_caller():
    def failing():
        yield 1
        raise ValueError("the population projection has no births in 2031")

    with pytest.raises(ValueError, match="no births"):
        with prefetched(failing()) as ahead:
            list(ahead)


def test_prefetched_left_before_iterating_does_not_hang():
    with pytest.raises(RuntimeError, match="plan failed"):
        with prefetched(_numbers(5)):
            raise RuntimeError("plan failed")


def test_prefetched_on_no_worker_makes_each_chunk_in_the_caller_as_it_is_taken():
    """``workers=0`` (one core, a batch task): no thread; each chunk made when taken, so leaving the
    block early makes no more; an error is raised as with threads."""
    seen = []
    with prefetched(_numbers(4, seen), ahead=2, workers=0) as ahead:
        assert list(ahead) == [0, 1, 2, 3]
    assert set(seen) == {threading.current_thread().name}
    made = []
    with prefetched(_numbers(100, made), ahead=2, workers=0) as ahead:
        for chunk in ahead:
            if chunk == 1:
                break
    assert len(made) == 2

    def failing():
        yield 1
        raise ValueError("the population projection has no births in 2031")

    with pytest.raises(ValueError, match="no births"):
        with prefetched(failing(), workers=0) as ahead:
            list(ahead)
