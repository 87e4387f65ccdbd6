"""The ``forecast`` command line: the parser and the one guard every command runs inside.

The guard (:func:`main`) turns every expected failure into a located message and exit code 2
(bad input, unreadable or unwritable files, input nested too deeply, memory), Ctrl-C into one
line and exit code 130, SIGTERM into exit code 143, and any unexpected exception into a short
bug-report line (exit code 70); ``--debug`` shows the traceback instead. This module imports
only the standard library at start-up, so an interrupt while numpy and pandas load is handled
like any other. The command bodies are in :mod:`forecast.commands`.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import traceback
import warnings

from . import __version__

EXIT_OK, EXIT_INPUT, EXIT_BUG, EXIT_INTERRUPTED, EXIT_TERMINATED = 0, 2, 70, 130, 143
REPORT = "please report it (README, 'Reporting a problem') with the command you ran and the output of 'forecast --version'"


class Terminated(BaseException):
    """SIGTERM: unwinds like Ctrl-C, so temporary files are removed on the way out."""


def _terminate(signum, frame):
    raise Terminated()


def _count(minimum: int, what: str, example: str):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{what} must be a whole number (found {text!r}); write e.g. {example}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{what} must be at least {minimum} (found {value}); write e.g. {example}")
        return value

    return parse


def _fraction(what: str, example: str):
    def parse(text: str) -> float:
        try:
            return float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{what} must be a number between 0 and 1 (found {text!r}); write e.g. {example}") from None

    return parse


_level = _fraction("the level", "--level 0.8")


YEAR = _count(1900, "a year", "2025")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="forecast",
        description="Project China's medical-insurance funds (医保基金收支预测) from region data bundles.",
        epilog="Scenarios may be files or the names of shipped ones ('forecast scenarios'); exit codes: 0 done, 2 bad input, 130 interrupted.",
    )
    parser.add_argument("--version", action="version", version=f"forecast {__version__}")
    parser.add_argument("--debug", action="store_true", help="show the Python traceback of an unexpected error")
    sub = parser.add_subparsers(dest="command", required=True)
    draws = _count(1, "the number of draws", "--draws 1000")
    seed = _count(0, "the seed", "--seed 42")

    p = sub.add_parser("validate", help="check region bundles and scenarios; exit 0 when valid, 2 with messages otherwise")
    p.add_argument("paths", nargs="+", metavar="PATH", help="bundle folder (or its region.yaml), or scenario file(s) or names (a.yaml+b.yaml)")
    p.set_defaults(command_name="validate")

    p = sub.add_parser("scenarios", help="list the shipped scenario library")
    p.set_defaults(command_name="scenarios")

    p = sub.add_parser("summary", help="print a bundle's summary: population, insured, last fund year")
    p.add_argument("region", nargs="?", metavar="DIR", help="bundle folder (default: the embedded data/china)")
    p.set_defaults(command_name="summary")

    p = sub.add_parser("population", help="project the population of a scenario's region and print the headline")
    p.add_argument("scenario", nargs="?", default="baseline", metavar="SCENARIO", help="scenario file or shipped name (default: baseline)")
    p.add_argument("--until", type=YEAR, metavar="YEAR", help="last projected year (default: the scenario's horizon)")
    p.add_argument("--draws", type=draws, metavar="N", help="stochastic population with N draws (Lee–Carter k_t and the TFR around the scenario's paths)")
    p.add_argument("--seed", type=seed, default=None, metavar="S", help="random seed for the draws (a whole number, 0 or more)")
    p.add_argument("--out", metavar="DIR", help="write population_indicators.csv and population.nc into DIR (each file atomically)")
    p.set_defaults(command_name="population")

    p = sub.add_parser("run", help="project every pool of a scenario to its horizon and print the verdict")
    p.add_argument("scenario", metavar="SCENARIO", help="scenario file or shipped name, or overlays a.yaml+b.yaml")
    p.add_argument("--out", metavar="DIR", help="write results.nc, summary.csv, accounts.csv and calibration.csv into DIR (each file atomically)")
    p.add_argument("--draws", type=draws, metavar="N", help="stochastic run with N draws of every driver (population, cost growth, wages, coverage, interest, financing)")
    p.add_argument("--seed", type=seed, default=None, metavar="S", help="random seed for the draws (a whole number, 0 or more)")
    p.add_argument("--strict", action="store_true", help="refuse to extend any dated value beyond its last given year")
    p.add_argument("--keep", action="append", choices=["population"], default=[], help="with --draws: keep each draw's population in results.nc (large; by default the mean over draws)")
    p.set_defaults(command_name="run")

    p = sub.add_parser("compare", help="run two scenarios and print the impact of ALT against BASE")
    p.add_argument("base", metavar="BASE")
    p.add_argument("alt", metavar="ALT")
    p.add_argument("--explain", action="store_true", help="the analysis of change: split the change in reserves and exhaustion years into data, demography, assumptions, policy and other")
    p.add_argument("--out", metavar="DIR", help="write impact.csv and difference.nc (and change.csv) into DIR (each file atomically)")
    p.set_defaults(command_name="compare")

    p = sub.add_parser("explain", help="decompose each pool's first deficit and exhaustion into their drivers, for one or more scenarios")
    p.add_argument("scenarios", nargs="*", default=["baseline"], metavar="SCENARIO", help="scenario files or shipped names (default: baseline)")
    p.add_argument("--until", type=YEAR, metavar="YEAR", help="last year of the growth rates (default: 11 years after the base year)")
    p.add_argument("--out", metavar="DIR", help="write explain.csv into DIR (atomically)")
    p.set_defaults(command_name="explain")

    p = sub.add_parser("solve", help="the financing (or benefit) that keeps a pool on target: months covered in a band, no deficit, no exhaustion")
    p.add_argument("scenario", nargs="?", default="baseline", metavar="SCENARIO")
    p.add_argument("--pool", required=True, choices=["employee", "resident", "ltci"], help="the pool to keep on target")
    p.add_argument("--lever", required=True, metavar="LEVER", help="financing, financing.individual, financing.subsidy (resident; ltci: financing); rate, rate.employer, rate.employee (employee); or benefit:PATH")
    p.add_argument("--target", default="months:6-9", metavar="TARGET", help="months:LO-HI (default months:6-9), no_deficit or no_exhaustion")
    p.add_argument("--from", dest="start", type=YEAR, metavar="YEAR", help="first year the lever moves and the target is checked (default: the year after the base year)")
    p.add_argument("--until", type=YEAR, metavar="YEAR", help="last year the target must hold (default: the horizon)")
    p.add_argument("--level", action="store_true", help="one value from --from on (a multiplier of the financing path) instead of a year-by-year path")
    p.add_argument("--probability", type=_fraction("the probability", "--probability 0.8"), metavar="P", help="the target must hold in a share P of the draws (one level; with --draws)")
    p.add_argument("--draws", type=draws, default=200, metavar="N", help="draws for --probability (default 200)")
    p.add_argument("--seed", type=seed, default=0, metavar="S", help="seed of the draws (default 0: the same draws for every trial value)")
    p.add_argument("--out", metavar="DIR", help="write solved.yaml (the overlay) and solve.csv into DIR (default out/solve)")
    p.set_defaults(command_name="solve")

    p = sub.add_parser("sensitivity", help="one-at-a-time sensitivity: each assumption group low and high; tornado of exhaustion years and months covered")
    p.add_argument("scenario", nargs="?", default="baseline", metavar="SCENARIO", help="scenario file or shipped name (default: baseline)")
    p.add_argument("--percentile", type=_fraction("the percentile", "--percentile 0.9"), default=0.9, metavar="P", help="the groups' high percentile (default 0.9: the 10th and 90th)")
    p.add_argument("--sobol", type=_count(2, "the Sobol base sample", "--sobol 64"), metavar="N", help="also global Sobol indices from N x (groups + 2) runs (a power of two, e.g. 64)")
    p.add_argument("--out", metavar="DIR", help="write tornado.csv and tornado.png (and sobol.csv) into DIR (each file atomically)")
    p.set_defaults(command_name="sensitivity")

    p = sub.add_parser("backtest", help="forecast past years from the data known then and compare with the bulletins")
    p.add_argument("--train-until", type=YEAR, nargs="+", required=True, metavar="YEAR", help="last year of data used (one or more cut-offs)")
    p.add_argument("--horizon", type=_count(1, "the horizon", "--horizon 3"), default=3, metavar="K", help="years forecast after each cut-off (default 3)")
    p.add_argument("--region", metavar="DIR", help="bundle folder (default: the scenario's region)")
    p.add_argument("--scenario", default="baseline", metavar="SCENARIO")
    p.add_argument("--draws", type=draws, metavar="N", help="also run each cut-off stochastically and report how often its 10-90%% band held the outcome")
    p.add_argument("--seed", type=seed, default=None, metavar="S", help="random seed for the draws (a whole number, 0 or more)")
    p.add_argument("--out", metavar="DIR", help="write backtest.csv, mape.csv and backtest.png into DIR (default out/backtest)")
    p.set_defaults(command_name="backtest")

    p = sub.add_parser("budget", help="next year's fund budget per pool in budget line items, with a prediction interval")
    p.add_argument("--year", type=YEAR, required=True, metavar="YEAR", help="the budget year (after the base year)")
    p.add_argument("--scenario", default="baseline", metavar="SCENARIO")
    p.add_argument("--level", type=_level, default=0.8, metavar="P", help="prediction-interval level (default 0.8)")
    p.add_argument("--previous-budget", metavar="FILE", help="last year's approved budget (budget.xlsx or CSV pool,item,amount,unit) for the 上年预算数 column")
    p.add_argument("--execution", metavar="ACTUALS", help="last year's year-to-date actuals (as for 'forecast execution'; employee: the pooled fund): its full-year estimate is 上年预计执行数")
    p.add_argument("--out", metavar="DIR", help="write budget.csv and budget.xlsx (the budget workbook) into DIR (each file atomically)")
    p.set_defaults(command_name="budget")

    p = sub.add_parser("execution", help="estimate the full year from year-to-date actuals and say whether it closes 收支平衡")
    p.add_argument("actuals", metavar="ACTUALS", help="CSV: pool,month,income,expenditure,unit (cumulated from January)")
    p.add_argument("--history", metavar="CSV", help="the fund's own monthly history: year,pool,month,income,expenditure,unit (cumulative; month 12 = the year)")
    p.add_argument("--region", metavar="DIR", help="bundle whose monthly_fund table gives the default profile (default data/china)")
    p.add_argument("--budget", metavar="FILE", help="the approved budget (budget.xlsx from 'forecast budget', or CSV pool,item,amount,unit): report 执行率")
    p.add_argument("--out", metavar="DIR", help="write execution.csv (and budget_execution.csv with --budget) into DIR (atomically)")
    p.set_defaults(command_name="execution")

    p = sub.add_parser("batch", help="run scenarios on many region bundles at once on dask (a LocalCluster, or a cluster's scheduler)")
    p.add_argument("--regions", nargs="+", required=True, metavar="DIR", help="region bundle folders")
    p.add_argument("--scenarios", nargs="+", default=["baseline"], metavar="SCENARIO", help="scenario files or shipped names (default: baseline)")
    p.add_argument("--draws", type=draws, metavar="N", help="draws of every driver per region and scenario")
    p.add_argument("--seed", type=seed, default=None, metavar="S", help="random seed (the same streams for every region)")
    p.add_argument("--scheduler", metavar="ADDRESS", help="a running dask scheduler's address (default: a LocalCluster started and closed by the command)")
    p.add_argument("--workers", type=_count(1, "the number of workers", "--workers 2"), default=2, metavar="K", help="LocalCluster worker processes (default 2)")
    p.add_argument("--out", metavar="DIR", help="write batch.nc (batch.zarr when large) and batch_summary.csv into DIR (default out/batch)")
    p.set_defaults(command_name="batch")

    from .apps.valuation import register as register_report

    register_report(sub, draws, seed)

    p = sub.add_parser("show-scenario", help="print every resolved parameter with the file and line it came from")
    p.add_argument("scenario", metavar="SCENARIO")
    p.set_defaults(command_name="show_scenario")

    from .regions import command as init_region

    init_region.register(sub)
    return parser


def _where(exc: BaseException) -> str:
    """'file:line in function' of the innermost frame of ``exc`` inside this package."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "/forecast/" in f.filename.replace("\\", "/")] or traceback.extract_tb(exc.__traceback__)
    if not frames:
        return "?"
    last = frames[-1]
    return f"{last.filename.replace(chr(92), '/').split('/')[-1]}:{last.lineno} in {last.name}"


