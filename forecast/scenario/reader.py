"""Collecting a scenario's problems while walking it: each located at the file and line its key
came from, so one run of the checks reports every problem at once."""

from __future__ import annotations

import difflib
from pathlib import Path

from ..errors import Problem

__all__ = ["Reader", "unknown_keys", "number", "section"]


class Reader:
    """Walks a merged mapping whose values remember (file, line) of their key."""

    def __init__(self):
        self.problems: list[Problem] = []
        #: the files of the chain (baseline first) and where the horizon was set, for messages
        #: that must blame the later of two conflicting values
        self.files: list[Path] = []
        self.horizon_at: tuple = (None, None)

    def fail(self, where, field, message, fix, value=None):
        file, line = where
        self.problems.append(Problem(file, message, fix, line, field, value))


def unknown_keys(reader, mapping, allowed, prefix, origins, elsewhere=None):
    """Report each key of ``mapping`` not in ``allowed``; ``elsewhere(path)``: where else the
    schema has that key (e.g. under another pool), for the fix."""
    for key in mapping:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), sorted(allowed), n=1)
            fix = f"did you mean '{close[0]}'?" if close else f"allowed here: {', '.join(sorted(allowed))}"
            other = elsewhere(f"{prefix}{key}") if elsewhere is not None and not close else None
            if other:
                fix = f"'{key}' is a key of {other}, not of {prefix.rstrip('.')}; {fix}"
            if isinstance(key, bool) or key is None:
                fix = (
                    f"YAML reads yes/no/on/off/true/false as {key} and ~ or null as None: quote the key if you meant "
                    f"the word; {fix}"
                )
            reader.fail(origins.get(f"{prefix}{key}", (None, None)), f"{prefix}{key}", f"unknown key '{key}'", fix)


def number(reader, value, where, field, low, high, unit):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        reader.fail(where, field, "must be a number", f"write a number in [{low}, {high}] ({unit})", value)
        return None
    if not low <= value <= high:
        fix = f"the value must lie in [{low}, {high}] ({unit})"
        if unit == "ratio" and 1 < value <= 100:
            fix = f"ratios are fractions: write {value / 100:g}, not {value}"
        reader.fail(where, field, "value out of range", fix, value)
        return None
    return float(value)


def section(reader, value, field: str, at, example: str) -> dict:
    """A sub-section that must be a mapping ({} when absent); anything else is reported."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        reader.fail(at(field), field, "must be a mapping of keys to values", f"write e.g. '{example}'", value)
        return {}
    return value
