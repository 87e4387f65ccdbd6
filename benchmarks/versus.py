"""This checkout against another, the same forecast command interleaved (run: .venv/bin/python
benchmarks/versus.py CHECKOUT [--runs N] [--first] [FORECAST ARGS...]).

CHECKOUT is another checkout of this repository (a ``git worktree add`` of an earlier commit, say); the
command (default ``run baseline --draws 10000 --seed 1 -q``) runs from each package with this interpreter,
interleaved N times (default 8), each on a cache of its own (emptied before every run with ``--first``: a
first run on the bundle); it prints the minimum and median of each and their ratio, and writes nothing.
The interleaved before-and-after figures of docs/model/engine.md and the engine's comments are measured so:

    git worktree add /tmp/before 7442b9c
    .venv/bin/python benchmarks/versus.py /tmp/before
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from run import ROOT, compare, empty, python

DEFAULT = ["run", "baseline", "--draws", "10000", "--seed", "1", "-q"]


def from_checkout(folder: Path, args: list[str]) -> list[str]:
    """``forecast ARGS`` run from the package in ``folder`` (with this interpreter and its packages)."""
    code = (
        f"import runpy, sys; sys.path.insert(0, {str(folder)!r}); sys.argv = ['forecast', *{args!r}]; "
        "runpy.run_module('forecast', run_name='__main__')"
    )
    return python("-c", code)


def versus(other: Path, runs: int, args: list[str], first: bool = False) -> None:
    """This checkout's ``forecast ARGS`` against ``other``'s, interleaved ``runs`` times; ``first``:
    each on an empty cache of the bundle's derived values (a first run)."""
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    if not (other / "forecast" / "__init__.py").is_file():
        sys.exit(f"{other} holds no forecast package (a checkout of this repository, e.g. git worktree add)")
    cache = Path(tempfile.mkdtemp(prefix="forecast-versus-cache-"))
    os.environ["FORECAST_CACHE_DIR"] = str(cache)
    try:
        compare(
            f"this checkout: forecast {' '.join(args)}" + (" (first run: empty cache)" if first else ""),
            from_checkout(ROOT, args),
            runs,
            reference=f"{other}",
            reference_argv=from_checkout(other, args),
            before=(lambda: empty(cache)) if first else None,
        )
    finally:
        empty(cache)


def main(argv: list[str]) -> None:
    """``CHECKOUT [--runs N] [--first] [FORECAST ARGS...]``."""
    rest, runs = list(argv), 8
    if "--runs" in rest:
        at = rest.index("--runs")
        runs, rest = int(rest[at + 1]), rest[:at] + rest[at + 2 :]
    first = "--first" in rest
    rest = [a for a in rest if a != "--first"]
    if not rest:
        sys.exit("usage: benchmarks/versus.py CHECKOUT [--runs N] [--first] [FORECAST ARGS...]")
    versus(Path(rest[0]).resolve(), runs, rest[1:] or DEFAULT, first)


if __name__ == "__main__":
    main(sys.argv[1:])
