"""One pool's budget form (基本医疗保险基金收支预算表) as a sheet of the budget workbook.

:func:`budget_sheet` lays out a frame of :func:`forecast.apps.budget_layout.budget_sheets`: a title row,
the form's header line (编制单位, 表号, 单位：万元), a two-row header (上年决算数, 本年预算数, 本年预计执行数,
下年预算数, 增减额, 增减%, the prediction interval's 下限/上限), totals above their items with the items
indented, the employee individual accounts, 基本数据, footnotes and the signature line; columns as wide as
their Chinese labels, the header frozen, printing landscape on one page wide.
"""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from .workbook_style import (
    BOLD,
    HEADER_FILL,
    LINE_HEIGHT,
    MONEY_FORMAT,
    MONTHS_FORMAT,
    NO_SHARE,
    PLAIN,
    SHARE_FORMAT,
    TITLE,
    TOTAL_FILL,
    cell,
    cell_number,
    display_width,
    print_setup,
)

__all__ = ["budget_sheet", "HEADER_LABELS", "VALUE_COLUMNS"]

#: the frame's fields shown after the label column, in order (columns B to I)
VALUE_COLUMNS = ("final", "previous_budget", "previous", "budget", "change", "change_share", "lower", "upper")
#: the header's column names (the 财政 form's: 上年决算, 本年预算 as approved, 本年预计, 下年预算)
HEADER_LABELS = ("项目", "上年决算数", "本年预算数", "本年预计执行数", "下年预算数", "增减额", "增减%")
HEADER_ROWS = (4, 5)
FIRST_ROW = 6
LAST_COLUMN = 1 + len(VALUE_COLUMNS)
#: the signature line under each table (the form's 单位负责人 … 制表人 … 日期)
SIGNATURES = (
    "单位负责人：　　　　　财务负责人：　　　　　复核人：　　　　　制表人：　　　　　日期：　　　　年　　月　　日"
)


def _header(ws: Worksheet, meta: dict, labels: dict, level: float) -> None:
    """Title, the form's header line (编制单位, 表号, 单位), the scenario line and the two header rows
    (column names; each column's provenance, and the interval's 下限/上限)."""
    last = get_column_letter(LAST_COLUMN)
    ws.merge_cells(f"A1:{last}1")
    cell(ws, 1, 1, meta["title"], font=TITLE, align=Alignment(horizontal="center", vertical="center"), border=False)
    ws.row_dimensions[1].height = 28
    ws.merge_cells("A2:D2")
    cell(ws, 2, 1, f"编制单位：{meta['unit']}", align=Alignment(horizontal="left"), border=False)
    ws.merge_cells("E2:G2")
    cell(ws, 2, 5, f"表号：{meta['form']}", align=Alignment(horizontal="center"), border=False)
    ws.merge_cells(f"H2:{last}2")
    cell(ws, 2, 8, "单位：万元", align=Alignment(horizontal="right"), border=False)
    ws.merge_cells(f"A3:{last}3")
    cell(ws, 3, 1, meta["subtitle"], align=Alignment(horizontal="left"), border=False)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.merge_cells(start_row=4, start_column=1, end_row=5, end_column=1)
    cell(ws, 4, 1, HEADER_LABELS[0], font=BOLD, align=centre, fill=HEADER_FILL)
    cell(ws, 5, 1, None, font=BOLD, align=centre, fill=HEADER_FILL)
    names = tuple(
        meta.get("previous", label) if field == "previous" else label
        for field, label in zip(VALUE_COLUMNS, HEADER_LABELS[1:])
    )
    for col, (field, label) in enumerate(zip(VALUE_COLUMNS, names), start=2):
        cell(ws, 4, col, label, font=BOLD, align=centre, fill=HEADER_FILL)
        cell(ws, 5, col, labels.get(field) or None, font=PLAIN, align=centre, fill=HEADER_FILL)
    band = len(HEADER_LABELS) + 1
    ws.merge_cells(start_row=4, start_column=band, end_row=4, end_column=band + 1)
    for offset, label in enumerate(("下限", "上限")):
        cell(
            ws,
            4,
            band + offset,
            f"下年预算数{level:.0%}预测区间" if offset == 0 else None,
            font=BOLD,
            align=centre,
            fill=HEADER_FILL,
        )
        cell(ws, 5, band + offset, label, font=BOLD, align=centre, fill=HEADER_FILL)
    ws.row_dimensions[5].height = LINE_HEIGHT * 2


