"""The bundle's age–sex curves on single ages 0..100+: relative cost by service (a member's claim
weight) and disability prevalence (LTCI). Age groups become single ages by holding the group's
value (a curve is a relative weight, not a count: nothing to graduate); ages below the first
group are 0."""

from __future__ import annotations

import numpy as np
import xarray as xr

from ...vocabulary import SEXES

__all__ = ["by_single_age", "age_curves", "OPEN_AGE"]

OPEN_AGE = 100


def by_single_age(da: xr.DataArray) -> xr.DataArray:
    """A (sex, age_group) table as (sex, age) over ages 0..100, each age taking its group's value."""
    ages = np.arange(OPEN_AGE + 1)
    starts = da["age_start"].values
    index = np.searchsorted(starts, ages, side="right") - 1
    values = da.transpose("sex", "age_group").values[:, np.clip(index, 0, None)]
    values = np.where(ages[None, :] < starts[0], 0.0, values)
    return xr.DataArray(values, dims=("sex", "age"), coords={"sex": list(SEXES), "age": ages}, attrs={"units": "ratio"})


def age_curves(region) -> xr.Dataset:
    """The curves the fund model uses: ``inpatient`` and ``outpatient`` relative cost (claims are
    spread over ages by them) and ``disability`` prevalence, each (sex, age), ratio."""
    curves = region.cost_curves
    return xr.Dataset(
        {
            "inpatient": by_single_age(curves.sel(service="inpatient")),
            "outpatient": by_single_age(curves.sel(service="outpatient")),
            "disability": by_single_age(region.disability_prevalence),
        }
    )
