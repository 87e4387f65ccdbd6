"""The budget workbook (issues 16, 24): budget.xlsx as a budget office hands it on, read back.

``forecast budget --year 2025`` on the baseline writes one sheet per pool in the layout of the 财政
social-insurance fund budget form (编制单位, 表号, 单位：万元; 上年决算, 本年预算, 本年预计, 下年预算,
增减; the employee individual accounts and 合计; 基本数据; the signature line), then 假设 and 说明. The tests read the
file back with openpyxl (names, line items, formats, identities) and convert it with LibreOffice headless (the file
opens without repair and renders its Chinese labels and formatted numbers); ``forecast execution
--budget`` reports 执行率 against it.
"""

from __future__ import annotations

import csv
import math
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from forecast.cli import main
from forecast.results.workbook_style import display_width

from .conftest import ROOT, missing

pytestmark = pytest.mark.slow

YEAR = 2025
POOL_SHEETS = ["职工医保统筹基金", "城乡居民医保基金", "大病保险", "医疗救助基金", "长期护理保险基金"]
COLUMNS = {
    "final": 2,
    "previous_budget": 3,
    "previous": 4,
    "budget": 5,
    "change": 6,
    "change_share": 7,
    "lower": 8,
    "upper": 9,
}
FIRST_ROW = 6


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("budget")
    assert main(["budget", "--year", str(YEAR), "--out", str(folder)]) == 0
    return folder


@pytest.fixture(scope="module")
def book(out):
    return load_workbook(out / "budget.xlsx")


def rows(ws) -> dict[str, int]:
    """Line label (column A) -> row number, for the 收支 table's rows (down to the first empty row)."""
    found = {}
    for row in range(FIRST_ROW, ws.max_row + 1):
        label = ws.cell(row, 1).value
        if not isinstance(label, str):
            break
        found[label] = row
    return found


def section(ws, title: str) -> dict[str, int]:
    """Label -> row of the section (个人账户, 基本数据) headed by a row starting with ``title``."""
    start = next(r for r in range(FIRST_ROW, ws.max_row + 1) if str(ws.cell(r, 1).value or "").startswith(title))
    found = {}
    for row in range(start + 1, ws.max_row + 1):
        label = ws.cell(row, 1).value
        if not isinstance(label, str) or not ws.cell(row, 1).border.left.style:
            break
        found[label.strip()] = row
    return found


def value(ws, label: str, column: str):
    return ws.cell(rows(ws)[label], COLUMNS[column]).value


def test_one_sheet_per_pool_named_in_chinese_then_assumptions_and_notes(book):
    assert book.sheetnames == [*POOL_SHEETS, "假设", "说明"]


def test_line_items_are_the_budget_tables_in_chinese(book):
    employee, resident = rows(book["职工医保统筹基金"]), rows(book["城乡居民医保基金"])
    common = [
        "一、收入合计",
        "财政补贴收入",
        "利息收入",
        "转移收入",
        "其他收入",
        "二、支出合计",
        "待遇支出",
        "转移支出",
        "其他支出",
        "三、本年收支结余",
        "四、年末滚存结余",
        "五、可支付月数（月）",
    ]
    for name in POOL_SHEETS:
        assert set(common) <= set(rows(book[name])), name
        assert all(re.search(r"[\u4e00-\u9fff]", label) for label in rows(book[name])), "every line item is in Chinese"
    assert {"保险费收入", "住院", "普通门诊", "门诊慢特病", "生育医疗费用及生育津贴"} <= set(employee)
    assert {"缴费收入", "住院", "普通门诊", "门诊慢特病"} <= set(resident)
    assert {"资助参保", "直接救助"} <= set(rows(book["医疗救助基金"]))
    assert {"居家护理", "机构护理"} <= set(rows(book["长期护理保险基金"]))
    ws = book["职工医保统筹基金"]
    header = [ws.cell(4, c).value for c in range(1, 10)]
    assert header[:8] == [
        "项目",
        "上年决算数",
        "本年预算数",
        "本年执行数",
        "下年预算数",
        "增减额",
        "增减%",
        "下年预算数80%预测区间",
    ]
    assert [ws.cell(5, c).value for c in (8, 9)] == ["下限", "上限"]
    assert ws["A1"].value == f"中国{YEAR}年职工医保统筹基金收支预算表"
    assert ws["H2"].value == "单位：万元"


