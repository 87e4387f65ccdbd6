"""The workbench in a real browser (Playwright driving the machine's Chromium): pick data/china and the
baseline and see the verdicts; change the resident cap and see the impact against the baseline; an
out-of-range value gets the CLI's message beside its field; upload actuals and download the workbook;
solve the resident standard and validate the downloaded solved.yaml with the CLI; open the report.

Set FORECAST_SCREENSHOTS=1 to refresh the README's screenshot (docs/images/forecast_serve.png)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import forecast
from forecast.scenario.parameters import coerce, iter_params

pytestmark = [
    pytest.mark.slow,
    pytest.mark.browser,
]  # playwright is in the dev extra; a missing Chromium fails (tests/serve/conftest.py)

ROOT = Path(__file__).resolve().parents[2]
CAP = "policy.resident.benefits.inpatient.annual_cap"
RATIO = "policy.resident.benefits.inpatient.tier3.reimbursement_ratio"
SLOW = 180_000  # ms: a job on a shared machine


def _run_form(page, server, **fields):
    page.goto(f"{server.url}/")
    page.get_by_role("link", name="china", exact=True).click()
    page.wait_for_selector("#region-summary")
    page.get_by_role("link", name=re.compile("下一步")).click()
    page.wait_for_selector("#reform-form")
    page.select_option("select[name=scenario]", "baseline")
    for name, value in fields.items():
        page.fill(f"[name='{name}']", value)
    page.click("#run-button")


def test_pick_china_and_the_baseline_and_see_the_verdicts(page, server, tmp_path):
    _run_form(page, server)
    page.wait_for_selector("#verdicts", timeout=SLOW)
    rows = page.locator("#verdicts tr[data-pool]")
    assert rows.count() == 5
    employee = page.locator("#verdicts tr[data-pool=employee] td").all_inner_texts()
    expected = int(forecast.run("baseline").fund.first_deficit_year().sel(pool="employee").item())
    assert employee[0] == str(expected)
    assert page.locator("#warnings").is_visible() and "风险预警" in page.content()
    chart = page.request.get(server.url + page.locator("#reserve-chart").get_attribute("src"), timeout=SLOW)
    assert chart.ok and chart.body()[:8] == b"\x89PNG\r\n\x1a\n"
    page.reload()
    page.wait_for_load_state("networkidle")  # the chart is drawn (the page's scripts are limited by its CSP: no eval)
    assert page.locator("#permalink").inner_text().endswith(f"version={forecast.__version__}")
    shot = tmp_path / "forecast_serve.png"
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(shot))
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if os.environ.get("FORECAST_SCREENSHOTS"):
        (ROOT / "docs" / "images").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, ROOT / "docs" / "images" / "forecast_serve.png")


def test_a_higher_resident_cap_shows_its_impact_against_the_baseline(page, server):
    _run_form(page, server, **{CAP: "40万"})
    page.wait_for_selector("#impact", timeout=SLOW)
    table = page.locator("table.impact[data-pool=resident]")
    first = table.locator("tr").nth(1).locator("td").all_inner_texts()
    assert (
        first[1].startswith("+") and float(first[1].replace(",", "")) > 0
    )  # Δ expenditure in 亿元: a higher cap pays more
    assert page.locator("table.impact[data-pool=employee]").count() == 0  # the employee fund is untouched
    assert "40%E4%B8%87" in page.locator("#permalink").inner_text()


def test_an_out_of_range_value_gets_the_clis_message_beside_its_field(page, server):
    _run_form(page, server, **{RATIO: "70"})
    field = page.locator(".field.invalid")
    field.wait_for()
    assert field.locator("input").get_attribute("name") == RATIO
    message = field.locator(".error").inner_text()
    assert coerce(70, dict(iter_params())[RATIO])[1] in message and "reform.yaml" in message
    assert page.locator(f"[name='{RATIO}']").input_value() == "70"  # what was typed stays, to be corrected


def test_upload_actuals_and_download_the_execution_workbook(page, server, tmp_path):
    import openpyxl

    region = forecast.load_region(forecast.default_region_path())
    lines = ["pool,month,income,expenditure,unit"]
    for pool in ("employee", "resident"):  # January-May of 2025 at 2024's pace, 4% up (亿元)
        lines.append(
            f"{pool},5,{region.fund(pool, 'income')[2024] / 1e8 * 5 / 12 * 1.04:.2f},"
            f"{region.fund(pool, 'expenditure')[2024] / 1e8 * 5 / 12 * 1.04:.2f},亿元"
        )
    actuals = tmp_path / "actuals_2025.csv"
    actuals.write_text("\n".join(lines) + "\n", encoding="utf-8")
    page.goto(f"{server.url}/budget?region=china&scenario=baseline")
    page.set_input_files("#execution-form input[name=actuals]", str(actuals))
    page.click("#execution-form button[type=submit]")
    page.wait_for_selector("#execution-table", timeout=SLOW)
    with page.expect_download() as info:
        page.get_by_role("link", name="budget.xlsx").click()
    path = tmp_path / "budget.xlsx"
    info.value.save_as(path)
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["职工医保统筹基金"]
    cells = {(c.row, c.column): c.value for row in sheet.iter_rows() for c in row if c.value is not None}
    header = next(
        k for k, v in cells.items() if v == "本年预计执行数"
    )  # the 财政 form: 本年 is the year of the actuals
    income_row = next(r for (r, c), v in cells.items() if isinstance(v, str) and v.endswith("收入合计"))
    from forecast.apps.outputs import execution_outputs

    table, _, _ = execution_outputs(actuals)
    assert cells[(income_row, header[1])] == pytest.approx(
        table.loc["employee", "income_estimate"] / 1e4, rel=1e-6
    )  # 万元


def test_solve_the_resident_standard_and_validate_solved_yaml(page, server, tmp_path):
    page.goto(f"{server.url}/solve?region=china&scenario=baseline")
    page.select_option("select[name=solve_lever]", "resident financing")
    page.select_option("select[name=solve_target]", "months:6-9")
    page.click("#solve-form button[type=submit]")
    page.wait_for_selector("#solve-table", timeout=SLOW)
    assert "每年均达到目标" in page.locator("#solve-check").inner_text()
    here = page.url
    page.goto(
        server.url + page.locator("#permalink").get_attribute("href")
    )  # the permalink reproduces the job (from the cache)
    assert page.url == here
    with page.expect_download() as info:
        page.get_by_role("link", name="solved.yaml").click()
    solved = tmp_path / "solved.yaml"
    info.value.save_as(solved)
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from forecast.cli import main; sys.exit(main())",
            "validate",
            f"{ROOT / 'scenarios' / 'baseline.yaml'}+{solved}",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert (
        forecast.load_scenario([ROOT / "scenarios" / "baseline.yaml", solved])["policy.resident.fiscal_subsidy"].points[
            -1
        ][0]
        == forecast.load_scenario("baseline").horizon
    )


def test_the_report_opens_in_the_browser(page, server):
    page.goto(f"{server.url}/report?region=china&scenario=baseline")
    page.wait_for_selector("#open-report", timeout=SLOW)
    with page.context.expect_page() as opened:
        page.click("#open-report")
    report = opened.value
    report.wait_for_load_state()
    assert "精算" in report.content() and report.locator("img").count() > 0
