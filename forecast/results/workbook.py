"""The budget workbook (budget.xlsx): a fund revenue-and-expenditure budget table per pool.

:func:`budget_workbook` renders the tables of :func:`forecast.apps.budget_layout.budget_sheets`
with openpyxl (already the project's Excel library; its styles cover every format needed), one
sheet per pool named in Chinese, in the layout of a 基本医疗保险基金收支预算表: a title row, a
unit line (单位：万元), a two-row header (上年预算数, 上年执行数, 本年预算数, 增减额, 增减%, the
prediction interval's 下限/上限), totals above their items with the items indented, money as
``#,##0.00`` (never General, never scientific), every text an inline string (never a formula), 可支付月数 in months (``0.0``), columns as wide
as their Chinese labels, the header frozen, and printing landscape on one page wide. Then the
假设 sheet (each driver's value and source) and the 说明 sheet (scope, method, exclusions).
:func:`workbook_writer` gives :func:`~forecast.results.writers.write_files` the function that
saves it, so the file is written atomically like every result.
"""

from __future__ import annotations

import math

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from .neutral import text_cell

__all__ = ["budget_workbook", "workbook_writer", "MONEY_FORMAT", "MONTHS_FORMAT", "SHARE_FORMAT", "display_width"]

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

#: the frame's fields shown after the label column, in order (columns B to I)
VALUE_COLUMNS = ("final", "previous_budget", "previous", "budget", "change", "change_share", "lower", "upper")
#: the header's column names (the 财政 form's: 上年决算, 本年预算 as approved, 本年预计, 下年预算)
HEADER_LABELS = ("项目", "上年决算数", "本年预算数", "本年预计执行数", "下年预算数", "增减额", "增减%")
HEADER_ROWS = (4, 5)
#: points per line of wrapped 11-point text
LINE_HEIGHT = 15
FIRST_ROW = 6
LAST_COLUMN = 1 + len(VALUE_COLUMNS)
#: the signature line under each table (the form's 单位负责人 … 制表人 … 日期)
SIGNATURES = "单位负责人：　　　　　财务负责人：　　　　　复核人：　　　　　制表人：　　　　　日期：　　　　年　　月　　日"


#: the 假设 sheet's units in Chinese
UNITS_ZH = {"ratio": "比率", "yuan": "元", "yuan/person/year": "元/人·年", "yuan/person/month": "元/人·月", "months": "月", "year": "年", "": ""}


