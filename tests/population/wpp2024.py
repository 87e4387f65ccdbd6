"""Inputs for reproducing UN WPP 2024's medium projection for China from the 2020 census.

Everything is read from research-data (the copies of ../shared's tables in tests/shared, README there):
census_2010_2020_pop_by_age5_sex_province.csv (2020 census table 1-5, 全国, by sex and age group),
wpp2024_china_mx_age5_period5.csv, wpp2024_china_pasfr_age5_period5.csv, wpp2024_china_tfr_annual.csv,
wpp2024_china_sex_ratio_at_birth_annual.csv, wpp2024_china_net_migration_projection_age5_period5_thousands.csv.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import xarray as xr

from forecast.model.population.graduation import graduate_counts
from forecast.model.population.project import projection_years
from forecast.model.population.rates import OPEN_AGE, annual_rates, fertility_pattern, single_age_mortality

from ..conftest import RESEARCH

GROUP_LABELS = ["0", "1-4"] + [f"{a}-{a + 4}" for a in range(5, 100, 5)] + ["100+"]
SEXES = ["male", "female"]
CENSUS_DATE = dt.date(2020, 11, 1)


def _periods(labels):
    starts = [int(p.split("-")[0]) for p in labels]
    return {"year_start": ("period", starts), "year_end": ("period", [s + 4 for s in starts])}


def _age_coords(labels):
    starts, ends = [], []
    for g in labels:
        if g.endswith("+"):
            starts.append(int(g[:-1]))
            ends.append(-1)
        elif "-" in g:
            a, b = g.split("-")
            starts.append(int(a))
            ends.append(int(b))
        else:
            starts.append(int(g))
            ends.append(int(g))
    return {"age_start": ("age_group", starts), "age_end": ("age_group", ends)}


def census_base() -> xr.DataArray:
    df = pd.read_csv(RESEARCH / "census_2010_2020_pop_by_age5_sex_province.csv")
    df = df[(df.census_year == 2020) & (df.area == "全国") & (df.sex != "both") & (df.age_group != "total")]
    table = df.pivot(index="sex", columns="age_group", values="population").loc[SEXES, GROUP_LABELS]
    coords = _age_coords(GROUP_LABELS)
    single = graduate_counts(
        table.values.astype(float),
        coords["age_start"][1],
        [None if e < 0 else e for e in coords["age_end"][1]],
        open_age=OPEN_AGE,
    )
    return xr.DataArray(single, dims=("sex", "age"), coords={"sex": SEXES, "age": np.arange(OPEN_AGE + 1)})


def mortality(years) -> xr.DataArray:
    df = pd.read_csv(RESEARCH / "wpp2024_china_mx_age5_period5.csv")
    periods = sorted(df["period"].unique())
    special = {"0": "0", "1": "1-4", "100+": "100+"}
    df["age_group"] = [special.get(str(a)) or f"{int(a)}-{int(a) + 4}" for a in df["age"]]
    values = np.stack(
        [
            [df[df.period == p].set_index("age_group").loc[GROUP_LABELS, col].values for col in ("mxM", "mxF")]
            for p in periods
        ]
    )
    surface = xr.DataArray(
        values,
        dims=("period", "sex", "age_group"),
        coords={
            "period": periods,
            "sex": SEXES,
            "age_group": GROUP_LABELS,
            **_periods(periods),
            **_age_coords(GROUP_LABELS),
        },
    )
    return annual_rates(single_age_mortality(surface), years)


def fertility(years) -> xr.DataArray:
    pasfr = pd.read_csv(RESEARCH / "wpp2024_china_pasfr_age5_period5.csv")
    periods = sorted(pasfr["period"].unique())
    groups = sorted(pasfr["age"].unique())
    values = np.stack([pasfr[pasfr.period == p].set_index("age").loc[groups, "pasfr"].values for p in periods])
    table = xr.DataArray(
        values,
        dims=("period", "age_group"),
        coords={"period": periods, "age_group": groups, **_periods(periods), **_age_coords(groups)},
    )
    pattern = fertility_pattern(table, years)
    tfr = pd.read_csv(RESEARCH / "wpp2024_china_tfr_annual.csv").set_index("year")["tfr"]
    return pattern * xr.DataArray(tfr.loc[years].values, dims="year", coords={"year": years})


def sex_ratio_at_birth(years) -> xr.DataArray:
    srb = pd.read_csv(RESEARCH / "wpp2024_china_sex_ratio_at_birth_annual.csv").set_index("year")["srb"]
    return xr.DataArray(srb.loc[years].values, dims="year", coords={"year": years})


def migration(years) -> xr.DataArray:
    """WPP's projected net migrants by sex and age group per 5-year period (thousands) -> persons a year."""
    df = pd.read_csv(RESEARCH / "wpp2024_china_net_migration_projection_age5_period5_thousands.csv")
    periods = sorted(df["period"].unique())
    groups = list(dict.fromkeys(df["age"]))
    coords = _age_coords(groups)
    values = np.stack(
        [
            [df[df.period == p].set_index("age").loc[groups, col].values * 1000 / 5 for col in ("migM", "migF")]
            for p in periods
        ]
    )
    single = graduate_counts(
        values, coords["age_start"][1], [None if e < 0 else e for e in coords["age_end"][1]], open_age=OPEN_AGE
    )
    surface = xr.DataArray(
        single,
        dims=("period", "sex", "age"),
        coords={"period": periods, "sex": SEXES, "age": np.arange(OPEN_AGE + 1), **_periods(periods)},
    )
    return annual_rates(surface, years, log=False)


def projected_totals() -> pd.Series:
    return (
        pd.read_csv(RESEARCH / "wpp2024_china_population_totals_projection_thousands.csv").set_index("year")["pop"]
        * 1000
    )


def inputs(end_year: int = 2050):
    years, _ = projection_years(CENSUS_DATE, end_year)
    return census_base(), CENSUS_DATE, mortality(years), fertility(years), sex_ratio_at_birth(years), migration(years)
