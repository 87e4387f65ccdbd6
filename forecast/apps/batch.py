"""Many regions at once (``forecast batch``): regions × scenarios × draw chunks as dask tasks.

Each task runs one scenario on one region bundle, and with ``draws`` one chunk of
:data:`~forecast.model.population.project.DRAW_CHUNK` draws of it — the same draws, value for value,
that the chunk holds in the whole run (:func:`forecast.engine.project` with ``draw_range``), so
splitting changes nothing. Workers load bundles and scenarios themselves (paths travel, not data)
and return what the result needs:

- without draws, each run's Dataset;
- with draws, each chunk's income, expenditure, balance, reserve, months covered and verdict per
  draw; a task per region and scenario joins its chunks and reduces them to the percentiles and
  probabilities of :func:`~forecast.results.uncertainty.draw_summary` and the median path, and
  only those reach the client.

The province (or any set of regions) is their sum: a tree of pairwise sums of the regions' flows
and reserves, draw by draw (the draws of every region share the seed's streams: a national shock
moves every prefecture), with months covered and the verdict recomputed; it joins the result as the
variables ``total_<name>``. Results come back along ``region`` and ``scenario`` (:func:`batch`).

Regions whose fund base years differ (a prefecture whose bureau published 2023, the nation 2024) are
aligned on the years from the earliest base year to the horizon: a region's years before its own base
year are not projected (its flows and reserve missing, its verdict ``not_projected``), and the total
covers the years every region projects (:func:`common_years`), so it never adds a region's missing year
as 0. The base year of each region is in ``attrs["base_years"]``.

Any dask scheduler runs the graph: a ``distributed`` client (a LocalCluster the command starts and
closes, or a cluster's scheduler address), or the synchronous scheduler in tests.
"""

from __future__ import annotations

import importlib
import warnings
from pathlib import Path

import dask
import numpy as np
import pandas as pd
import xarray as xr
from dask import delayed

from ..engine import project
from ..inputs.region import load_region
from ..labelled import concat_exact
from ..limits import task_cores
from ..model.fund import CODES, months_covered, verdict_codes
from ..model.uncertainty.streams import entropy_of
from ..results.uncertainty import draw_summary
from ..scenario.load import load_scenario

#: the population stage's projection module: its DRAW_CHUNK sizes the tasks, read when the graph is made
#: as the stage reads it (the package's attribute ``project`` is the function of that name)
_PROJECTION = importlib.import_module("..model.population.project", __package__)

__all__ = ["batch", "run_task", "summarise", "add_regions", "summary_table", "KEPT", "TOTAL"]

#: what a chunk of draws returns (enough for the summary and the total)
KEPT = ("income", "expenditure", "balance", "reserve", "months_covered", "verdict")
TOTAL = "total"


def run_task(region: str, scenario: str, draws: int | None, seed: int | None, draw_range: tuple | None) -> xr.Dataset:
    """One scenario on one region (and one chunk of draws): runs in a worker, on the worker's thread
    (:func:`~forecast.limits.task_cores`): the workers are the parallelism, a task's own threads would
    only contend with theirs (50 regions on two workers, ``benchmarks/batch.py``)."""
    spec = load_scenario(scenario)
    bundle = load_region(region)
    with warnings.catch_warnings(), task_cores(1):
        warnings.simplefilter("ignore")
        ds = project(
            spec,
            bundle,
            dict(spec.params),
            dict(spec.root_params),
            spec.horizon,
            draws=draws,
            seed=seed,
            draw_range=draw_range,
            summarise=False,
        )
    if draws:
        ds = ds[list(KEPT)]
    return ds.drop_vars([v for v in ds.data_vars if "sex" in ds[v].dims or "age" in ds[v].dims])


def summarise(chunks: list) -> xr.Dataset:
    """A region's (or the total's) chunks of draws joined and reduced: the median path of the kept
    variables and the draws' percentiles and probabilities (on the worker's thread, as :func:`run_task`)."""
    ds = xr.concat(chunks, dim="draw", combine_attrs="override") if len(chunks) > 1 else chunks[0]
    with task_cores(1):  # the percentiles and the medians the central path takes (forecast.labelled.on_cores)
        out = draw_summary(ds)
        central = ds.fund.central()
    for name in KEPT:
        out[name] = central[name]
    out.attrs = dict(ds.attrs)
    return out


