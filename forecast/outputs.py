"""Writing results: atomically, so a failed run never leaves a half-written folder."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

__all__ = ["write_atomically", "netcdf_ready", "results_tables"]


def write_atomically(folder: Path | str, files: dict) -> Path:
    """Write ``files`` into ``folder``: all of them, or none.

    Each value is text, or a function that writes the file at the path it is given.

    The files are written to a temporary folder beside ``folder`` and swapped in with renames.
    """
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(staging, 0o777 & ~umask)  # mkdtemp makes 0700; a results folder follows the umask
    try:
        for name, content in files.items():
            if callable(content):
                content(staging / name)
            else:
                (staging / name).write_text(content, encoding="utf-8")
        if folder.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{folder.name}.old.", dir=folder.parent))
            os.replace(folder, old / folder.name)
            os.replace(staging, folder)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return folder


def netcdf_ready(ds):
    """A copy of ``ds`` whose attrs NetCDF can store (dicts and lists of text become JSON text)."""
    import json

    def clean(attrs):
        out = {}
        for key, value in attrs.items():
            if isinstance(value, (dict, list, tuple)):
                out[key] = json.dumps(value, ensure_ascii=False, default=str)
            elif isinstance(value, bool):
                out[key] = int(value)
            else:
                out[key] = value
        return out

    ds = ds.copy()
    ds.attrs = clean(ds.attrs)
    for name in ds.variables:
        ds[name].attrs = clean(ds[name].attrs)
    return ds


def results_tables(ds) -> dict:
    """The CSV tables of a fund run (money in yuan, as in the Dataset).

    - ``summary.csv``: per pool, first deficit and exhaustion years, months covered, verdicts;
    - ``accounts.csv``: one row per year, pool and line (income and expenditure items,
      balance, reserve, months covered, verdict);
    - ``calibration.csv``: the base year against the published figures.
    """
    import pandas as pd

    from .report import calibration_table, fund_summary

    central = ds.median("draw") if "draw" in ds.dims else ds
    rows = []
    for name, dim in (("income_items", "income_item"), ("expenditure_items", "expenditure_item")):
        frame = central[name].to_dataframe().reset_index().rename(columns={dim: "line", name: "value"})
        frame["account"] = "income" if dim == "income_item" else "expenditure"
        rows.append(frame)
    for name in ("income", "expenditure", "balance", "reserve", "months_covered"):
        frame = central[name].to_dataframe().reset_index().rename(columns={name: "value"})
        frame["account"], frame["line"] = name, "total"
        rows.append(frame)
    accounts = pd.concat(rows)[["year", "pool", "account", "line", "value"]]
    used = accounts.groupby(["pool", "account", "line"])["value"].transform(lambda v: (v != 0).any())
    accounts = accounts[used | (accounts["line"] == "total")]
    verdicts = ds["verdict"].isel(draw=0) if "draw" in ds["verdict"].dims else ds["verdict"]
    accounts = accounts.merge(verdicts.to_dataframe().reset_index()[["year", "pool", "verdict"]], on=["year", "pool"])
    accounts = accounts.sort_values(["pool", "year", "account", "line"]).set_index(["year", "pool", "account", "line"])
    return {"summary.csv": fund_summary(ds), "accounts.csv": accounts, "calibration.csv": calibration_table(ds)}
