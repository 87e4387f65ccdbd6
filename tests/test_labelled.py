"""The labelled-array helpers the engine's reductions over draws rely on."""

import numpy as np
import pytest
import xarray as xr

from forecast.labelled import draws_last, on_cores, skipna


def test_on_cores_gives_each_result_in_order_and_the_median_of_the_draws_unchanged():
    rng = np.random.default_rng(3)
    arrays = [xr.DataArray(rng.normal(size=(500, 7, 5)), dims=("draw", "year", "pool")) for _ in range(5)]

    def median(da):
        drawn = draws_last(da)
        return drawn.median("draw", skipna=skipna(drawn))

    together = on_cores(median, arrays)
    assert len(together) == len(arrays)
    for da, got in zip(arrays, together):
        assert got.dims == ("year", "pool")
        np.testing.assert_array_equal(got.values, np.median(da.values, axis=0))


def test_on_cores_raises_what_the_function_raises():
    def refuse(x):
        raise ValueError(f"bad {x}")

    with pytest.raises(ValueError, match="bad"):
        on_cores(refuse, [1, 2, 3])
    assert on_cores(refuse, []) == []


def test_skipna_only_where_there_is_nan():
    da = xr.DataArray(np.array([[1.0, 2.0], [3.0, np.nan]]), dims=("year", "draw"))
    assert skipna(da) is None
    assert skipna(da.fillna(0)) is False
