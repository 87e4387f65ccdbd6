"""Generated files of the hostile-input cases (issue 21), beside :mod:`tests.bad_inputs.mutate`.

What cannot be written inline in cases.yaml: FIFOs and devices where a file is expected, workbooks
whose XML parts are malformed, entity-expanding or external-entity, a zip bomb, a sheet declaring
A1:XFD1048576, and previous reports whose JSON is large and malformed or of the wrong shape.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path

#: the workbook's pool sheet as openpyxl writes it
SHEET = "xl/worksheets/sheet1.xml"


def pool_sheet(rows: list[list]) -> bytes:
    """A workbook with the employee pool's sheet as 'forecast budget' lays it out (unit line, header
    with 本年预算数 in column D), then ``rows`` (label, 上年预算数, 上年执行数, 本年预算数)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "职工医保统筹基金"
    ws["H2"] = "单位：万元"
    for col, label in enumerate(("项目", "上年预算数", "上年执行数", "本年预算数"), start=1):
        ws.cell(3, col, label)
    ws.append([])
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _approved_workbook() -> bytes:
    """A small approved budget: the employee pool's 收入合计 and 支出合计 in 万元."""
    return pool_sheet([["一、收入合计", None, None, 180000000], ["二、支出合计", None, None, 140000000]])


def _with_part(data: bytes, name: str, change) -> bytes:
    """The workbook ``data`` with its part ``name`` replaced by ``change(old bytes)``."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            target.writestr(info.filename, change(content) if info.filename == name else content)
    return out.getvalue()


def _sheet_written(folder: Path, change) -> None:
    (folder / "budget.xlsx").write_bytes(_with_part(_approved_workbook(), SHEET, change))


def _doctype(declarations: str):
    def change(xml: bytes) -> bytes:
        assert b"<v>180000000</v>" in xml, xml[:300]
        return xml.replace(b"<worksheet", f"<!DOCTYPE worksheet [{declarations}]><worksheet".encode(), 1).replace(
            b"<v>180000000</v>", b"<v>&e;</v>"
        )

    return change


def approved_workbook(folder: Path, baseline: Path) -> None:
    (folder / "budget.xlsx").write_bytes(_approved_workbook())


def whole_sheet_dimension(folder: Path, baseline: Path) -> None:
    import re

    last = b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'
    _sheet_written(
        folder,
        lambda xml: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', xml).replace(
            b"</sheetData>", last
        ),
    )


def malformed_sheet(folder: Path, baseline: Path) -> None:
    _sheet_written(folder, lambda xml: xml.replace(b"</sheetData>", b"<row><c r='A9'><v>1</c></sheetData>"))


def billion_laughs_sheet(folder: Path, baseline: Path) -> None:
    entities = (
        '<!ENTITY a "lollollollollollollollollollol">'
        + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8))
        + '<!ENTITY e "&i;">'
    )
    _sheet_written(folder, _doctype(entities))


def external_entity_sheet(folder: Path, baseline: Path) -> None:
    _sheet_written(folder, _doctype('<!ENTITY e SYSTEM "file:///etc/passwd">'))


def zip_bomb_sheet(folder: Path, baseline: Path) -> None:
    """A sheet that unpacks to 200 MB (stored in about 200 KB)."""
    _sheet_written(folder, lambda xml: xml.replace(b"</sheetData>", b"</sheetData>" + b" " * 200_000_000))


def fifo_actuals(folder: Path, baseline: Path) -> None:
    os.mkfifo(folder / "actuals.csv")


def fifo_budget_csv(folder: Path, baseline: Path) -> None:
    os.mkfifo(folder / "approved.csv")


def fifo_workbook(folder: Path, baseline: Path) -> None:
    os.mkfifo(folder / "budget.xlsx")


def fifo_scenario(folder: Path, baseline: Path) -> None:
    os.mkfifo(folder / "case.yaml")


def dev_zero_actuals(folder: Path, baseline: Path) -> None:
    os.symlink("/dev/zero", folder / "actuals.csv")


def users_tables_in_out(folder: Path, baseline: Path) -> None:
    """A folder holding the user's own tables where init-region writes its bundle."""
    (folder / "out").mkdir()
    (folder / "out" / "insured.csv").write_text("the user's own insured persons\n", encoding="utf-8")
    (folder / "out" / "fund_history.csv").write_text("the user's own fund history\n", encoding="utf-8")


def users_summary_in_out(folder: Path, baseline: Path) -> None:
    (folder / "out").mkdir()
    (folder / "out" / "summary.csv").write_text("the user's own summary\n", encoding="utf-8")


def _previous_report(folder: Path, block: str) -> None:
    (folder / "prev").mkdir()
    (folder / "prev" / "report.html").write_text(
        f'<html><script type="application/json" id="forecast-headline">{block}</script></html>', encoding="utf-8"
    )


def previous_report_unclosed(folder: Path, baseline: Path) -> None:
    """40 MB of JSON block openings, none closed: quadratic for a regular expression."""
    (folder / "prev").mkdir()
    (folder / "prev" / "report.html").write_text(
        '<script type="application/json" id="forecast-headline">[' * 700_000, encoding="utf-8"
    )


def previous_report_nested(folder: Path, baseline: Path) -> None:
    _previous_report(folder, "[" * 1_000_000 + "]" * 1_000_000)


def previous_report_empty(folder: Path, baseline: Path) -> None:
    _previous_report(folder, "{}")


def previous_report_list(folder: Path, baseline: Path) -> None:
    _previous_report(folder, "[1, 2]")


def previous_report_year_as_text(folder: Path, baseline: Path) -> None:
    figures = {
        "scenario_title": "t",
        "scenario_files": [],
        "base_year": 2024,
        "horizon": "2060",
        "draws": None,
        "pools": {
            "employee": {
                "reserve": {"2030": 1e12},
                "months_covered": {"2030": 20.0},
                "first_deficit_year": "2035",
                "exhaustion_year": None,
            }
        },
    }
    _previous_report(folder, json.dumps(figures))


def previous_report_nan(folder: Path, baseline: Path) -> None:
    _previous_report(folder, '{"base_year": 2024, "horizon": 2060, "pools": {"employee": {"reserve": {"2030": NaN}}}}')


FILES = {
    name: function
    for name, function in globals().items()
    if callable(function) and not name.startswith("_") and function.__module__ == __name__
}
