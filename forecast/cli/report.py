"""``forecast report SCENARIO --out DIR``: the actuarial valuation report (:mod:`forecast.apps.valuation`
lays it out), written as one self-contained HTML file. The parser is registered here; the body's
imports wait until it runs (the CLI starts fast)."""

from __future__ import annotations

from pathlib import Path

__all__ = ["register", "cmd_report"]


def register(command, scenario_argument, draws, seed) -> None:
    """The ``report`` subcommand (parser only; the body is imported when it runs): ``command``
    makes a subparser with the options every command shares, ``scenario_argument`` adds SCENARIO."""
    p = command("report", "write the actuarial valuation report (精算评估报告): one self-contained HTML file")
    scenario_argument(p)
    p.add_argument(
        "--out", required=True, metavar="DIR", help="write report.html into DIR (atomically; nothing else is touched)"
    )
    p.add_argument(
        "--force",
        action="store_true",
        help=(
            "replace a report.html in DIR that forecast did not write (or that changed since), keeping a copy as "
            "report.html.bak"
        ),
    )
    p.add_argument(
        "--draws",
        type=draws,
        metavar="N",
        help=(
            "with N > 1: a stochastic run, and the report's uncertainty section (percentiles, probabilities, fan chart)"
        ),
    )
    p.add_argument("--seed", type=seed, default=None, metavar="S", help="random seed for the draws")
    p.add_argument(
        "--previous",
        metavar="DIR",
        help="reconcile with a previous valuation: a folder written by 'forecast run --out' or 'forecast report --out'",
    )
    p.add_argument(
        "--sensitivity",
        action="store_true",
        help="add the one-at-a-time sensitivity (tornado) to section 6 (about 20 more runs)",
    )
    p.add_argument(
        "--solve",
        action="store_true",
        help=(
            "add to section 8 the financing that keeps each pool's months covered in the 6-9 band (forecast solve, "
            "level and path; about 40 more runs: the baseline's report took 21 s instead of 4 s on 2 shared cores)"
        ),
    )
    p.add_argument("--author", metavar="NAME", help="the cover's 编制人 (author; default: a blank line to sign)")
    p.add_argument("--reviewer", metavar="NAME", help="the cover's 复核人 (reviewer; default: a blank line to sign)")
    p.set_defaults(handler=cmd_report)


def cmd_report(args) -> int:
    from ..apps.outputs import valuation_html
    from ..apps.reconcile import read_previous
    from ..apps.valuation import SECTIONS
    from ..results.writers import write_files
    from .commands import _run_inputs, _wrote, load_scenario, run_scenario

    previous = read_previous(args.previous) if args.previous is not None else None  # bad input first, before the run
    scenario = load_scenario(
        args.scenario, args
    )  # on --region's bundle, as the run: the sensitivity and the solver follow it
    ds = run_scenario(args.scenario, args)
    html, context, balance = valuation_html(
        scenario, ds, previous, args.sensitivity, args.solve, author=args.author, reviewer=args.reviewer
    )
    inputs = _run_inputs(ds) + ([Path(args.previous) / "report.html"] if previous is not None else [])
    paths = write_files(args.out, {"report.html": html}, inputs=inputs)
    cover = context["cover"]
    print(
        f"Valuation report — {scenario.title}{'（示例）' if cover['example'] else ''}; {cover['region']}; 评估基准日 "
        f"{cover['valuation_date']}\n  sections: "
        + "; ".join(f"{n} {zh} {en}".strip() for key, (n, zh, en) in SECTIONS.items() if key in context["sections"])
    )
    print("  " + "\n  ".join(c["zh"] for c in context["conclusion"]))
    for line in context["reliance"]["hints"]:
        print(f"  {line}")
    if balance is not None:
        from ..apps.valuation_solve import balance_lines

        print("  " + "\n  ".join(balance_lines(balance)))
    _wrote(args.out, paths)
    return 0