def add_regions(a: xr.Dataset, b: xr.Dataset) -> xr.Dataset:
    """The sum of two regions' (or partial totals') runs: flows and reserves added draw by draw,
    months covered and the verdict recomputed."""
    years = common_years([a, b])
    a, b = a.sel(year=years), b.sel(year=years)
    out = xr.Dataset({name: a[name] + b[name] for name in ("income", "expenditure", "balance", "reserve")})
    out["months_covered"] = months_covered(out["reserve"], out["expenditure"])
    payg = (a["verdict"] == CODES["payg"]).all([d for d in a["verdict"].dims if d != "pool"]) & (
        b["verdict"] == CODES["payg"]
    ).all([d for d in b["verdict"].dims if d != "pool"])
    idle = (out["income"] == 0) & (out["expenditure"] == 0) & (out["reserve"] == 0)
    out["verdict"] = verdict_codes(
        out["reserve"], out["balance"], out["months_covered"], a.attrs["verdict_thresholds"], payg, idle
    )
    out.attrs = {**a.attrs, "region_name": TOTAL}
    return out


def common_years(parts: list) -> list[int]:
    """The years every one of ``parts`` projects (from the latest base year to the horizon)."""
    years = parts[0]["year"].values
    for part in parts[1:]:
        years = np.intersect1d(years, part["year"].values)
    return [int(y) for y in years]


def _on_years(ds: xr.Dataset, years: list[int]) -> xr.Dataset:
    """``ds`` over ``years``: a year it does not project has missing numbers, the verdict
    ``not_projected`` and any other coded label its first code (the warning's 'none')."""
    fills = {}
    for name, var in ds.data_vars.items():
        if "year" not in var.dims:
            continue
        if var.dtype.kind in "iu":
            fills[name] = CODES["not_projected"] if name == "verdict" else (var.attrs.get("flag_values") or [0])[0]
        else:
            fills[name] = float("nan")
    return ds.reindex(year=years, fill_value=fills)


def _aligned(parts: list) -> list:
    """``parts`` on the union of their years (see the module: regions with different base years)."""
    years = sorted({int(y) for p in parts for y in p["year"].values})
    return [p if [int(y) for y in p["year"].values] == years else _on_years(p, years) for p in parts]


def _tree(items: list, combine):
    """Pairwise reduction of delayed objects (depth log2 n: no task holds every region)."""
    while len(items) > 1:
        items = [
            delayed(combine)(items[i], items[i + 1]) if i + 1 < len(items) else items[i]
            for i in range(0, len(items), 2)
        ]
    return items[0]


def _chunks(draws: int | None) -> list:
    if not draws:
        return [None]
    chunk = _PROJECTION.DRAW_CHUNK
    return [(start, min(start + chunk, draws)) for start in range(0, draws, chunk)]


def graph(regions: list[str], scenarios: list[str], draws: int | None, seed: int | None, total: bool = True) -> dict:
    """The delayed results: (region, scenario) -> a Dataset, and (TOTAL, scenario) when ``total``."""
    out = {}
    for scenario in scenarios:
        per_region = []
        for region in regions:
            parts = [delayed(run_task)(region, scenario, draws, seed, span) for span in _chunks(draws)]
            per_region.append(parts)
            out[(region, scenario)] = delayed(summarise)(parts) if draws else parts[0]
        if total and len(regions) > 1:
            chunks = []
            for i in range(len(_chunks(draws))):
                chunks.append(_tree([parts[i] for parts in per_region], add_regions))
            out[(TOTAL, scenario)] = delayed(summarise)(chunks) if draws else chunks[0]
    return out


