"""``forecast batch``: many region bundles × scenarios on a dask cluster (local, or one at
``--scheduler``), refused before the cluster starts when the workers or the gathered result would not
fit; the summary as CSV, the results as one NetCDF file or, when large, a Zarr store. The CLI's guard
(:mod:`forecast.cli.main`) dispatches to it as to :mod:`forecast.cli.commands`."""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError, Problem
from ..results.csvtext import csv_text
from ..terminal import progress_bar, say
from .commands import EXIT_OK, _check_draws, _wrote, load_scenario, out_folder, write_files

__all__ = ["cmd_batch", "ZARR_ABOVE"]


#: results larger than this (bytes) are written as a Zarr store rather than one NetCDF file
ZARR_ABOVE = 1.5 * 2**30


def cmd_batch(args) -> int:
    import numpy as np

    from ..apps.batch import batch, summary_table
    from ..inputs.region import load_region
    from ..library import default_region_path
    from ..results.run_files import netcdf_writer
    from ..results.zarr_store import write_zarr, zarr_target

    regions = [str(load_region(r).path) for r in args.regions]  # bad bundles are refused here, before any worker starts
    if len(set(regions)) < len(regions):
        raise InputError(
            Problem(
                "--regions", "a bundle is given twice", "give each region bundle once", value=" ".join(args.regions)
            )
        )
    scenarios = [str(s) for s in args.scenarios]
    for spec in scenarios:
        scenario = load_scenario(spec)
        horizon = scenario.horizon
        own = str(Path(scenario.region_path).resolve())
        if own != str(Path(default_region_path()).resolve()) and own not in regions:
            say(
                f"note: {spec} names its own region ({scenario.region_path}); batch runs it on each of --regions "
                "instead"
            )
    _check_draws(args.draws, 2000, horizon)
    _check_batch(args, len(regions) * len(scenarios), horizon - 2000 + 1)
    out = out_folder(args, "batch")
    zarr_target(out, "batch.zarr")  # before the work, not after
    client = cluster = None
    try:
        from distributed import Client, LocalCluster

        if args.scheduler:
            client = _connect(Client, args.scheduler)
        else:
            cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None)
            client = Client(cluster)
        say(
            f"forecast batch: {len(regions)} region(s) x {len(scenarios)} scenario(s)"
            f"{f' x {args.draws} draws' if args.draws else ''} "
            f"on {client.scheduler.address if hasattr(client, 'scheduler') else args.scheduler}"
        )
        with progress_bar("regions x scenarios", "results") as bar:
            ds = batch(regions, scenarios, args.draws, args.seed, client=client, progress=bar)
        ds = ds.assign_coords(
            region=[str(r) for r in args.regions]
        )  # as the user named them (attrs keep the full paths)
        _say_aligned(ds, dict(zip(regions, args.regions)))
    except OSError as exc:
        raise InputError(
            Problem(
                "--scheduler",
                f"cannot reach the dask scheduler: {exc}",
                "check the address (tcp://host:8786) or leave --scheduler out for a local cluster",
                value=args.scheduler,
            )
        ) from None
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
    _wrote(out, written + ([write_zarr(out, "batch.zarr", ds)] if large else []))
    return EXIT_OK


def _say_aligned(ds, named: dict) -> None:
    """The note a batch over regions with different fund base years gets: how its years are aligned."""
    bases = {named.get(path, path): year for path, year in ds.attrs.get("base_years", {}).items()}
    if len(set(bases.values())) > 1:
        first, common = int(ds["year"].values[0]), max(bases.values())
        say(
            f"note: the regions' fund base years differ ({', '.join(f'{r} {y}' for r, y in bases.items())}): the "
            f"results run from {first}, a region's years before its own base year "
            "are not projected (missing, verdict not_projected), and the total covers "
            f"{common}-{int(ds['year'].values[-1])}, the years every region projects"
        )


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
            raise InputError(
                Problem(
                    "--workers",
                    f"{args.workers:,} local worker processes need about {args.workers * per_worker / 2**30:,.1f} GiB "
                    f"({per_worker / 2**20:,.0f} MiB each) on {usable_cores()} core(s) with {have / 2**30:,.1f} GiB to "
                    "use",
                    f"use at most --workers {max(fits, 1)} on this machine, or --scheduler ADDRESS for a cluster "
                    "(forecast/limits.py)",
                    value=args.workers,
                )
            )
    need = runs * years * BATCH_BYTES_PER_REGION_YEAR
    if need > have:
        raise InputError(
            Problem(
                "--regions",
                f"{runs:,} region × scenario runs to {1999 + years} would gather about {need / 2**30:,.1f} GiB of "
                f"results ({have / 2**30:,.1f} GiB to use)",
                f"run at most {int(have // (years * BATCH_BYTES_PER_REGION_YEAR)):,} regions × scenarios at a time "
                "(forecast/limits.py)",
                value=runs,
            )
        )


def _connect(client_class, address: str):
    """A client of the scheduler at ``address``; an address it cannot use or reach is bad input."""
    try:
        return client_class(address, timeout="10s")
    except (OSError, ValueError, TypeError) as exc:
        raise InputError(
            Problem(
                "--scheduler",
                f"cannot reach the dask scheduler: {exc}",
                "check the address (tcp://host:8786, with its port) or leave --scheduler out for a local cluster",
                value=address,
            )
        ) from None
