"""A bundle's validated tables as labelled arrays: age groups, periods, pools and statuses as dims,
the canonical unit in ``attrs["units"]``."""

from __future__ import annotations

import pandas as pd
import xarray as xr

from ..vocabulary import POOLS, SEXES, STATUSES

__all__ = ["by_age", "by_period", "annual", "insured", "tidy"]


def _age_coords(df: pd.DataFrame) -> tuple[list[str], list[int], list[int]]:
    groups = df.drop_duplicates("age").sort_values("age_start")
    ends = [-1 if pd.isna(e) else int(e) for e in groups["age_end"]]
    return groups["age"].tolist(), groups["age_start"].astype(int).tolist(), ends


def _units(df: pd.DataFrame) -> str:
    units = df["unit"].unique().tolist()
    return units[0] if len(units) == 1 else "mixed"


def by_age(df: pd.DataFrame, dims: list[str], name: str) -> xr.DataArray:
    labels, starts, ends = _age_coords(df)
    index_levels = []
    coords: dict = {}
    for d in dims:
        if d == "period":
            periods = df.drop_duplicates("year").sort_values("year_start")
            index_levels.append(periods["year"].tolist())
            coords["period"] = ("period", periods["year"].tolist())
            coords["year_start"] = ("period", periods["year_start"].astype(int).tolist())
            coords["year_end"] = ("period", periods["year_end"].astype(int).tolist())
        elif d == "sex":
            index_levels.append(list(SEXES))
            coords["sex"] = list(SEXES)
        else:
            values = sorted(df[d].unique().tolist())
            index_levels.append(values)
            coords[d] = values
    columns = ["year" if d == "period" else d for d in dims]
    table = df.set_index([*columns, "age"])["value"]
    full = pd.MultiIndex.from_product([*index_levels, labels])
    values = table.reindex(full).to_numpy().reshape([len(v) for v in index_levels] + [len(labels)])
    coords.update({"age_group": labels, "age_start": ("age_group", starts), "age_end": ("age_group", ends)})
    da = xr.DataArray(values, dims=[*dims, "age_group"], coords=coords, name=name)
    da.attrs["units"] = _units(df)
    if "measure" in df.columns:
        da.attrs["measure"] = df["measure"].iloc[0]
    return da


def by_period(df: pd.DataFrame, name: str) -> xr.DataArray:
    df = df.sort_values("year_start")
    da = xr.DataArray(
        df["value"].to_numpy(),
        dims=["period"],
        coords={
            "period": df["year"].tolist(),
            "year_start": ("period", df["year_start"].tolist()),
            "year_end": ("period", df["year_end"].tolist()),
        },
        name=name,
    )
    da.attrs["units"] = _units(df)
    return da


def annual(df: pd.DataFrame, name: str) -> xr.DataArray:
    df = df.sort_values("year")
    da = xr.DataArray(df["value"].to_numpy(), dims=["year"], coords={"year": df["year"].tolist()}, name=name)
    da.attrs["units"] = _units(df)
    return da


def insured(df: pd.DataFrame) -> xr.DataArray:
    years = list(range(int(df["year"].min()), int(df["year"].max()) + 1))
    table = df.set_index(["year", "pool", "status"])["value"]
    full = pd.MultiIndex.from_product([years, list(POOLS), list(STATUSES)])
    values = table.reindex(full).to_numpy().reshape(len(years), len(POOLS), len(STATUSES))
    da = xr.DataArray(
        values,
        dims=["year", "pool", "status"],
        coords={"year": years, "pool": list(POOLS), "status": list(STATUSES)},
        name="insured",
    )
    da.attrs["units"] = "persons"
    return da


def tidy(df: pd.DataFrame, order: list[str]) -> pd.DataFrame:
    out = df.drop(columns=["line"]).sort_values(order).reset_index(drop=True)
    out.attrs["units"] = "see the unit column (canonical units)"
    return out
