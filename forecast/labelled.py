"""Small helpers for labelled arrays, shared by the stages."""

from __future__ import annotations

import xarray as xr

__all__ = ["stack"]


def stack(arrays, dim: str, labels) -> xr.DataArray:
    """``arrays`` (DataArrays or numbers) stacked along a new dimension ``dim`` labelled ``labels``;
    scalar labels left by ``.sel`` are dropped first, so they never conflict."""
    parts = [a.reset_coords(drop=True) if isinstance(a, xr.DataArray) else xr.DataArray(a) for a in arrays]
    return xr.concat(parts, dim=dim, coords="minimal", compat="override", join="exact").assign_coords({dim: list(labels)})
