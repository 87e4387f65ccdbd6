"""The commands that study a scenario rather than run it once: ``forecast explain`` (the headline's
drivers), ``forecast sensitivity`` (the tornado and Sobol indices), ``forecast solve`` (what keeps a
pool on target) and ``forecast batch`` (many regions on dask). The CLI's guard (:mod:`forecast.cli.main`)
dispatches to them as to :mod:`forecast.cli.commands`."""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError, Problem
from ..results.csvtext import csv_text
from ..terminal import progress_bar, say
from .commands import (
    EXIT_INPUT,
    EXIT_OK,
    _check_draws,
    _run_inputs,
    _wrote,
    load_scenario,
    out_folder,
    run_scenario,
    write_files,
)

__all__ = ["cmd_explain", "cmd_sensitivity", "cmd_solve", "cmd_batch"]


def cmd_explain(args) -> int:
    from ..apps.headline import headline_table, years_text

    runs = {}
    for name in args.scenarios:
        ds = run_scenario(name, args)
        runs[name] = ds
    base = int(next(iter(runs.values())).attrs["base_year"])
    if args.until is not None and not base < args.until <= min(int(ds["year"].values[-1]) for ds in runs.values()):
        raise InputError(Problem("--until", f"the last year must come after the base year {base} and within every scenario's horizon", f"write e.g. --until {base + 11}", value=args.until))
    table = headline_table(runs, args.until)
    span = f"{int(table['from'].iloc[0])}-{int(table['to'].iloc[0])}"
    say(f"The headline explained: yearly growth {span} of each pool's drivers, and its first deficit and exhaustion")
    say("  income = income per member × members;  expenditure = cost per insured × members;")
    say("  cost per insured = price × utilisation (real cost trend) × ageing (age-sex mix) × benefits and mix (nominal deductibles and caps, claim mix, transfers)")
    for (scenario, pool), row in table.iterrows():
        print(f"\n  {scenario} — {pool}: first deficit {years_text(row['first_deficit'])}, exhausted {years_text(row['exhausted'])}")
        print(f"    income {row['income']:+.2%} = per member {row['income_per_member']:+.2%} × members {row['members']:+.2%}")
        print(f"    expenditure {row['expenditure']:+.2%} = cost per insured {row['cost_per_insured']:+.2%} × members {row['members']:+.2%}")
        print(f"    cost per insured {row['cost_per_insured']:+.2%} = price {row['price']:+.2%} × utilisation {row['utilisation']:+.2%} × ageing {row['ageing']:+.2%} × benefits and mix {row['benefits_and_mix']:+.2%}")
    if args.out is not None:
        _wrote(args.out, write_files(args.out, {"explain.csv": csv_text(table)}, inputs=[p for ds in runs.values() for p in _run_inputs(ds)]))
    return EXIT_OK



def cmd_sensitivity(args) -> int:
    from ..apps.sensitivity import sensitivity, tornado_table
    from ..inputs.region import load_region
    from ..results.charts import png_bytes, scenario_context, tornado_chart

    if args.sobol and args.sobol & (args.sobol - 1):
        raise InputError(Problem("--sobol", f"the Sobol base sample must be a power of two (found {args.sobol})", "write e.g. --sobol 64", value=args.sobol))
    if not 0.5 < args.percentile < 1:
        raise InputError(Problem("--percentile", "the high percentile must be above 0.5 and below 1", "write e.g. --percentile 0.9", value=args.percentile))
    scenario = load_scenario(args.scenario, args)
    if args.sobol:
        from ..apps.sensitivity import GROUPS

        _check_draws(args.sobol, 2000, scenario.horizon, option="--sobol", runs_per=len(GROUPS) + 2, fitting=lambda n: 2 ** max(n.bit_length() - 1, 1))
    with progress_bar("sensitivity: runs", "runs") as advance:
        table = tornado_table(sensitivity(scenario, args.percentile, progress=advance))
    low = round((1 - args.percentile) * 100)
    say(f"Sensitivity of '{scenario.title}': each group at its {low}th and {100 - low}th percentile (policy changes: undone / as given), the widest first")
    for (pool, metric), group in table.groupby(["pool", "metric"], sort=False):
        print(f"\n  {pool} — {metric.replace('_', ' ')} (scenario: {group['base'].iloc[0]:.1f})")
        for _, row in group.iterrows():
            print(f"    {row['group']:<44}{row['low']:>9.1f} {row['high']:>9.1f}   swing {row['swing']:.1f}")
    say(f"\n  An exhaustion year of {scenario.horizon + 1} means none within the horizon.")
    files = {"tornado.csv": csv_text(table, index=False), "tornado.png": png_bytes(tornado_chart(table, scenario_context(scenario, load_region(scenario.region_path))))}
    if args.sobol:
        from ..apps.sensitivity import sobol

        with progress_bar("Sobol: draws", "draws") as advance:
            indices = sobol(scenario, args.sobol, progress=advance)
        say(f"\n  Global (Sobol) indices from {indices.attrs['samples']:,} runs: total effect ST (first order S1), the largest first")
        for (pool, metric), group in indices.groupby(["pool", "metric"], sort=False):
            print(f"    {pool} — {metric.replace('_', ' ')}: " + "; ".join(f"{r.group} {r.ST:.2f} ({r.S1:.2f})" for r in group.head(4).itertuples()))
        files["sobol.csv"] = csv_text(indices, index=False)
    if args.out is not None:
        _wrote(args.out, write_files(args.out, files, inputs=list(scenario.files)))
    return EXIT_OK



