"""How the pages show numbers: money in 亿元 (stored in yuan), persons in 万人, months to one
decimal, shares as percentages, a year that does not occur as '—'."""

from __future__ import annotations

__all__ = ["FILTERS"]

DASH = "—"


def _ok(value) -> bool:
    return value is not None and value == value


def yi(value, sign: bool = False) -> str:
    """Yuan as 亿元, one decimal (``sign``: with + or −)."""
    if not _ok(value):
        return DASH
    shown = round(value / 1e8, 1) + 0.0
    return f"{shown:+,.1f}" if sign else f"{shown:,.1f}"


def wan(value) -> str:
    """Persons as 万人, two decimals."""
    return f"{value / 1e4:,.2f}" if _ok(value) else DASH


def months(value, sign: bool = False) -> str:
    return (f"{value:+.1f}" if sign else f"{value:.1f}") if _ok(value) else DASH


def share(value) -> str:
    return f"{value:.1%}" if _ok(value) else DASH


def year(value) -> str:
    return str(int(value)) if _ok(value) else DASH


def amount(value, unit: str = "") -> str:
    """A budget line: months as months, money in 亿元."""
    return months(value) if unit == "months" else yi(value)


FILTERS = {"yi": yi, "wan": wan, "months": months, "share": share, "year": year, "amount": amount}
