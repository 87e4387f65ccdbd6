"""Reconciliation with the previous valuation (``forecast report --previous DIR``), as a valuation
report explains how its headline figures moved since the last one.

The previous valuation is a folder written by ``forecast run --out`` (its ``results.nc``) or by
``forecast report --out`` (the headline figures embedded in its ``report.html``).
:func:`headline_figures` reduces either run to the same figures: per pool with a reserve, the
reserve and the months it covers in a few years, the first deficit and the exhaustion year (of the
median path when there are draws). :func:`reconciliation` sets the previous figures against the
current ones and, when the previous scenario files are still as they were (same content hash),
splits the change with the analysis of change (:func:`forecast.apps.change.analysis_of_change`:
data, demography, assumptions, policy, other); what that split does not reproduce (a changed
bundle or program, or the medians of draws) is shown as its own line, never hidden.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import xarray as xr

from ..engine import run
from ..errors import InputError, Problem
from ..inputs.files import read_bytes, regular_file
from ..limits import MAX_REPORT_BYTES, MAX_RESULTS_BYTES
from ..model.fund import CODES, first_year
from ..scenario.load import load_scenario
from .change import STEPS, analysis_of_change

__all__ = ["headline_figures", "read_previous", "check_headline", "reconciliation", "HEADLINE_ID", "YEARS"]

#: the id of the JSON block in report.html holding its headline figures
HEADLINE_ID = "forecast-headline"
YEARS = (2030, 2040, 2050)
POOLS = ("employee", "resident", "ltci")


def _attr_list(value) -> list:
    """A list attr, also as NetCDF stores it (JSON text)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return [value]
    return [str(v) for v in value]


def headline_figures(ds) -> dict:
    """The figures a later valuation reconciles with (JSON-ready; years as text keys; yuan, months)."""

    def central(name):
        return ds[name].median("draw") if "draw" in ds[name].dims else ds[name]

    years = ds["year"].values
    base, last = int(ds.attrs["base_year"]), int(years[-1])
    verdict = ds["verdict"].isel(draw=0) if "draw" in ds["verdict"].dims else ds["verdict"]
    no_reserve = ((verdict == CODES["payg"]) | (verdict == CODES["not_projected"])).all("year")
    projected = years > base
    pools = {}
    for pool in [str(p) for p in ds["pool"].values if not bool(no_reserve.sel(pool=p))]:
        reserve, balance, months = (central(n).sel(pool=pool) for n in ("reserve", "balance", "months_covered"))
        pools[pool] = {
            "reserve": {str(y): float(reserve.sel(year=y)) for y in YEARS if y in years},
            "months_covered": {str(y): float(months.sel(year=y)) for y in YEARS if y in years},
            "first_deficit_year": first_year(years[projected], balance.values[projected] < 0),
            "exhaustion_year": first_year(years[projected], reserve.values[projected] <= 0),
        }
    return {
        "scenario_title": str(ds.attrs.get("scenario_title", "")),
        "scenario_files": _attr_list(ds.attrs.get("scenario_files", [])),
        "scenario_hash": str(ds.attrs.get("scenario_hash", "")),
        "region_hash": str(ds.attrs.get("region_hash", "")),
        "forecast_version": str(ds.attrs.get("forecast_version", "")),
        "base_year": base,
        "horizon": last,
        "draws": int(ds.sizes["draw"]) if "draw" in ds.dims else None,
        "pools": pools,
    }


FIX = "give the folder a previous 'forecast run SCENARIO --out DIR' or 'forecast report SCENARIO --out DIR' wrote"


