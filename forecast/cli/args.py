"""The ``forecast`` argument parser: every command, its options and an example in its ``--help``.

Only the standard library is imported here (the CLI's guard must handle Ctrl-C while numpy loads).
The same words mean the same thing on every command: ``SCENARIO`` (a file, a shipped name or
overlays ``a.yaml+b.yaml``; ``--scenario`` is accepted too), ``--region DIR`` (run on another
bundle than the scenario's), ``--draws``/``--seed``, ``--out DIR`` and ``-q/--quiet``. The option types
and shared options are in :mod:`forecast.cli.options`; the options of the studies and batch in
:mod:`forecast.cli.study_args`, of budget and execution in :mod:`forecast.cli.budget_args`.
"""

from __future__ import annotations

import argparse

from .budget_args import add_budget
from .options import DRAWS, SCENARIO_HELP, SEED, YEAR, add_out, add_scenario, count
from .study_args import add_batch, add_studies

__all__ = ["build_parser", "settle", "EXAMPLES", "OUTPUTS"]


class Parser(argparse.ArgumentParser):
    """argparse's parser, whose usage errors and help echo the user's arguments with their control
    characters escaped (an argument holding an escape sequence must not retitle the terminal)."""

    def _print_message(self, message, file=None):
        from ..errors import printable

        super()._print_message(printable(message) if message else message, file)


#: each command's examples, shown at the end of its --help
EXAMPLES = {
    "validate": "forecast validate data/china\n  forecast validate scenarios/baseline.yaml retirees_contribute",
    "scenarios": "forecast scenarios",
    "summary": "forecast summary\n  forecast summary --region data/china",
    "population": (
        "forecast population baseline --until 2050\n  forecast population low_fertility --draws 200 --seed 1 --out "
        "out/pop"
    ),
    "run": (
        "forecast run baseline\n  forecast run baseline+retirees_contribute --out out/run\n  forecast run baseline "
        "--draws 500 --seed 1 --out out/draws"
    ),
    "compare": (
        "forecast compare baseline raise_special_disease_caps\n  forecast compare baseline ltci_extension --out "
        "out/ltci"
    ),
    "explain": "forecast explain baseline high_cost_growth --until 2035",
    "solve": (
        "forecast solve --pool resident --lever financing --target months:6-9\n  forecast solve baseline --pool "
        "employee --lever rate --target no_deficit --level"
    ),
    "sensitivity": "forecast sensitivity baseline --out out/sensitivity\n  forecast sensitivity --sobol 64",
    "backtest": (
        "forecast backtest --train-until 2021 2022 2023 --horizon 3\n  forecast backtest baseline --train-until 2022 "
        "--draws 100 --seed 1 --out out/backtest"
    ),
    "budget": "forecast budget --year 2025\n  forecast budget baseline --year 2026 --level 0.9 --out out/budget",
    "execution": (
        "forecast execution examples/execution/lhasa_2023_jan_may.csv\n  forecast execution ACTUALS.csv --history "
        "HISTORY.csv --out out/execution"
    ),
    "show-scenario": "forecast show-scenario raise_special_disease_caps",
    "batch": (
        "forecast batch --regions data/wenzhou data/shaoxing --scenarios baseline ltci_extension --out out/zhejiang\n"
        "  forecast batch --regions data/* --draws 1000 --workers 2\n"
        "  forecast batch --regions prefectures/* --scheduler tcp://10.0.0.5:8786"
    ),
    "report": (
        "forecast report baseline --out out/report\n  forecast report baseline --draws 200 --seed 1 --previous "
        "out/report_2024 --out out/report_2025"
    ),
    "serve": (
        "forecast serve\n  forecast serve --region data/wenzhou --port 8080\n  forecast serve --host 0.0.0.0 --token "
        "SECRET --cache ~/forecast-runs"
    ),
    "template": (
        "forecast template --out 本地数据.xlsx\n  forecast template --from examples/figures.yaml --out 拉萨数据.xlsx"
    ),
    "init-region": (
        "forecast init-region mycity --province 西藏 --from examples/figures.yaml\n  forecast init-region mycity "
        "--province 西藏 --from 本地数据.xlsx\n  forecast init-region data/lhasa --province 西藏 --from "
        "data/build/inputs/places/lhasa.yaml --force"
    ),
}


def _common(quiet_only: bool = False) -> argparse.ArgumentParser:
    """The options every command shares (-q) and, unless ``quiet_only``, --region."""
    parent = Parser(add_help=False)
    parent.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="no progress bars and no explanatory lines: only errors and the results",
    )
    if not quiet_only:
        parent.add_argument(
            "--region",
            metavar="DIR",
            help=(
                "bundle folder, or a shipped bundle's name (wenzhou), to run on (default: the scenario's own region, "
                "usually data/china)"
            ),
        )
    return parent


#: the files each command always writes into --out (checked before any work; others it may write are
#: checked when they are written)
OUTPUTS = {
    "run": (
        "results.nc",
        "summary.csv",
        "accounts.csv",
        "indicators.csv",
        "calibration.csv",
        "reserve.png",
        "income_expenditure.png",
        "population_pyramid.png",
    ),
    "population": ("population_indicators.csv", "population.nc"),
    "compare": ("impact.csv", "difference.csv", "difference.nc"),
    "explain": ("explain.csv",),
    "solve": ("solved.yaml", "solve.csv"),
    "sensitivity": ("tornado.csv", "tornado.png"),
    "backtest": ("backtest.csv", "mape.csv", "backtest.png"),
    "budget": ("budget.csv", "budget.xlsx"),
    "execution": ("execution.csv",),
    "batch": ("batch_summary.csv",),
    "report": ("report.html",),
}


