"""Reading one bundle CSV file against its :class:`~forecast.inputs.schema.Table`.

:func:`read_table` returns a validated :class:`pandas.DataFrame` with the key columns
parsed (years, year ranges, age groups), values converted to the canonical unit, and the
source line of every row; or raises :class:`~forecast.errors.InputError` listing every
problem found, each naming the file, line, field and fix.
"""

from __future__ import annotations

import csv
import difflib
import functools
import math
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError, Problem
from ..limits import MAX_CSV_BYTES, MAX_CSV_ROWS
from ..units import PUBLISHED_UNITS, canonical_unit, plain_number, to_canonical, whole_number
from .files import read_text
from .labels import age_label, parse_age, parse_period
from .schema import Table
from .table_checks import check_rows

__all__ = ["read_table", "parse_age", "parse_period", "age_label"]


def _suggest(value: str, choices) -> str:
    close = difflib.get_close_matches(value, list(choices), n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    return f"{hint}use one of: {', '.join(choices)}"


def _read_rows(path: Path, problems: list[Problem]) -> tuple[list[str], list[tuple[int, list[str]]]]:
    if not path.exists() and not path.is_symlink():
        problems.append(Problem(path, "file not found", "create it, or correct its path in region.yaml"))
        return [], []
    try:
        text = read_text(path, "a CSV table", MAX_CSV_BYTES)
    except InputError as err:
        problems.extend(err.problems)
        return [], []
    reader = csv.reader(text.splitlines(keepends=True))
    rows: list[tuple[int, list[str]]] = []
    header: list[str] = []
    try:
        for fields in reader:
            if not header:
                header = [h.strip() for h in fields]
                continue
            if not any(f.strip() for f in fields):
                continue
            rows.append((reader.line_num, fields))
            if len(rows) > MAX_CSV_ROWS:
                problems.append(
                    Problem(
                        path,
                        f"more than {MAX_CSV_ROWS:,} data rows",
                        "check that this is the right file",
                        line=reader.line_num,
                    )
                )
                return header, []
    except csv.Error as exc:
        problems.append(Problem(path, f"CSV syntax error: {exc}", "check for an unclosed quote", line=reader.line_num))
    if not header:
        problems.append(Problem(path, "the file is empty", "write a header line and data rows"))
    return header, rows


@functools.cache
def _published_units(canonical: tuple[str, ...]) -> list[str]:
    """The units a file may write for a field whose canonical unit is one of ``canonical``."""
    return [u for u, (c, _) in PUBLISHED_UNITS.items() if c in canonical]


def _parse_number(text: str) -> float | None:
    value = plain_number(text)
    return value if value is not None and math.isfinite(value) else None


def read_table(path: Path | str, table: Table) -> pd.DataFrame:
    """Read and validate ``path`` as ``table``; raise InputError listing all problems."""
    path = Path(path)
    problems: list[Problem] = []
    header, rows = _read_rows(path, problems)
    if problems:
        raise InputError(problems)

    needed = [*table.key_names, "value", "unit"]
    missing = [c for c in needed if c not in header]
    if missing:
        found = ", ".join(h for h in header if h) or "none"
        for col in missing:
            close = difflib.get_close_matches(col, header, n=1)
            hint = f"rename '{close[0]}' to '{col}'" if close else f"add a '{col}' column"
            problems.append(Problem(path, f"missing column '{col}' (columns found: {found})", hint, line=1, field=col))
        raise InputError(problems)
    duplicated = sorted({h for h in header if h and header.count(h) > 1})
    if duplicated:
        raise InputError(Problem(path, f"column(s) {', '.join(duplicated)} appear more than once", "keep one", line=1))
    if not rows:
        raise InputError(Problem(path, "the file has a header but no data rows", "add the data rows", line=2))

    col = {name: i for i, name in enumerate(header)}
    records = []
    for line, fields in rows:
        if len(fields) != len(header):
            problems.append(
                Problem(
                    path,
                    f"{len(fields)} fields where the header has {len(header)}",
                    "quote values that contain commas, and give every row the header's columns",
                    line=line,
                )
            )
            continue
        rec = _parse_row(path, table, line, fields, col, problems)
        if rec is not None:
            rec.update({name: fields[i].strip() for name, i in col.items() if name not in rec and name not in needed})
            records.append(rec)
    if problems:
        raise InputError(problems)

    df = pd.DataFrame.from_records(records)
    check_rows(path, table, df, problems)
    if problems:
        raise InputError(problems)
    return df


def _parse_row(path, table: Table, line, fields, col, problems) -> dict | None:
    rec: dict = {"line": line}
    ok = True
    for key in table.keys:
        raw = fields[col[key.name]].strip()
        if raw == "":
            problems.append(Problem(path, "empty key field", f"fill in the {key.name}", line=line, field=key.name))
            ok = False
        elif key.kind == "year":
            year = parse_period(raw)
            if year is None or year[0] != year[1]:
                problems.append(
                    Problem(path, "not a single calendar year", "write a year such as 2024", line, key.name, raw)
                )
                ok = False
            else:
                rec[key.name] = year[0]
        elif key.kind == "period":
            period = parse_period(raw)
            if period is None:
                problems.append(
                    Problem(path, "not a year or a year range", "write 2023 or 2020-2024", line, key.name, raw)
                )
                ok = False
            else:
                rec[key.name], rec["year_start"], rec["year_end"] = raw.replace(" ", ""), *period
        elif key.kind == "age":
            age = parse_age(raw)
            if age is None:
                problems.append(
                    Problem(path, "not an age, age group or open group", "write 37, 35-39 or 100+", line, key.name, raw)
                )
                ok = False
            else:
                rec["age_start"], rec["age_end"] = age
                rec[key.name] = age_label(*age)
        elif key.kind == "choice":
            if raw not in key.choices:
                problems.append(Problem(path, f"unknown {key.name}", _suggest(raw, key.choices), line, key.name, raw))
                ok = False
            else:
                rec[key.name] = raw
        else:
            rec[key.name] = raw
    if not ok:
        return None

    for name, (low, high, default) in table.optional_int.items():
        raw = fields[col[name]].strip() if name in col else ""
        if raw == "":
            rec[name] = default
        elif whole_number(raw) is not None and low <= int(raw) <= high:
            rec[name] = int(raw)
        else:
            problems.append(
                Problem(
                    path,
                    f"{name} must be a whole number from {low} to {high}",
                    f"write e.g. {default}",
                    line,
                    name,
                    raw,
                )
            )
            return None

    unit_raw = fields[col["unit"]].strip()
    unit = canonical_unit(unit_raw)
    canonical = (table.unit_of[rec[table.unit_by]],) if table.unit_by is not None else tuple(table.units)
    allowed = _published_units(canonical)
    if unit_raw not in allowed:
        if unit_raw in ("%", "percent", "‰"):
            fix = "write ratios as fractions (0.65, not 65%) and set the unit to 'ratio'"
        else:
            fix = f"use one of: {', '.join(allowed)}"
        problems.append(Problem(path, "unit does not fit this field", fix, line, "unit", unit_raw))
        return None
    rec["unit"] = unit

    raw_value = fields[col["value"]].strip()
    if raw_value == "":
        if not table.allow_blank_value:
            problems.append(Problem(path, "empty value", "fill in the figure", line, "value"))
            return None
        rec["value"] = np.nan
        return rec
    number = _parse_number(raw_value)
    if number is None:
        if raw_value.endswith("%"):
            fix = "write ratios as fractions (0.65, not 65%)"
        elif "," in raw_value:
            fix = "remove the thousands separators (1234567, not 1,234,567)"
        else:
            fix = "write a plain number"
        problems.append(Problem(path, "not a number", fix, line, "value", raw_value))
        return None
    value = to_canonical(raw_value, unit_raw)
    if table.bounds_key is not None and rec[table.bounds_key] in table.bounds_by:
        low, high = table.bounds_by[rec[table.bounds_key]]
    else:
        low, high = table.units[unit]
    if not low <= value <= high:
        if unit == "ratio" and high <= 1 and 1 < number <= 100:
            fix = f"ratios are fractions: write {number / 100:g}, not {raw_value}"
        elif low == 0 and value < 0:
            fix = "counts and amounts cannot be negative; check the sign"
        else:
            fix = f"the value must lie in [{low:g}, {high:g}] {unit}"
        problems.append(Problem(path, f"value out of range for {unit}", fix, line, "value", raw_value))
        return None
    rec["value"] = value
    return rec
