"""Writing results into a user's folder: file by file, atomically, deleting nothing else.

:func:`write_files` is the only way the commands write results. For each file it writes a
hidden temporary file in the same folder (``.NAME.PID-XXXX.SUFFIX``), flushes it to disk, and
renames it over the target (``os.replace``, atomic on one file system). All temporary files are
written before the first rename, so a failure while producing any of them replaces nothing.
An interrupted or concurrent run therefore leaves each file either as it was or as the new
run wrote it, never partial, and removes its temporary files on the way out (those of a run killed
outright are removed by the next write into the folder). Files in the folder that the command does
not write are never touched, and an existing file forecast did not write there (or that changed since
it did) is replaced only with ``--force``, which keeps a copy (:mod:`forecast.results.ownership`).
"""

from __future__ import annotations

import json
import os
import signal
import tempfile
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError, Problem
from . import ownership
from .report import calibration_table, fund_summary

__all__ = ["write_files", "check_out", "replacing", "netcdf_ready", "netcdf_writer", "results_tables"]

#: whether this command may replace files forecast did not write (``--force``): set by the CLI's guard
_force = {"on": False}


@contextmanager
def replacing(flag: bool):
    """Within the block, :func:`write_files` replaces existing files forecast did not write (keeping a
    ``.bak`` copy of each) instead of refusing them: the command's ``--force``."""
    before, _force["on"] = _force["on"], bool(flag)
    try:
        yield
    finally:
        _force["on"] = before

#: a file's content: text (written as UTF-8), bytes, or a function that writes the file at the path it is given
Content = str | bytes | Callable[[Path], object]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def check_out(folder: Path | str, option: str = "--out") -> Path:
    """Refuse, before any work, an ``--out`` that cannot be a results folder: an empty name, an
    existing file, a link to nothing, or a path under a file or a folder that cannot be written."""
    if not str(folder).strip():
        raise InputError(Problem(option, "an empty folder name", "give the folder for the results, e.g. --out results", value=str(folder)))
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise InputError(Problem(option, f"'{folder}' is an existing file, not a folder", "give a folder for the results (it is created if absent); the file was left as it is", value=str(folder)))
    if folder.is_symlink() and not folder.exists():
        raise InputError(Problem(option, f"'{folder}' is a link to a folder that does not exist", "create the folder it points to, or give another folder", value=str(folder)))
    parent = folder if folder.exists() else next((p for p in folder.absolute().parents if p.exists()), None)
    if parent is None or not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        where = parent if parent is not None else folder
        reason = "it is a file, not a folder" if parent is not None and not parent.is_dir() else "permission denied"
        raise InputError(Problem(option, f"cannot write the results to '{folder}': {where} cannot hold it ({reason})", "give a folder path you can write to (it is created if absent)", value=str(folder)))
    return folder


def _check_targets(folder: Path, names, inputs, option: str) -> None:
    """No result may replace one of the command's own inputs, or a folder of the same name."""
    protected = {}
    for path in inputs:
        try:
            protected[Path(path).resolve()] = path
        except (OSError, RuntimeError):
            continue
    for name in names:
        target = folder / name
        if target.is_dir():
            raise InputError(Problem(option, f"'{target}' is a folder, and this command writes a file of that name", "give another folder for the results, or move that folder", value=str(folder)))
        try:
            resolved = target.resolve()
        except (OSError, RuntimeError):
            continue
        if resolved in protected:
            raise InputError(Problem(option, f"'{target}' is one of this command's inputs ({protected[resolved]}): writing the results there would replace it", "give another folder for the results", value=str(folder)))


