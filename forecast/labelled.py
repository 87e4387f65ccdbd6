"""Small helpers for labelled arrays, shared by the stages, and :func:`defer_dask`."""

from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import xarray as xr
from xarray.namedarray import pycompat
from xarray.namedarray import utils as xr_utils

__all__ = ["stack", "values_like", "concat_exact", "defer_dask", "skipna", "draws_last", "on_cores"]


def stack(arrays, dim: str, labels) -> xr.DataArray:
    """``arrays`` (DataArrays or numbers) stacked along a new dimension ``dim`` labelled ``labels``;
    scalar labels left by ``.sel`` are dropped first, so they never conflict."""
    parts = [a.reset_coords(drop=True) if isinstance(a, xr.DataArray) else xr.DataArray(a) for a in arrays]
    if _alike(parts) and dim not in parts[0].dims:  # the stages' usual case: one np.stack, not xr.concat's checks
        first = parts[0]
        names = {p.name for p in parts}
        return xr.DataArray(
            np.stack([p.values for p in parts]),
            dims=(dim, *first.dims),
            coords={**{name: first.indexes[name] for name in first.indexes}, dim: list(labels)},
            attrs=dict(first.attrs),
            name=names.pop() if len(names) == 1 else None,
        )
    return xr.concat(parts, dim=dim, coords="minimal", compat="override", join="exact").assign_coords(
        {dim: list(labels)}
    )


def _same_labels(a: xr.DataArray, b: xr.DataArray) -> bool:
    """Whether ``a`` and ``b`` have the same labelled dimensions, with equal labels."""
    return a.indexes.keys() == b.indexes.keys() and all(a.indexes[k].equals(b.indexes[k]) for k in b.indexes)


def _alike(parts: list[xr.DataArray]) -> bool:
    """Whether ``parts`` share their dimensions, in order, and their labels exactly."""
    return all(p.dims == parts[0].dims and _same_labels(p, parts[0]) for p in parts[1:])


def values_like(da, like: xr.DataArray) -> np.ndarray:
    """``da`` (a DataArray or a number) as a numpy array over ``like``'s dimensions, in their order:
    no broadcast to make where it has them, with the same labels (the arrays of one run); otherwise
    broadcast, the labels they share required to be equal."""
    if not isinstance(da, xr.DataArray):
        return np.broadcast_to(np.asarray(da), like.shape)
    if set(da.dims) == set(like.dims) and _same_labels(da, like):
        return da.transpose(*like.dims).values
    return xr.broadcast(*xr.align(da, like, join="exact"))[0].transpose(*like.dims).values


def skipna(da: xr.DataArray) -> bool | None:
    """For a reduction of ``da`` (a median, a quantile): False where it holds no NaN, so that numpy
    reduces the whole array at once (the same numbers: xarray's default skips NaN one 1-D slice at a
    time, 30× slower over 10,000 draws), None (skip them, the default) where it does."""
    return None if np.isnan(da.values).any() else False


def draws_last(da: xr.DataArray) -> xr.DataArray:
    """``da`` with ``draw`` as its last axis, contiguous in memory, for a median or quantile over the
    draws: numpy partitions each row of draws, and rows 1 in 200 numbers apart (draw first) are
    several times slower to partition than contiguous ones (the same numbers)."""
    moved = da.transpose(..., "draw")
    return moved.copy(data=np.ascontiguousarray(moved.values))


def on_cores(function, items) -> list:
    """``[function(item) for item in items]``, on as many threads as the process has cores (at most
    one per item): for reductions over the draws (percentiles, medians), whose sorting and copying
    numpy does without holding the GIL, at the end of a run when the other core is idle."""
    from .limits import usable_cores

    items = list(items)
    threads = min(usable_cores(), len(items))
    if threads < 2:
        return [function(item) for item in items]
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="forecast-draws") as pool:
        return list(pool.map(function, items))


def concat_exact(objs, dim: str, *, data_vars: str = "all", combine_attrs: str = "override"):
    """``objs`` (runs or pieces of one) joined along ``dim``: their other labels must agree
    (``join="exact"``), and the coordinates without ``dim`` are taken from the first
    (``coords="minimal"``, ``compat="override"``)."""
    return xr.concat(
        objs,
        dim=dim,
        data_vars=data_vars,
        coords="minimal",
        compat="override",
        join="exact",
        combine_attrs=combine_attrs,
    )


class _DeferredDask(pycompat.DuckArrayModule):
    """xarray's record of dask (``xarray.namedarray.pycompat``) that imports nothing until dask is
    used: xarray otherwise imports ``dask.array`` (0.4 s) with the first DataArray only to test
    whether an array is a dask array, which none can be before dask is imported."""

    def __init__(self):  # noqa: D107 - the real record is made on first use of module/version
        self._real = None

    def _resolved(self) -> pycompat.DuckArrayModule:
        if self._real is None:
            self._real = pycompat.DuckArrayModule("dask")
        return self._real

    @property
    def type(self):
        if "dask.array" not in sys.modules:
            return ()
        return self._resolved().type

    module = property(lambda self: self._resolved().module)
    version = property(lambda self: self._resolved().version)
    available = property(lambda self: self._resolved().available)


def defer_dask() -> None:
    """Keep xarray from importing dask in a process that never makes a dask array (a deterministic
    run, ``forecast --version``): its dask checks answer "no" until dask is imported, then ask dask.
    Nothing changes when dask is already imported or xarray's internals differ from these."""
    if (
        "dask" in sys.modules
        or not hasattr(pycompat, "_cached_duck_array_modules")
        or not hasattr(xr_utils, "is_dask_collection")
    ):
        return
    pycompat._cached_duck_array_modules.setdefault("dask", _DeferredDask())
    asks_dask = xr_utils.is_dask_collection
    if getattr(asks_dask, "deferred", False):
        return

    def is_dask_collection(x) -> bool:
        return "dask" in sys.modules and asks_dask(x)

    is_dask_collection.deferred = True
    xr_utils.is_dask_collection = is_dask_collection