def build_parser() -> argparse.ArgumentParser:
    from .. import __version__

    parser = Parser(
        prog="forecast",
        description="Project China's medical-insurance funds (医保基金收支预测) from region data bundles.",
        epilog=(
            "Example:\n  forecast run baseline --out out/run\n"
            "  forecast COMMAND --help  (every command has examples)\n\n"
            "Scenarios may be files or the names of shipped ones ('forecast scenarios'); exit codes: 0 done, "
            "2 bad input, 130 interrupted."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"forecast {__version__}")
    parser.add_argument("--debug", action="store_true", help="show the Python traceback of an unexpected error")
    sub = parser.add_subparsers(dest="command", required=True)

    def command(name: str, help: str, region: bool = True) -> argparse.ArgumentParser:
        p = sub.add_parser(
            name,
            help=help,
            description=help,
            parents=[_common(quiet_only=not region)],
            epilog=f"Example:\n  {EXAMPLES[name]}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        p.set_defaults(command_name=name.replace("-", "_"))
        return p

    p = command(
        "validate", "check region bundles and scenarios; exit 0 when valid, 2 with messages otherwise", region=False
    )
    p.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="bundle folder (or its region.yaml), or scenario file(s) or names (a.yaml+b.yaml)",
    )

    command("scenarios", "list the shipped scenario library (name and title)", region=False)

    p = command("summary", "print a bundle's summary: population, insured, last fund year")
    p.add_argument(
        "region_positional",
        nargs="?",
        metavar="DIR",
        help="bundle folder (default: the embedded data/china); the same as --region",
    )

    p = command("population", "project the population of a scenario's region and print the headline")
    add_scenario(p)
    p.add_argument("--until", type=YEAR, metavar="YEAR", help="last projected year (default: the scenario's horizon)")
    p.add_argument(
        "--draws",
        type=DRAWS,
        metavar="N",
        help="stochastic population with N draws (Lee–Carter k_t and the TFR around the scenario's paths)",
    )
    p.add_argument(
        "--seed", type=SEED, default=None, metavar="S", help="random seed for the draws (a whole number, 0 or more)"
    )
    add_out(p, "write population_indicators.csv and population.nc into DIR (each file atomically)")

    p = command("run", "project every pool of a scenario to its horizon and print the verdict")
    add_scenario(p)
    add_out(
        p,
        "write results.nc, summary.csv, accounts.csv, indicators.csv and calibration.csv into DIR (each file "
        "atomically)",
    )
    p.add_argument(
        "--draws",
        type=DRAWS,
        metavar="N",
        help=(
            "stochastic run with N draws of every driver (population, cost growth, wages, coverage, interest, "
            "financing)"
        ),
    )
    p.add_argument(
        "--seed", type=SEED, default=None, metavar="S", help="random seed for the draws (a whole number, 0 or more)"
    )
    p.add_argument("--strict", action="store_true", help="refuse to extend any dated value beyond its last given year")
    p.add_argument(
        "--keep",
        action="append",
        choices=["population", "draws"],
        default=[],
        help=(
            "with --draws: 'population' keeps each draw's population in results.nc (large; by default the mean over "
            "draws); 'draws' (with --out) writes every variable of every draw to DIR/draws.zarr as the draws are "
            "made, in memory that does not grow with them (results.nc keeps the percentiles and, past 2,000 draws, "
            "only the headline variables per draw)"
        ),
    )

    p = command("compare", "run two scenarios and print the impact of ALT against BASE, one table per pool")
    p.add_argument("base", metavar="BASE", help="the scenario compared against (file or shipped name)")
    p.add_argument("alt", metavar="ALT", help="the alternative scenario (file or shipped name)")
    p.add_argument(
        "--explain",
        action="store_true",
        help=(
            "the analysis of change: split the change in reserves and exhaustion years into data, demography, "
            "assumptions, policy and other"
        ),
    )
    add_out(p, "write impact.csv, difference.csv and difference.nc (and change.csv) into DIR (each file atomically)")

    add_studies(command)
    add_budget(command)
    add_batch(command)

    from .init_region import register as register_init_region
    from .report import register as register_report
    from .serve import register as register_serve
    from .template import register as register_template

    register_report(command, add_scenario, DRAWS, SEED)
    register_init_region(command)
    register_template(command)
    register_serve(command, count)

    p = command("show-scenario", "print every resolved parameter with the file and line it came from", region=False)
    p.add_argument("scenario", nargs="?", default="baseline", metavar="SCENARIO", help=SCENARIO_HELP)
    return parser


def settle(args: argparse.Namespace) -> argparse.Namespace:
    """One meaning per option after parsing: --scenario and the positional SCENARIO are the same
    (given both, differently, is an error); summary's positional DIR is --region."""
    option = getattr(args, "scenario_option", None)
    if option is not None:
        if args.scenario not in ("baseline", option):
            raise SystemExit(
                _usage_error(args, f"SCENARIO given twice ({args.scenario!r} and --scenario {option!r}); give it once")
            )
        args.scenario = option
    if getattr(args, "region_positional", None) is not None:
        if args.region not in (None, args.region_positional):
            raise SystemExit(
                _usage_error(
                    args,
                    f"the bundle given twice ({args.region_positional!r} and --region {args.region!r}); give it once",
                )
            )
        args.region = args.region_positional
    return args


def _usage_error(args, message: str) -> int:
    import sys

    from ..errors import printable

    print(printable(f"forecast {args.command}: error: {message}"), file=sys.stderr)
    return 2