def display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet: CJK characters and full-width punctuation count 2."""
    return sum(2 if ord(ch) >= 0x2E80 else 1 for ch in str(text))


def _cell(ws: Worksheet, row: int, col: int, value=None, *, font=PLAIN, fmt=None, align=None, fill=None, border=True):
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


def _number(value):
    """A finite number for a cell, or None (an empty cell) for NaN: a workbook never shows NaN."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _print_setup(ws: Worksheet, title_rows: str | None = None) -> None:
    """Landscape A4, fitted to one page wide (as many pages tall as needed), centred."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    if title_rows:
        ws.print_title_rows = title_rows


def _header(ws: Worksheet, meta: dict, labels: dict, level: float) -> None:
    """Title, the form's header line (编制单位, 表号, 单位), the scenario line and the two header rows
    (column names; each column's provenance, and the interval's 下限/上限)."""
    last = get_column_letter(LAST_COLUMN)
    ws.merge_cells(f"A1:{last}1")
    _cell(ws, 1, 1, meta["title"], font=TITLE, align=Alignment(horizontal="center", vertical="center"), border=False)
    ws.row_dimensions[1].height = 28
    ws.merge_cells("A2:D2")
    _cell(ws, 2, 1, f"编制单位：{meta['unit']}", align=Alignment(horizontal="left"), border=False)
    ws.merge_cells("E2:G2")
    _cell(ws, 2, 5, f"表号：{meta['form']}", align=Alignment(horizontal="center"), border=False)
    ws.merge_cells(f"H2:{last}2")
    _cell(ws, 2, 8, "单位：万元", align=Alignment(horizontal="right"), border=False)
    ws.merge_cells(f"A3:{last}3")
    _cell(ws, 3, 1, meta["subtitle"], align=Alignment(horizontal="left"), border=False)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.merge_cells(start_row=4, start_column=1, end_row=5, end_column=1)
    _cell(ws, 4, 1, HEADER_LABELS[0], font=BOLD, align=centre, fill=HEADER_FILL)
    _cell(ws, 5, 1, None, font=BOLD, align=centre, fill=HEADER_FILL)
    names = tuple(meta.get("previous", label) if field == "previous" else label for field, label in zip(VALUE_COLUMNS, HEADER_LABELS[1:]))
    for col, (field, label) in enumerate(zip(VALUE_COLUMNS, names), start=2):
        _cell(ws, 4, col, label, font=BOLD, align=centre, fill=HEADER_FILL)
        _cell(ws, 5, col, labels.get(field) or None, font=PLAIN, align=centre, fill=HEADER_FILL)
    band = len(HEADER_LABELS) + 1
    ws.merge_cells(start_row=4, start_column=band, end_row=4, end_column=band + 1)
    for offset, label in enumerate(("下限", "上限")):
        _cell(ws, 4, band + offset, f"下年预算数{level:.0%}预测区间" if offset == 0 else None, font=BOLD, align=centre, fill=HEADER_FILL)
        _cell(ws, 5, band + offset, label, font=BOLD, align=centre, fill=HEADER_FILL)
    ws.row_dimensions[5].height = LINE_HEIGHT * 2


def _table(ws: Worksheet, frame, payg: bool, first: int = FIRST_ROW) -> int:
    """The line items from row ``first``; returns the last row written."""
    row = first - 1
    for row, line in enumerate(frame.itertuples(index=False), start=first):
        strong = line.kind in ("total", "result", "months")
        fill = TOTAL_FILL if line.kind == "total" else None
        font = BOLD if strong or line.kind == "subtotal" else PLAIN
        _cell(ws, row, 1, line.label, font=font, fill=fill, align=Alignment(horizontal="left", indent=2 * line.level))
        months = line.kind == "months"
        for col, field in enumerate(VALUE_COLUMNS, start=2):
            value = _number(getattr(line, field))
            if field == "change_share":
                fmt = SHARE_FORMAT
                if value is None and _number(line.change) is not None:
                    value = NO_SHARE
            else:
                fmt = MONTHS_FORMAT if months else MONEY_FORMAT
            if months and payg and field in ("final", "previous", "budget"):
                value = "不适用"  # financed as it pays: no reserve
            align = Alignment(horizontal="right") if isinstance(value, str) else None
            _cell(ws, row, col, value, font=font, fmt=fmt, fill=fill, align=align)
    return row


def _widths(ws: Worksheet, labels, level_of) -> None:
    ws.column_dimensions["A"].width = max(display_width(text) + 4 * level_of(text) for text in labels) + 4
    for col in range(2, 2 + len(VALUE_COLUMNS)):
        ws.column_dimensions[get_column_letter(col)].width = 18  # fits 999,999,999.99 and the headers


def _section(ws: Worksheet, row: int, title: str) -> int:
    """A section heading across the table (个人账户, 基本数据); returns its row."""
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=LAST_COLUMN)
    _cell(ws, row, 1, title, font=BOLD, fill=TOTAL_FILL, align=Alignment(horizontal="left"))
    return row


def _accounts(ws: Worksheet, table, start: int) -> int:
    """The individual accounts and the employee total under the pooled fund's table (万元)."""
    row = _section(ws, start, "职工医保个人账户及职工医保基金合计（统筹基金＋个人账户）　单位：万元")
    for row, line in enumerate(table.itertuples(index=False), start=start + 1):
        strong = line.key.startswith("total_")
        _cell(ws, row, 1, line.label, font=BOLD if strong else PLAIN, align=Alignment(horizontal="left", indent=0 if strong else 2))
        for col, field in enumerate(VALUE_COLUMNS, start=2):
            value = _number(getattr(line, field, None))
            fmt = SHARE_FORMAT if field == "change_share" else MONEY_FORMAT
            if field == "change_share" and value is None and _number(line.change) is not None:
                value = NO_SHARE
            _cell(ws, row, col, value, fmt=fmt, font=BOLD if strong else PLAIN, align=Alignment(horizontal="right") if isinstance(value, str) else None)
    return row


