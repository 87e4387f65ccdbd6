"""The option types and the options many ``forecast`` commands share: whole numbers with a floor
(years, draws, seeds), fractions, ``SCENARIO`` (positional or ``--scenario``), ``--out DIR`` with
``--force``. Only the standard library is imported here (see :mod:`forecast.cli.args`)."""

from __future__ import annotations

import argparse

__all__ = ["count", "fraction", "add_out", "add_scenario", "YEAR", "DRAWS", "SEED", "SCENARIO_HELP", "FORCE_HELP"]


def count(minimum: int, what: str, example: str):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{what} must be a whole number (found {text!r}); write e.g. {example}"
            ) from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{what} must be at least {minimum} (found {value}); write e.g. {example}")
        return value

    return parse


def fraction(what: str, example: str):
    def parse(text: str) -> float:
        try:
            return float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{what} must be a number between 0 and 1 (found {text!r}); write e.g. {example}"
            ) from None

    return parse


YEAR = count(1900, "a year", "2025")
DRAWS = count(1, "the number of draws", "--draws 1000")
SEED = count(0, "the seed", "--seed 42")
SCENARIO_HELP = (
    "scenario file or shipped name, or overlays a.yaml+b.yaml (default: baseline; 'forecast scenarios' lists them)"
)
FORCE_HELP = (
    "replace files in DIR that forecast did not write (or that changed since it did), keeping a copy of each "
    "as NAME.bak"
)


def add_out(p: argparse.ArgumentParser, help: str) -> None:
    """--out DIR and --force: a command may replace in DIR only the files forecast wrote there, unless --force."""
    p.add_argument("--out", metavar="DIR", help=help)
    p.add_argument("--force", action="store_true", help=FORCE_HELP)


def add_scenario(p: argparse.ArgumentParser) -> None:
    """SCENARIO as the first positional argument, or as --scenario (both default to baseline)."""
    p.add_argument("scenario", nargs="?", default="baseline", metavar="SCENARIO", help=SCENARIO_HELP)
    p.add_argument("--scenario", dest="scenario_option", metavar="SCENARIO", help="the same as the positional SCENARIO")
