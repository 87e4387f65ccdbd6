"""The input template (``forecast template --out 本地数据.xlsx``): a bureau's figures in a workbook
instead of FIGURES.yaml, read back with the same validation.

The workbook has a sheet of instructions, key–value sheets (基本信息, 人口, 参保: one field a row, its
Chinese label, the value to fill, a note) and two tables (基金: one row per fund year and pool; 来源:
the register of sources cited). :func:`read_template` reads a filled workbook as FIGURES.yaml's
fields which :func:`forecast.apps.regions.figures.read_figures` checks, every problem
located by sheet and row. :func:`template_workbook` writes it empty, or filled from a FIGURES.yaml
(``forecast template --from examples/figures.yaml``), so the two forms carry the same figures.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ...errors import Problem
from ...inputs.yamlfile import LineDict
from .figures_reader import FigureReader

__all__ = ["template_workbook", "read_template", "FIELDS", "TABLES", "INSTRUCTIONS"]

#: key-value sheets: sheet -> [(field path, label, note)]
FIELDS: dict[str, list[tuple[str, str, str]]] = {
    "基本信息": [
        ("name", "地区名称", "必填，如 黔东南州"),
        ("name_en", "英文名称", "可不填"),
        ("level", "层级", "prefecture（地市）或 county（区县）"),
        ("province", "所属省份", "如 贵州；须与 forecast init-region 的 --province 一致"),
        ("base_year", "基金基年", "可不填：默认为参保人数的年份"),
    ],
    "人口": [
        ("population.total", "常住人口（2020年普查，人）", "必填：第七次全国人口普查公报"),
        ("population.male", "其中：男（人）", "可不填"),
        ("population.female", "其中：女（人）", "可不填"),
        ("population.ages.0-14", "0–14岁（人）", "可不填"),
        ("population.ages.15-59", "15–59岁（人）", "可不填"),
        ("population.ages.60-64", "60–64岁（人）", "可不填"),
        ("population.ages.65+", "65岁及以上（人）", "可不填"),
        ("population.registered", "户籍人口（人）", "参保人数按户籍统计时填写"),
        ("population.registered_source", "户籍人口来源编号", "“来源”表中的编号"),
        ("population.source", "普查人口来源编号", "“来源”表中的编号"),
        ("life_expectancy.value", "本省人均预期寿命（岁）", "可不填"),
        ("life_expectancy.year", "预期寿命年份", ""),
        ("life_expectancy.source", "预期寿命来源编号", ""),
    ],
    "参保": [
        ("insured.year", "统计年份", "参保人数的年份，如 2023"),
        ("insured.unit", "单位", "人 或 万人"),
        ("insured.employee.all", "职工医保参保人数", ""),
        ("insured.employee.in_service", "其中：在职职工", "可不填：按全国比例拆分"),
        ("insured.employee.retired", "其中：退休人员", "可不填"),
        ("insured.resident", "城乡居民医保参保人数", ""),
        ("insured.total", "参保总人数", "仅在未分险种时填写"),
        ("insured.scope", "统计口径", "空：常住人口口径；registered：户籍口径"),
        ("insured.source", "来源编号", "“来源”表中的编号"),
    ],
}
#: tables: sheet -> (document key, [(column key, header)])
TABLES: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "基金": (
        "funds",
        [
            ("year", "年份"),
            ("months", "月数（12为全年）"),
            ("unit", "单位（元/万元/亿元）"),
            ("pool", "险种"),
            ("income", "收入"),
            ("expenditure", "支出"),
            ("reserve", "年末累计结余"),
            ("source", "来源编号"),
            ("note", "备注"),
        ],
    ),
    "来源": (
        "sources",
        [
            ("id", "编号"),
            ("title", "标题"),
            ("publisher", "发布机关"),
            ("date", "日期"),
            ("url", "网址"),
            ("read_via", "获取途径"),
        ],
    ),
}
#: the pool column's words -> the pool
POOLS = {
    "职工医保": "employee",
    "城乡居民医保": "resident",
    "医疗救助": "medical_assistance",
    "employee": "employee",
    "resident": "resident",
    "medical_assistance": "medical_assistance",
}
POOL_WORDS = {"employee": "职工医保", "resident": "城乡居民医保", "medical_assistance": "医疗救助"}
INSTRUCTIONS = (
    "本表用于填报本地人口、参保和基金数据，填好后用 forecast init-region 目录 --province 省份 --from 本表.xlsx "
    "建立本地数据包。",
    "“基本信息”“人口”“参保”三张表：每行一个项目，在“填写”列填数字或文字，不填的留空；单位见各行说明。",
    "“基金”表：每个年份、每个险种一行（险种填 职工医保、城乡居民医保 或 医疗救助）；不足全年的填实际月数（如1–5月填5）"
    "，程序按全国季节进度推算全年并注明。",
    "“来源”表：每个数据的出处一行（编号自定，如 LOCAL_2023），其他表的“来源编号”填这里的编号。",
    "职工医保的收支如为统筹基金与个人账户合计，在“基金”表备注中写明；程序会在所有输出中标明口径。",
    "数字只用阿拉伯数字和小数点，不加千分位逗号；出错时程序给出表名、行号和改法，不会生成数据包。",
)


def _set(doc: dict, path: str, value, where: str, row: int) -> None:
    """Put ``value`` at the dotted ``path`` of ``doc`` (nested SheetDicts), recording its sheet and row."""
    parts = (
        path.split(".") if not path.startswith("population.ages.") else ["population", "ages", path.rsplit(".", 1)[1]]
    )
    node = doc
    for part in parts[:-1]:
        node = node.setdefault(part, SheetDict(where))
        node.rows.setdefault(part, row)
    node[parts[-1]] = value
    node.rows[parts[-1]] = row


class SheetDict(LineDict):
    """A mapping read from one sheet: each key's row (``line_of``) and the sheet's name."""

    def __init__(self, sheet: str):
        super().__init__()
        self.sheet, self.rows = sheet, {}
        self.lines = self.rows


class TemplateReader(FigureReader):
    """FIGURES.yaml's located checks, each problem placed at its sheet and row."""

    def fail(self, node, key, message, fix, value=None, prefix=""):
        sheet = getattr(node, "sheet", None)
        row = node.line_of(key) if hasattr(node, "line_of") else None
        where = f"{self.path}, sheet {sheet}" + (f", row {row}" if row else "") if sheet else str(self.path)
        self.problems.append(Problem(where, message, fix, None, f"{prefix}{key}", value))


