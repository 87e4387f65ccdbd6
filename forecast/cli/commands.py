"""The bodies of the ``forecast`` subcommands (the parser and the guard are in :mod:`forecast.cli.main`).

Each command reads its inputs, runs the model, prints a summary and, with ``--out``, writes its
files with :func:`forecast.results.writers.write_files` (file by file, atomically, nothing else touched).
Bad input raises :class:`~forecast.errors.InputError`; the guard turns it into exit code 2.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import numpy as np

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
from ..results.writers import write_files
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
    region = None if region is None else resolve_region(region)  # a shipped bundle's name (--region wenzhou) from any folder
    if region is not None and not Path(region).exists():
        raise InputError(Problem("--region", f"'{region}' does not exist", f"give the folder of a region bundle (the one holding region.yaml) or a shipped bundle's name ({', '.join(region_names())})", value=str(region)))
    return scenario if region is None else dataclasses.replace(scenario, region_path=Path(region))


def cmd_validate(args) -> int:
    failed = False
    for raw in args.paths:
        spec = resolve_scenario(raw)
        path = Path(spec)
        try:
            if "+" in spec or (path.suffix in (".yaml", ".yml") and path.name != "region.yaml") or (not path.exists() and raw in scenario_names()):
                scenario = load_scenario(spec)
                load_region(scenario.region_path)
                print(printable(f"OK {raw}: scenario '{scenario.title}' on region {scenario.region_path}"))
                continue
            region = load_region(path)
        except InputError as err:
            print(f"INVALID {printable(raw, newlines=True)}\n\n{err.render()}\n", file=sys.stderr)
            failed = True
            continue
        print(printable(f"OK {raw}: region '{region.name}' ({region.level}), {len(region.files)} tables, every file cited, plausible"))
    return EXIT_INPUT if failed else EXIT_OK


def cmd_scenarios(args) -> int:
    from ..apps.views import print_scenarios

    say(f"Shipped scenarios ({scenarios_dir()}); run one with 'forecast run NAME', combine with 'forecast run baseline+NAME':")
    entries = []
    for name in scenario_names():
        try:
            entries.append((name, load_scenario(name).title))
        except InputError as error:  # a place scenario whose bundle (data/<place>) is not installed is not invalid
            bundle = [p.value for p in error.problems if p.field == "region"]
            entries.append((name, f"(its region bundle {bundle[0]} is not installed)" if len(bundle) == len(error.problems) else "(invalid: run 'forecast validate' on it)"))
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
        raise InputError(Problem("--until", f"the last year must come after the base population's year {start} and be at most 2300", f"write e.g. --until {max(start + 1, 2060)}", value=args.until))
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
        paths = write_files(args.out, {"population_indicators.csv": csv_text(table), "population.nc": netcdf_writer(ds)}, inputs=_inputs(scenario, region))
        _wrote(args.out, paths)
    return EXIT_OK


def _run_inputs(ds) -> list[Path]:
    """The scenario files a run read and every file of its bundle (from its provenance attrs)."""
    bundle = Path(ds.attrs["region_path"])
    return [Path(f) for f in ds.attrs["scenario_files"]] + [p for p in bundle.iterdir() if p.is_file()]


def run_scenario(spec: str, args):
    """Load and run a scenario for a command, with the draw count checked first."""
    scenario = load_scenario(spec, args)
    draws = getattr(args, "draws", None)
    _check_draws(draws, 2000, scenario.horizon, "population" in getattr(args, "keep", ()))
    with progress_bar(f"{Path(str(spec)).stem}: draws", "draws") if draws else _no_bar() as advance:
        from ..apps.outputs import run_loaded

        return run_loaded(scenario, draws, getattr(args, "seed", None), getattr(args, "strict", False), tuple(getattr(args, "keep", ())), advance)


def _no_bar():
    from contextlib import nullcontext

    return nullcontext(None)


def cmd_run(args) -> int:
    from ..apps.regions.bundle import run_notes
    from ..apps.views import print_verdicts
    from ..results.report import fund_headline

    ds = run_scenario(args.scenario, args)
    for line in run_notes(load_region(ds.attrs["region_path"])):
        say(line)
    if is_quiet():
        print_verdicts(ds)
    else:
        print(fund_headline(ds))
    if args.out is not None:
        _wrote(args.out, write_files(args.out, _results_files(ds), inputs=_run_inputs(ds)))
    return EXIT_OK


def cmd_compare(args) -> int:
    from ..apps.compare import compare
    from ..apps.outputs import compare_files
    from ..apps.views import print_impact

    base, alt = run_scenario(args.base, args), run_scenario(args.alt, args)
    diff = compare(base, alt)
    say(f"Impact of ALT  {alt.attrs['scenario_title']}\n against BASE {base.attrs['scenario_title']}\nΔ: ALT − BASE; money in 亿元; Σ: cumulated over the years\n")
    print_impact(base, alt, diff)
    files = compare_files(diff)
    if args.explain:
        from ..apps.change import analysis_of_change

        change = analysis_of_change(load_scenario(args.base, args), load_scenario(args.alt, args))
        say(f"\nAnalysis of change (one group at a time, OLD -> NEW; reserves in 亿元, exhaustion years; the horizon + 1 = {change.attrs['horizon'] + 1} means none)")
        shown = change.copy()
        for column in shown.columns:
            if column[1].startswith("reserve"):
                shown[column] = shown[column] / 1e8
        print(shown.T.to_string(float_format=lambda v: f"{v:,.1f}"))
        files["change.csv"] = csv_text(change)
    if args.out is not None:
        _wrote(args.out, write_files(args.out, files, inputs=_run_inputs(base) + _run_inputs(alt)))
    return EXIT_OK


def cmd_backtest(args) -> int:
    import pandas as pd

    from ..apps.backtest import COMPARED_SERIES, backtest, coverage, interval_score, mape_table, target_table
    from ..results.charts import backtest_chart, png_bytes, scenario_context

    scenario = load_scenario(args.scenario, args)
    region = load_region(scenario.region_path)
    if args.horizon < 1:
        raise InputError(Problem("--horizon", "the horizon must be at least 1 year", "write e.g. --horizon 3", value=args.horizon))
    cut_offs = sorted(set(args.train_until))
    _check_draws(args.draws, 2000, max(cut_offs) + args.horizon, False)
    tables = []
    with progress_bar("back-test: cut-offs", "cut-offs") as advance:
        for year in cut_offs:
            tables.append(backtest(scenario, region, year, args.horizon, args.draws, args.seed)[0])
            advance(len(tables), len(cut_offs))
    table = pd.concat(tables, ignore_index=True)
    say(f"Back-test of '{scenario.title}' on {region.name}: forecasts from data up to {', '.join(map(str, cut_offs))} against the bulletins (亿元)")
    shown = table.assign(**{k: table[k] / 1e8 for k in ("forecast", "actual", "lower_80", "upper_80", "draws_p10", "draws_p90") if k in table}, error=table["error"] * 100)
    say(shown.rename(columns={"error": "error %"}).to_string(index=False, float_format=lambda v: f"{v:,.2f}"))
    mape = mape_table(table) * 100
    say("\nMean absolute percentage error (%), by horizon in years:")
    say(mape.to_string(float_format=lambda v: f"{v:.1f}", na_rep="—"))
    targets = target_table(table)
    say("\nAgainst the targets (MAPE over all cut-offs and horizons; employee: the pooled fund where the cut-off year publishes it, else the total):")
    for name, row in targets.iterrows():
        print(f"  {name:<32}{row['mape']:>6.1%} over {row['forecasts']:>2} forecasts (target at most {row['limit']:.0%}: {'met' if row['met'] else 'missed'})")
    covered = coverage(table)
    inside = int(round(covered[("all", "all")] * len(table)))
    print(f"\nRealised coverage of the 80% intervals: {covered[('all', 'all')]:.0%} ({inside} of {len(table)} outcomes inside); interval (Winkler) score {interval_score(table):.3f} "
          f"(the width plus 10 times any miss, relative to the forecast: lower is sharper), by series:")
    say(covered.drop(("all", "all")).map(lambda v: f"{v:.0%}").to_string())
    if args.draws:
        drawn = coverage(table, ("draws_p10", "draws_p90"))
        say(f"\nRealised coverage of the stochastic runs' 10-90% bands ({args.draws} draws each): {drawn[('all', 'all')]:.0%}")
    history = {(name, item): region.fund(pool, item, account) for name, (pool, account) in COMPARED_SERIES.items() for item in ("income", "expenditure")}
    out = out_folder(args, "backtest")
    paths = write_files(out, {"backtest.csv": csv_text(table, index=False), "mape.csv": csv_text(mape), "backtest.png": png_bytes(backtest_chart(table, history, scenario_context(scenario, region)))}, inputs=_inputs(scenario, region))
    _wrote(out, paths)
    return EXIT_OK


def cmd_budget(args) -> int:
    from ..apps.budget import budget_inputs
    from ..apps.outputs import budget_files, budget_for
    from ..model.fund import VERDICTS

    if not 0 < args.level < 1:
        raise InputError(Problem("--level", "the interval level must be between 0 and 1", "write e.g. --level 0.8", value=args.level))
    approved, actuals = budget_inputs(args.previous_budget, args.execution)  # checked before the run
    ds = run_scenario(args.scenario, args)
    table, executed = budget_for(ds, args.year, args.level, actuals)
    base = int(ds.attrs["base_year"])
    from ..results.provenance import example_mark, place
    from ..results.review import hint_lines, run_hints

    say(f"Fund budget {args.year} (预算) — {ds.attrs['scenario_title']}; {place(ds)}{example_mark(ds) and ' 示例 ILLUSTRATION'}; base year {base}; {args.level:.0%} prediction interval on totals (亿元)")
    for note in (executed.attrs.get("notes", []) if executed is not None else []):
        print(f"  {note}")
    for pool, group in table.groupby("pool", sort=False):
        verdict = str(ds.fund.verdict_label().sel(year=args.year, pool=pool).item())
        print(f"\n  {group['pool_zh'].iloc[0]} ({pool}) — {VERDICTS.get(verdict, verdict)} ({verdict})")
        for _, row in group.iterrows():
            unit = 1 if row["line"] == "months_covered" else 1e8
            band = "" if np.isnan(row["low"]) else f"   [{row['low'] / unit:,.1f} – {row['high'] / unit:,.1f}]"
            print(f"    {row['line_zh']:<12} {row['line_en']:<46}{row['value'] / unit:>12,.1f}{band}")
    for line in hint_lines(run_hints(ds)):
        print(f"  {line}")
    if args.out is not None:
        if executed is not None:
            say(f"\n  budget.xlsx: {args.year - 1} is the full-year estimate from {args.execution} (本年预计执行数 in the form), and the reserves and months covered roll forward from it; the table above is the run's.")
        files = budget_files(ds, load_scenario(args.scenario, args), args.year, args.level, table, approved, executed)
        _wrote(args.out, write_files(args.out, files, inputs=_run_inputs(ds) + [Path(p) for p in (args.previous_budget, args.execution) if p]))
    return EXIT_OK


def cmd_execution(args) -> int:
    from ..apps.execution import full_year_lines
    from ..apps.outputs import execution_outputs
    from ..results.review import hint_lines

    table, rates, files = execution_outputs(args.actuals, args.region, args.history, args.budget)
    say(f"Budget execution (预算执行): full-year estimate from {args.actuals} (万元; interval from the seasonal profile)")
    for note in table.attrs["notes"]:
        print(f"  {note}")
    print("\n".join(full_year_lines(table)))
    if rates is not None:
        from ..apps.approved import rates_text

        print(rates_text(rates))
    for line in hint_lines(table.attrs["hints"]):
        print(f"  {line}")
    if args.out is not None:
        _wrote(args.out, write_files(args.out, files, inputs=_inputs(None, None, args.actuals, args.history, args.budget)))
    return EXIT_OK


def cmd_show_scenario(args) -> int:
    print(load_scenario(args.scenario, args).describe())
    return EXIT_OK
