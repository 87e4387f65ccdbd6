"""Comparing two runs: differences per pool and year, and the impact summary an analyst reports.

:func:`compare` takes two results of :func:`forecast.run` over the same years and pools
(alignment is exact: a year or pool missing from one of them is an error, never dropped).
"""

from __future__ import annotations

import pandas as pd
import xarray as xr

from ..errors import InputError, Problem

__all__ = ["compare", "impact_table"]

COMPARED = ("income", "expenditure", "balance", "reserve", "months_covered", "insured")
WINDOWS = (5, 10)
#: the flows whose change the impact table shows (a policy may move either side: 'retirees contribute' is income)
FLOWS = ("income", "expenditure", "balance")


def compare(base: xr.Dataset, alt: xr.Dataset) -> xr.Dataset:
    """``alt − base`` for income, expenditure, balance, reserve, months covered and insured,
    plus impact indicators per pool (``attrs["units"]`` on each).

    Impact indicators: extra income, expenditure and balance in the first projected year and
    cumulated over the first 5 and 10 projected years (yuan); first-deficit and exhaustion years of each run and
    the change in years (positive = later, i.e. better).
    """
    span = {
        name: (int(ds["year"].values[0]), int(ds["year"].values[-1])) for name, ds in (("base", base), ("alt", alt))
    }
    if span["base"] != span["alt"]:
        raise InputError(
            Problem(
                f"{base.attrs.get('scenario_title', 'BASE')} / {alt.attrs.get('scenario_title', 'ALT')}",
                f"the two runs cover different years ({span['base'][0]}-{span['base'][1]} and "
                f"{span['alt'][0]}-{span['alt'][1]}): a comparison needs the same base year and horizon",
                "give both scenarios the same 'horizon' (and the same region bundle)",
            )
        )
    base, alt = base.fund.central(), alt.fund.central()
    with xr.set_options(arithmetic_join="exact"):
        out = xr.Dataset({name: alt[name] - base[name] for name in COMPARED})
    for name in COMPARED:
        out[name].attrs = {
            "units": base[name].attrs.get("units", ""),
            "description": f"alt - base: {base[name].attrs.get('description', name)}",
        }
    years = base["year"].values
    first = int(base.attrs.get("base_year", years[0])) + 1
    for flow in FLOWS:
        extra = out[flow]
        out[f"extra_{flow}_first_year"] = extra.sel(year=first).assign_attrs(
            units="yuan", description=f"extra {flow} in {first}"
        )
        for window in WINDOWS:
            span = extra.sel(year=slice(first, first + window - 1))
            out[f"extra_{flow}_{window}y"] = span.sum("year").assign_attrs(
                units="yuan", description=f"extra {flow} cumulated over {first}-{first + window - 1}"
            )
    for label in ("first_deficit_year", "exhaustion_year"):
        for run_name, ds in (("base", base), ("alt", alt)):
            out[f"{label}_{run_name}"] = getattr(ds.fund, label)().assign_attrs(
                units="year", description=f"{label.replace('_', ' ')} ({run_name}); NaN = not within the horizon"
            )
        out[f"{label}_change"] = (out[f"{label}_alt"] - out[f"{label}_base"]).assign_attrs(
            units="year",
            description=(
                f"change in the {label.replace('_', ' ')} (positive = later); NaN when either is beyond the horizon"
            ),
        )
    out.attrs = {
        "base_scenario": base.attrs.get("scenario_title", ""),
        "alt_scenario": alt.attrs.get("scenario_title", ""),
        "base_files": base.attrs.get("scenario_files", []),
        "alt_files": alt.attrs.get("scenario_files", []),
        "base_hash": base.attrs.get("scenario_hash", ""),
        "alt_hash": alt.attrs.get("scenario_hash", ""),
        "forecast_version": base.attrs.get("forecast_version", ""),
    }
    return out


def impact_table(diff: xr.Dataset):
    """The impact indicators as a DataFrame by pool (money in 亿元)."""
    frame = pd.DataFrame(index=pd.Index(diff["pool"].values, name="pool"))
    for flow in FLOWS:
        for name in (f"extra_{flow}_first_year", *(f"extra_{flow}_{w}y" for w in WINDOWS)):
            frame[name.replace(f"extra_{flow}", f"extra_{flow}_yi")] = diff[name].values / 1e8
    for label in ("first_deficit_year", "exhaustion_year"):
        for suffix in ("base", "alt", "change"):
            frame[f"{label}_{suffix}"] = (
                pd.array(diff[f"{label}_{suffix}"].values, dtype="Float64").round().astype("Int64")
            )
    return frame
