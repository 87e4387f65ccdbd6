"""Errors raised on bad input.

Every error a user can cause by editing a file is an :class:`InputError`: it carries the
file, the line, the field, the offending value and the fix, and renders as one paragraph.
The CLI prints these paragraphs and exits with code 2; it never shows a traceback for them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["InputError", "Problem", "printable"]

#: control characters (C0 but tab and line feed, DEL, C1) and the bidirectional overrides, which can
#: retitle, recolour or reorder a terminal's text
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_UNPRINTABLE_LINES = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: object, newlines: bool = False) -> str:
    """``text`` with its control characters shown as escapes (``\\x1b``): safe to print to a terminal.
    ``newlines``: escape line feeds (and tabs) too, for text that must stay on one line.

    >>> printable("a\\x1b]0;owned\\x07b")
    'a\\\\x1b]0;owned\\\\x07b'
    """
    return (_UNPRINTABLE_LINES if newlines else _UNPRINTABLE).sub(_escape, str(text))


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one place in one input file."""

    file: Path | str
    message: str
    fix: str = ""
    line: int | None = None
    field: str | None = None
    value: object = None

    def render(self) -> str:
        """The problem as one paragraph: place, what is wrong, how to fix it; the user's text (a path,
        a key, a value) with its control characters escaped (:func:`printable`), so a message never
        retitles or recolours the terminal it is shown in."""
        place = printable(self.file, newlines=True)
        if self.line is not None:
            place += f", line {self.line}"
        if self.field is not None:
            place += f", field '{printable(self.field, newlines=True)}'"
        text = f"{place}: {self.message}"
        if self.value is not None and self.value != "":
            text += f" (found {self.value!r})"
        if not text.endswith("."):
            text += "."
        if self.fix:
            text += f" Fix: {self.fix}"
            if not text.endswith((".", "?", "!")):
                text += "."
        return printable(text)


class InputError(ValueError):
    """Bad input: one or more :class:`Problem` found while reading user files."""

    def __init__(self, problems: list[Problem] | Problem):
        if isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__(self.render())

    def render(self, limit: int = 20) -> str:
        """All problems, one paragraph each (at most ``limit``, then a count of the rest)."""
        shown = [p.render() for p in self.problems[:limit]]
        rest = len(self.problems) - len(shown)
        if rest > 0:
            shown.append(f"... and {rest} more problem(s) of the same kind; fix the ones above first.")
        return "\n\n".join(shown)