def test_the_first_sheet_carries_the_forms_header_and_signature_lines(book):
    ws = book.worksheets[0]
    texts = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    for word in ("编制单位", "表号", "单位：万元", "负责人", "制表人", "日期"):
        assert any(word in t for t in texts), word
    assert ws["A2"].value == "编制单位：中国" and ws["E2"].value == "表号：医保基金预算01表"
    assert ws.print_area and ws.print_title_rows == "$4:$5"


def test_each_column_says_where_its_figures_come_from(book):
    """Row 5 labels each column: 上年决算 (2023) and 本年执行 (2024, closed) totals are the bulletin's
    (公布), the base year's items the model's split (推算), the budget year derived (推算)."""
    ws = book["职工医保统筹基金"]
    labels = {ws.cell(4, c).value: ws.cell(5, c).value for c in range(2, 8)}
    assert labels["上年决算数"] == "公布（合计）" and labels["本年执行数"] == "公布（合计）、推算（分项）"
    assert labels["下年预算数"] == labels["增减额"] == "推算"


def test_the_employee_sheet_shows_the_accounts_and_their_total(book):
    """统筹基金 + 个人账户 = 合计 to the cent in every column; in 2024 (本年执行数) the 合计 is the
    2024 bulletin's employee fund (income 23,732.47亿元, expenditure 19,102.54亿元: 《2024年全国医疗保障
    事业发展统计公报》), within the bulletin's rounding of its two parts (0.01亿元 each)."""
    ws = book["职工医保统筹基金"]
    accounts = section(ws, "职工医保个人账户")
    pooled = rows(ws)
    for column in ("final", "previous", "budget"):
        for flow, total in (
            ("一、收入合计", "职工医保基金收入合计（统筹基金＋个人账户）"),
            ("二、支出合计", "职工医保基金支出合计（统筹基金＋个人账户）"),
        ):
            account = "个人账户收入" if flow.startswith("一") else "个人账户支出"
            parts = ws.cell(pooled[flow], COLUMNS[column]).value + ws.cell(accounts[account], COLUMNS[column]).value
            assert ws.cell(accounts[total], COLUMNS[column]).value == pytest.approx(round(parts, 2), abs=1e-6), (
                column,
                flow,
            )
    assert ws.cell(accounts["职工医保基金收入合计（统筹基金＋个人账户）"], COLUMNS["previous"]).value == pytest.approx(
        23732.47e4, abs=2 * 0.01e4
    )
    assert ws.cell(accounts["职工医保基金支出合计（统筹基金＋个人账户）"], COLUMNS["previous"]).value == pytest.approx(
        19102.54e4, abs=2 * 0.01e4
    )
    assert ws.cell(accounts["个人账户收入"], COLUMNS["final"]).value == pytest.approx(6351.35e4, abs=0.01), (
        "2023 from the bulletin"
    )


def test_basic_data_give_insured_base_rates_standards_and_use(book):
    employee, resident = section(book["职工医保统筹基金"], "基本数据"), section(book["城乡居民医保基金"], "基本数据")
    assert {
        "参保人数（万人）",
        "在职职工（万人）",
        "退休人员（万人）",
        "在职职工人均缴费基数（元/人·年）",
        "单位缴费率（%）",
        "住院人次（万人次）",
    } <= set(employee)
    assert {"参保人数（万人）", "个人缴费标准（元/人·年）", "人均财政补助标准（元/人·年）"} <= set(resident)
    ws = book["城乡居民医保基金"]
    assert ws.cell(resident["人均财政补助标准（元/人·年）"], COLUMNS["budget"]).value == 700.0, (
        "670 in 2024 + the mean increment of the last three (+30)"
    )
    ws = book["职工医保统筹基金"]
    assert ws.cell(employee["在职职工（万人）"], COLUMNS["previous"]).value == pytest.approx(27490.84, abs=0.01), (
        "the 2024 bulletin's in-service members"
    )
    assert ws.cell(employee["在职职工（万人）"], 8).value.startswith("公布")


