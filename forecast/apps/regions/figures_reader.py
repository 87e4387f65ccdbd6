"""Typed, located checks over one FIGURES.yaml (for :mod:`forecast.apps.regions.figures`).

As a scenario's schema does, every field is checked for its type before it is used: a mapping where a
mapping goes, text where text goes, and numbers as numbers — written in ASCII digits (``"２０２３"``,
``"⁵"`` or ``"७९"`` are refused, not read by Python's lenient ``float``), finite, within the field's
bounds (persons up to :data:`~forecast.limits.MAX_PERSONS`, money up to
:data:`~forecast.limits.MAX_MONEY`; totals a share is taken of above 0). Each problem names the file,
line and field, and the reading goes on, so one run lists them all.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

from ...errors import Problem
from ...limits import MAX_MONEY, MAX_PERSONS
from ...results.neutral import FORMULA_START
from ...units import PUBLISHED_UNITS, plain_number, to_canonical

__all__ = ["FigureReader", "HIGHEST"]

#: the largest figure of each canonical unit (a typing slip beyond it overflows the arithmetic)
HIGHEST = {"persons": MAX_PERSONS, "yuan": MAX_MONEY, "ratio": 1_000.0, "year": 150.0}


class FigureReader:
    """Located checks over one FIGURES.yaml; ``problems`` collects what is wrong."""

    def __init__(self, path: Path):
        self.path = path
        self.problems: list[Problem] = []

    def fail(self, node, key, message, fix, value=None, prefix=""):
        line = node.line_of(key) if hasattr(node, "line_of") else None
        self.problems.append(Problem(self.path, message, fix, line, f"{prefix}{key}", value))

    def mapping(self, node, key, prefix="", required=True) -> dict:
        value = node.get(key)
        if value is None and not required:
            return {}
        if not isinstance(value, dict):
            self.fail(
                node,
                key,
                "missing or not a mapping" if value is None else "must be a mapping of fields",
                "see the example in examples/figures.yaml",
                value if value is not None else None,
                prefix,
            )
            return {}
        return value

    def text(self, node, key, default="", prefix="") -> str:
        """A text field (a name, a note, a source id, a date): text, never a list or a mapping."""
        value = node.get(key, default)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, str | int | float | dt.date):
            self.fail(
                node,
                key,
                "must be text",
                "write it as plain text (quote it if it could be read as something else)",
                type(value).__name__,
                prefix,
            )
            return default
        return str(value)

    def number(self, node, key, unit, prefix, canonical, low=0.0, required=False, positive=False) -> float | None:
        """A figure in ``unit`` converted to ``canonical``; at least ``low`` (above 0 if ``positive``),
        at most the unit's :data:`HIGHEST`."""
        value = node.get(key)
        if value is None:
            if required:
                self.fail(node, key, "is required", "give the published figure", prefix=prefix)
            return None
        if plain_number(value) is None:
            self.fail(
                node,
                key,
                "must be a plain number (ASCII digits 0-9 and a point, no thousands separators)",
                f"write the figure in {unit or canonical} as a plain number, e.g. 12345.6",
                value,
                prefix,
            )
            return None
        try:
            out = to_canonical(value, unit) if unit else float(value)
        except (ValueError, TypeError, ArithmeticError, KeyError):
            out = math.nan
        high = HIGHEST.get(canonical, math.inf)
        if not math.isfinite(out) or out < low or (positive and out <= 0) or out > high:
            bound = f"above {low:g}" if positive else f"at least {low:g}"
            self.fail(
                node,
                key,
                f"must be a finite number {bound} and at most {high:g} {canonical}",
                f"write the figure in {unit or canonical} as a plain number (check its unit)",
                value,
                prefix,
            )
            return None
        return out

    def unit(self, node, prefix, canonical, default) -> str:
        unit = self.text(node, "unit", default, prefix)
        if unit not in PUBLISHED_UNITS or PUBLISHED_UNITS[unit][0] != canonical:
            allowed = ", ".join(u for u, (c, _) in PUBLISHED_UNITS.items() if c == canonical)
            self.fail(node, "unit", f"unknown unit '{unit}' for {canonical}", f"use one of {allowed}", unit, prefix)
            return default
        return unit

    def source_id(self, node, key, prefix="") -> str:
        """A cited source id (several joined by ';'): text whose ids are names, not formulas."""
        sid = self.text(node, key, "", prefix)
        for one in (s for s in sid.split(";") if s):
            if one.strip() != one or one.startswith(FORMULA_START):
                self.fail(
                    node,
                    key,
                    f"source id '{one}' must be a name (letters, digits, _), without spaces around it or a leading "
                    f"{', '.join(repr(c) for c in FORMULA_START)}",
                    "name the source like the ids in examples/figures.yaml, e.g. NHSA_2023",
                    one,
                    prefix,
                )
                return ""
        return sid

    def sources(self, doc) -> dict:
        """The register: {id: {title, publisher, date, url, read_via}} with text fields."""
        register = doc.get("sources") or {}
        if not isinstance(register, dict):
            self.fail(
                doc,
                "sources",
                "must map each source id to its title, publisher, date and url",
                "write 'sources: {ID: {title: .., publisher: .., date: .., url: ..}}', see examples/figures.yaml",
                type(register).__name__,
            )
            return {}
        out = {}
        for sid, entry in register.items():
            if not isinstance(entry, dict):
                self.fail(
                    register,
                    sid,
                    "must be a mapping of title, publisher, date and url",
                    "see examples/figures.yaml",
                    type(entry).__name__,
                    "sources.",
                )
                continue
            before = len(self.problems)
            for k in entry:
                self.text(entry, k, "", f"sources.{sid}.")
            if len(self.problems) == before:
                out[str(sid)] = {str(k): v for k, v in entry.items()}  # as written (a date stays a date in region.yaml)
        return out
