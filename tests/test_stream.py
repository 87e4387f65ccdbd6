"""A run of many draws streams them (issue 25, forecast/engine/store.py): the contract variables keep
every draw, written in place chunk by chunk; the others become their mean over the draws, so memory
does not grow with the draws beyond what users read of every draw. Here the thresholds are lowered
so that a few hundred draws stream over several chunks, and the streamed run is compared with the
same draws held whole."""

from __future__ import annotations

import importlib

import numpy as np
import pytest

import forecast
import forecast.engine.store as store
from forecast.engine.store import PER_DRAW, DrawStore

#: the population stage's projection module (the package's attribute ``project`` is a function)
projection = importlib.import_module("forecast.model.population.project")
#: the engine's run module (joins the population's chunks for the fund stages: FUND_DRAWS)
engine_run = importlib.import_module("forecast.engine.run")


@pytest.fixture(scope="module")
def whole_and_streamed():
    """The same 150 draws (chunks of 40: four chunks, the last short), held whole and streamed."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(projection, "DRAW_CHUNK", 40)
        mp.setattr(engine_run, "FUND_DRAWS", 40)
        whole = forecast.run("baseline", draws=150, seed=7)
        mp.setattr(store, "STREAM_DRAWS", 100)
        streamed = forecast.run("baseline", draws=150, seed=7)
    return whole, streamed


@pytest.mark.slow
def test_a_streamed_run_keeps_every_draw_of_the_contract_variables(whole_and_streamed):
    whole, streamed = whole_and_streamed
    assert list(streamed["draw"].values) == list(range(150))
    for name in (
        *PER_DRAW,
        "p_current_deficit",
        "p_exhausted",
        "reserve_quantile",
        "income_quantile",
        "first_deficit_year",
        "exhaustion_year",
    ):
        assert streamed[name].dims == whole[name].dims, name
        np.testing.assert_array_equal(streamed[name].values, whole[name].values, err_msg=name)


@pytest.mark.slow
def test_a_streamed_run_keeps_the_mean_of_the_rest(whole_and_streamed):
    whole, streamed = whole_and_streamed
    averaged = [v for v in whole.data_vars if "draw" in whole[v].dims and "draw" not in streamed[v].dims]
    assert {"income_items", "expenditure_items", "insured_by_status", "admissions"} <= set(averaged)
    assert set(averaged) | set(PER_DRAW) | {"first_deficit_year", "exhaustion_year"} == {
        v for v in whole.data_vars if "draw" in whole[v].dims
    }
    for name in averaged:
        mean = whole[name].mean("draw", skipna=False).transpose(*streamed[name].dims)
        np.testing.assert_allclose(streamed[name].values, mean.values, rtol=1e-12, err_msg=name)
        assert "the mean over 150 draws" in streamed[name].attrs["description"]
    # income is still the sum of its items, draw by draw in the contract and on average in the means
    items = streamed["income_items"].sum("income_item")
    np.testing.assert_allclose(items.values, streamed["income"].mean("draw").transpose(*items.dims).values, rtol=1e-9)


@pytest.mark.slow
def test_the_fund_stages_give_the_same_draws_however_many_they_take_at_once(whole_and_streamed):
    """The population's chunks of 40 draws joined for the fund stages two or three at a time (80:
    two joined chunks and one of 70; 120: one of 120 and one of 30) give the draws of the chunks
    taken one by one: the draws are independent of one another (to rounding: numpy sums the items
    of a longer array in another order: a last-bit difference of an item, 2e-16 measured, which a
    balance near zero shows relative to the variable's scale)."""
    whole, _ = whole_and_streamed
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(projection, "DRAW_CHUNK", 40)
        for size in (80, 120):
            mp.setattr(engine_run, "FUND_DRAWS", size)
            joined = forecast.run("baseline", draws=150, seed=7)
            for name in whole.data_vars:
                if np.issubdtype(whole[name].dtype, np.number):
                    scale = float(np.nanmax(np.abs(whole[name].values), initial=0.0))
                    np.testing.assert_allclose(
                        joined[name].values,
                        whole[name].values,
                        rtol=1e-13,
                        atol=1e-13 * scale,
                        err_msg=f"{name} ({size})",
                    )


def test_a_store_refuses_a_result_short_of_its_draws():
    import xarray as xr

    part = xr.Dataset(
        {"reserve": (("draw", "year"), np.ones((3, 2))), "income_items": (("draw", "year"), np.ones((3, 2)))},
        coords={"draw": [0, 1, 2], "year": [2024, 2025]},
    )
    kept = DrawStore(5, stream=True)
    kept.add(part)
    with pytest.raises(RuntimeError, match="3 draws were projected, 5 expected"):
        kept.result()
    whole = DrawStore(3, stream=True)
    whole.add(part)
    out = whole.result()
    assert out["reserve"].dims == ("draw", "year") and out["income_items"].dims == ("year",)
    np.testing.assert_array_equal(out["income_items"].values, [1.0, 1.0])