def test_number_formats_are_never_general_or_scientific(book):
    checked = 0
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
                    assert math.isfinite(cell.value), (ws.title, cell.coordinate)
                    assert cell.number_format != "General", (ws.title, cell.coordinate, cell.value)
                    assert not re.search(r"[eE][+-]", cell.number_format), (
                        ws.title,
                        cell.coordinate,
                        cell.number_format,
                    )
                    checked += 1
    assert checked > 200
    ws = book["职工医保统筹基金"]
    assert ws.cell(rows(ws)["一、收入合计"], COLUMNS["budget"]).number_format == "#,##0.00"
    assert ws.cell(rows(ws)["住院"], COLUMNS["change_share"]).number_format == "0.0%"


def test_months_covered_are_months_with_their_own_format(book):
    import forecast

    ds = forecast.run("scenarios/baseline.yaml")
    for name, pool in (
        ("职工医保统筹基金", "employee"),
        ("城乡居民医保基金", "resident"),
        ("长期护理保险基金", "ltci"),
    ):
        ws = book[name]
        cell = ws.cell(rows(ws)["五、可支付月数（月）"], COLUMNS["budget"])
        assert cell.number_format == "0.0"
        assert 0 < cell.value < 200, (name, cell.value)
        assert cell.value == round(
            value(ws, "四、年末滚存结余", "budget") / (value(ws, "二、支出合计", "budget") / 12), 1
        ), "from the figures shown"
        assert cell.value == pytest.approx(float(ds["months_covered"].sel(year=YEAR, pool=pool)), abs=0.051), (
            "the run's months covered"
        )
    for name in ("大病保险", "医疗救助基金"):  # financed as they pay: no reserve
        assert value(book[name], "五、可支付月数（月）", "budget") == "不适用"


def _sum(values) -> float:
    return round(sum(values), 2)


@pytest.mark.parametrize("name", POOL_SHEETS)
@pytest.mark.parametrize("column", ["previous", "budget"])
def test_totals_are_the_sums_of_their_items_and_stand_above_them(book, name, column):
    ws = book[name]
    found = rows(ws)
    level = {label: ws.cell(r, 1).alignment.indent for label, r in found.items()}
    get = {label: ws.cell(r, COLUMNS[column]).value for label, r in found.items()}
    labels = list(found)
    income_items = labels[labels.index("一、收入合计") + 1 : labels.index("二、支出合计")]
    services = labels[labels.index("待遇支出") + 1 : labels.index("转移支出")]
    assert len(income_items) == 5 and services
    assert get["一、收入合计"] == _sum(get[k] for k in income_items)
    assert get["待遇支出"] == _sum(get[k] for k in services)
    assert get["二、支出合计"] == _sum([get["待遇支出"], get["转移支出"], get["其他支出"]])
    assert get["三、本年收支结余"] == round(get["一、收入合计"] - get["二、支出合计"], 2)
    assert level["一、收入合计"] == level["二、支出合计"] == 0
    assert all(level[k] > 0 for k in income_items) and all(level[k] > level["待遇支出"] > 0 for k in services)
    assert found["一、收入合计"] < min(found[k] for k in income_items), "the total stands above its items"


@pytest.mark.parametrize("name", POOL_SHEETS)
def test_change_is_this_year_less_last_year_and_the_reserve_rolls_forward(book, name):
    ws = book[name]
    for label, row in rows(ws).items():
        previous, budget, change = (ws.cell(row, COLUMNS[c]).value for c in ("previous", "budget", "change"))
        if not isinstance(budget, float | int):
            continue
        assert change == pytest.approx(budget - previous, abs=1e-6), label
        share = ws.cell(row, COLUMNS["change_share"]).value
        assert share == "—" if previous == 0 else share == pytest.approx(change / abs(previous)), label
    reserve, balance = value(ws, "四、年末滚存结余", "budget"), value(ws, "三、本年收支结余", "budget")
    assert reserve == round(value(ws, "四、年末滚存结余", "previous") + balance, 2)


