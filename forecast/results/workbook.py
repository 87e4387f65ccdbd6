"""The budget workbook (budget.xlsx): a fund revenue-and-expenditure budget table per pool, then 假设 and 说明.

:func:`budget_workbook` renders the tables of :func:`forecast.apps.budget_layout.budget_sheets`
with openpyxl (already the project's Excel library; its styles cover every format needed), one
sheet per pool named in Chinese, in the layout of a 基本医疗保险基金收支预算表
(:mod:`forecast.results.budget_form`: money as ``#,##0.00``, never General, never scientific;
可支付月数 in months, ``0.0``; every text an inline string, never a formula, through
:mod:`forecast.results.workbook_style`). Then the 假设 sheet (each driver's value and source) and the
说明 sheet (scope, method, exclusions), which this module lays out.
:func:`workbook_writer` gives :func:`~forecast.results.writers.write_files` the function that
saves it, so the file is written atomically like every result.
"""

from __future__ import annotations

import math

from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from .budget_form import HEADER_LABELS, budget_sheet
from .workbook_style import (
    BOLD,
    HEADER_FILL,
    LINE_HEIGHT,
    MONEY_FORMAT,
    MONTHS_FORMAT,
    TITLE,
    cell,
    cell_number,
    display_width,
    print_setup,
)

__all__ = ["budget_workbook", "workbook_writer", "assumptions_sheet", "notes_sheet", "UNITS_ZH", "UNIT_FORMATS"]

#: the 假设 sheet's units in Chinese
UNITS_ZH = {
    "ratio": "比率",
    "yuan": "元",
    "yuan/person/year": "元/人·年",
    "yuan/person/month": "元/人·月",
    "months": "月",
    "year": "年",
    "": "",
}


def _plain_sheet(
    wb: Workbook, name: str, title: str, header: tuple[str, ...], rows, widths: tuple[int, ...]
) -> Worksheet:
    """A titled sheet of rows (lists of cell values or (value, number format) pairs)."""
    ws = wb.create_sheet(name)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    cell(ws, 1, 1, title, font=TITLE, align=Alignment(horizontal="left", vertical="center"), border=False)
    wrap = Alignment(wrap_text=True, vertical="top")
    for col, label in enumerate(header, start=1):
        cell(ws, 2, col, label, font=BOLD, fill=HEADER_FILL, align=Alignment(horizontal="center"))
    for r, values in enumerate(rows, start=3):
        lines = 1
        for col, value in enumerate(values, start=1):
            value, fmt = value if isinstance(value, tuple) else (value, None)
            cell(ws, r, col, value, fmt=fmt, align=wrap if fmt is None else Alignment(vertical="top"))
            if isinstance(value, str):
                lines = max(lines, math.ceil(display_width(value) / max(widths[col - 1] - 2, 1)))
        ws.row_dimensions[r].height = (
            LINE_HEIGHT * lines
        )  # spreadsheets do not grow a row for wrapped text they did not lay out
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "A3"
    print_setup(ws, "2:2")
    return ws


#: number formats of the assumptions' values by unit
UNIT_FORMATS = {
    "ratio": "0.00%",
    "yuan": MONEY_FORMAT,
    "yuan/person/year": MONEY_FORMAT,
    "yuan/person/month": MONEY_FORMAT,
    "months": MONTHS_FORMAT,
    "year": "0",
}


def assumptions_sheet(wb: Workbook, rows: list[dict], title: str) -> Worksheet:
    """The 假设 sheet: each assumption stated in plain Chinese (what it is, its value in the budget
    year, its unit, how it is set and where it comes from); no file path, no scenario key."""

    table = []
    for r in rows:
        value = cell_number(r["value"]) if r["value"] is not None else None
        cell = (value, UNIT_FORMATS.get(r["unit"], "#,##0.0000")) if value is not None else r.get("missing", "—")
        table.append([r["category"], r["name"], cell, UNITS_ZH.get(r["unit"], r["unit"]), r["written"], r["source"]])
    widths = (10, max([display_width(r["name"]) for r in rows] + [20]) + 2, 16, 10, 50, 50)
    return _plain_sheet(wb, "假设", title, ("类别", "假设", "下年取值", "单位", "取值方法", "来源"), table, widths)


def notes_sheet(wb: Workbook, rows: list[tuple[str, str]], title: str) -> Worksheet:
    """The 说明 sheet: scope, method, columns, exclusions."""
    return _plain_sheet(wb, "说明", title, ("项目", "说明"), [list(r) for r in rows], (16, 110))


def budget_workbook(
    sheets: dict, names: dict, meta: dict, assumptions: list[dict], notes: list[tuple[str, str]]
) -> Workbook:
    """The workbook: one budget form per pool (``sheets``: pool -> frame; ``names``: pool -> sheet
    name), then 假设 and 说明. ``meta``: year, region (as outputs name it), scenario, base_year,
    footnotes (pool -> lines under the table), accounts (the employee individual accounts, or
    None), basic (pool -> 基本数据)."""
    wb = Workbook()
    wb.remove(wb.active)
    year, region = meta["year"], meta.get("region", "")
    for number, (pool, frame) in enumerate(sheets.items(), start=1):
        header = {
            "title": f"{region}{year}年{names[pool]}收支预算表",
            "unit": region,
            "form": f"医保基金预算{number:02d}表",
            "previous": meta.get("previous_label", HEADER_LABELS[3]),
            "subtitle": f"情景：{meta.get('scenario', '')}　基年：{meta.get('base_year', '')}年"
            + ("　示例数据，仅供演示，不能作为预算依据" if meta.get("example") else ""),
        }
        budget_sheet(
            wb,
            names[pool],
            frame,
            header,
            meta.get("footnotes", {}).get(pool, ()),
            meta.get("accounts") if pool == "employee" else None,
            meta.get("basic", {}).get(pool),
        )
    assumptions_sheet(wb, assumptions, f"{year}年预算测算假设（各项假设的取值与来源）")
    notes_sheet(wb, notes, f"{year}年预算测算说明")
    return wb


def workbook_writer(wb: Workbook):
    """A function saving ``wb`` at a path (for :func:`~forecast.results.writers.write_files`)."""

    def write(path):
        wb.save(path)

    return write
