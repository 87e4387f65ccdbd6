"""The ``forecast`` command line: the parser and the one guard every command runs inside.

The guard (:func:`main`) turns every expected failure into a located message and exit code 2
(bad input, unreadable or unwritable files, input nested too deeply, memory), Ctrl-C into one
line and exit code 130, SIGTERM into exit code 143 (SIGHUP, the terminal closed, into 129), and any unexpected exception
into a short bug-report line (exit code 70); ``--debug`` shows the traceback instead.

At start-up this module imports only the standard library and the package's modules that import
only it (:mod:`forecast.errors`, :mod:`forecast.terminal`, the parser's modules): the modules that
load numpy, pandas and xarray are imported inside :func:`_dispatch`, once the guard is in place, so
an interrupt while they load is handled like any other (tests/test_architecture.py checks it). The
parser is in :mod:`forecast.cli.args`, the command bodies in :mod:`forecast.cli.commands`,
:mod:`forecast.cli.studies`, :mod:`forecast.cli.batch` and :mod:`forecast.cli.budget`, what a person sees
(progress, tables, -q) in :mod:`forecast.terminal`.
"""

from __future__ import annotations

import atexit
import gc
import os
import shlex
import signal
import sys
import threading
import traceback
import warnings
from pathlib import Path

from .. import terminal
from ..errors import InputError, Problem, printable
from . import init_region
from .args import OUTPUTS, build_parser, settle

EXIT_OK, EXIT_INPUT, EXIT_BUG, EXIT_INTERRUPTED, EXIT_TERMINATED = 0, 2, 70, 130, 143
#: the signals that end a run like SIGTERM: the terminal closed (SIGHUP) leaves nothing behind either
_ENDING = (signal.SIGTERM, *((signal.SIGHUP,) if hasattr(signal, "SIGHUP") else ()))
REPORT = (
    "please report it (README, 'Reporting a problem') with the command you ran and the output of 'forecast --version'"
)


class Terminated(BaseException):
    """SIGTERM or SIGHUP: unwinds like Ctrl-C, so temporary files are removed on the way out."""

    def __init__(self, signum: int = signal.SIGTERM):
        super().__init__(signum)
        self.signum = signum


def _terminate(signum, frame):
    raise Terminated(signum)


def _where(exc: BaseException) -> str:
    """'file:line in function' of the innermost frame of ``exc`` inside this package."""
    frames = [
        f for f in traceback.extract_tb(exc.__traceback__) if "/forecast/" in f.filename.replace("\\", "/")
    ] or traceback.extract_tb(exc.__traceback__)
    if not frames:
        return "?"
    last = frames[-1]
    return f"{last.filename.replace(chr(92), '/').split('/')[-1]}:{last.lineno} in {last.name}"


def _not_a_bundle(out: str) -> None:
    """Results never go into a region bundle's folder (they would mix with its tables)."""
    if (Path(out) / "region.yaml").is_file():
        raise InputError(
            Problem(
                "--out",
                f"'{out}' is a region bundle's folder: the results would mix with its tables",
                "give another folder for the results, e.g. out/run",
                value=out,
            )
        )


def _dispatch(argv) -> int:
    args = settle(build_parser().parse_args([a for a in argv if a != "--debug"]))  # --debug is accepted anywhere
    # deferred until the guard is in place (see the module): these load numpy, pandas and xarray
    from ..results.writers import check_out, replacing
    from . import batch, budget, commands, studies

    force = getattr(args, "force", False)
    if getattr(args, "out", None) is not None:
        check_out(args.out)  # before any work: a run must not fail at its last step
        _not_a_bundle(args.out)
        _replaceable(args, force)
    if getattr(args, "handler", None) is not None:  # commands registered by their own module (report)
        with terminal.quiet(args.quiet), replacing(force):
            return args.handler(args)
    name = f"cmd_{args.command_name}"
    module = next(m for m in (commands, studies, batch, budget, init_region) if hasattr(m, name))
    with terminal.quiet(args.quiet), replacing(force):
        return getattr(module, name)(args)


def _replaceable(args, force: bool) -> None:
    """Before any work: the files this command always writes into --out may be replaced (forecast
    wrote them there, or --force). The writer checks every file again when it writes, first for what
    it must never replace (a folder, one of the command's input files): those are left to it here."""
    from ..results.ownership import check_replaceable  # deferred, as in _dispatch

    out = Path(args.out)
    if not out.is_dir():
        return
    given = [v for v in vars(args).values() for v in (v if isinstance(v, list) else [v]) if isinstance(v, str)]
    inputs = {Path(v).resolve() for v in given if Path(v).is_file()}
    names = [n for n in OUTPUTS.get(args.command_name, ()) if (out / n).is_file() and (out / n).resolve() not in inputs]
    check_replaceable(out, names, force, "--out")