def _table(ws: Worksheet, frame, payg: bool, first: int = FIRST_ROW) -> int:
    """The line items from row ``first``; returns the last row written."""
    row = first - 1
    for row, line in enumerate(frame.itertuples(index=False), start=first):
        strong = line.kind in ("total", "result", "months")
        fill = TOTAL_FILL if line.kind == "total" else None
        font = BOLD if strong or line.kind == "subtotal" else PLAIN
        cell(ws, row, 1, line.label, font=font, fill=fill, align=Alignment(horizontal="left", indent=2 * line.level))
        months = line.kind == "months"
        for col, field in enumerate(VALUE_COLUMNS, start=2):
            value = cell_number(getattr(line, field))
            if field == "change_share":
                fmt = SHARE_FORMAT
                if value is None and cell_number(line.change) is not None:
                    value = NO_SHARE
            else:
                fmt = MONTHS_FORMAT if months else MONEY_FORMAT
            if months and payg and field in ("final", "previous", "budget"):
                value = "不适用"  # financed as it pays: no reserve
            align = Alignment(horizontal="right") if isinstance(value, str) else None
            cell(ws, row, col, value, font=font, fmt=fmt, fill=fill, align=align)
    return row


def _widths(ws: Worksheet, labels, level_of) -> None:
    ws.column_dimensions["A"].width = max(display_width(text) + 4 * level_of(text) for text in labels) + 4
    for col in range(2, 2 + len(VALUE_COLUMNS)):
        ws.column_dimensions[get_column_letter(col)].width = 18  # fits 999,999,999.99 and the headers


def _section(ws: Worksheet, row: int, title: str) -> int:
    """A section heading across the table (个人账户, 基本数据); returns its row."""
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=LAST_COLUMN)
    cell(ws, row, 1, title, font=BOLD, fill=TOTAL_FILL, align=Alignment(horizontal="left"))
    return row


def _accounts(ws: Worksheet, table, start: int) -> int:
    """The individual accounts and the employee total under the pooled fund's table (万元)."""
    row = _section(ws, start, "职工医保个人账户及职工医保基金合计（统筹基金＋个人账户）　单位：万元")
    for row, line in enumerate(table.itertuples(index=False), start=start + 1):
        strong = line.key.startswith("total_")
        cell(
            ws,
            row,
            1,
            line.label,
            font=BOLD if strong else PLAIN,
            align=Alignment(horizontal="left", indent=0 if strong else 2),
        )
        for col, field in enumerate(VALUE_COLUMNS, start=2):
            value = cell_number(getattr(line, field, None))
            fmt = SHARE_FORMAT if field == "change_share" else MONEY_FORMAT
            if field == "change_share" and value is None and cell_number(line.change) is not None:
                value = NO_SHARE
            cell(
                ws,
                row,
                col,
                value,
                fmt=fmt,
                font=BOLD if strong else PLAIN,
                align=Alignment(horizontal="right") if isinstance(value, str) else None,
            )
    return row


def _basic(ws: Worksheet, table, start: int) -> int:
    """基本数据: each row in its own unit (named in its label), its 增减% and provenance."""
    row = _section(ws, start, "基本数据")
    columns = {"final": 2, "previous": 4, "budget": 5, "change_share": 7}
    formats = {"%": "0.00", "元/人·年": MONEY_FORMAT}
    for row, line in enumerate(table.itertuples(index=False), start=start + 1):
        cell(ws, row, 1, line.label, align=Alignment(horizontal="left", indent=2 if line.label.startswith(" ") else 0))
        for col in range(2, LAST_COLUMN + 1):
            field = next((f for f, c in columns.items() if c == col), None)
            value = cell_number(getattr(line, field)) if field else None
            fmt = SHARE_FORMAT if field == "change_share" else formats.get(line.unit, "#,##0.00")
            cell(ws, row, col, line.source if col == 8 else value, fmt=None if col >= 8 else fmt)
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
        cell(ws, last + offset, 1, text, border=False)
    last += len(footnotes) + 3
    ws.merge_cells(start_row=last, start_column=1, end_row=last, end_column=LAST_COLUMN)
    cell(ws, last, 1, SIGNATURES, border=False)
    ws.row_dimensions[last].height = LINE_HEIGHT * 2
    labels = (
        list(frame["label"])
        + (list(accounts["label"]) if accounts is not None else [])
        + (list(basic["label"]) if basic is not None else [])
    )
    levels = dict(zip(frame["label"], frame["level"]))
    _widths(ws, labels, lambda text: levels.get(text, 1))
    ws.freeze_panes = f"B{FIRST_ROW}"
    print_setup(ws, f"{HEADER_ROWS[0]}:{HEADER_ROWS[1]}")
    ws.print_area = f"A1:{get_column_letter(LAST_COLUMN)}{last}"
    return ws
