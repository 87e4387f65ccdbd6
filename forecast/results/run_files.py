"""What a fund run's result files hold: ``results.nc`` (a copy of the Dataset whose attrs NetCDF can
store, years that do not occur stored as CF integers) and the CSV tables (summary, accounts,
indicators, calibration), each handed to :func:`forecast.results.writers.write_files` to be written.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from .report import calibration_table, fund_summary

__all__ = ["netcdf_ready", "netcdf_writer", "results_tables", "labelled_accounts"]


def netcdf_ready(ds):
    """A copy of ``ds`` whose attrs NetCDF can store (dicts and lists of text become JSON text)."""

    def clean(attrs):
        out = {}
        for key, value in attrs.items():
            if (
                isinstance(value, (list, tuple))
                and value
                and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
            ):
                out[key] = np.asarray(value, dtype=np.int32)  # e.g. the verdict's CF flag_values
            elif isinstance(value, (dict, list, tuple)):
                out[key] = json.dumps(value, ensure_ascii=False, default=str)
            elif isinstance(value, bool):
                out[key] = int(value)
            elif value is None:
                out[key] = ""
            elif isinstance(value, int) and not -(2**31) <= value < 2**31:
                out[key] = str(value)  # NetCDF 3 attributes hold 32-bit integers (a seed may be larger)
            else:
                out[key] = value
        return out

    ds = ds.copy()
    ds.attrs = clean(ds.attrs)
    for name in ds.variables:
        ds[name].attrs = clean(ds[name].attrs)
    return ds


#: how a year that does not occur (no deficit within the horizon) is stored: CF missing value
NO_YEAR = -1


def netcdf_writer(ds):
    """A function writing ``ds`` as NetCDF at a path (for :func:`~forecast.results.writers.write_files`).
    Years that do not occur within the horizon (NaN in memory) are stored as integers with the CF
    ``_FillValue`` -1, so the file holds no NaN; xarray reads them back as missing."""
    ready = netcdf_ready(ds)
    encoding = {
        name: {"dtype": "int32", "_FillValue": NO_YEAR}
        for name, var in ready.data_vars.items()
        if var.attrs.get("units") == "year" and var.dtype.kind == "f"
    }

    def write(path):
        ready.to_netcdf(path, engine="scipy", encoding=encoding)

    return write


#: the indicators of indicators.csv other than months covered, and their units (counts of person-times, then yuan)
USE_LINES = {
    "admissions": "person-times",
    "outpatient_visits": "person-times",
    "special_disease_visits": "person-times",
    "cost_per_admission": "yuan",
}


def _long(central, name: str, account: str, line: str | None = None, dim: str | None = None):
    """One variable of a run as rows year, pool, account, line, value."""
    frame = central[name].to_dataframe().reset_index().rename(columns={name: "value", **({dim: "line"} if dim else {})})
    frame["account"] = account
    if line is not None:
        frame["line"] = line
    return frame


def _employee_accounts(ds, central):
    """The employee individual accounts (scope individual_account) and, where the run splits them
    from the pooled fund, the employee fund's total (scope total): rows year, pool, account, line, value."""
    import pandas as pd

    if "individual_account_income" not in central or (central["individual_account_income"] == 0).all():
        return pd.DataFrame(columns=["year", "pool", "account", "line", "value", "scope"])
    accounts = {flow: central[f"individual_account_{flow}"] for flow in ("income", "expenditure", "reserve")}
    accounts["balance"] = accounts["income"] - accounts["expenditure"]
    rows = []
    for flow, value in accounts.items():
        pooled = central[flow].sel(pool="employee")
        for scope, series in (("individual_account", value), ("total", pooled + value)):
            rows.append(
                pd.DataFrame(
                    {
                        "year": series["year"].values,
                        "pool": "employee",
                        "account": flow,
                        "line": "total",
                        "value": series.values,
                        "scope": scope,
                    }
                )
            )
    return pd.concat(rows)


