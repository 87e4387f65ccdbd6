"""Checks of one bundle table's rows as a whole: duplicate keys, age groups without gaps or
overlaps, consecutive years and periods, and a full grid of the demographic tables' keys."""

from __future__ import annotations

import itertools

import pandas as pd

from ..errors import Problem
from .labels import age_label
from .schema import Table

__all__ = ["check_rows"]


def check_rows(path, table: Table, df: pd.DataFrame, problems: list) -> None:
    """Append a Problem for every duplicate, gap, overlap or missing combination in ``df``."""
    _check_duplicates(path, table, df, problems)
    if not problems:
        _check_ages(path, table, df, problems)
        _check_times(path, table, df, problems)
        _check_grid(path, table, df, problems)


def _series_keys(table: Table, drop: tuple[str, ...]) -> list[str]:
    return [k for k in table.key_names if k not in drop]


def _check_duplicates(path, table: Table, df: pd.DataFrame, problems) -> None:
    keys = list(table.key_names)
    dup = df[df.duplicated(keys, keep=False)]
    for _, group in dup.groupby(keys, sort=False):
        lines = group["line"].tolist()
        what = ", ".join(f"{k}={group.iloc[0][k]}" for k in keys)
        problems.append(
            Problem(path, f"duplicate rows for {what} (lines {', '.join(map(str, lines))})", "keep one row", lines[1])
        )


def _check_ages(path, table: Table, df: pd.DataFrame, problems) -> None:
    if table.age_rule is None:
        return
    series = _series_keys(table, ("age",))
    partitions = {}
    groups = df.groupby(series, sort=False) if series else [((), df)]
    for name, group in groups:
        g = group.sort_values("age_start")
        where = ", ".join(f"{k}={v}" for k, v in zip(series, name if isinstance(name, tuple) else (name,)))
        where = f" for {where}" if where else ""
        starts, lines = [int(a) for a in g["age_start"]], g["line"].tolist()
        ends = [None if pd.isna(e) else int(e) for e in g["age_end"]]
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


def _check_times(path, table: Table, df: pd.DataFrame, problems) -> None:
    if table.time_rule in (None, "dated"):
        return
    series = _series_keys(table, ("year",))
    groups = df.groupby(series, sort=False) if series else [((), df)]
    partitions = {}
    for name, group in groups:
        where = ", ".join(f"{k}={v}" for k, v in zip(series, name if isinstance(name, tuple) else (name,)))
        where = f" for {where}" if where else ""
        if table.time_rule == "annual":
            g = group.sort_values("year")
            years, lines = g["year"].tolist(), g["line"].tolist()
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
            g = group.drop_duplicates("year").sort_values("year_start")
            starts, ends, lines = g["year_start"].tolist(), g["year_end"].tolist(), g["line"].tolist()
            for i in range(len(starts) - 1):
                if starts[i + 1] != ends[i] + 1:
                    gap = "overlap" if starts[i + 1] <= ends[i] else "gap"
                    problems.append(
                        Problem(
                            path,
                            f"period {gap}{where} between {g['year'].iloc[i]} and {g['year'].iloc[i + 1]}",
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


def _check_grid(path, table: Table, df: pd.DataFrame, problems) -> None:
    """Demographic tables must hold every combination of period, sex (and other keys)."""
    if table.age_rule is None and table.time_rule != "periods":
        return
    dims = [k for k in _series_keys(table, ("age",))]
    if not dims:
        return
    present = {tuple(row) for row in df[dims].drop_duplicates().itertuples(index=False)}
    levels = [sorted(df[d].unique().tolist(), key=str) for d in dims]
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
