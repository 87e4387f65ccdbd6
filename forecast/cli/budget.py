"""The budget compilers' commands: ``forecast budget`` (next year's fund budget, 预算, with its
prediction interval, and the budget form) and ``forecast execution`` (this year's full-year estimate
from the months so far, 预算执行). The CLI's guard (:mod:`forecast.cli.main`) dispatches to them as to
:mod:`forecast.cli.commands`."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import InputError, Problem
from ..results.writers import write_files
from ..terminal import say
from .commands import EXIT_OK, _inputs, _run_inputs, _wrote, load_scenario, run_scenario

__all__ = ["cmd_budget", "cmd_execution"]


def cmd_budget(args) -> int:
    from ..apps.budget import budget_inputs
    from ..apps.outputs import budget_files, budget_for
    from ..model.fund import VERDICTS

    if not 0 < args.level < 1:
        raise InputError(
            Problem("--level", "the interval level must be between 0 and 1", "write e.g. --level 0.8", value=args.level)
        )
    approved, actuals = budget_inputs(args.previous_budget, args.execution)  # checked before the run
    ds = run_scenario(args.scenario, args)
    table, executed = budget_for(ds, args.year, args.level, actuals)
    base = int(ds.attrs["base_year"])
    from ..results.provenance import example_mark, place
    from ..results.review import hint_lines, run_hints

    say(
        f"Fund budget {args.year} (预算) — {ds.attrs['scenario_title']}; "
        f"{place(ds)}{example_mark(ds) and ' 示例 ILLUSTRATION'}; "
        f"base year {base}; {args.level:.0%} prediction interval on totals (亿元)"
    )
    for note in executed.attrs.get("notes", []) if executed is not None else []:
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
            say(
                f"\n  budget.xlsx: {args.year - 1} is the full-year estimate from {args.execution} "
                "(本年预计执行数 in the form), and the reserves and months covered roll forward from it; "
                "the table above is the run's."
            )
        files = budget_files(ds, load_scenario(args.scenario, args), args.year, args.level, table, approved, executed)
        _wrote(
            args.out,
            write_files(
                args.out, files, inputs=_run_inputs(ds) + [Path(p) for p in (args.previous_budget, args.execution) if p]
            ),
        )
    return EXIT_OK


def cmd_execution(args) -> int:
    from ..apps.execution import full_year_lines
    from ..apps.outputs import execution_outputs
    from ..results.review import hint_lines

    table, rates, files = execution_outputs(args.actuals, args.region, args.history, args.budget)
    say(
        f"Budget execution (预算执行): full-year estimate from {args.actuals} "
        "(万元; interval from the seasonal profile)"
    )
    for note in table.attrs["notes"]:
        print(f"  {note}")
    print("\n".join(full_year_lines(table)))
    if rates is not None:
        from ..apps.approved import rates_text

        print(rates_text(rates))
    for line in hint_lines(table.attrs["hints"]):
        print(f"  {line}")
    if args.out is not None:
        _wrote(
            args.out, write_files(args.out, files, inputs=_inputs(None, None, args.actuals, args.history, args.budget))
        )
    return EXIT_OK