def _basic(ws: Worksheet, table, start: int) -> int:
    """基本数据: each row in its own unit (named in its label), its 增减% and provenance."""
    row = _section(ws, start, "基本数据")
    columns = {"final": 2, "previous": 4, "budget": 5, "change_share": 7}
    formats = {"%": "0.00", "元/人·年": MONEY_FORMAT}
    for row, line in enumerate(table.itertuples(index=False), start=start + 1):
        _cell(ws, row, 1, line.label, align=Alignment(horizontal="left", indent=2 if line.label.startswith(" ") else 0))
        for col in range(2, LAST_COLUMN + 1):
            field = next((f for f, c in columns.items() if c == col), None)
            value = _number(getattr(line, field)) if field else None
            fmt = SHARE_FORMAT if field == "change_share" else formats.get(line.unit, "#,##0.00")
            _cell(ws, row, col, line.source if col == 8 else value, fmt=None if col >= 8 else fmt)
        ws.merge_cells(start_row=row, start_column=8, end_row=row, end_column=LAST_COLUMN)
    return row


def budget_sheet(wb: Workbook, name: str, frame, meta: dict, footnotes, accounts=None, basic=None) -> Worksheet:
    """One pool's budget form as the sheet ``name``: title, the form's header line (编制单位, 表号,
    单位：万元), header, the 收支 lines, the individual accounts (employees), 基本数据, footnotes and
    the signature line; printable on A4 landscape (print area and titles set)."""
    ws = wb.create_sheet(name)
    _header(ws, meta, frame.attrs.get("labels", {}), frame.attrs.get("level", 0.8))
    last = _table(ws, frame, frame.attrs.get("payg", False))
    if accounts is not None:
        last = _accounts(ws, accounts, last + 2)
    if basic is not None and len(basic):
        last = _basic(ws, basic, last + 2)
    for offset, text in enumerate(footnotes, start=2):
        ws.merge_cells(start_row=last + offset, start_column=1, end_row=last + offset, end_column=LAST_COLUMN)
        _cell(ws, last + offset, 1, text, border=False)
    last += len(footnotes) + 3
    ws.merge_cells(start_row=last, start_column=1, end_row=last, end_column=LAST_COLUMN)
    _cell(ws, last, 1, SIGNATURES, border=False)
    ws.row_dimensions[last].height = LINE_HEIGHT * 2
    labels = list(frame["label"]) + (list(accounts["label"]) if accounts is not None else []) + (list(basic["label"]) if basic is not None else [])
    levels = dict(zip(frame["label"], frame["level"]))
    _widths(ws, labels, lambda text: levels.get(text, 1))
    ws.freeze_panes = f"B{FIRST_ROW}"
    _print_setup(ws, f"{HEADER_ROWS[0]}:{HEADER_ROWS[1]}")
    ws.print_area = f"A1:{get_column_letter(LAST_COLUMN)}{last}"
    return ws