def test_last_year_is_the_bulletin_and_this_year_the_run(book):
    """2024 income of the employee pooled fund: 17,342.45 亿元 (国家医保局《2024年全国医疗保障事业发展统计公报》),
    which the calibrated base year reproduces; 2025 is the run's, in 万元 (items rounded to the cent)."""
    import forecast

    ws = book["职工医保统筹基金"]
    assert value(ws, "一、收入合计", "previous") == pytest.approx(17342.45e4, abs=0.05)
    ds = forecast.run("scenarios/baseline.yaml")
    assert value(ws, "一、收入合计", "budget") == pytest.approx(
        float(ds["income"].sel(year=YEAR, pool="employee")) / 1e4, abs=0.05
    )
    assert value(ws, "一、收入合计", "lower") < value(ws, "一、收入合计", "budget") < value(ws, "一、收入合计", "upper")
    assert value(ws, "一、收入合计", "previous_budget") is None, "no approved budget given: the column is empty"


def test_layout_fits_the_labels_freezes_the_header_and_prints_one_page_wide(book):
    for name in POOL_SHEETS:
        ws = book[name]
        assert ws.freeze_panes == "B6"
        assert ws.page_setup.orientation == "landscape"
        assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.column_dimensions["A"].width >= max(display_width(label) for label in rows(ws)) + 2
        assert ws.column_dimensions["D"].width >= len(f"{value(ws, '四、年末滚存结余', 'budget'):,.2f}")


def test_the_assumptions_sheet_gives_each_drivers_value_and_source(book):
    ws = book["假设"]
    assert [c.value for c in ws[2]] == ["类别", "假设", "下年取值", "单位", "取值方法", "来源"]
    table = {r[1]: r for r in ws.iter_rows(min_row=3, values_only=True)}
    inflation = table["价格上涨率"]
    assert inflation[2] == 0.02 and "第36行" in inflation[5]
    assert ws.cell(3 + list(table).index("价格上涨率"), 3).number_format == "0.00%"
    assert table["居民医保人均财政补助标准"][2] == 700.0, "670 in 2024 + the mean increment of the last three (+30)"
    assert "拟合" in table["职工医保实际费用增长率"][5] and "基金统计公报" in table["职工医保实际费用增长率"][5]
    assert table["在职职工人均缴费基数（实收）"][0] == "基年校准"
    assert all(r[5] for r in table.values()), "every assumption names its source"


def test_no_sheet_shows_a_file_path_or_a_scenario_key(book):
    key = re.compile(
        r"\b(assumptions|policy|verdict|calibration)\.[a-z_]+|[\w.-]+/[\w.-]+|\.py\b|between=|after=", re.ASCII
    )
    for ws in book.worksheets:
        for row in ws.iter_rows(values_only=True):
            for value in row:
                assert not (isinstance(value, str) and key.search(value)), (ws.title, value)


def test_wrapped_text_rows_are_tall_enough(book):
    from forecast.results.workbook_style import LINE_HEIGHT

    ws = book["说明"]
    width = ws.column_dimensions["B"].width - 2
    for row in range(3, ws.max_row + 1):
        text = ws.cell(row, 2).value
        assert ws.row_dimensions[row].height >= LINE_HEIGHT * math.ceil(display_width(text) / width), text


def test_the_notes_sheet_states_scope_method_and_exclusions(book):
    notes = {r[0]: r[1] for r in book["说明"].iter_rows(min_row=3, values_only=True)}
    assert {
        "编制范围",
        "测算方法",
        "金额单位",
        "可支付月数",
        "上年决算数",
        "本年预算数",
        "数据性质",
        "不含项目",
    } <= set(notes)
    assert "个人账户单列" in notes["职工医保口径"]
    assert "未提供" in notes["本年预算数"]