def labelled_accounts(ds, accounts, employee):
    """accounts.csv's rows with their scope (统筹基金 pooled_fund, 个人账户 individual_account, 合计
    total) and provenance (published, derived, assumed, example: :mod:`forecast.results.provenance`)."""
    import pandas as pd

    from .provenance import figure_provenance, pool_scope, projected

    accounts = accounts.assign(scope=[pool_scope(ds, p) for p in accounts["pool"]])
    accounts = pd.concat([accounts, employee.assign(unit="yuan")], ignore_index=True)
    base = int(ds.attrs["base_year"])

    def label(row):
        if row.year != base or row.line != "total":
            return projected(ds)  # projected years; the model's split into items; the interval's bounds
        pool = "individual_account" if row.scope == "individual_account" else row.pool
        if row.account == "balance":
            both = {figure_provenance(ds, pool, flow, base) for flow in ("income", "expenditure")}
            return both.pop() if len(both) == 1 else projected(ds)
        if row.scope == "total" and row.pool == "employee" and pool_scope(ds, "employee") == "pooled_fund":
            parts = {figure_provenance(ds, p, row.account, base) for p in ("employee", "individual_account")}
            return parts.pop() if len(parts) == 1 else projected(ds)
        return figure_provenance(ds, pool, row.account, base)

    accounts["provenance"] = [label(row) for row in accounts.itertuples(index=False)]
    return accounts[["year", "pool", "scope", "account", "line", "provenance", "value", "unit"]]


def results_tables(ds) -> dict:
    """The CSV tables of a fund run (money in yuan, as in the Dataset), each with a ``unit`` column.

    - ``summary.csv``: per pool, first deficit and exhaustion years, months covered, verdicts;
    - ``accounts.csv``: money only (unit ``yuan``): one row per year, pool, scope and line (income and
      expenditure items and totals with their 80% interval, balance, reserve; the employee individual
      accounts and the employee total where the run splits them), each with its scope and provenance,
      and the verdict;
    - ``indicators.csv``: what is not money, or not a flow: months covered (``months``) and benefit
      use (admissions and visits in ``person-times``, cost per admission in ``yuan``), one row per
      year, pool and indicator, with the verdict;
    - ``calibration.csv``: the base year against the published figures (unit: 万人 or 亿元, as published).
    """
    central = ds.fund.central()
    rows = [
        _long(central, name, "income" if dim == "income_item" else "expenditure", dim=dim)
        for name, dim in (("income_items", "income_item"), ("expenditure_items", "expenditure_item"))
    ]
    rows += [_long(central, name, name, "total") for name in ("income", "expenditure", "balance", "reserve")]
    if "income_log_sd" in central:
        bands = central.fund.interval(0.8)
        for flow in ("income", "expenditure"):
            for bound in ("lower", "upper"):
                frame = bands[f"{flow}_{bound}"].to_dataframe(name="value").reset_index()
                frame["account"], frame["line"] = flow, f"{bound}_80"
                rows.append(frame)
    accounts = pd.concat(rows)[["year", "pool", "account", "line", "value"]].assign(unit="yuan")
    used = accounts.groupby(["pool", "account", "line"])["value"].transform(lambda v: (v != 0).any())
    accounts = labelled_accounts(ds, accounts[used | (accounts["line"] == "total")], _employee_accounts(ds, central))
    shown = [
        _long(central, "months_covered", "months_covered")
        .rename(columns={"account": "indicator"})
        .assign(unit="months")
    ]
    shown += [
        _long(central, name, name).rename(columns={"account": "indicator"}).assign(unit=unit)
        for name, unit in USE_LINES.items()
        if name in central
    ]
    indicators = pd.concat(shown)[["year", "pool", "indicator", "value", "unit"]]
    indicators = indicators[
        indicators.groupby(["pool", "indicator"])["value"].transform(lambda v: (v != 0).any())
        | (indicators["indicator"] == "months_covered")
    ]
    verdicts = central.fund.verdict_label().rename("verdict").to_dataframe().reset_index()[["year", "pool", "verdict"]]
    accounts = (
        accounts.merge(verdicts, on=["year", "pool"])
        .sort_values(["pool", "year", "scope", "account", "line"])
        .set_index(["year", "pool", "scope", "account", "line"])
    )
    indicators = (
        indicators.merge(verdicts, on=["year", "pool"])
        .sort_values(["pool", "year", "indicator"])
        .set_index(["year", "pool", "indicator"])
    )
    calibration = calibration_table(ds)
    calibration["unit"] = calibration.index.str.extract(r"\(([^()]+)\)\s*$", expand=False).to_numpy()
    return {
        "summary.csv": fund_summary(ds),
        "accounts.csv": accounts,
        "indicators.csv": indicators,
        "calibration.csv": calibration,
    }
