"""Single-age, annual demographic rates from a bundle's period tables.

- :func:`single_age_mortality` — a bundle's mortality surface (period, sex, age_group), mx or qx,
  graduated to single ages 0..100+ (cumulative-hazard spline, :mod:`.graduation`).
- :func:`annual_rates` — period values placed at period mid-points and interpolated to calendar
  years (log-linear for rates), held constant before the first and after the last mid-point.
- :func:`fertility_pattern` — the age pattern of fertility (single ages, summing to 1) by year.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from .graduation import graduate_rates

__all__ = [
    "single_age_mortality",
    "annual_rates",
    "fertility_pattern",
    "period_midpoints",
    "OPEN_AGE",
    "DrawnFertility",
    "drawn_fertility",
]

OPEN_AGE = 100


def period_midpoints(surface: xr.DataArray) -> np.ndarray:
    """Mid-point of each period in years: '2020-2024' (1 Jan 2020 to 31 Dec 2024) -> 2022.5."""
    return (surface["year_start"].values + surface["year_end"].values + 1) / 2.0


def single_age_mortality(mortality: xr.DataArray, open_age: int = OPEN_AGE) -> xr.DataArray:
    """mx by single age (dims period, sex, age) from a bundle's mortality table.

    qx is converted to mx under a constant force within each age group: m = -ln(1 - q) / n; the
    open group (q = 1 by definition) takes the force of the last closed group.
    """
    values = mortality.transpose("period", "sex", "age_group").values
    starts = mortality["age_start"].values
    ends = [None if e < 0 else int(e) for e in mortality["age_end"].values]
    if mortality.attrs.get("measure") == "qx":
        widths = np.array([1 if e is None else e - s + 1 for s, e in zip(starts, ends)], dtype=float)
        values = -np.log1p(-np.minimum(values, 1 - 1e-12)) / widths
        values[..., -1] = values[..., -2]
    mx = graduate_rates(values, starts, ends, open_age=open_age)
    out = xr.DataArray(
        mx,
        dims=("period", "sex", "age"),
        coords={
            "period": mortality["period"].values,
            "sex": mortality["sex"].values,
            "age": np.arange(open_age + 1),
            "year_start": ("period", mortality["year_start"].values),
            "year_end": ("period", mortality["year_end"].values),
        },
        name="mx",
    )
    out.attrs.update(units="per_person_year", open_age=open_age)
    return out


def annual_rates(surface: xr.DataArray, years, log: bool = True) -> xr.DataArray:
    """Period values interpolated to calendar years (value for year y applies at y + 0.5)."""
    mids = period_midpoints(surface)
    years = np.asarray(years)
    data = surface.transpose("period", ...).values
    data = np.log(np.maximum(data, 1e-300)) if log else data
    t = years + 0.5
    idx = np.clip(np.searchsorted(mids, t) - 1, 0, len(mids) - 1)
    nxt = np.minimum(idx + 1, len(mids) - 1)
    span = np.where(nxt > idx, mids[nxt] - mids[idx], 1.0)
    w = np.clip((t - mids[idx]) / span, 0.0, 1.0)
    w = w.reshape((-1,) + (1,) * (data.ndim - 1))
    values = (1 - w) * data[idx] + w * data[nxt]
    values = np.exp(values) if log else values
    dims = ("year",) + tuple(d for d in surface.dims if d != "period")
    coords = {"year": years, **{d: surface[d].values for d in dims[1:]}}
    out = xr.DataArray(values, dims=dims, coords=coords, name=surface.name)
    out.attrs = dict(surface.attrs)
    return out


def fertility_pattern(fertility: xr.DataArray, years, open_age: int = OPEN_AGE) -> xr.DataArray:
    """Share of a year's TFR at each single age of mother (dims year, age; sums to 1 over age)."""
    starts = fertility["age_start"].values
    ends = fertility["age_end"].values
    single = graduate_rates(fertility.transpose("period", "age_group").values, starts, ends, open_age=None)
    first, last = int(starts[0]), int(ends[-1])
    full = np.zeros((single.shape[0], open_age + 1))
    full[:, first : last + 1] = np.maximum(single, 0.0)
    full /= full.sum(axis=1, keepdims=True)
    surface = xr.DataArray(
        full,
        dims=("period", "age"),
        coords={
            "period": fertility["period"].values,
            "age": np.arange(open_age + 1),
            "year_start": ("period", fertility["year_start"].values),
            "year_end": ("period", fertility["year_end"].values),
        },
    )
    pattern = annual_rates(surface, years, log=False)
    pattern = pattern / pattern.sum("age")
    pattern.attrs["units"] = "ratio"
    return pattern.rename("fertility_pattern")


class DrawnFertility:
    """Births per woman by draw and single age, made a year at a time as the projection reaches the
    year: each draw's TFR path (draw, year) × the fertility pattern (year, age). ``asfr[t]`` is year
    t's (draw, age) array, the numbers of the whole product (one multiplication each): a group of
    draws never holds every year's rates at once (half as large as a year's population by age)."""

    def __init__(self, path: xr.DataArray, pattern: xr.DataArray):
        self.path = path.transpose("draw", "year").values
        self.pattern = pattern.transpose("year", "age").values
        self.sizes = {"draw": self.path.shape[0]}

    def __getitem__(self, t: int) -> np.ndarray:
        return np.multiply(self.path[:, t, None], self.pattern[t])


def drawn_fertility(path: xr.DataArray, pattern: xr.DataArray):
    """The births per woman of a TFR ``path`` (year[, draw]) with the ``pattern`` (year, age): made a
    year at a time (:class:`DrawnFertility`) when the path differs by draw, else whole."""
    if "draw" in path.dims and np.array_equal(path["year"].values, pattern["year"].values):
        return DrawnFertility(path, pattern)
    return (path * pattern).transpose(*(("draw",) if "draw" in path.dims else ()), "year", "age")