def _cell_value(value):
    """A cell as FIGURES.yaml would hold it: whole numbers as int (a year), text stripped, empty as None."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def _fields(doc: dict, sheet: str, rows: list[tuple]) -> None:
    labels = {label: path for path, label, _ in FIELDS[sheet]}
    for number, row in enumerate(rows, start=1):
        if not row or row[0] is None or str(row[0]).strip() not in labels or len(row) < 2:
            continue
        value = _cell_value(row[1])
        if value is not None:
            _set(doc, labels[str(row[0]).strip()], value, sheet, number)
    employee = doc.get("insured", {}).get("employee")
    if isinstance(employee, dict) and set(employee) == {"all"}:  # only the total: the plain form
        doc["insured"]["employee"] = employee["all"]


def _table(sheet: str, rows: list[tuple]) -> list[tuple[int, dict]]:
    """(row number, {column key: value}) of a table's filled rows (the header is row 1)."""
    columns = [key for key, _ in TABLES[sheet][1]]
    out = []
    for number, row in enumerate(rows[1:], start=2):
        values = {key: _cell_value(row[i]) if i < len(row) else None for i, key in enumerate(columns)}
        if any(v is not None for v in values.values()):
            out.append((number, values))
    return out


def _funds(doc: dict, rows) -> None:
    """基金 rows grouped into FIGURES.yaml's fund years: one entry per year, months, unit, source and note."""
    entries: dict[tuple, SheetDict] = {}
    for number, row in rows:
        key = (row["year"], row["months"] or 12, row["unit"] or "万元", row["source"] or "", row["note"] or "")
        entry = entries.get(key)
        if entry is None:
            entry = entries[key] = SheetDict("基金")
            for name, value in zip(("year", "months", "unit", "source", "note"), key):
                if value != "":
                    entry[name], entry.rows[name] = value, number
        pool = POOLS.get(str(row["pool"] or ""), str(row["pool"] or ""))
        block = SheetDict("基金")
        for item in ("income", "expenditure", "reserve"):
            if row[item] is not None:
                block[item], block.rows[item] = row[item], number
        entry[pool], entry.rows[pool] = block, number
    doc["funds"] = list(entries.values())


