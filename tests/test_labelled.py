"""The labelled-array helpers the engine's reductions over draws rely on."""

import numpy as np
import pytest
import xarray as xr

from forecast.labelled import draws_last, on_cores, skipna, stack, values_like


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


def _concatenated(arrays, dim, labels):
    """What stack gives, by xarray's own concat (its general path)."""
    parts = [a.reset_coords(drop=True) if isinstance(a, xr.DataArray) else xr.DataArray(a) for a in arrays]
    return xr.concat(parts, dim=dim, coords="minimal", compat="override", join="exact").assign_coords(
        {dim: list(labels)}
    )


@pytest.mark.parametrize(
    "make",
    [
        lambda y, d: [
            xr.DataArray(
                np.arange(6.0).reshape(2, 3) * k,
                dims=("year", "draw"),
                coords={"year": y, "draw": d},
                attrs={"units": "yuan"},
                name="x",
            )
            for k in range(3)
        ],
        lambda y, d: [
            xr.DataArray(np.ones((2, 3), dtype=int), dims=("year", "draw"), coords={"year": y, "draw": d}),
            xr.DataArray(np.full((2, 3), 0.5), dims=("year", "draw"), coords={"year": y, "draw": d}, name="other"),
        ],
        lambda y, d: [
            xr.DataArray(np.ones(2), dims="year", coords={"year": y}).assign_coords(pool="employee"),
            xr.DataArray(np.zeros((2, 3)), dims=("year", "draw"), coords={"year": y, "draw": d}),
            1.5,
        ],
        lambda y, d: [1.0, 2.0, np.float64(3.0)],
    ],
)
def test_stack_is_xarrays_concat_along_a_new_dimension(make):
    """The fast path (the parts alike: one np.stack) and the general one give what xr.concat gives:
    values, dtype, dimensions, labels, attributes and name."""
    arrays = make([2024, 2025], [0, 1, 2])
    labels = [f"p{i}" for i in range(len(arrays))]
    got, expected = stack(arrays, "pool", labels), _concatenated(arrays, "pool", labels)
    xr.testing.assert_identical(got, expected)
    assert got.dtype == expected.dtype


def test_stack_refuses_parts_whose_labels_differ():
    a = xr.DataArray(np.ones(2), dims="year", coords={"year": [2024, 2025]})
    with pytest.raises(ValueError):
        stack([a, a.assign_coords(year=[2025, 2026])], "pool", ["x", "y"])


def test_values_like_is_the_array_broadcast_over_like():
    """values_like(da, like): da's numbers over like's dimensions in their order, as xr.broadcast gives
    them: at once where da has like's dimensions and labels, broadcast where it lacks some; a number
    is spread; labels that differ are refused, not joined."""
    like = xr.DataArray(
        np.arange(24.0).reshape(2, 3, 4), dims=("year", "pool", "draw"), coords={"year": [1, 2], "pool": list("abc")}
    )
    same = like.transpose("draw", "pool", "year") * 2
    np.testing.assert_array_equal(values_like(same, like), like.values * 2)
    by_pool = xr.DataArray([True, False, True], dims="pool", coords={"pool": list("abc")})
    expected = xr.broadcast(by_pool, like)[0].transpose(*like.dims).values
    np.testing.assert_array_equal(values_like(by_pool, like), expected)
    np.testing.assert_array_equal(values_like(7.0, like), np.full(like.shape, 7.0))
    with pytest.raises(ValueError):
        values_like(by_pool.assign_coords(pool=list("abd")), like)
