"""The bodies of the ``forecast`` subcommands that load and run scenarios (the parser and the guard are in
:mod:`forecast.cli.main`), and the helpers every command shares (loading a scenario for ``--region``, the
files a command read, ``--out``). The studies are in :mod:`forecast.cli.studies` and
:mod:`forecast.cli.batch`, the budget compilers' commands in :mod:`forecast.cli.budget`.

Each command reads its inputs, runs the model, prints a summary and, with ``--out``, writes its
files with :func:`forecast.results.writers.write_files` (file by file, atomically, nothing else touched).
Bad input raises :class:`~forecast.errors.InputError`; the guard turns it into exit code 2.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

from ..apps.outputs import check_draws as _check_draws
from ..apps.outputs import results_files as _results_files
from ..errors import InputError, Problem, printable
from ..inputs.region import load_region
from ..library import (
    dated_folder,
    default_region_path,
    region_names,
    resolve_region,
    resolve_scenario,
    scenario_names,
    scenarios_dir,
)
from ..results.csvtext import csv_text
from ..results.run_files import netcdf_writer
from ..results.writers import check_out, write_files
from ..results.zarr_store import zarr_target
from ..scenario.load import load_scenario as _load_scenario
from ..terminal import is_quiet, progress_bar, say

EXIT_OK, EXIT_INPUT = 0, 2


def _inputs(scenario=None, region=None, *paths) -> list[Path]:
    """The files a command reads: --out must never replace one of them."""
    files = [Path(p) for p in paths if p]
    if scenario is not None:
        files += list(scenario.files)
    if region is not None:
        files += [region.path / "region.yaml", *(region.path / spec["path"] for spec in region.files.values())]
    return files


def out_folder(args, command: str) -> str:
    """``--out``, or a dated folder in the current one (announced): a command that must write never
    writes into a fixed ./out it was not asked for."""
    if args.out is not None:
        return args.out
    folder = str(dated_folder(command))
    print(printable(f"no --out given: writing into {folder}/ (a new folder; name one with --out DIR)"))
    return folder


def _wrote(out: str, paths) -> None:
    print(printable(f"{'' if is_quiet() else chr(10)}wrote {out}/: {', '.join(p.name for p in paths)}"))


def load_scenario(spec, args=None):
    """The scenario ``spec`` (file, shipped name or overlays), on the bundle of ``--region`` if given."""
    scenario = _load_scenario(spec)
    region = getattr(args, "region", None)
    region = (
        None if region is None else resolve_region(region)
    )  # a shipped bundle's name (--region wenzhou) from any folder
    if region is not None and not Path(region).exists():
        raise InputError(
            Problem(
                "--region",
                f"'{region}' does not exist",
                (
                    "give the folder of a region bundle (the one holding region.yaml) or a shipped bundle's name "
                    f"({', '.join(region_names())})"
                ),
                value=str(region),
            )
        )
    return scenario if region is None else dataclasses.replace(scenario, region_path=Path(region))


def cmd_validate(args) -> int:
    failed = False
    for raw in args.paths:
        spec = resolve_scenario(raw)
        path = Path(spec)
        try:
            if (
                "+" in spec
                or (path.suffix in (".yaml", ".yml") and path.name != "region.yaml")
                or (not path.exists() and raw in scenario_names())
            ):
                scenario = load_scenario(spec)
                load_region(scenario.region_path)
                print(printable(f"OK {raw}: scenario '{scenario.title}' on region {scenario.region_path}"))
                continue
            region = load_region(path)
        except InputError as err:
            print(f"INVALID {printable(raw, newlines=True)}\n\n{err.render()}\n", file=sys.stderr)
            failed = True
            continue
        print(
            printable(
                f"OK {raw}: region '{region.name}' ({region.level}), {len(region.files)} tables, every file cited, "
                "plausible"
            )
        )
    return EXIT_INPUT if failed else EXIT_OK


def cmd_scenarios(args) -> int:
    from ..apps.views import print_scenarios

    say(
        f"Shipped scenarios ({scenarios_dir()}); run one with 'forecast run NAME', combine with 'forecast run "
        "baseline+NAME':"
    )
    entries = []
    for name in scenario_names():
        try:
            entries.append((name, load_scenario(name).title))
        except InputError as error:  # a place scenario whose bundle (data/<place>) is not installed is not invalid
            bundle = [p.value for p in error.problems if p.field == "region"]
            entries.append(
                (
                    name,
                    f"(its region bundle {bundle[0]} is not installed)"
                    if len(bundle) == len(error.problems)
                    else "(invalid: run 'forecast validate' on it)",
                )
            )
    print_scenarios(entries)
    return EXIT_OK


def cmd_summary(args) -> int:
    region = load_region(args.region or default_region_path())
    print(region.summary())
    return EXIT_OK


def cmd_population(args) -> int:
    from ..model.population import project_scenario
    from ..results.population_report import population_headline, population_table

    scenario = load_scenario(args.scenario, args)
    region = load_region(scenario.region_path)
    start = region.population_date.year
    end = args.until if args.until is not None else scenario.end_year
    if not start < end <= 2300:
        raise InputError(
            Problem(
                "--until",
                f"the last year must come after the base population's year {start} and be at most 2300",
                f"write e.g. --until {max(start + 1, 2060)}",
                value=args.until,
            )
        )
    _check_draws(args.draws, start, end, keep_population=True)
    try:
        with progress_bar("population: draws", "draws") as advance:
            ds = project_scenario(scenario, region, end_year=end, draws=args.draws, seed=args.seed, progress=advance)
    except ValueError as exc:
        if isinstance(exc, InputError):
            raise
        raise InputError(Problem(scenario.files[-1], str(exc), "see docs/model/population.md")) from None
    print(population_headline(ds, scenario.title))
    if args.out is not None:
        table = population_table(ds)
        paths = write_files(
            args.out,
            {"population_indicators.csv": csv_text(table), "population.nc": netcdf_writer(ds)},
            inputs=_inputs(scenario, region),
        )
        _wrote(args.out, paths)
    return EXIT_OK


def _run_inputs(ds) -> list[Path]:
    """The scenario files a run read and every file of its bundle (from its provenance attrs)."""
    bundle = Path(ds.attrs["region_path"])
    return [Path(f) for f in ds.attrs["scenario_files"]] + [p for p in bundle.iterdir() if p.is_file()]


def run_scenario(spec: str, args, every_draw=None):
    """Load and run a scenario for a command, with the draw count checked first; ``every_draw``: the
    Zarr store every draw is written into (``run --keep draws``)."""
    scenario = load_scenario(spec, args)
    draws = getattr(args, "draws", None)
    _check_draws(draws, 2000, scenario.horizon, "population" in getattr(args, "keep", ()))
    with progress_bar(f"{Path(str(spec)).stem}: draws", "draws") if draws else _no_bar() as advance:
        from ..apps.outputs import run_loaded

        return run_loaded(
            scenario,
            draws,
            getattr(args, "seed", None),
            getattr(args, "strict", False),
            tuple(getattr(args, "keep", ())),
            advance,
            every_draw,
        )


def _no_bar():
    from contextlib import nullcontext

    return nullcontext(None)


def cmd_run(args) -> int:
    from ..apps.regions.bundle import run_notes
    from ..apps.views import print_verdicts
    from ..results.report import fund_headline

    every_draw = _every_draw(args)
    ds = run_scenario(args.scenario, args, every_draw)
    for line in run_notes(load_region(ds.attrs["region_path"])):
        say(line)
    if is_quiet():
        print_verdicts(ds)
    else:
        print(fund_headline(ds))
    if args.out is not None:
        written = write_files(args.out, _results_files(ds), inputs=_run_inputs(ds))
        _wrote(args.out, written + ([every_draw] if every_draw is not None else []))
    return EXIT_OK


def _every_draw(args):
    """``--out``/draws.zarr for ``--keep draws`` (with ``--draws`` and ``--out``), else None."""
    if "draws" not in args.keep:
        return None
    missing = [option for option, given in (("--draws N", args.draws), ("--out DIR", args.out)) if given is None]
    if missing:
        raise InputError(
            Problem(
                "--keep draws",
                "every draw is written to draws.zarr in the output folder of a run with draws",
                f"add {' and '.join(missing)}",
            )
        )
    check_out(args.out, "--out")
    return zarr_target(args.out, "draws.zarr")  # a folder there that is no Zarr store: refused before the run


def cmd_compare(args) -> int:
    from ..apps.compare import compare
    from ..apps.outputs import compare_files
    from ..apps.views import print_impact

    base, alt = run_scenario(args.base, args), run_scenario(args.alt, args)
    diff = compare(base, alt)
    say(
        f"Impact of ALT  {alt.attrs['scenario_title']}\n against BASE {base.attrs['scenario_title']}\nΔ: ALT − BASE; "
        "money in 亿元; Σ: cumulated over the years\n"
    )
    print_impact(base, alt, diff)
    files = compare_files(diff)
    if args.explain:
        from ..apps.change import analysis_of_change

        change = analysis_of_change(load_scenario(args.base, args), load_scenario(args.alt, args))
        say(
            "\nAnalysis of change (one group at a time, OLD -> NEW; reserves in 亿元, exhaustion years; the horizon "
            f"+ 1 = {change.attrs['horizon'] + 1} means none)"
        )
        shown = change.copy()
        for column in shown.columns:
            if column[1].startswith("reserve"):
                shown[column] = shown[column] / 1e8
        print(shown.T.to_string(float_format=lambda v: f"{v:,.1f}"))
        files["change.csv"] = csv_text(change)
    if args.out is not None:
        _wrote(args.out, write_files(args.out, files, inputs=_run_inputs(base) + _run_inputs(alt)))
    return EXIT_OK


def cmd_show_scenario(args) -> int:
    print(load_scenario(args.scenario, args).describe())
    return EXIT_OK