def _sources(doc: dict, rows) -> None:
    register = SheetDict("来源")
    for number, row in rows:
        entry = SheetDict("来源")
        for key, value in row.items():
            if key != "id" and value is not None:
                entry[key], entry.rows[key] = value, number
        register[str(row["id"])], register.rows[str(row["id"])] = entry, number
    doc["sources"] = register


def read_template(path: Path | str):
    """The filled template as FIGURES.yaml's fields with a located reader (sheet and row): (the fields,
    the reader), which :func:`forecast.apps.regions.figures.read_figures` checks as it checks FIGURES.yaml."""
    from ...inputs.xlsx import read_sheets

    path = Path(path)
    fix = "give the workbook 'forecast template' wrote, filled in (saved as .xlsx)"
    wanted = [*FIELDS, *TABLES]

    def choose(names):
        missing = [n for n in wanted if n not in names]
        if missing:
            from ...errors import InputError

            raise InputError(
                Problem(
                    path,
                    f"not the input template: no sheet {', '.join(missing)} (sheets: {', '.join(names)})",
                    "write a new one with 'forecast template --out 本地数据.xlsx' and fill it in",
                )
            )
        return wanted

    sheets = read_sheets(path, "the input template", choose, fix)
    doc = SheetDict("基本信息")
    for sheet in FIELDS:
        _fields(doc, sheet, sheets[sheet])
    _funds(doc, _table("基金", sheets["基金"]))
    _sources(doc, _table("来源", sheets["来源"]))
    return doc, TemplateReader(path)


def _get(doc: dict, path: str):
    """The value at the dotted ``path`` of ``doc`` (None where absent)."""
    node = doc
    for part in (
        path.split(".") if not path.startswith("population.ages.") else ["population", "ages", path.rsplit(".", 1)[1]]
    ):
        node = node.get(part) if isinstance(node, dict) else None
    return node


def _filled(doc: dict | None) -> dict:
    """FIGURES.yaml's fields in the template's terms: the insured employee count as {all: ..}."""
    if not doc:
        return {}
    insured = dict(doc.get("insured") or {})
    if insured.get("employee") is not None and not isinstance(insured["employee"], dict):
        insured["employee"] = {"all": insured["employee"]}
    return {**doc, "insured": insured}


def template_rows(doc: dict | None = None) -> dict[str, list[list]]:
    """The template's sheets as rows of cell values (filled from ``doc``, FIGURES.yaml's fields, if given)."""
    doc = _filled(doc)
    sheets = {"填写说明": [["填写说明"], *([text] for text in INSTRUCTIONS)]}
    for sheet, fields in FIELDS.items():
        sheets[sheet] = [["项目", "填写", "说明"], *([label, _get(doc, path), note] for path, label, note in fields)]
    funds = [[h for _, h in TABLES["基金"][1]]]
    for entry in doc.get("funds") or []:
        for pool, word in POOL_WORDS.items():
            block = entry.get(pool)
            if isinstance(block, dict):
                funds.append(
                    [
                        entry.get("year"),
                        entry.get("months", 12),
                        entry.get("unit", "万元"),
                        word,
                        block.get("income"),
                        block.get("expenditure"),
                        block.get("reserve"),
                        entry.get("source"),
                        entry.get("note"),
                    ]
                )
    sheets["基金"] = funds
    sources = [[h for _, h in TABLES["来源"][1]]]
    for sid, entry in (doc.get("sources") or {}).items():
        sources.append(
            [sid, *(entry.get(key) if isinstance(entry, dict) else None for key, _ in TABLES["来源"][1][1:])]
        )
    sheets["来源"] = sources
    return sheets


def template_workbook(doc: dict | None = None):
    """The template as an openpyxl Workbook (text as inline strings, never formulas; dates as text)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    from ...results.neutral import text_cell

    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in template_rows(doc).items():
        ws = wb.create_sheet(name)
        for r, values in enumerate(rows, start=1):
            for c, value in enumerate(values, start=1):
                value = value.isoformat() if isinstance(value, dt.date) else value
                cell = ws.cell(row=r, column=c, value=value)
                text_cell(cell)
                if r == 1:
                    cell.font, cell.fill = Font(bold=True), PatternFill("solid", fgColor="D9E1F2")
        for c, width in enumerate(
            (34, 24, 60) if name in FIELDS else (16, 14, 18, 14, 16, 16, 16, 16, 40) if name != "填写说明" else (120,),
            start=1,
        ):
            ws.column_dimensions[chr(64 + c)].width = width
        ws.freeze_panes = "A2"
    return wb