def assemble(results: dict, regions: list[str], scenarios: list[str]) -> xr.Dataset:
    """One Dataset along ``region`` (the bundles' paths) and ``scenario``; the regions' sum as the
    variables ``total_<name>`` (no region dimension)."""
    by_scenario, totals = [], []
    for scenario in scenarios:
        parts = [results[(region, scenario)] for region in regions]
        common = [v for v in parts[0].data_vars if all(v in p for p in parts)]
        by_scenario.append(concat_exact(_aligned([p[common] for p in parts]), "region", combine_attrs="drop_conflicts"))
        if (TOTAL, scenario) in results:
            totals.append(results[(TOTAL, scenario)])
    base_years = {str(Path(r)): int(results[(r, scenarios[0])].attrs["base_year"]) for r in regions}
    by_scenario = _aligned(by_scenario)
    ds = concat_exact(by_scenario, "scenario", combine_attrs="drop_conflicts")
    ds = ds.assign_coords(region=[str(Path(r)) for r in regions], scenario=list(scenarios))
    if totals:
        on_years = [_on_years(t, [int(y) for y in ds["year"].values]) for t in totals]
        total = concat_exact(on_years, "scenario", combine_attrs="drop_conflicts").assign_coords(
            scenario=list(scenarios)
        )
        for name, var in total.data_vars.items():
            ds[f"total_{name}"] = var.assign_attrs(
                {**var.attrs, "description": f"the sum of the regions: {var.attrs.get('description', name)}"}
            )
    ds.attrs["regions"] = [str(Path(r)) for r in regions]
    ds.attrs["base_years"] = base_years
    ds.attrs["scenarios"] = list(scenarios)
    return ds


def batch(
    regions: list[str],
    scenarios: list[str],
    draws: int | None = None,
    seed: int | None = None,
    client=None,
    total: bool = True,
    progress=None,
) -> xr.Dataset:
    """Run every scenario on every region (see the module); ``client``: a distributed client (None:
    the synchronous scheduler); ``progress(done, total)``: called as each region × scenario (and
    total) result is ready."""
    seed = entropy_of(seed) if draws else seed  # one seed for every task: the chunks and regions share the streams
    delayed_results = graph([str(r) for r in regions], [str(s) for s in scenarios], draws, seed, total)
    keys = list(delayed_results)
    if client is None:
        values = dask.compute(*[delayed_results[k] for k in keys], scheduler="synchronous")
    else:
        futures = client.compute([delayed_results[k] for k in keys])
        if progress is not None:
            from distributed import as_completed  # deferred: distributed (0.5 s) only with a cluster's client

            for done, _ in enumerate(as_completed(futures), start=1):
                progress(done, len(futures))
        values = client.gather(futures)
    ds = assemble(dict(zip(keys, values)), [str(r) for r in regions], [str(s) for s in scenarios])
    if draws:
        ds.attrs.update(draws=draws, seed=seed)
    return ds


def summary_table(ds: xr.Dataset):
    """Per scenario, region (and the total) and pool: the first deficit and exhaustion years (of the
    median path with draws) and, with draws, the share of draws exhausted by the horizon."""
    rows = []
    labels = [(r, "") for r in ds["region"].values] + ([(TOTAL, "total_")] if "total_reserve" in ds else [])
    last = int(ds["year"].values[-1])
    for scenario in ds["scenario"].values:
        for region, prefix in labels:
            part = ds.sel(scenario=scenario) if prefix else ds.sel(scenario=scenario, region=region)
            view = xr.Dataset(
                {
                    name: part[prefix + name]
                    for name in ("income", "expenditure", "balance", "reserve", "months_covered", "verdict")
                },
                attrs=ds.attrs,
            )
            view.attrs.setdefault("base_year", int(ds["year"].values[0]))
            first, gone = view.fund.first_deficit_year(), view.fund.exhaustion_year()
            for pool in ("employee", "resident", "ltci"):
                row = {
                    "scenario": scenario,
                    "region": region,
                    "pool": pool,
                    "first_deficit_year": float(first.sel(pool=pool)),
                    "exhaustion_year": float(gone.sel(pool=pool)),
                    f"months_covered_{last}": float(view["months_covered"].sel(pool=pool, year=last)),
                }
                if f"{prefix}p_exhausted" in part:
                    row[f"p_exhausted_{last}"] = float(part[prefix + "p_exhausted"].sel(pool=pool, year=last))
                rows.append(row)
    table = pd.DataFrame(rows).set_index(["scenario", "region", "pool"])
    years = ["first_deficit_year", "exhaustion_year"]
    table[years] = table[years].astype("Int64")  # whole years; <NA> where none within the horizon
    return table
