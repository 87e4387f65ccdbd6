"""The closed list of units, and the conversions from published units.

Model arrays carry one of :data:`UNITS` in ``attrs["units"]``. Data files may state figures
in the unit they were published in (万人, 万元, 亿元, as the NHSA bulletins do); the loader
converts them to the canonical unit with :func:`to_canonical` and nothing else does.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

__all__ = ["UNITS", "PUBLISHED_UNITS", "to_canonical", "canonical_unit"]

#: Canonical units (GLOSSARY.md). ``ratio`` is 1.0 = 100%.
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
    if factor == 1.0:
        return float(value)
    try:
        return float(Decimal(str(value).strip()) * factor)
    except InvalidOperation:
        raise ValueError(f"not a number: {value!r}") from None
