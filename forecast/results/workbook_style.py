"""The budget workbook's cell styles: number formats, fonts, borders and fills, the display width of
a text, a styled cell (every text an inline string, never a formula), a spreadsheet number (never NaN)
and the print setup (landscape A4, one page wide), shared by the budget form
(:mod:`forecast.results.budget_form`) and the workbook's other sheets (:mod:`forecast.results.workbook`).
"""

from __future__ import annotations

import math

from openpyxl.styles import Border, Font, PatternFill, Side
from openpyxl.worksheet.worksheet import Worksheet

from .neutral import text_cell

__all__ = [
    "BOLD",
    "BOX",
    "HEADER_FILL",
    "LINE_HEIGHT",
    "MONEY_FORMAT",
    "MONTHS_FORMAT",
    "NO_SHARE",
    "PLAIN",
    "SHARE_FORMAT",
    "TITLE",
    "TOTAL_FILL",
    "cell",
    "cell_number",
    "display_width",
    "print_setup",
]

MONEY_FORMAT = "#,##0.00"
MONTHS_FORMAT = "0.0"
SHARE_FORMAT = "0.0%"
#: 增减% of a line whose previous year is 0 (no percentage)
NO_SHARE = "—"

FONT = "SimSun"
TITLE = Font(name=FONT, size=14, bold=True)
BOLD = Font(name=FONT, size=11, bold=True)
PLAIN = Font(name=FONT, size=11)
THIN = Side(style="thin", color="808080")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
#: points per line of wrapped 11-point text
LINE_HEIGHT = 15


def display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet: CJK characters and full-width punctuation count 2."""
    return sum(2 if ord(ch) >= 0x2E80 else 1 for ch in str(text))


def cell(ws: Worksheet, row: int, col: int, value=None, *, font=PLAIN, fmt=None, align=None, fill=None, border=True):
    cell = ws.cell(row=row, column=col, value=value)
    text_cell(cell)  # text is text: a title or a source beginning with '=' is never a formula
    cell.font = font
    if fmt is not None:
        cell.number_format = fmt
    if align is not None:
        cell.alignment = align
    if fill is not None:
        cell.fill = fill
    if border:
        cell.border = BOX
    return cell


def cell_number(value):
    """A finite number for a cell, or None (an empty cell) for NaN: a workbook never shows NaN."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def print_setup(ws: Worksheet, title_rows: str | None = None) -> None:
    """Landscape A4, fitted to one page wide (as many pages tall as needed), centred."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    if title_rows:
        ws.print_title_rows = title_rows