# ---------------------------------------------------------------- LibreOffice
def soffice() -> str:
    path = shutil.which("soffice") or shutil.which("libreoffice")
    if path is None:
        missing("LibreOffice (soffice)", "apt-get install libreoffice-calc-nogui", "libreoffice")
    return path


def convert(source: Path, target: Path, to: str) -> list[Path]:
    """``soffice --headless --convert-to`` with a private profile (other runs may share the machine)."""
    target.mkdir(exist_ok=True)
    profile = (target / "profile").absolute().as_uri()
    done = subprocess.run(
        [
            soffice(),
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            to,
            "--outdir",
            str(target),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    return sorted(p for p in target.iterdir() if p.is_file())


@pytest.mark.libreoffice
def test_libreoffice_opens_the_workbook_and_renders_each_sheet(out, book, tmp_path):
    # per sheet (-1), UTF-8 (76), cells as shown (the 9th token): the number formats are applied
    files = convert(
        out / "budget.xlsx",
        tmp_path / "csv",
        "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1",
    )
    assert [p.name for p in files] == sorted(f"budget-{name}.csv" for name in [*POOL_SHEETS, "假设", "说明"])
    with open(tmp_path / "csv" / "budget-职工医保统筹基金.csv", encoding="utf-8") as handle:
        table = {row[0]: row for row in csv.reader(handle) if row}
    budget = value(book["职工医保统筹基金"], "一、收入合计", "budget")
    assert table["一、收入合计"][4] == f"{budget:,.2f}", "shown in 万元 with thousands separators"
    assert (
        table["五、可支付月数（月）"][4] == f"{value(book['职工医保统筹基金'], '五、可支付月数（月）', 'budget'):.1f}"
    )
    assert not [c for row in table.values() for c in row if re.search(r"\d[eE][+-]\d", c)], (
        "no scientific notation as shown"
    )


@pytest.mark.libreoffice
def test_libreoffice_prints_the_workbook_to_pdf(out, tmp_path):
    files = convert(out / "budget.xlsx", tmp_path / "pdf", "pdf")
    assert [p.name for p in files] == ["budget.pdf"]
    data = files[0].read_bytes()
    assert data.startswith(b"%PDF")
    pages = re.findall(rb"/Type\s*/Page(?![s\w])", data)
    assert len(pages) >= 7, "every sheet printed (the long 假设 may run to a second page tall, never wider)"
    boxes = [tuple(map(float, box.split())) for box in re.findall(rb"/MediaBox\s*\[([^\]]*)\]", data)]
    assert boxes and all(x1 - x0 > y1 - y0 for x0, y0, x1, y1 in boxes), "landscape"


# ---------------------------------------------------------------- approved budget and 执行率
def test_previous_budget_fills_the_first_column(tmp_path, capsys):
    approved = tmp_path / "approved_2024.csv"
    approved.write_text(
        "pool,item,amount,unit\nemployee,收入合计,17000,亿元\nemployee,住院,72000000,万元\n"
        "resident,二、支出合计,1.05e12,元\n",
        encoding="utf-8",
    )
    assert (
        main(["budget", "--year", str(YEAR), "--previous-budget", str(approved), "--out", str(tmp_path / "out")]) == 0
    )
    capsys.readouterr()
    wb = load_workbook(tmp_path / "out" / "budget.xlsx")
    assert value(wb["职工医保统筹基金"], "一、收入合计", "previous_budget") == 170_000_000.0
    assert value(wb["职工医保统筹基金"], "住院", "previous_budget") == 72_000_000.0
    assert value(wb["职工医保统筹基金"], "普通门诊", "previous_budget") is None
    assert value(wb["城乡居民医保基金"], "二、支出合计", "previous_budget") == 105_000_000.0
    assert approved.name in {r[0]: r[1] for r in wb["说明"].iter_rows(min_row=3, values_only=True)}["本年预算数"]


ACTUALS = "pool,month,income,expenditure,unit\nemployee,6,90000000,70000000,万元\nresident,6,60000000,50000000,万元\n"


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_execution_rate_against_the_approved_budget(out, book, tmp_path, capsys, kind):
    actuals = tmp_path / "actuals.csv"
    actuals.write_text(ACTUALS, encoding="utf-8")
    if kind == "xlsx":
        approved = out / "budget.xlsx"
        income = value(book["职工医保统筹基金"], "一、收入合计", "budget") * 1e4
    else:
        approved = tmp_path / "approved.csv"
        approved.write_text(
            "pool,item,amount,unit\nemployee,收入合计,18000,亿元\nemployee,支出合计,14000,亿元\n"
            "resident,income,11000,亿元\nresident,expenditure,11000,亿元\n",
            encoding="utf-8",
        )
        income = 1.8e12
    assert main(["execution", str(actuals), "--budget", str(approved), "--out", str(tmp_path / "out")]) == 0
    text = capsys.readouterr().out
    assert "执行率" in text and "职工医保统筹基金" in text
    with open(tmp_path / "out" / "budget_execution.csv", encoding="utf-8") as handle:
        table = {(r["pool"], r["line"]): r for r in csv.DictReader(handle)}
    row = table[("employee", "income")]
    assert float(row["approved"]) == pytest.approx(income, rel=1e-9)
    assert float(row["to_date"]) == 9e11
    assert float(row["rate_to_date"]) == pytest.approx(9e11 / income, rel=1e-9)
    assert float(row["rate_estimate"]) == pytest.approx(float(row["estimate"]) / income, rel=1e-9)
    assert float(row["rate_low"]) <= float(row["rate_estimate"]) <= float(row["rate_high"])
    assert f"{9e11 / income:.1%}" in text


def test_next_years_workbook_takes_this_one_as_its_previous_budget(out, book, tmp_path, capsys):
    """The approved 2025 workbook feeds 2026's 本年预算数 line by line; 2025 is not closed, so the
    previous column is 本年预计执行数."""
    assert (
        main(["budget", "--year", str(YEAR + 1), "--previous-budget", str(out / "budget.xlsx"), "--out", str(tmp_path)])
        == 0
    )
    capsys.readouterr()
    wb = load_workbook(tmp_path / "budget.xlsx")
    for name in POOL_SHEETS:
        for label in rows(wb[name]):
            if label in rows(book[name]) and isinstance(value(book[name], label, "budget"), float | int):
                assert value(wb[name], label, "previous_budget") == value(book[name], label, "budget"), (name, label)
    assert wb["职工医保统筹基金"]["D4"].value == "本年预计执行数"


def test_previous_year_from_its_execution(tmp_path, capsys):
    """--execution: 本年预计执行数 is the full-year estimate from January-October actuals, spread
    over the run's items; the reserve rolls forward from the run's 2024 reserve."""
    from forecast.apps.execution import full_year, read_actuals, seasonal_profile

    actuals = tmp_path / "actuals_2025.csv"
    actuals.write_text("pool,month,income,expenditure,unit\nemployee,10,15000,12000,亿元\n", encoding="utf-8")
    assert main(["budget", "--year", str(YEAR + 1), "--execution", str(actuals), "--out", str(tmp_path / "out")]) == 0
    capsys.readouterr()
    import forecast

    estimate = full_year(
        read_actuals(actuals), seasonal_profile(forecast.load_region(forecast.default_region_path()))
    ).loc["employee"]
    ws = load_workbook(tmp_path / "out" / "budget.xlsx")["职工医保统筹基金"]
    assert value(ws, "一、收入合计", "previous") == pytest.approx(estimate["income_estimate"] / 1e4, abs=0.05)
    assert value(ws, "二、支出合计", "previous") == pytest.approx(estimate["expenditure_estimate"] / 1e4, abs=0.05)
    ds = forecast.run("scenarios/baseline.yaml")
    opening = round(float(ds["reserve"].sel(year=YEAR - 1, pool="employee")) / 1e4, 2)
    assert value(ws, "四、年末滚存结余", "previous") == round(opening + value(ws, "三、本年收支结余", "previous"), 2)
    assert value(ws, "四、年末滚存结余", "budget") == round(
        value(ws, "四、年末滚存结余", "previous") + value(ws, "三、本年收支结余", "budget"), 2
    )
    notes = {
        r[0]: r[1]
        for r in load_workbook(tmp_path / "out" / "budget.xlsx")["说明"].iter_rows(min_row=3, values_only=True)
    }
    assert "1–10月" in notes["本年预计执行数"] and "城乡居民医保基金" in notes["本年预计执行数"]


def test_a_pool_not_projected_gets_no_sheet_and_the_notes_say_so():
    import forecast
    from forecast.apps.budget import budget_workbook_for
    from forecast.model.fund import CODES
    from forecast.scenario.load import load_scenario

    scenario = load_scenario("baseline")
    ds = forecast.run(scenario)
    ds["verdict"] = ds["verdict"].where(
        ds["pool"] != "ltci", CODES["not_projected"]
    )  # as for a bundle without LTCI figures
    wb = budget_workbook_for(ds, scenario, YEAR)
    assert wb.sheetnames == [*POOL_SHEETS[:4], "假设", "说明"]
    notes = {r[0]: r[1] for r in wb["说明"].iter_rows(min_row=3, values_only=True)}
    assert "未测算（缺少基年数据）：长期护理保险基金" in notes["编制范围"]


def test_with_execution_the_sheet_s_verdict_is_that_of_the_months_it_shows(tmp_path, capsys):
    """--execution rolls the reserve forward from the estimated year, so the budget year's months
    covered differ from the run's: 下年测算结论 judges the figures the sheet shows (a trial found
    '结余偏多' beside 5.9 months)."""
    from forecast.model.fund import VERDICTS

    actuals = tmp_path / "actuals_2025.csv"
    actuals.write_text(
        "pool,month,income,expenditure,unit\nresident,6,5600,7000,亿元\n", encoding="utf-8"
    )  # a half year drawing hard
    assert main(["budget", "--year", str(YEAR + 1), "--execution", str(actuals), "--out", str(tmp_path / "out")]) == 0
    capsys.readouterr()
    ws = load_workbook(tmp_path / "out" / "budget.xlsx")["城乡居民医保基金"]
    months = value(ws, "五、可支付月数（月）", "budget")
    footnote = next(
        c for row in ws.iter_rows(values_only=True) for c in row if isinstance(c, str) and c.startswith("下年测算结论")
    )
    assert f"可支付{months:.1f}个月" in footnote
    expected = (
        "exhausted"
        if value(ws, "四、年末滚存结余", "budget") <= 0
        else "critical"
        if months < 3
        else "low"
        if months < 6
        else "drawing"
        if value(ws, "三、本年收支结余", "budget") < 0
        else "excessive"
        if months > 15
        else "high"
        if months > 9
        else "balanced"
    )
    assert footnote.startswith(f"下年测算结论：{VERDICTS[expected]}"), (months, footnote)


def test_a_pay_as_you_go_pool_balances_to_the_cent(tmp_path, capsys):
    """Medical assistance and critical illness pay what they take in: the rounded items must not
    leave a 0.01 balance (a trial saw 2,417.10 against 2,417.09 万元, then -100% the next year)."""
    assert (
        main(["budget", "--region", str(ROOT / "data" / "lhasa"), "--year", "2025", "--out", str(tmp_path / "out")])
        == 0
    )
    capsys.readouterr()
    book = load_workbook(tmp_path / "out" / "budget.xlsx")
    for sheet in ("大病保险", "医疗救助基金"):
        ws = book[sheet]
        for column in ("previous", "budget"):
            assert value(ws, "一、收入合计", column) == value(ws, "二、支出合计", column) > 0, (sheet, column)
            assert value(ws, "三、本年收支结余", column) == 0, (sheet, column)