def cmd_solve(args) -> int:
    from ..apps.outputs import solve_outputs

    scenario = load_scenario(args.scenario, args)
    solution, frame, missed, files = solve_outputs(scenario, args.pool, args.lever, args.target, args.start, args.until, args.level, args.probability, args.draws, args.seed)
    print(f"Solved: the {args.pool} pool's {args.lever} for '{solution.target.describe()}' in every year {solution.start}-{solution.until} ({solution.mode}{'' if args.probability is None else f', in {args.probability:.0%} of {args.draws} draws'})")
    for note in solution.notes:
        say(f"  {note}")
    if solution.mode == "level":
        what = "multiplier of the financing path" if not args.lever.startswith("benefit:") else "value"
        print(f"  {what}: {solution.level:.6g} (brentq in [{solution.bracket[0]:g}, {solution.bracket[1]:g}], tolerance {1e-6:g}, {solution.iterations} iterations)")
    print(frame.to_string(float_format=lambda v: f"{v:,.4g}"))
    print(f"  check run: the target {'holds in every year' if not missed else 'is missed in ' + ', '.join(map(str, missed))}")
    out = out_folder(args, "solve")
    _wrote(out, write_files(out, files, inputs=list(scenario.files)))
    return EXIT_OK if not missed else EXIT_INPUT


#: results larger than this (bytes) are written as a Zarr store rather than one NetCDF file
ZARR_ABOVE = 1.5 * 2**30


def cmd_batch(args) -> int:
    import numpy as np

    from ..apps.batch import batch, summary_table
    from ..inputs.region import load_region
    from ..library import default_region_path
    from ..results.run_files import netcdf_ready, netcdf_writer

    regions = [str(load_region(r).path) for r in args.regions]  # bad bundles are refused here, before any worker starts
    if len(set(regions)) < len(regions):
        raise InputError(Problem("--regions", "a bundle is given twice", "give each region bundle once", value=" ".join(args.regions)))
    scenarios = [str(s) for s in args.scenarios]
    for spec in scenarios:
        scenario = load_scenario(spec)
        horizon = scenario.horizon
        own = str(Path(scenario.region_path).resolve())
        if own != str(Path(default_region_path()).resolve()) and own not in regions:
            say(f"note: {spec} names its own region ({scenario.region_path}); batch runs it on each of --regions instead")
    _check_draws(args.draws, 2000, horizon)
    _check_batch(args, len(regions) * len(scenarios), horizon - 2000 + 1)
    out = out_folder(args, "batch")
    _zarr_target(out)  # before the work, not after
    client = cluster = None
    try:
        from distributed import Client, LocalCluster

        if args.scheduler:
            client = _connect(Client, args.scheduler)
        else:
            cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None)
            client = Client(cluster)
        say(f"forecast batch: {len(regions)} region(s) x {len(scenarios)} scenario(s){f' x {args.draws} draws' if args.draws else ''} on {client.scheduler.address if hasattr(client, 'scheduler') else args.scheduler}")
        with progress_bar("regions x scenarios", "results") as bar:
            ds = batch(regions, scenarios, args.draws, args.seed, client=client, progress=bar)
        ds = ds.assign_coords(region=[str(r) for r in args.regions])  # as the user named them (attrs keep the full paths)
        _say_aligned(ds, dict(zip(regions, args.regions)))
    except OSError as exc:
        raise InputError(Problem("--scheduler", f"cannot reach the dask scheduler: {exc}", "check the address (tcp://host:8786) or leave --scheduler out for a local cluster", value=args.scheduler)) from None
    finally:
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()
    table = summary_table(ds)
    print()
    print(table.to_string(float_format=lambda v: f"{v:,.2f}", na_rep="none"))
    files = {"batch_summary.csv": csv_text(table)}
    large = ds.nbytes > ZARR_ABOVE
    if not large:
        files["batch.nc"] = netcdf_writer(ds)
    written = write_files(out, files, inputs=[np.str_(r) for r in regions])
    _wrote(out, written + ([_write_zarr(out, netcdf_ready(ds))] if large else []))
    return EXIT_OK


