"""Reading a user's workbook (.xlsx) safely: bounded before anything is unpacked, parsed without entities.

An .xlsx file is a zip of XML parts. :func:`read_sheets` reads it as a regular file of at most
:data:`~forecast.limits.MAX_WORKBOOK_BYTES` (:func:`forecast.inputs.files.read_bytes`), checks the
zip's directory before unpacking anything — parts, each part's and all parts' unpacked size (a zip
bomb is refused unopened; Python's zip reader never unpacks more than a part's stated size) — and
reads the sheets with openpyxl in read-only mode, which parses with defusedxml (a dependency for
this reason): an entity declaration, an entity-expanding ("billion laughs") or an external-entity
part is refused, never expanded or fetched. Rows and columns are read to
:data:`~forecast.limits.MAX_SHEET_ROWS` and :data:`~forecast.limits.MAX_SHEET_COLUMNS`, whatever
dimension the sheet declares (``A1:XFD1048576`` would be 17 billion cells). Anything the parser
cannot read ends in one located message, never an internal error.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

from ..errors import InputError, Problem
from ..limits import (
    MAX_SHEET_COLUMNS,
    MAX_SHEET_ROWS,
    MAX_WORKBOOK_BYTES,
    MAX_WORKBOOK_PART_BYTES,
    MAX_WORKBOOK_PARTS,
    MAX_WORKBOOK_UNPACKED_BYTES,
)
from .files import read_bytes

__all__ = ["read_sheets"]


def _check_archive(path: Path, data: bytes, what: str, fix: str) -> None:
    """The zip's directory within the limits, before any part is unpacked."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise InputError(
            Problem(path, f"not a readable .xlsx workbook (not a zip archive), so not {what}", fix)
        ) from None
    if len(parts) > MAX_WORKBOOK_PARTS:
        raise InputError(
            Problem(
                path,
                f"the workbook has {len(parts):,} parts; {what} has at most {MAX_WORKBOOK_PARTS:,} "
                "(forecast/limits.py)",
                fix,
            )
        )
    largest = max(parts, key=lambda p: p.file_size, default=None)
    if largest is not None and largest.file_size > MAX_WORKBOOK_PART_BYTES:
        raise InputError(
            Problem(
                path,
                f"its part {largest.filename} unpacks to {largest.file_size / 1e6:,.1f} MB; a part of {what} is at "
                f"most {MAX_WORKBOOK_PART_BYTES / 1e6:,.0f} MB (forecast/limits.py)",
                fix,
            )
        )
    total = sum(p.file_size for p in parts)
    if total > MAX_WORKBOOK_UNPACKED_BYTES:
        raise InputError(
            Problem(
                path,
                f"the workbook unpacks to {total / 1e6:,.1f} MB; {what} is at most "
                f"{MAX_WORKBOOK_UNPACKED_BYTES / 1e6:,.0f} MB unpacked (forecast/limits.py)",
                fix,
            )
        )


def read_sheets(
    path: Path | str, what: str, wanted: Callable[[list[str]], list[str]], fix: str
) -> dict[str, list[tuple]]:
    """{sheet name: rows of cell values} of the sheets ``wanted(sheet names)`` chooses, each read to the
    limits; ``what`` names the kind of file and ``fix`` what to give instead, in messages."""
    from openpyxl import (
        load_workbook,
    )  # deferred: openpyxl (0.4 s) only for a workbook (an approved budget CSV never loads it)

    path = Path(path)
    data = read_bytes(path, what, MAX_WORKBOOK_BYTES)
    _check_archive(path, data, what, fix)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            names = wanted(list(book.sheetnames))
            return {
                name: list(book[name].iter_rows(max_row=MAX_SHEET_ROWS, max_col=MAX_SHEET_COLUMNS, values_only=True))
                for name in names
            }
        finally:
            book.close()
    except (InputError, MemoryError):
        raise
    except Exception as exc:  # noqa: BLE001 - only the parser of the user's file runs here: whatever it raises is the file's
        raise InputError(Problem(path, f"not a readable .xlsx workbook ({_reason(exc)})", fix)) from None


def _reason(exc: BaseException) -> str:
    """The first cause of a parser's error (openpyxl wraps the XML parser's in a ValueError), in one line."""
    seen = 0
    while (exc.__cause__ or exc.__context__) is not None and seen < 10:
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    text = str(exc).splitlines()[0][:200] if str(exc) else ""
    return f"{type(exc).__name__}{': ' + text if text else ''}"
