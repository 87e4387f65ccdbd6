"""The data rows of a bureau's small CSV (year-to-date actuals, :mod:`forecast.apps.execution`; an
approved budget, :mod:`forecast.apps.approved_readers`): read through the bounded reader, the header
checked for the columns required, each row with its line number; a located error for a bad header,
a short row, a file too long, a CSV syntax error or a file with no data.
"""

from __future__ import annotations

import csv
from pathlib import Path

from ..errors import InputError, Problem
from ..inputs.files import read_text
from ..limits import MAX_CSV_BYTES, MAX_CSV_ROWS

__all__ = ["read_csv_rows"]


def read_csv_rows(
    path: Path, columns: tuple[str, ...], what: str = "an execution CSV", optional: tuple[str, ...] = ()
) -> list[tuple[int, dict]]:
    """(line, {column: text}) for each data row of ``what`` (``optional`` columns where the header
    has them); a located error for a bad header or row."""
    text = read_text(path, what, MAX_CSV_BYTES)
    reader = csv.reader(text.splitlines())
    header, rows = None, []
    try:
        for fields in reader:
            if not any(f.strip() for f in fields):
                continue
            if header is None:
                header = [h.strip() for h in fields]
                missing = [c for c in columns if c not in header]
                if missing:
                    raise InputError(
                        Problem(
                            path,
                            f"missing column(s) {', '.join(missing)} (columns found: {', '.join(header) or 'none'})",
                            f"the header must be: {','.join(columns)}",
                            reader.line_num,
                        )
                    )
                continue
            if len(fields) != len(header):
                raise InputError(
                    Problem(
                        path,
                        f"{len(fields)} fields where the header has {len(header)}",
                        "give every row the header's columns (an empty cell is still separated by a comma)",
                        reader.line_num,
                    )
                )
            rows.append(
                (reader.line_num, {c: fields[header.index(c)].strip() for c in (*columns, *optional) if c in header})
            )
            if len(rows) > MAX_CSV_ROWS:
                raise InputError(
                    Problem(
                        path, f"more than {MAX_CSV_ROWS:,} rows", "check that this is the right file", reader.line_num
                    )
                )
    except csv.Error as exc:
        raise InputError(
            Problem(path, f"CSV syntax error: {exc}", "check for an unclosed quote", reader.line_num)
        ) from None
    if header is None:
        raise InputError(
            Problem(path, "the file is empty", f"write the header {','.join(columns)} and one row per pool and month")
        )
    if not rows:
        raise InputError(Problem(path, "the file has a header but no data rows", "add one row per pool and month", 2))
    return rows
