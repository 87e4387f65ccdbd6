"""Checks of one bundle table's rows as a whole: duplicate keys, age groups without gaps or
overlaps, consecutive years and periods, and a full grid of the demographic tables' keys.

The checks group plain Python lists (one pass over the rows), not the DataFrame: pandas' per-group
selection and sorting cost a third of a second per bundle for tables of a few thousand rows."""

from __future__ import annotations

import itertools
import math

import pandas as pd

from ..errors import Problem
from .labels import age_label
from .schema import Table

__all__ = ["check_rows"]


def check_rows(path, table: Table, df: pd.DataFrame, problems: list) -> None:
    """Append a Problem for every duplicate, gap, overlap or missing combination in ``df``."""
    rows = _Rows(df)
    _check_duplicates(path, table, rows, problems)
    if not problems:
        _check_ages(path, table, rows, problems)
        _check_times(path, table, rows, problems)
        _check_grid(path, table, rows, problems)


class _Rows:
    """The table's columns as lists, and its rows grouped by some of its key columns."""

    def __init__(self, df: pd.DataFrame):
        self.columns = {name: df[name].tolist() for name in df.columns}
        self.n = len(df)

    def groups(self, keys: list[str]) -> dict[tuple, list[int]]:
        """Row numbers by the values of ``keys``, in order of first appearance (one group of every row
        when ``keys`` is empty)."""
        out: dict[tuple, list[int]] = {}
        for i, key in enumerate(zip(*(self.columns[k] for k in keys)) if keys else [()] * self.n):
            out.setdefault(key, []).append(i)
        return out

    def take(self, name: str, rows: list[int]) -> list:
        column = self.columns[name]
        return [column[i] for i in rows]

    def sorted_by(self, name: str, rows: list[int]) -> list[int]:
        column = self.columns[name]
        return sorted(rows, key=lambda i: column[i])


def _series_keys(table: Table, drop: tuple[str, ...]) -> list[str]:
    return [k for k in table.key_names if k not in drop]


def _where(series: list[str], name: tuple) -> str:
    where = ", ".join(f"{k}={v}" for k, v in zip(series, name))
    return f" for {where}" if where else ""


def _check_duplicates(path, table: Table, rows: _Rows, problems) -> None:
    keys = list(table.key_names)
    for key, group in rows.groups(keys).items():
        if len(group) > 1:
            lines = rows.take("line", group)
            what = ", ".join(f"{k}={v}" for k, v in zip(keys, key))
            problems.append(
                Problem(
                    path, f"duplicate rows for {what} (lines {', '.join(map(str, lines))})", "keep one row", lines[1]
                )
            )


def _check_ages(path, table: Table, rows: _Rows, problems) -> None:
    if table.age_rule is None:
        return
    series = _series_keys(table, ("age",))
    partitions = {}
    for name, group in rows.groups(series).items():
        order = rows.sorted_by("age_start", group)
        where = _where(series, name)
        starts, lines = [int(a) for a in rows.take("age_start", order)], rows.take("line", order)
        ends = [
            None if e is None or (isinstance(e, float) and math.isnan(e)) else int(e)
            for e in rows.take("age_end", order)
        ]
        if table.age_rule == "full" and starts[0] != 0:
            problems.append(
                Problem(path, f"ages{where} start at {starts[0]}, not 0", "add the missing young ages", lines[0], "age")
            )
            continue
        bad = False
        for i in range(len(starts)):
            last = i == len(starts) - 1
            if ends[i] is None and not last:
                problems.append(
                    Problem(
                        path,
                        f"open age group {starts[i]}+{where} is not the last group",
                        "only the top group may be open",
                        lines[i],
                        "age",
                    )
                )
                bad = True
                break
            if not last and starts[i + 1] != ends[i] + 1:
                gap = "overlap" if starts[i + 1] <= ends[i] else "gap"
                problems.append(
                    Problem(
                        path,
                        f"age {gap}{where} between group {age_label(starts[i], ends[i])} and group "
                        f"{age_label(starts[i + 1], ends[i + 1])}",
                        "age groups must follow one another without gaps or overlaps",
                        lines[i + 1],
                        "age",
                    )
                )
                bad = True
                break
        if bad:
            continue
        if table.age_rule in ("full", "to_open") and ends[-1] is not None:
            problems.append(
                Problem(
                    path,
                    f"the top age group{where} is closed ({age_label(starts[-1], ends[-1])})",
                    "make the top group open, e.g. 100+",
                    lines[-1],
                    "age",
                )
            )
            continue
        if table.age_rule == "span" and ends[-1] is None:
            problems.append(
                Problem(
                    path, f"open age group{where}", "fertility ages are closed groups, e.g. 45-49", lines[-1], "age"
                )
            )
            continue
        partitions[where] = (tuple(starts), tuple(ends), lines[0])
    _same_throughout(path, partitions, "age groups", "age", problems)


