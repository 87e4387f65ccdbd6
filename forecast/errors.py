"""Errors raised on bad input.

Every error a user can cause by editing a file is an :class:`InputError`: it carries the
file, the line, the field, the offending value and the fix, and renders as one paragraph.
The CLI prints these paragraphs and exits with code 2; it never shows a traceback for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["InputError", "Problem"]


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
        """The problem as one paragraph: place, what is wrong, how to fix it."""
        place = str(self.file)
        if self.line is not None:
            place += f", line {self.line}"
        if self.field is not None:
            place += f", field '{self.field}'"
        text = f"{place}: {self.message}"
        if self.value is not None and self.value != "":
            text += f" (found {self.value!r})"
        if not text.endswith("."):
            text += "."
        if self.fix:
            text += f" Fix: {self.fix}"
            if not text.endswith((".", "?", "!")):
                text += "."
        return text


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