def _plain_sheet(wb: Workbook, name: str, title: str, header: tuple[str, ...], rows, widths: tuple[int, ...]) -> Worksheet:
    """A titled sheet of rows (lists of cell values or (value, number format) pairs)."""
    ws = wb.create_sheet(name)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    _cell(ws, 1, 1, title, font=TITLE, align=Alignment(horizontal="left", vertical="center"), border=False)
    wrap = Alignment(wrap_text=True, vertical="top")
    for col, label in enumerate(header, start=1):
        _cell(ws, 2, col, label, font=BOLD, fill=HEADER_FILL, align=Alignment(horizontal="center"))
    for r, values in enumerate(rows, start=3):
        lines = 1
        for col, value in enumerate(values, start=1):
            value, fmt = value if isinstance(value, tuple) else (value, None)
            _cell(ws, r, col, value, fmt=fmt, align=wrap if fmt is None else Alignment(vertical="top"))
            if isinstance(value, str):
                lines = max(lines, math.ceil(display_width(value) / max(widths[col - 1] - 2, 1)))
        ws.row_dimensions[r].height = LINE_HEIGHT * lines  # spreadsheets do not grow a row for wrapped text they did not lay out
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "A3"
    _print_setup(ws, "2:2")
    return ws


#: number formats of the assumptions' values by unit
UNIT_FORMATS = {"ratio": "0.00%", "yuan": MONEY_FORMAT, "yuan/person/year": MONEY_FORMAT, "yuan/person/month": MONEY_FORMAT, "months": MONTHS_FORMAT, "year": "0"}


def assumptions_sheet(wb: Workbook, rows: list[dict], title: str) -> Worksheet:
    """The 假设 sheet: each assumption stated in plain Chinese (what it is, its value in the budget
    year, its unit, how it is set and where it comes from); no file path, no scenario key."""

    table = []
    for r in rows:
        value = _number(r["value"]) if r["value"] is not None else None
        cell = (value, UNIT_FORMATS.get(r["unit"], "#,##0.0000")) if value is not None else r.get("missing", "—")
        table.append([r["category"], r["name"], cell, UNITS_ZH.get(r["unit"], r["unit"]), r["written"], r["source"]])
    widths = (10, max([display_width(r["name"]) for r in rows] + [20]) + 2, 16, 10, 50, 50)
    return _plain_sheet(wb, "假设", title, ("类别", "假设", "下年取值", "单位", "取值方法", "来源"), table, widths)


def notes_sheet(wb: Workbook, rows: list[tuple[str, str]], title: str) -> Worksheet:
    """The 说明 sheet: scope, method, columns, exclusions."""
    return _plain_sheet(wb, "说明", title, ("项目", "说明"), [list(r) for r in rows], (16, 110))


def budget_workbook(sheets: dict, names: dict, meta: dict, assumptions: list[dict], notes: list[tuple[str, str]]) -> Workbook:
    """The workbook: one budget form per pool (``sheets``: pool -> frame; ``names``: pool -> sheet
    name), then 假设 and 说明. ``meta``: year, region (as outputs name it), scenario, base_year,
    footnotes (pool -> lines under the table), accounts (the employee individual accounts, or
    None), basic (pool -> 基本数据)."""
    wb = Workbook()
    wb.remove(wb.active)
    year, region = meta["year"], meta.get("region", "")
    for number, (pool, frame) in enumerate(sheets.items(), start=1):
        header = {"title": f"{region}{year}年{names[pool]}收支预算表", "unit": region, "form": f"医保基金预算{number:02d}表", "previous": meta.get("previous_label", HEADER_LABELS[3]),
                  "subtitle": f"情景：{meta.get('scenario', '')}　基年：{meta.get('base_year', '')}年" + ("　示例数据，仅供演示，不能作为预算依据" if meta.get("example") else "")}
        budget_sheet(wb, names[pool], frame, header, meta.get("footnotes", {}).get(pool, ()),
                     meta.get("accounts") if pool == "employee" else None, meta.get("basic", {}).get(pool))
    assumptions_sheet(wb, assumptions, f"{year}年预算测算假设（各项假设的取值与来源）")
    notes_sheet(wb, notes, f"{year}年预算测算说明")
    return wb


def workbook_writer(wb: Workbook):
    """A function saving ``wb`` at a path (for :func:`~forecast.results.writers.write_files`)."""

    def write(path):
        wb.save(path)

    return write