def _say_aligned(ds, named: dict) -> None:
    """The note a batch over regions with different fund base years gets: how its years are aligned."""
    bases = {named.get(path, path): year for path, year in ds.attrs.get("base_years", {}).items()}
    if len(set(bases.values())) > 1:
        first, common = int(ds["year"].values[0]), max(bases.values())
        say(f"note: the regions' fund base years differ ({', '.join(f'{r} {y}' for r, y in bases.items())}): the results run from {first}, a region's years before its own base year "
            f"are not projected (missing, verdict not_projected), and the total covers {common}-{int(ds['year'].values[-1])}, the years every region projects")


def _check_batch(args, runs: int, years: int) -> None:
    """Refuse, before a cluster starts, more local workers than the cores and memory hold, and more
    regions × scenarios × years than the gathered result fits in, saying the largest that fit."""
    from ..limits import (
        BATCH_BYTES_PER_REGION_YEAR,
        MAX_WORKERS_PER_CORE,
        MEMORY_SHARE,
        available_memory,
        draws_memory,
        usable_cores,
    )

    have = MEMORY_SHARE * available_memory()
    if not args.scheduler:
        per_worker = draws_memory(min(args.draws or 0, 1_000), years)  # a worker holds one chunk of draws
        fits = min(MAX_WORKERS_PER_CORE * usable_cores(), int(have // per_worker))
        if args.workers > fits:
            raise InputError(Problem("--workers", f"{args.workers:,} local worker processes need about {args.workers * per_worker / 2**30:,.1f} GiB ({per_worker / 2**20:,.0f} MiB each) on {usable_cores()} core(s) with {have / 2**30:,.1f} GiB to use", f"use at most --workers {max(fits, 1)} on this machine, or --scheduler ADDRESS for a cluster (forecast/limits.py)", value=args.workers))
    need = runs * years * BATCH_BYTES_PER_REGION_YEAR
    if need > have:
        raise InputError(Problem("--regions", f"{runs:,} region × scenario runs to {1999 + years} would gather about {need / 2**30:,.1f} GiB of results ({have / 2**30:,.1f} GiB to use)", f"run at most {int(have // (years * BATCH_BYTES_PER_REGION_YEAR)):,} regions × scenarios at a time (forecast/limits.py)", value=runs))


def _connect(client_class, address: str):
    """A client of the scheduler at ``address``; an address it cannot use or reach is bad input."""
    try:
        return client_class(address, timeout="10s")
    except (OSError, ValueError, TypeError) as exc:
        raise InputError(Problem("--scheduler", f"cannot reach the dask scheduler: {exc}", "check the address (tcp://host:8786, with its port) or leave --scheduler out for a local cluster", value=address)) from None


def _zarr_target(folder) -> Path:
    """``folder/batch.zarr``, refused when a folder that is not a Zarr store sits there."""
    target = Path(folder) / "batch.zarr"
    if target.exists() and not any((target / marker).exists() for marker in ("zarr.json", ".zgroup")):
        raise InputError(Problem(str(target), "a folder that is not a Zarr store is where batch.zarr goes; it is left as it is", "move it, or choose another --out"))
    return target


def _write_zarr(folder, ds) -> Path:
    """``ds`` as the Zarr store ``folder/batch.zarr`` (a directory, so not through write_files):
    written beside its target and renamed into place; a previous batch's store is replaced, any
    other folder of that name refused."""
    import shutil
    import tempfile

    target = _zarr_target(folder)
    staging = Path(tempfile.mkdtemp(prefix=".batch.zarr.", dir=folder))
    try:
        ds.to_zarr(staging / "store", mode="w")
        if target.exists():  # a previous batch's store: set aside, replaced, then removed
            target.rename(staging / "previous")
        (staging / "store").rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target
