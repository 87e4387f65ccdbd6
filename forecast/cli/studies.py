"""The commands that study a scenario rather than run it once: ``forecast explain`` (the headline's
drivers), ``forecast sensitivity`` (the tornado and Sobol indices), ``forecast solve`` (what keeps a
pool on target), ``forecast backtest`` (forecasts from past cut-offs against the bulletins);
``forecast batch`` (many regions on dask) is in :mod:`forecast.cli.batch`. The CLI's
guard (:mod:`forecast.cli.main`) dispatches to them as to :mod:`forecast.cli.commands`."""

from __future__ import annotations

from ..errors import InputError, Problem
from ..results.csvtext import csv_text
from ..terminal import progress_bar, say
from .commands import (
    EXIT_INPUT,
    EXIT_OK,
    _check_draws,
    _inputs,
    _run_inputs,
    _wrote,
    load_scenario,
    out_folder,
    run_scenario,
    write_files,
)

__all__ = ["cmd_explain", "cmd_sensitivity", "cmd_solve", "cmd_backtest"]


def cmd_explain(args) -> int:
    from ..apps.headline import headline_table, years_text

    runs = {}
    for name in args.scenarios:
        ds = run_scenario(name, args)
        runs[name] = ds
    base = int(next(iter(runs.values())).attrs["base_year"])
    if args.until is not None and not base < args.until <= min(int(ds["year"].values[-1]) for ds in runs.values()):
        raise InputError(
            Problem(
                "--until",
                f"the last year must come after the base year {base} and within every scenario's horizon",
                f"write e.g. --until {base + 11}",
                value=args.until,
            )
        )
    table = headline_table(runs, args.until)
    span = f"{int(table['from'].iloc[0])}-{int(table['to'].iloc[0])}"
    say(f"The headline explained: yearly growth {span} of each pool's drivers, and its first deficit and exhaustion")
    say("  income = income per member × members;  expenditure = cost per insured × members;")
    say(
        "  cost per insured = price × utilisation (real cost trend) × ageing (age-sex mix) × benefits and mix (nominal "
        "deductibles and caps, claim mix, transfers)"
    )
    for (scenario, pool), row in table.iterrows():
        print(
            f"\n  {scenario} — {pool}: first deficit {years_text(row['first_deficit'])}, exhausted "
            f"{years_text(row['exhausted'])}"
        )
        print(
            f"    income {row['income']:+.2%} = per member {row['income_per_member']:+.2%} × members "
            f"{row['members']:+.2%}"
        )
        print(
            f"    expenditure {row['expenditure']:+.2%} = cost per insured {row['cost_per_insured']:+.2%} × members "
            f"{row['members']:+.2%}"
        )
        print(
            f"    cost per insured {row['cost_per_insured']:+.2%} = price {row['price']:+.2%} × utilisation "
            f"{row['utilisation']:+.2%} × ageing {row['ageing']:+.2%} × benefits and mix {row['benefits_and_mix']:+.2%}"
        )
    if args.out is not None:
        _wrote(
            args.out,
            write_files(
                args.out, {"explain.csv": csv_text(table)}, inputs=[p for ds in runs.values() for p in _run_inputs(ds)]
            ),
        )
    return EXIT_OK


def cmd_sensitivity(args) -> int:
    from ..apps.sensitivity import sensitivity, tornado_table
    from ..inputs.region import load_region
    from ..results.charts import png_bytes, scenario_context, tornado_chart

    if args.sobol and args.sobol & (args.sobol - 1):
        raise InputError(
            Problem(
                "--sobol",
                f"the Sobol base sample must be a power of two (found {args.sobol})",
                "write e.g. --sobol 64",
                value=args.sobol,
            )
        )
    if not 0.5 < args.percentile < 1:
        raise InputError(
            Problem(
                "--percentile",
                "the high percentile must be above 0.5 and below 1",
                "write e.g. --percentile 0.9",
                value=args.percentile,
            )
        )
    scenario = load_scenario(args.scenario, args)
    if args.sobol:
        from ..apps.sensitivity import GROUPS

        _check_draws(
            args.sobol,
            2000,
            scenario.horizon,
            option="--sobol",
            runs_per=len(GROUPS) + 2,
            fitting=lambda n: 2 ** max(n.bit_length() - 1, 1),
        )
    with progress_bar("sensitivity: runs", "runs") as advance:
        table = tornado_table(sensitivity(scenario, args.percentile, progress=advance))
    low = round((1 - args.percentile) * 100)
    say(
        f"Sensitivity of '{scenario.title}': each group at its {low}th and {100 - low}th percentile (policy changes: "
        "undone / as given), the widest first"
    )
    for (pool, metric), group in table.groupby(["pool", "metric"], sort=False):
        print(f"\n  {pool} — {metric.replace('_', ' ')} (scenario: {group['base'].iloc[0]:.1f})")
        for _, row in group.iterrows():
            print(f"    {row['group']:<44}{row['low']:>9.1f} {row['high']:>9.1f}   swing {row['swing']:.1f}")
    say(f"\n  An exhaustion year of {scenario.horizon + 1} means none within the horizon.")
    files = {"tornado.csv": csv_text(table, index=False)}
    if args.sobol:
        from ..apps.sensitivity import sobol

        with progress_bar("Sobol: draws", "draws") as advance:
            indices = sobol(scenario, args.sobol, progress=advance)
        say(
            f"\n  Global (Sobol) indices from {indices.attrs['samples']:,} runs: total effect ST (first order S1), the "
            "largest first"
        )
        for (pool, metric), group in indices.groupby(["pool", "metric"], sort=False):
            print(
                f"    {pool} — {metric.replace('_', ' ')}: "
                + "; ".join(f"{r.group} {r.ST:.2f} ({r.S1:.2f})" for r in group.head(4).itertuples())
            )
        files["sobol.csv"] = csv_text(indices, index=False)
    if args.out is not None:  # the chart only when it is written (drawing it takes about a second)
        context = scenario_context(scenario, load_region(scenario.region_path))
        files["tornado.png"] = png_bytes(tornado_chart(table, context))
        _wrote(args.out, write_files(args.out, files, inputs=list(scenario.files)))
    return EXIT_OK