def main(argv: list[str] | None = None) -> int:
    """Run one command; every failure ends in a message and an exit code, never a bare traceback."""
    as_program = argv is None
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    previous = {s: signal.signal(s, _terminate) for s in _ENDING} if _main_thread() else {}
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
        print(
            "\nforecast: interrupted (Ctrl-C); files already written are whole, nothing half-written was left",
            file=sys.stderr,
        )
        return _leave(EXIT_INTERRUPTED, as_program)
    except Terminated as ended:
        print(
            f"forecast: terminated ({signal.Signals(ended.signum).name}); nothing half-written was left",
            file=sys.stderr,
        )
        return _leave(128 + ended.signum if ended.signum != signal.SIGTERM else EXIT_TERMINATED, as_program)
    except BrokenPipeError:  # output piped into head, less: nothing left to say
        return EXIT_OK
    except Exception as exc:  # noqa: BLE001 - the one guard: every failure gets a message
        return _report(exc, debug, argv)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


#: the young generation's collection threshold while the program runs (CPython's default: 700
#: allocations): a run makes and drops many small labelled arrays, and each collection walks every object
#: made since the last; at 10,000 a deterministic run collects 16 times in 0.033-0.035 s instead of
#: 239 times in 0.053-0.055 s (benchmarks/program.py). What cycles hold waits for at most that many more
#: objects.
YOUNG_GC_THRESHOLD = 10_000


def console() -> None:
    """The ``forecast`` program (``[project.scripts]``, ``python -m forecast``): :func:`main` with the
    garbage collector's young threshold raised (:data:`YOUNG_GC_THRESHOLD`), then the exit without
    the interpreter's teardown (:func:`_exit`)."""
    gc.set_threshold(YOUNG_GC_THRESHOLD, *gc.get_threshold()[1:])
    _exit(main())


def _exit(code: int) -> None:
    """Exit with ``code`` once the command is done: the output streams flushed and the atexit
    handlers run (logging, dask's and multiprocessing's clean-up), then ``os._exit``, without tearing
    down every module and object the run made: 0.004-0.005 s from a deterministic run's return to
    its process's end instead of 0.10-0.12 s, when ``import xarray, pandas`` alone takes 0.07-0.09 s
    to end (benchmarks/program.py). Every file a command writes is whole and closed before it returns
    (written atomically: :mod:`forecast.results.writers`). Where a thread other than daemons is still
    alive, the ordinary exit, which waits for it."""
    _flush()
    if not all(t.daemon or t is threading.main_thread() for t in threading.enumerate()):
        sys.exit(code)
    atexit._run_exitfuncs()
    _flush()
    os._exit(code)


def _flush() -> None:
    """stdout and stderr flushed, whatever became of them."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, ValueError):  # piped into head and closed, or closed: nothing left to say
            pass


def _leave(code: int, as_program: bool) -> int:
    """After an interrupt, the program exits at once with ``code``: the interpreter's shutdown would
    wait for the population thread's chunk and could be cut by a second signal (dying of it instead
    of exiting 130). Every file was already written whole or removed. In-process callers get the code."""
    if as_program and _main_thread():
        _flush()
        os._exit(code)
    return code


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def _say(text: str) -> None:
    """A message of the guard on stderr, the user's text in it with control characters escaped."""
    print(printable(text), file=sys.stderr)


def _report(exc: Exception, debug: bool, argv=()) -> int:
    """The message and exit code for an exception that reached the guard."""
    if isinstance(exc, InputError):
        _say(exc.render())
        return EXIT_INPUT
    if debug:
        traceback.print_exception(exc)
    if isinstance(exc, RecursionError):
        _say(
            "forecast: the input is nested too deeply to read (recursion limit). Fix: check the file's brackets and "
            "indentation, and its 'extends' chain."
        )
        return EXIT_INPUT
    if isinstance(exc, MemoryError):
        command = " ".join(shlex.quote(a) for a in ["forecast", *argv])
        _say(
            f"forecast: out of memory running {command} (the checks before the run did not foresee it). Fix: use fewer "
            "--draws or an earlier horizon, check that the input files are the right ones, or run on a machine with "
            "more memory."
        )
        return EXIT_INPUT
    if isinstance(exc, OSError) and exc.filename:
        _say(f"{exc.filename}: {exc.strerror or exc}. Fix: check the path and that you may read (or write) it.")
        return EXIT_INPUT
    if not debug:
        _say(
            f"forecast: internal error: {type(exc).__name__}: {exc} ({_where(exc)}). This is a bug in forecast, not in "
            f"your input: {REPORT}. Run again with --debug to see the traceback."
        )
    return EXIT_BUG


if __name__ == "__main__":  # pragma: no cover
    console()
