"""Indicators of a projected population (old-age dependency, median age, total), and the check
that a projection can carry the fund stages."""

from __future__ import annotations

import numpy as np
import xarray as xr

from ...errors import InputError, Problem

__all__ = ["indicators", "check_projection"]


def indicators(ds: xr.Dataset) -> xr.Dataset:
    """Old-age dependency ratio, median age and total population of a projection."""
    pop = ds["population"].sum("sex", skipna=False)
    age = pop["age"]
    old = pop.where(age >= 65, 0).sum("age", skipna=False)
    working = pop.where((age >= 15) & (age < 65), 0).sum("age", skipna=False)
    out = xr.Dataset(
        {
            "old_age_dependency_ratio": old / working,
            "median_age": _median_age(pop),
            "population_total": pop.sum("age", skipna=False),
        }
    )
    out["old_age_dependency_ratio"].attrs.update(units="ratio", description="persons 65+ per person aged 15-64")
    out["median_age"].attrs["units"] = "year"
    out["population_total"].attrs["units"] = "persons"
    return out


def _median_age(pop: xr.DataArray) -> xr.DataArray:
    """Age below which half the population lies (linear within the single year of age)."""
    counts = pop.transpose(..., "age").values
    cum = np.cumsum(counts, axis=-1)
    half = cum[..., -1:] / 2.0
    i = np.argmax(cum >= half, axis=-1)[..., None]
    before = np.where(i > 0, np.take_along_axis(cum, np.maximum(i - 1, 0), axis=-1), 0.0)
    median = i + (half - before) / np.take_along_axis(counts, i, axis=-1)
    dims = [d for d in pop.transpose(..., "age").dims if d != "age"]
    return xr.DataArray(median[..., 0], dims=dims, coords={d: pop[d] for d in dims})


def check_projection(pop: xr.Dataset, scenario, region, bad_from: int | None = None) -> None:
    """The population stage's result can carry the fund stages: no negative or non-finite counts,
    births in every year. A projection that kept no population (its years checked as they were made,
    :class:`~forecast.engine.enrolled.EnrollingByYear`) gives ``bad_from``, its first bad year or None."""
    where = " + ".join(str(f) for f in scenario.files)
    year = _first_bad_year(pop["population"]) if "population" in pop else bad_from
    if year is not None:
        raise InputError(
            Problem(
                where,
                f"the population projection gives negative or non-finite counts from {year}",
                "check the bundle's migration table (emigration above the population) "
                f"and mortality (region {region.path}), and the scenario's assumptions.demography",
            )
        )
    births = pop["births"].sum("sex")
    none = (births <= 0).any([d for d in births.dims if d != "year"])
    if bool(none.any()):
        year = int(births["year"].values[np.flatnonzero(none.values)[0]])
        raise InputError(
            Problem(
                where,
                f"the population projection has no births in {year}",
                "check the scenario's assumptions.demography.fertility "
                f"and the bundle's fertility and total_fertility tables (region {region.path})",
            )
        )


def _first_bad_year(counts: xr.DataArray) -> int | None:
    """The first year with a negative or non-finite count, else None."""
    values = counts.values
    if values.min() >= 0 and np.isfinite(values.max()):  # a NaN makes the minimum NaN; no mask made
        return None
    bad = (~np.isfinite(counts) | (counts < 0)).any([d for d in counts.dims if d != "year"])
    return int(counts["year"].values[np.flatnonzero(bad.values)[0]])
