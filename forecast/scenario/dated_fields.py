"""One field of a scenario file, validated against its :class:`~forecast.scenario.parameters.Param`:
a plain value, or dated values (the short form ``{2024: 670, 2030: 850}`` or the long form with
``values``, ``between``, ``after`` and ``lag``), and the order of the files of an ``extends`` chain."""

from __future__ import annotations

import difflib
from pathlib import Path

from ..inputs.yamlfile import LineDict
from .dated import CONTINUATION_ALIASES, CONTINUATIONS, INTERPOLATIONS, DatedValue
from .parameters import Param, coerce

__all__ = ["dated_field", "from_later_file", "DATED_KEYS", "MAX_LAG"]

DATED_KEYS = {"values", "between", "after", "lag"}
#: the largest lag of a continuation (years)
MAX_LAG = 5


def dated_field(reader, raw, param: Param, path: str, at, horizon: int):
    """A file value -> DatedValue (dated parameters) or a plain value; None after a problem."""
    where = at(path)
    if not param.dated or not isinstance(raw, dict):
        if isinstance(raw, dict):
            reader.fail(where, path, "takes one value, not dated values", f"write {param.bound_text()}")
            return None
        value, problem = coerce(raw, param)
        if problem:
            reader.fail(where, path, "not an allowed value", problem, raw)
            return None
        return DatedValue.constant(value, param.after, param.lag) if param.dated else value
    if not raw:
        reader.fail(
            where,
            path,
            "empty dated values ({})",
            f"give at least one year, e.g. '{{2025: ...}}', or one value: {param.bound_text()}",
        )
        return None
    spec, located = raw, path
    between, after, lag = "step", param.after, param.lag
    explicit = False
    if set(raw) <= DATED_KEYS:
        located = f"{path}.values"
        if "values" not in raw or not isinstance(raw["values"], dict) or not raw["values"]:
            reader.fail(
                where, f"{path}.values", "the long form needs 'values'", "write e.g. 'values: {2024: 670, 2030: 850}'"
            )
            return None
        spec, between, after = raw["values"], raw.get("between", "step"), raw.get("after", param.after)
        after = CONTINUATION_ALIASES.get(after, after) if isinstance(after, str) else after
        explicit = "after" in raw
        lag = raw.get("lag", param.lag)
        if isinstance(lag, bool) or not isinstance(lag, int) or not 0 <= lag <= MAX_LAG:
            reader.fail(
                at(f"{path}.lag"),
                f"{path}.lag",
                f"the lag is a whole number of years from 0 to {MAX_LAG}",
                "write e.g. 'lag: 1' (the value of year t grows with the series' growth of year t - 1)",
                lag,
            )
            return None
        if between not in INTERPOLATIONS:
            reader.fail(
                at(f"{path}.between"),
                f"{path}.between",
                "unknown interpolation",
                f"use one of {', '.join(INTERPOLATIONS)}",
                between,
            )
            return None
        if after not in CONTINUATIONS:
            close = difflib.get_close_matches(str(after), CONTINUATIONS, n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            reader.fail(
                at(f"{path}.after"),
                f"{path}.after",
                "unknown continuation rule",
                f"{hint}use one of {', '.join(CONTINUATIONS)}",
                after,
            )
            return None
    points = []
    for year, value in spec.items():
        if isinstance(year, bool) or not isinstance(year, int):
            reader.fail(
                where,
                f"{path}.{year}",
                "dated values are keyed by year",
                "write e.g. '{2024: 670, 2030: 850}' or use the long form (values, between, after)",
                year,
            )
            return None
        value_at = at(f"{located}.{year}") if isinstance(spec, LineDict) else where
        if year > horizon and from_later_file(reader.horizon_at, value_at, reader.files):
            if not any(p.field == "horizon" for p in reader.problems):
                reader.fail(
                    reader.horizon_at,
                    "horizon",
                    (
                        f"the horizon {horizon} comes before {year}, a year {Path(value_at[0]).name} gives for {path} "
                        f"(line {value_at[1]})"
                    ),
                    (
                        "the horizon is the last projected year: set it after the fund's base year (the last year of "
                        "the bundle's fund history; 2024 for data/china), e.g. 'horizon: 2060'"
                    ),
                )
            return None
        if not 2000 <= year <= horizon:
            reader.fail(
                value_at,
                f"{path}.{year}",
                f"year outside 2000..{horizon} (the horizon)",
                f"give years up to the horizon {horizon}, or raise 'horizon'",
                year,
            )
            return None
        number, problem = coerce(value, param)
        if problem:
            reader.fail(value_at, f"{path}.{year}", "not an allowed value", problem, value)
            return None
        points.append((year, number))
    if after == "mean_increment" and len(points) < 2 and not explicit:
        after = "hold"  # one given year has no increment: the default continuation holds it (a run lists it)
    value = DatedValue(tuple(sorted(points)), between, after, lag)
    if after == "mean_increment" and not _increment_ok(reader, value, param, path, at(f"{path}.after"), horizon):
        return None
    return value


def _increment_ok(reader, value: DatedValue, param, path: str, where, horizon: int) -> bool:
    """``after: mean_increment`` needs two given years, and must stay in the allowed range to the horizon."""
    if len(value.points) < 2:
        reader.fail(
            where,
            f"{path}.after",
            "mean_increment needs at least two given years (an increment)",
            "give the announced values of several years, e.g. '{2022: 350, 2023: 380, 2024: 400}', or use after: hold",
            "mean_increment",
        )
        return False
    end = value.points[-1][1] + value.mean_increment() * (horizon - value.last_year)
    if param.low is not None and end < param.low:
        reader.fail(
            where,
            f"{path}.after",
            (
                f"the mean increment ({value.mean_increment():g} a year) takes the value to {end:g} by {horizon}, "
                f"below its lowest allowed value {param.low:g}"
            ),
            "give values up to the horizon, or use after: hold",
            "mean_increment",
        )
        return False
    return True


def from_later_file(a, b, files) -> bool:
    """True when origin ``a`` comes from a later file of the chain than origin ``b``."""
    order = {f: i for i, f in enumerate(files)}
    return order.get(a[0], -1) > order.get(b[0], -1)
