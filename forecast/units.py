"""The closed list of units, and the conversions from published units.

Model arrays carry one of :data:`UNITS` in ``attrs["units"]``. Data files may state figures
in the unit they were published in (万人, 万元, 亿元, as the NHSA bulletins do); the loader
converts them to the canonical unit with :func:`to_canonical` and nothing else does.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

__all__ = ["UNITS", "PUBLISHED_UNITS", "to_canonical", "canonical_unit", "plain_number", "whole_number"]

#: a number as a person types it: ASCII digits, an optional sign, point and exponent (Python's own
#: float() also takes full-width ２０２３, Arabic-Indic ٢٠٢٣ or '1_000', and int() fails on superscripts ⁵)
_PLAIN_NUMBER = re.compile(r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*", re.ASCII)
_WHOLE_NUMBER = re.compile(r"\s*\d+\s*", re.ASCII)


def plain_number(text: object) -> float | None:
    """``text`` (a number or its text in ASCII digits) as a float; None for anything else.

    >>> plain_number("1.5e3"), plain_number("２０２３"), plain_number("⁵"), plain_number(7)
    (1500.0, None, None, 7.0)
    """
    if isinstance(text, bool):
        return None
    if isinstance(text, int | float):
        return float(text)
    if isinstance(text, str) and _PLAIN_NUMBER.fullmatch(text):
        return float(text)
    return None


def whole_number(text: object) -> int | None:
    """``text`` (a whole number or its text in ASCII digits) as an int; None for anything else.

    >>> whole_number("12"), whole_number("⁵"), whole_number("1.5"), whole_number(2023)
    (12, None, None, 2023)
    """
    if isinstance(text, bool):
        return None
    if isinstance(text, int):
        return text
    if isinstance(text, str) and _WHOLE_NUMBER.fullmatch(text):
        return int(text)
    return None


#: Canonical units (docs/glossary.md). ``ratio`` is 1.0 = 100%.
UNITS: tuple[str, ...] = (
    "yuan",
    "yuan/person/year",
    "yuan/person/month",
    "persons",
    "ratio",
    "months",
    "year",
    "per_person_year",
    "births/woman",
)

#: Units accepted in data files, mapped to (canonical unit, factor to multiply by).
PUBLISHED_UNITS: dict[str, tuple[str, float]] = {
    **{u: (u, 1.0) for u in UNITS},
    "元": ("yuan", 1.0),
    "万元": ("yuan", 10_000),
    "亿元": ("yuan", 100_000_000),
    "人": ("persons", 1.0),
    "万人": ("persons", 10_000),
    "亿人": ("persons", 100_000_000),
    "人次": ("persons", 1.0),
    "万人次": ("persons", 10_000),
    "亿人次": ("persons", 100_000_000),
    "元/人/年": ("yuan/person/year", 1.0),
    "元/人/月": ("yuan/person/month", 1.0),
}


def canonical_unit(unit: str) -> str | None:
    """The canonical unit a published unit converts to, or None if the unit is unknown."""
    entry = PUBLISHED_UNITS.get(unit.strip())
    return entry[0] if entry else None


def to_canonical(value: float | str, unit: str) -> float:
    """``value`` expressed in ``unit`` converted to its canonical unit.

    Scaling is done in decimal arithmetic, so a bulletin figure such as 279.6 亿元 becomes
    exactly 27,960,000,000 yuan (binary floating point would give 27,960,000,000.000004).

    >>> to_canonical("17342.45", "亿元")
    1734245000000.0
    """
    _, factor = PUBLISHED_UNITS[unit.strip()]
    if plain_number(value) is None:
        raise ValueError(f"not a number in ASCII digits: {value!r}")
    if factor == 1.0:
        return float(value)
    try:
        return float(Decimal(str(value).strip()) * factor)
    except InvalidOperation:
        raise ValueError(f"not a number: {value!r}") from None
