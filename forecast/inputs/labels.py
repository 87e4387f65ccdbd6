"""Age and year labels of the bundle tables: ``37``, ``35-39`` or the open group ``100+``; a year
``2024`` or a range ``2020-2024``."""

from __future__ import annotations

import functools
import re

__all__ = ["parse_age", "parse_period", "age_label", "MAX_AGE"]

_AGE_RE = re.compile(r"^\s*(\d{1,3})\s*(?:(-)\s*(\d{1,3})|(\+))?\s*$", re.ASCII)
_PERIOD_RE = re.compile(r"^\s*(\d{4})\s*(?:-\s*(\d{4}))?\s*$", re.ASCII)
MAX_AGE = 130


@functools.lru_cache(maxsize=4096)  # a bundle repeats its few labels on thousands of rows
def parse_age(text: str) -> tuple[int, int | None] | None:
    """'37' -> (37, 37); '35-39' -> (35, 39); '100+' -> (100, None); bad text -> None."""
    m = _AGE_RE.match(text)
    if not m:
        return None
    start = int(m.group(1))
    if m.group(4):
        return start, None
    end = int(m.group(3)) if m.group(2) else start
    if end < start or end > MAX_AGE:
        return None
    return start, end


def age_label(start: int, end: int | None) -> str:
    """Inverse of :func:`parse_age`."""
    if end is None:
        return f"{start}+"
    return str(start) if end == start else f"{start}-{end}"


@functools.lru_cache(maxsize=4096)
def parse_period(text: str) -> tuple[int, int] | None:
    """'2023' -> (2023, 2023); '2020-2024' -> (2020, 2024); bad text -> None."""
    m = _PERIOD_RE.match(text)
    if not m:
        return None
    start = int(m.group(1))
    end = int(m.group(2)) if m.group(2) else start
    return (start, end) if end >= start else None