def read_previous(folder) -> dict:
    """The headline figures of a previous ``run --out`` or ``report --out`` folder, checked
    (:func:`check_headline`); every file is read as a regular file within its limit."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(Problem("--previous", f"'{folder}' is not a folder", FIX, value=str(folder)))
    report, results = folder / "report.html", folder / "results.nc"
    if report.exists():
        return check_headline(_embedded_json(report), report)
    if results.exists():
        return check_headline(_results_headline(results), results)
    raise InputError(
        Problem("--previous", f"'{folder}' holds neither report.html nor results.nc", FIX, value=str(folder))
    )


def _embedded_json(report: Path):
    """The JSON block of a report, found by plain search (no regular expression: a large file
    without its end tag is read once) and parsed by ``json`` (NaN and Infinity refused)."""
    page = read_bytes(report, "a previous report.html", MAX_REPORT_BYTES).decode("utf-8", errors="replace")
    opening = f'<script type="application/json" id="{HEADLINE_ID}">'
    start = page.find(opening)
    end = page.find("</script>", start + len(opening)) if start >= 0 else -1
    if start < 0 or end < 0:
        raise InputError(
            Problem(
                report,
                "the report holds no headline figures (it was not written by forecast report, or was edited)",
                FIX,
            )
        )

    def refuse(constant):
        raise ValueError(f"{constant} is not a number")

    try:
        return json.loads(page[start + len(opening) : end], parse_constant=refuse)
    except (ValueError, RecursionError) as exc:
        raise InputError(Problem(report, f"its headline figures are not valid JSON ({str(exc)[:200]})", FIX)) from None


def _results_headline(results: Path) -> dict:
    regular_file(results, "a previous results.nc", MAX_RESULTS_BYTES)
    try:
        with xr.open_dataset(results, engine="scipy") as ds:
            return headline_figures(ds.load())
    except (ValueError, KeyError, TypeError, IndexError, AttributeError, OSError) as exc:
        raise InputError(
            Problem(results, f"cannot be read as the results of a run ({type(exc).__name__}: {str(exc)[:200]})", FIX)
        ) from None


def _is_year(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1900 <= value <= 2300


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _pool_problems(pool, entry, fail) -> None:
    """The figures of one pool: reserve and months covered by year, the two years (or null)."""
    where = f"pools.{pool}"
    if not isinstance(entry, dict):
        return fail(where, "must be a mapping of the pool's figures", entry)
    for name in ("reserve", "months_covered"):
        series = entry.get(name)
        if not isinstance(series, dict):
            fail(f"{where}.{name}", "must map years to numbers", series)
            continue
        for year, value in series.items():
            if not (
                isinstance(year, str) and year.isascii() and year.isdigit() and _is_year(int(year))
            ) or not _is_number(value):
                fail(f"{where}.{name}.{year}", "must be a year (as text) mapped to a finite number", value)
    for name in ("first_deficit_year", "exhaustion_year"):
        if entry.get(name) is not None and not _is_year(entry.get(name)):
            fail(f"{where}.{name}", "must be a year or null", entry.get(name))


def check_headline(data, source: Path) -> dict:
    """``data`` if it has the shape :func:`headline_figures` gives, else every place it does not,
    located by field (a previous report's JSON could have been edited, or be something else)."""
    problems = []

    def fail(field, message, value=None):
        problems.append(
            Problem(
                source,
                f"its headline figures: {message}",
                FIX,
                field=field,
                value=value if isinstance(value, str | int | float) else type(value).__name__,
            )
        )

    if not isinstance(data, dict):
        raise InputError(Problem(source, f"its headline figures must be a mapping (found {type(data).__name__})", FIX))
    for name in ("scenario_title", "scenario_hash", "region_hash", "forecast_version"):
        if not isinstance(data.get(name, ""), str):
            fail(name, "must be text", data.get(name))
    files = data.get("scenario_files", [])
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        fail("scenario_files", "must be a list of file names", files)
    for name in ("base_year", "horizon"):
        if not _is_year(data.get(name)):
            fail(name, "must be a year (a whole number, not text)", data.get(name))
    if not problems and data["horizon"] <= data["base_year"]:
        fail("horizon", "must come after base_year", data["horizon"])
    draws = data.get("draws")
    if draws is not None and not (isinstance(draws, int) and not isinstance(draws, bool) and draws >= 1):
        fail("draws", "must be a number of draws or null", draws)
    pools = data.get("pools")
    if not isinstance(pools, dict):
        fail("pools", "must map each pool to its figures", pools)
    else:
        for pool, entry in pools.items():
            _pool_problems(pool, entry, fail)
    if problems:
        raise InputError(problems)
    return data


def _year_value(value, horizon: int) -> float:
    """An exhaustion or deficit year; none within the horizon counts as the horizon + 1."""
    return float(horizon + 1) if value is None else float(value)


def _rows(previous: dict, current: dict) -> list[dict]:
    rows = []
    for pool in POOLS:
        before, after = previous["pools"].get(pool), current["pools"].get(pool)
        if before is None or after is None:
            continue
        for year in YEARS:
            if str(year) in before["reserve"] and str(year) in after["reserve"]:
                rows.append(
                    {
                        "pool": pool,
                        "metric": f"reserve_{year}",
                        "unit": "yuan",
                        "previous": before["reserve"][str(year)],
                        "current": after["reserve"][str(year)],
                    }
                )
        for name in ("first_deficit_year", "exhaustion_year"):
            rows.append(
                {
                    "pool": pool,
                    "metric": name,
                    "unit": "year",
                    "previous": _year_value(before[name], previous["horizon"]),
                    "current": _year_value(after[name], current["horizon"]),
                }
            )
    for row in rows:
        row["change"] = row["current"] - row["previous"]
    return rows


def _previous_scenario(previous: dict):
    """The previous scenario if its files are still there as they were, else (None, why not)."""
    files = previous.get("scenario_files") or []
    if not files or not all(Path(f).is_file() for f in files):
        return None, "the previous run's scenario files are no longer where it read them"
    try:
        scenario = load_scenario("+".join(files))
    except InputError:
        return None, "the previous run's scenario files no longer load"
    if scenario.content_hash != previous.get("scenario_hash"):
        return None, "the previous run's scenario files have changed since (their content hash differs)"
    return scenario, ""


def reconciliation(previous: dict, ds, scenario) -> dict:
    """Rows (pool, metric, previous, current, change, each step of the analysis of change and what
    it does not reproduce), the steps, and notes saying what was and was not split."""
    current = headline_figures(ds)
    rows = _rows(previous, current)
    notes = []
    if previous.get("region_hash") and previous["region_hash"] != current["region_hash"]:
        notes.append(
            "The region bundle has changed since the previous run; the analysis of change runs both scenarios on "
            "today's bundle, so the data's effect falls into 'not reproduced'."
        )
    if previous.get("forecast_version") != current["forecast_version"]:
        notes.append(
            f"The previous run was made by forecast {previous.get('forecast_version') or '?'}, this one by "
            f"{current['forecast_version']}: model changes fall into 'not reproduced'."
        )
    if previous.get("draws"):
        notes.append(
            "The previous figures are those of its draws' median path; the analysis of change runs the scenarios "
            "without draws, so that difference falls into 'not reproduced'."
        )
    deterministic = current
    if current["draws"]:  # the walk ends at this run without draws, then the step to its draws' median path
        deterministic = headline_figures(run(scenario))
        for row, fixed in zip(rows, _rows(previous, deterministic)):
            row["median_of_draws"] = row["current"] - fixed["current"]
        notes.append(
            f"This run has {current['draws']} draws: its figures are those of the median path; 'median_of_draws' is "
            "the step from the run without draws to that median path."
        )
    old, why = _previous_scenario(previous)
    steps = ()
    if old is None:
        notes.append(f"The change is not split into its sources: {why}.")
    else:
        change = analysis_of_change(old, scenario, YEARS)
        steps = STEPS
        for row in rows:
            column = (row["pool"], row["metric"])
            explained = 0.0
            for step in STEPS:
                value = float(change.loc[step, column]) if column in change.columns else np.nan
                row[step] = value
                explained += 0.0 if np.isnan(value) else value
            row["not_reproduced"] = (
                row["change"] - row.get("median_of_draws", 0.0) - explained if column in change.columns else np.nan
            )
    return {
        "previous": previous,
        "current": current,
        "rows": rows,
        "steps": steps,
        "draws_step": bool(current["draws"]),
        "notes": notes,
    }
