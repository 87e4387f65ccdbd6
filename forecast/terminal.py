"""What the command line shows a person: progress bars, readable tables and the ``-q`` switch.

Progress bars and tables are drawn with `rich <https://rich.readthedocs.io>`_ (one well-kept
library for both; it measures Chinese characters as two columns, so 职工医保 lines up). Bars go
to stderr, only when stderr is a terminal and ``-q`` was not given, and vanish when the work is
done; results go to stdout. The model never imports this module: long stages take an optional
``progress(done, total)`` callback (:func:`forecast.run`, the sensitivity and Sobol studies), and
the commands pass the one :func:`progress_bar` makes.

>>> with quiet(True):
...     say("not shown")
...     with progress_bar("runs") as advance:
...         advance(1, 2)
>>> say("shown")
shown
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from .errors import printable

__all__ = ["quiet", "is_quiet", "say", "progress_bar", "print_table", "Progress"]

#: ``progress(done, total)``: called by long work after each step
Progress = Callable[[int, int], None]

_state = {"quiet": False}


@contextmanager
def quiet(flag: bool) -> Iterator[None]:
    """Within the block, :func:`say` prints nothing and :func:`progress_bar` draws nothing."""
    before, _state["quiet"] = _state["quiet"], bool(flag)
    try:
        yield
    finally:
        _state["quiet"] = before


def is_quiet() -> bool:
    return _state["quiet"]


def say(*args, **kwargs) -> None:
    """Print an explanatory line (headings, notes): left out with ``-q``; the user's text in it (a
    title, a path) with its control characters escaped."""
    if not _state["quiet"]:
        print(*(printable(a) for a in args), **kwargs)


def _nothing(done: int, total: int) -> None:
    return None


@contextmanager
def progress_bar(description: str, unit: str = "") -> Iterator[Progress]:
    """A progress bar on stderr, as a ``progress(done, total)`` callback; a callback that does
    nothing when stderr is not a terminal (a pipe, a file, a test) or with ``-q``."""
    if _state["quiet"] or not sys.stderr.isatty():
        yield _nothing
        return
    # deferred: rich (0.15 s) only for a bar on a terminal; this module is imported by every command
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(unit),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(description, total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield advance


def print_table(
    title: str, columns: Sequence[str], rows: Sequence[Sequence[str]], note: str = "", left: int = 1
) -> None:
    """A table on stdout: ``columns`` headers (the first ``left`` left-aligned, the others right-aligned),
    ``rows`` of already formatted text, ``note`` in small print under it. Wide enough for every
    cell when stdout is a file or a pipe (never wrapped or cut)."""
    from rich import box  # deferred, as in progress_bar
    from rich.console import Console
    from rich.table import Table

    table = Table(
        title=title,
        title_justify="left",
        box=box.SIMPLE_HEAD,
        caption=note or None,
        caption_justify="left",
        pad_edge=False,
    )
    for i, name in enumerate(columns):
        table.add_column(name, justify="left" if i < left else "right", no_wrap=True)
    for row in rows:
        table.add_row(*row)
    terminal = sys.stdout.isatty()
    width = shutil.get_terminal_size().columns if terminal else 200
    console = Console(file=sys.stdout, width=width, highlight=False, emoji=False, soft_wrap=not terminal)
    with console.capture() as captured:
        console.print(table)
    lines = [line.rstrip() for line in captured.get().splitlines()]
    print("\n".join(line for line in lines if line.strip()) + "\n")