def cmd_solve(args) -> int:
    from ..apps.outputs import solve_outputs

    scenario = load_scenario(args.scenario, args)
    solution, frame, missed, files = solve_outputs(
        scenario,
        args.pool,
        args.lever,
        args.target,
        args.start,
        args.until,
        args.level,
        args.probability,
        args.draws,
        args.seed,
    )
    print(
        f"Solved: the {args.pool} pool's {args.lever} for '{solution.target.describe()}' in every year "
        f"{solution.start}-{solution.until} ({solution.mode}"
        f"{'' if args.probability is None else f', in {args.probability:.0%} of {args.draws} draws'})"
    )
    for note in solution.notes:
        say(f"  {note}")
    if solution.mode == "level":
        what = "multiplier of the financing path" if not args.lever.startswith("benefit:") else "value"
        print(
            f"  {what}: {solution.level:.6g} (brentq in [{solution.bracket[0]:g}, {solution.bracket[1]:g}], tolerance "
            f"{1e-6:g}, {solution.iterations} iterations)"
        )
    print(frame.to_string(float_format=lambda v: f"{v:,.4g}"))
    print(
        f"  check run: the target "
        f"{'holds in every year' if not missed else 'is missed in ' + ', '.join(map(str, missed))}"
    )
    out = out_folder(args, "solve")
    _wrote(out, write_files(out, files, inputs=list(scenario.files)))
    return EXIT_OK if not missed else EXIT_INPUT


def cmd_backtest(args) -> int:
    import pandas as pd

    from ..apps.backtest import COMPARED_SERIES, backtest, coverage, interval_score, mape_table, target_table
    from ..inputs.region import load_region
    from ..results.charts import backtest_chart, png_bytes, scenario_context

    scenario = load_scenario(args.scenario, args)
    region = load_region(scenario.region_path)
    if args.horizon < 1:
        raise InputError(
            Problem("--horizon", "the horizon must be at least 1 year", "write e.g. --horizon 3", value=args.horizon)
        )
    cut_offs = sorted(set(args.train_until))
    _check_draws(args.draws, 2000, max(cut_offs) + args.horizon, False)
    tables = []
    with progress_bar("back-test: cut-offs", "cut-offs") as advance:
        for year in cut_offs:
            tables.append(backtest(scenario, region, year, args.horizon, args.draws, args.seed)[0])
            advance(len(tables), len(cut_offs))
    table = pd.concat(tables, ignore_index=True)
    say(
        f"Back-test of '{scenario.title}' on {region.name}: forecasts from data up to {', '.join(map(str, cut_offs))} "
        "against the bulletins (亿元)"
    )
    shown = table.assign(
        **{
            k: table[k] / 1e8
            for k in ("forecast", "actual", "lower_80", "upper_80", "draws_p10", "draws_p90")
            if k in table
        },
        error=table["error"] * 100,
    )
    say(shown.rename(columns={"error": "error %"}).to_string(index=False, float_format=lambda v: f"{v:,.2f}"))
    mape = mape_table(table) * 100
    say("\nMean absolute percentage error (%), by horizon in years:")
    say(mape.to_string(float_format=lambda v: f"{v:.1f}", na_rep="—"))
    targets = target_table(table)
    say(
        "\nAgainst the targets (MAPE over all cut-offs and horizons; employee: the pooled fund where the cut-off year "
        "publishes it, else the total):"
    )
    for name, row in targets.iterrows():
        print(
            f"  {name:<32}{row['mape']:>6.1%} over {row['forecasts']:>2} forecasts (target at most {row['limit']:.0%}: "
            f"{'met' if row['met'] else 'missed'})"
        )
    covered = coverage(table)
    inside = int(round(covered[("all", "all")] * len(table)))
    print(
        f"\nRealised coverage of the 80% intervals: {covered[('all', 'all')]:.0%} ({inside} of {len(table)} outcomes "
        f"inside); interval (Winkler) score {interval_score(table):.3f} "
        f"(the width plus 10 times any miss, relative to the forecast: lower is sharper), by series:"
    )
    say(covered.drop(("all", "all")).map(lambda v: f"{v:.0%}").to_string())
    if args.draws:
        drawn = coverage(table, ("draws_p10", "draws_p90"))
        say(
            f"\nRealised coverage of the stochastic runs' 10-90% bands ({args.draws} draws each): "
            f"{drawn[('all', 'all')]:.0%}"
        )
    history = {
        (name, item): region.fund(pool, item, account)
        for name, (pool, account) in COMPARED_SERIES.items()
        for item in ("income", "expenditure")
    }
    out = out_folder(args, "backtest")
    paths = write_files(
        out,
        {
            "backtest.csv": csv_text(table, index=False),
            "mape.csv": csv_text(mape),
            "backtest.png": png_bytes(backtest_chart(table, history, scenario_context(scenario, region))),
        },
        inputs=_inputs(scenario, region),
    )
    _wrote(out, paths)
    return EXIT_OK