def _out_folder(folder: Path, option: str) -> Path:
    """``folder`` ready to write into (created if absent)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(Problem(option, f"cannot write the results to '{folder}': {exc.strerror or exc}", "give a folder path you can write to (it is created if absent)", value=str(folder))) from None
    return folder


@contextmanager
def _signals_deferred():
    """Hold back Ctrl-C and SIGTERM for a moment, so a temporary file is never created without
    being recorded for clean-up (the signal is delivered right after)."""
    block = {signal.SIGINT, signal.SIGTERM}
    try:
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, block)
    except (AttributeError, OSError, ValueError):  # not available on this platform
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _write(fd: int, temp: Path, content: Content) -> None:
    """Write ``content`` into the temporary file ``temp`` (open as ``fd``), flushed to disk."""
    if callable(content):
        os.close(fd)
        fd = -1
        content(temp)
        fd = os.open(temp, os.O_RDONLY)
    else:
        data = content.encode("utf-8") if isinstance(content, str) else content
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.chmod(temp, 0o666 & ~_umask())  # mkstemp makes 0600; results follow the user's umask


def write_files(folder: Path | str, files: dict[str, Content], option: str = "--out", inputs=(), force: bool | None = None) -> list[Path]:
    """Write ``files`` (name -> content) into ``folder``, each atomically; return their paths.

    ``folder`` is created if absent (and removed again if nothing could be written into it); an
    existing file there (``folder`` itself a file), a result that would replace one of ``inputs``
    (the command's own input files), a folder where a result goes, or an existing file forecast did
    not write (unless ``force``, default: the command's ``--force``; a copy is kept) is refused with
    an :class:`~forecast.errors.InputError` naming ``option``. Only the named files are replaced.
    """
    check_out(folder, option)
    existed = Path(folder).exists()
    _check_targets(Path(folder), files, inputs, option)
    folder = _out_folder(Path(folder), option)
    ownership.remove_stale_temporaries(folder)
    staged: dict[str, Path] = {}
    written: list[Path] = []
    token = ownership.temporary_token()  # in every temporary name of this call: what to clean up, whenever Ctrl-C lands
    try:
        for name, content in files.items():
            target = Path(name)
            with _signals_deferred():
                fd, temp = tempfile.mkstemp(prefix=f".{target.stem}.{token}.", suffix=target.suffix, dir=folder)
                staged[name] = Path(temp)
            _write(fd, staged[name], content)
        hashes = {name: ownership.digest(temp) for name, temp in staged.items()}
        foreign = ownership.check_replaceable(folder, files, _force["on"] if force is None else force, option, hashes)
        ownership.record(folder, hashes, token)
        for name in foreign:
            ownership.back_up(folder, name)
        for name in list(staged):
            with _signals_deferred():
                os.replace(staged[name], folder / name)
                del staged[name]
            written.append(folder / name)
    except OSError as exc:
        raise InputError(Problem(option, f"cannot write the results to '{folder}': {exc.strerror or exc}", "give a folder you can write to, with free space", value=str(folder))) from None
    finally:
        # A Ctrl-C whose handler runs between mkstemp and the line recording its file (Python runs
        # handlers between bytecodes, so blocking the signal cannot close that gap) leaves a file
        # not in ``staged``: every temporary file of this call carries ``token``.
        for temp in [*staged.values(), *folder.glob(f".*.{token}.*")]:
            temp.unlink(missing_ok=True)
        if not written and not existed:
            try:
                folder.rmdir()  # created by this command and still empty
            except OSError:
                pass
    return written


def netcdf_ready(ds):
    """A copy of ``ds`` whose attrs NetCDF can store (dicts and lists of text become JSON text)."""
    def clean(attrs):
        out = {}
        for key, value in attrs.items():
            if isinstance(value, (list, tuple)) and value and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
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
    """A function writing ``ds`` as NetCDF at a path (for :func:`write_files`). Years that do not
    occur within the horizon (NaN in memory) are stored as integers with the CF ``_FillValue``
    -1, so the file holds no NaN; xarray reads them back as missing."""
    ready = netcdf_ready(ds)
    encoding = {name: {"dtype": "int32", "_FillValue": NO_YEAR} for name, var in ready.data_vars.items() if var.attrs.get("units") == "year" and var.dtype.kind == "f"}

    def write(path):
        ready.to_netcdf(path, engine="scipy", encoding=encoding)

    return write


#: the indicators of indicators.csv other than months covered, and their units (counts of person-times, then yuan)
USE_LINES = {"admissions": "person-times", "outpatient_visits": "person-times", "special_disease_visits": "person-times", "cost_per_admission": "yuan"}


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
            rows.append(pd.DataFrame({"year": series["year"].values, "pool": "employee", "account": flow, "line": "total", "value": series.values, "scope": scope}))
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
    rows = [_long(central, name, "income" if dim == "income_item" else "expenditure", dim=dim) for name, dim in (("income_items", "income_item"), ("expenditure_items", "expenditure_item"))]
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
    shown = [_long(central, "months_covered", "months_covered").rename(columns={"account": "indicator"}).assign(unit="months")]
    shown += [_long(central, name, name).rename(columns={"account": "indicator"}).assign(unit=unit) for name, unit in USE_LINES.items() if name in central]
    indicators = pd.concat(shown)[["year", "pool", "indicator", "value", "unit"]]
    indicators = indicators[indicators.groupby(["pool", "indicator"])["value"].transform(lambda v: (v != 0).any()) | (indicators["indicator"] == "months_covered")]
    verdicts = central.fund.verdict_label().rename("verdict").to_dataframe().reset_index()[["year", "pool", "verdict"]]
    accounts = accounts.merge(verdicts, on=["year", "pool"]).sort_values(["pool", "year", "scope", "account", "line"]).set_index(["year", "pool", "scope", "account", "line"])
    indicators = indicators.merge(verdicts, on=["year", "pool"]).sort_values(["pool", "year", "indicator"]).set_index(["year", "pool", "indicator"])
    calibration = calibration_table(ds)
    calibration["unit"] = calibration.index.str.extract(r"\(([^()]+)\)\s*$", expand=False).to_numpy()
    return {"summary.csv": fund_summary(ds), "accounts.csv": accounts, "indicators.csv": indicators, "calibration.csv": calibration}