def _dispatch(argv) -> int:
    args = build_parser().parse_args([a for a in argv if a != "--debug"])  # --debug is accepted anywhere
    from . import commands
    from .results.writers import check_out

    if getattr(args, "out", None) is not None:
        check_out(args.out)  # before any work: a run must not fail at its last step
    if getattr(args, "handler", None) is not None:  # commands registered by their own module (report)
        return args.handler(args)
    name = f"cmd_{args.command_name}"
    if args.command_name == "init_region":
        from .regions import command as commands
    elif not hasattr(commands, name):
        from . import studies as commands  # explain, sensitivity, solve, batch
    return getattr(commands, name)(args)


def main(argv: list[str] | None = None) -> int:
    """Run one command; every failure ends in a message and an exit code, never a bare traceback."""
    as_program = argv is None
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    previous = signal.signal(signal.SIGTERM, _terminate) if _main_thread() else None
    try:
        with warnings.catch_warnings():
            if not debug:
                # numpy's and statsmodels' warnings are for developers: a run's results are
                # checked (forecast.results.finite) and its fits report their sample sizes
                warnings.simplefilter("ignore")
            return _dispatch(argv)
    except SystemExit as exc:  # argparse: usage errors (2), --help and --version (0)
        return exc.code if isinstance(exc.code, int) else EXIT_INPUT
    except KeyboardInterrupt:
        print("\nforecast: interrupted (Ctrl-C); files already written are whole, nothing half-written was left", file=sys.stderr)
        return _leave(EXIT_INTERRUPTED, as_program)
    except Terminated:
        print("forecast: terminated (SIGTERM); nothing half-written was left", file=sys.stderr)
        return _leave(EXIT_TERMINATED, as_program)
    except BrokenPipeError:  # output piped into head, less: nothing left to say
        return EXIT_OK
    except Exception as exc:  # noqa: BLE001 - the one guard: every failure gets a message
        return _report(exc, debug)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _leave(code: int, as_program: bool) -> int:
    """After an interrupt, the program exits at once with ``code``: the interpreter's shutdown would
    wait for the population thread's chunk and could be cut by a second signal (dying of it instead
    of exiting 130). Every file was already written whole or removed. In-process callers get the code."""
    if as_program and _main_thread():
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code


def _main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


def _report(exc: Exception, debug: bool) -> int:
    """The message and exit code for an exception that reached the guard."""
    from .errors import InputError

    if isinstance(exc, InputError):
        print(exc.render(), file=sys.stderr)
        return EXIT_INPUT
    if debug:
        traceback.print_exception(exc)
    if isinstance(exc, RecursionError):
        print("forecast: the input is nested too deeply to read (recursion limit). Fix: check the file's brackets and indentation, and its 'extends' chain.", file=sys.stderr)
        return EXIT_INPUT
    if isinstance(exc, MemoryError):
        print("forecast: out of memory. Fix: use fewer --draws or an earlier horizon, or run on a machine with more memory.", file=sys.stderr)
        return EXIT_INPUT
    if isinstance(exc, OSError) and exc.filename:
        print(f"{exc.filename}: {exc.strerror or exc}. Fix: check the path and that you may read (or write) it.", file=sys.stderr)
        return EXIT_INPUT
    if not debug:
        print(f"forecast: internal error: {type(exc).__name__}: {exc} ({_where(exc)}). This is a bug in forecast, not in your input: {REPORT}. Run again with --debug to see the traceback.", file=sys.stderr)
    return EXIT_BUG


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