def _check_times(path, table: Table, rows: _Rows, problems) -> None:
    if table.time_rule in (None, "dated"):
        return
    series = _series_keys(table, ("year",))
    partitions = {}
    for name, group in rows.groups(series).items():
        where = _where(series, name)
        if table.time_rule == "annual":
            order = rows.sorted_by("year", group)
            years, lines = rows.take("year", order), rows.take("line", order)
            for a, b, line in zip(years, years[1:], lines[1:]):
                if b != a + 1:
                    problems.append(
                        Problem(
                            path,
                            f"year gap{where}: {a} is followed by {b}",
                            "add a row for each missing year (leave its value empty if the figure is not published)",
                            line,
                            "year",
                        )
                    )
                    break
        else:  # periods
            first: dict = {}  # each period's first row
            for period, i in zip(rows.take("year", group), group):
                first.setdefault(period, i)
            order = rows.sorted_by("year_start", list(first.values()))
            starts, ends = rows.take("year_start", order), rows.take("year_end", order)
            labels, lines = rows.take("year", order), rows.take("line", order)
            for i in range(len(starts) - 1):
                if starts[i + 1] != ends[i] + 1:
                    gap = "overlap" if starts[i + 1] <= ends[i] else "gap"
                    problems.append(
                        Problem(
                            path,
                            f"period {gap}{where} between {labels[i]} and {labels[i + 1]}",
                            "periods must follow one another without gaps or overlaps",
                            lines[i + 1],
                            "year",
                        )
                    )
                    break
            partitions[where] = (tuple(starts), tuple(ends), lines[0])
    _same_throughout(path, partitions, "periods", "year", problems)


def _same_throughout(path, partitions: dict, what: str, field: str, problems) -> None:
    """Every part of the file (by sex, pool, ...) must use the first part's ``what`` (age groups
    or periods): ``partitions`` maps the part's description to (starts, ends, first line)."""
    (w0, p0), *rest = partitions.items() or [(None, None)]
    for w, p in rest:
        if p[:2] != p0[:2]:
            problems.append(
                Problem(
                    path,
                    f"the {what}{w} differ from those{w0}",
                    f"use the same {what} throughout the file",
                    p[2],
                    field,
                )
            )
            break


def _check_grid(path, table: Table, rows: _Rows, problems) -> None:
    """Demographic tables must hold every combination of period, sex (and other keys)."""
    if table.age_rule is None and table.time_rule != "periods":
        return
    dims = [k for k in _series_keys(table, ("age",))]
    if not dims:
        return
    present = set(rows.groups(dims))
    levels = [sorted(dict.fromkeys(rows.columns[d]), key=str) for d in dims]
    if "sex" in dims:
        levels[dims.index("sex")] = list(table.keys[[k.name for k in table.keys].index("sex")].choices)
    for combo in itertools.product(*levels):
        if combo not in present:
            what = ", ".join(f"{d}={v}" for d, v in zip(dims, combo))
            problems.append(
                Problem(path, f"no rows for {what}", "add the missing rows so every combination is present")
            )
            if len(problems) > 20:
                break
