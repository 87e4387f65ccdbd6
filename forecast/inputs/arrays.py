"""A bundle's validated tables as labelled arrays: age groups, periods, pools and statuses as dims,
the canonical unit in ``attrs["units"]``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from ..vocabulary import POOLS, SEXES, STATUSES

__all__ = ["by_age", "by_period", "annual", "insured", "tidy"]


def _first_rows(df: pd.DataFrame, key: str, columns: list[str]) -> list[tuple]:
    """(``key``, *``columns``) of the first row of each ``key``, ordered by the first of ``columns``
    (a start: the table checks refuse overlapping groups, so no two keys share one)."""
    first: dict = {}
    for row in zip(df[key].tolist(), *(df[c].tolist() for c in columns)):
        first.setdefault(row[0], row)
    return sorted(first.values(), key=lambda row: row[1])


def _age_coords(df: pd.DataFrame) -> tuple[list[str], list[int], list[int]]:
    groups = _first_rows(df, "age", ["age_start", "age_end"])
    return [g[0] for g in groups], [int(g[1]) for g in groups], [-1 if pd.isna(g[2]) else int(g[2]) for g in groups]


def _units(df: pd.DataFrame) -> str:
    units = df["unit"].unique().tolist()
    return units[0] if len(units) == 1 else "mixed"


def by_age(df: pd.DataFrame, dims: list[str], name: str) -> xr.DataArray:
    labels, starts, ends = _age_coords(df)
    index_levels = []
    coords: dict = {}
    for d in dims:
        if d == "period":
            periods = _first_rows(df, "year", ["year_start", "year_end"])
            index_levels.append([p[0] for p in periods])
            coords["period"] = ("period", [p[0] for p in periods])
            coords["year_start"] = ("period", [int(p[1]) for p in periods])
            coords["year_end"] = ("period", [int(p[2]) for p in periods])
        elif d == "sex":
            index_levels.append(list(SEXES))
            coords["sex"] = list(SEXES)
        else:
            values = sorted(df[d].unique().tolist())
            index_levels.append(values)
            coords[d] = values
    columns = ["year" if d == "period" else d for d in dims]
    values = _filled(df, [*columns, "age"], [*index_levels, labels])
    coords.update({"age_group": labels, "age_start": ("age_group", starts), "age_end": ("age_group", ends)})
    da = xr.DataArray(values, dims=[*dims, "age_group"], coords=coords, name=name)
    da.attrs["units"] = _units(df)
    if "measure" in df.columns:
        da.attrs["measure"] = df["measure"].iloc[0]
    return da


def _filled(df: pd.DataFrame, columns: list[str], levels: list[list]) -> np.ndarray:
    """``df["value"]`` at every combination of ``levels`` (the labels of each of ``columns``, in
    order), shaped (len(level), ...); NaN where no row gives it (the table checks refuse duplicates)."""
    positions = [{label: i for i, label in enumerate(level)} for level in levels]
    out = np.full([len(level) for level in levels], np.nan)
    for *keys, value in zip(*(df[c].tolist() for c in columns), df["value"].tolist()):
        index = tuple(p.get(k) for p, k in zip(positions, keys))
        if None not in index:
            out[index] = value
    return out


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
    values = _filled(df, ["year", "pool", "status"], [years, list(POOLS), list(STATUSES)])
    da = xr.DataArray(
        values,
        dims=["year", "pool", "status"],
        coords={"year": years, "pool": list(POOLS), "status": list(STATUSES)},
        name="insured",
    )
    da.attrs["units"] = "persons"
    return da


def tidy(df: pd.DataFrame, order: list[str]) -> pd.DataFrame:
    """``df`` without its line numbers, its rows sorted by the columns ``order`` (stable, as pandas sorts)."""
    keys = list(zip(*(df[c].tolist() for c in order)))
    out = df.drop(columns=["line"]).take(sorted(range(len(keys)), key=keys.__getitem__)).reset_index(drop=True)
    out.attrs["units"] = "see the unit column (canonical units)"
    return out
