"""The valuation report (forecast report): one self-contained HTML file with the eight sections of a
valuation report, rendered in a real browser (headless Chromium, Debian's package; .ci/run
installs it) with no console errors, its Chinese headings in the rendered DOM and its charts
decoded; the reconciliation reads a previous run or report and walks to the new figures exactly."""

from __future__ import annotations

import base64
import io
import json
import re
import shutil
import subprocess

import pytest

from forecast.apps.reconcile import headline_figures, read_previous
from forecast.cli import main

from .conftest import missing

pytestmark = pytest.mark.slow

HEADINGS = [
    "摘要 Executive summary",
    "1 范围与制度 Scope and provisions",
    "2 数据与核对 Data and checks",
    "3 假设 Assumptions",
    "4 方法 Method",
    "5 结果 Results",
    "6 不确定性与敏感性 Uncertainty and sensitivity",
    "7 与上次评估的调节 Reconciliation with the previous valuation",
    "8 结论 Conclusion",
    "9 依赖与局限 Reliance and limitations",
    "附录 Appendix",
]
BROWSERS = ("chromium", "chromium-headless-shell", "chromium-browser", "google-chrome", "chrome-headless-shell")
PROBE = (
    '<script>console.error("forecast-probe-error"); window.addEventListener("load", () => document.body.setAttribute('
    '"data-image-widths", Array.from(document.images).map(i => i.naturalWidth).join(",")));</script>'
)


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """A first valuation (no draws) and a second one of another scenario with draws, reconciled with the first."""
    root = tmp_path_factory.mktemp("reports")
    assert main(["report", "baseline", "--out", str(root / "first")]) == 0
    assert (
        main(
            [
                "report",
                "baseline+ltci_extension",
                "--draws",
                "8",
                "--seed",
                "2",
                "--previous",
                str(root / "first"),
                "--out",
                str(root / "second"),
            ]
        )
        == 0
    )
    return root


def _browser() -> str:
    found = next((shutil.which(name) for name in BROWSERS if shutil.which(name)), None)
    if found is None:
        missing("headless Chromium", "apt-get install chromium-headless-shell", "browser")
    return found


def _render(path) -> tuple[str, list[str]]:
    """The DOM Chromium built from the file, and the console messages it logged."""
    done = subprocess.run(
        [
            _browser(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--enable-logging=stderr",
            "--v=0",
            "--dump-dom",
            path.resolve().as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout, [line for line in done.stderr.splitlines() if ":CONSOLE" in line]


def _headings(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"<h2[^>]*>(.*?)</h2>", html, re.S)]


def _images(html: str) -> list[bytes]:
    return [
        base64.b64decode(data, validate=True)
        for data in re.findall(r'<img [^>]*src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html)
    ]


@pytest.mark.browser
def test_the_report_renders_in_chromium_with_every_section_its_charts_and_no_console_error(reports):
    from matplotlib.image import imread

    dom, console = _render(reports / "second" / "report.html")
    assert console == []
    assert _headings(dom) == HEADINGS
    images = _images(dom)
    assert len(images) == 5  # reserve, income and expenditure, pyramid, fan, probability
    for png in images:
        assert png.startswith(b"\x89PNG\r\n\x1a\n") and imread(io.BytesIO(png), format="png").shape[0] > 200
    assert "职工基本医疗保险" in dom and "收支平衡、略有结余" in dom and "可支付月数" in dom
    assert not re.search(r'(src|href)="(https?:)?//', dom)  # self-contained: nothing fetched from elsewhere


@pytest.mark.browser
def test_the_browser_check_would_see_a_console_error_and_decodes_every_chart(reports, tmp_path):
    page = (reports / "second" / "report.html").read_text(encoding="utf-8")
    probe = tmp_path / "probe.html"
    probe.write_text(page.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    dom, console = _render(probe)
    assert len(console) == 1 and "forecast-probe-error" in console[0]
    widths = re.search(r'data-image-widths="([\d,]+)"', dom).group(1).split(",")
    assert len(widths) == 5 and all(int(w) > 300 for w in widths)


def test_without_draws_or_previous_the_report_has_sections_1_to_5_and_8(reports):
    html = (reports / "first" / "report.html").read_text(encoding="utf-8")
    assert _headings(html) == HEADINGS[:6] + HEADINGS[8:]
    assert len(_images(html)) == 3
    assert "<script>" not in html and "http://" not in html.split("<style>")[1].split("</style>")[0]


def test_the_results_section_shows_each_pools_figures_from_the_run(reports):
    import forecast

    html = (reports / "first" / "report.html").read_text(encoding="utf-8")
    ds = forecast.run("baseline")
    income = float(ds["income"].sel(pool="employee", year=2030)) / 1e8
    months = float(ds["months_covered"].sel(pool="employee", year=2030))
    results = html[html.index('<section id="results">') : html.index('<section id="conclusion">')]
    row = re.search(r"<tr><td>2030</td>(.*?)</tr>", results, re.S).group(1)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row)
    assert cells[0] == f"{income:,.1f}" and cells[4] == f"{months:,.1f}"
    deficit = int(ds.fund.first_deficit_year().sel(pool="employee"))
    assert f"2030年可支付 {months:,.1f} 个月" in html and f"{deficit}年起当期收不抵支" in html


def test_the_reconciliation_walks_from_the_previous_figures_to_the_new_ones_exactly(reports):
    second = (reports / "second" / "report.html").read_text(encoding="utf-8")
    first = read_previous(reports / "first")
    now = read_previous(reports / "second")
    assert first["scenario_title"].startswith("基线情景") and now["draws"] == 8 and first["draws"] is None
    section = second[second.index('<section id="reconciliation">') : second.index('<section id="conclusion">')]
    header = re.findall(r"<th>(.*?)</th>", section)
    assert header == [
        "Pool",
        "Metric",
        "previous",
        "current",
        "change",
        "data",
        "demography",
        "assumptions",
        "policy",
        "other",
        "median_of_draws",
        "not_reproduced",
    ]
    row = re.search(r"<tr><td>ltci</td><td>reserve_2050 \(亿元\)</td>(.*?)</tr>", section).group(1)
    values = [float(v.replace(",", "")) for v in re.findall(r'<td class="n">(.*?)</td>', row)]
    previous, current, change, *steps, unexplained = values
    assert previous == round(first["pools"]["ltci"]["reserve"]["2050"] / 1e8, 1) and current == round(
        now["pools"]["ltci"]["reserve"]["2050"] / 1e8, 1
    )
    assert abs(previous + sum(steps) + unexplained - current) < 0.3  # the walk adds up (to rounding in the table)
    assert unexplained == 0.0  # same program and bundle: the analysis of change explains it all
    assert steps[3] > 1000  # the LTCI extension is a policy change worth thousands of 亿元 by 2050


def test_a_previous_run_folder_gives_the_same_headline_as_the_run_itself(tmp_path):
    import forecast
    from forecast.results.run_files import netcdf_writer

    ds = forecast.run("baseline")
    netcdf_writer(ds)(tmp_path / "results.nc")
    read = read_previous(tmp_path)
    assert json.loads(json.dumps(headline_figures(ds))) == read
    assert read["pools"]["employee"]["exhaustion_year"] == int(ds.fund.exhaustion_year().sel(pool="employee"))


def test_a_bad_previous_folder_is_refused_before_the_run_with_exit_2(tmp_path, capsys):
    (tmp_path / "prev").mkdir()
    (tmp_path / "prev" / "notes.txt").write_text("not a valuation")
    assert main(["report", "baseline", "--previous", str(tmp_path / "prev"), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert (
        "--previous" in err
        and "holds neither report.html nor results.nc" in err
        and "forecast run SCENARIO --out DIR" in err
    )
    assert not (tmp_path / "out").exists()
    assert (
        main(["report", "baseline", "--out", str(tmp_path / "out2")] + ["--previous", str(tmp_path / "missing")]) == 2
    )
    assert "is not a folder" in capsys.readouterr().err


def test_the_sensitivity_table_and_tornado_enter_section_6():
    import forecast
    from forecast.apps.valuation import valuation_context
    from forecast.results.html import render_report

    from .test_charts import _tornado

    ds = forecast.run("baseline", draws=4, seed=1)
    context = valuation_context(ds, forecast.load_scenario("baseline"), tornado=_tornado())
    html = render_report(context)
    section = html[html.index('<section id="uncertainty">') : html.index('<section id="conclusion">')]
    assert (
        '<td>employee</td><td>exhaustion_year</td><td>wage growth</td><td class="n">2049</td><td '
        'class="n">2050</td><td class="n">2052</td><td class="n">3</td>' in section
    )
    assert 'alt="龙卷风图 Tornado"' in section and len(_images(section)) == 3  # fan, probability, tornado


def test_when_the_previous_scenario_files_changed_the_change_is_shown_but_not_split():
    import forecast
    from forecast.apps.reconcile import reconciliation

    ds = forecast.run("baseline")
    previous = {**headline_figures(ds), "scenario_hash": "an older content"}
    rec = reconciliation(previous, ds, forecast.load_scenario("baseline"))
    assert rec["steps"] == () and any("have changed since (their content hash differs)" in n for n in rec["notes"])
    assert {r["metric"] for r in rec["rows"]} >= {"reserve_2030", "reserve_2050", "exhaustion_year"}
    assert all(r["change"] == 0 and "not_reproduced" not in r for r in rec["rows"])


def test_report_with_region_and_sensitivity_shows_that_region_s_sensitivity(tmp_path):
    """``forecast report --region data/wenzhou --sensitivity`` ran the sensitivity on data/china (issue
    22): its section 6 now holds the tornado ``forecast sensitivity --region data/wenzhou`` writes."""
    import pandas as pd

    from .conftest import ROOT

    wenzhou = str(ROOT / "data" / "wenzhou")
    assert (
        main(
            [
                "report",
                "baseline",
                "--region",
                wenzhou,
                "--sensitivity",
                "--draws",
                "4",
                "--seed",
                "1",
                "--out",
                str(tmp_path / "report"),
                "-q",
            ]
        )
        == 0
    )
    assert main(["sensitivity", "baseline", "--region", wenzhou, "--out", str(tmp_path / "sens"), "-q"]) == 0
    html = (tmp_path / "report" / "report.html").read_text(encoding="utf-8")
    section = html[html.index('<section id="uncertainty">') : html.index('<section id="conclusion">')]
    cells = re.findall(
        r"<tr><td>(\w+)</td><td>(\w+)</td><td>([^<]+)</td><td class=\"n\">([^<]+)</td><td class=\"n\">([^<]+)</td><td "
        r"class=\"n\">([^<]+)</td>",
        section,
    )
    table = pd.read_csv(tmp_path / "sens" / "tornado.csv")
    assert len(cells) == len(table) > 0
    for (pool, metric, group, low, base, high), row in zip(cells, table.itertuples()):
        assert (pool, metric, group) == (row.pool, row.metric, row.group)
        digits = 0 if metric == "exhaustion_year" else 1
        assert [float(v.replace(",", "")) for v in (low, base, high)] == [
            round(getattr(row, k), digits) for k in ("low", "base", "high")
        ]


# ---------------------------------------------------------------- issue 24: a valuation report to hand on
def test_the_cover_has_the_valuation_date_data_cut_off_and_signatory_fields(reports):
    html = (reports / "first" / "report.html").read_text(encoding="utf-8")
    cover = html[html.index('<div class="cover"') : html.index("</div>", html.index('<div class="cover"'))]
    for field in ("评估对象", "情景", "评估基准日", "数据截止", "编制人", "复核人"):
        assert field in cover, field
    assert "2024年12月31日" in cover and "基金收支数据截至2024年" in cover
    appendix = html[html.index('<section id="appendix">') :]
    assert "编制人（签名）" in appendix and "复核人（签名）" in appendix


def test_the_limitations_say_what_the_figures_rest_on_and_what_is_not_modelled(reports):
    html = (reports / "first" / "report.html").read_text(encoding="utf-8")
    section = html[html.index('<section id="reliance">') : html.index('<section id="appendix">')]
    assert (
        "测算所依据的" in section and "未测算的内容" in section and "其他收入" in section and "委托投资收益" in section
    )
    assert "公布" in section, "the base-year figures' provenance counted"


def test_no_temporary_or_absolute_path_reaches_the_report(reports, tmp_path):
    for name in ("first", "second"):
        html = (reports / name / "report.html").read_text(encoding="utf-8")
        # what a reader sees: the charts' data and the machine-readable headline (which keeps the scenario
        # files' paths so that a later report can re-run them for its reconciliation) left out
        text = re.sub(r'src="data:[^"]+"', "", html.split('<script type="application/json"')[0])
        assert str(reports) not in text and "/tmp" not in text and str(tmp_path.parent) not in text
        assert not re.search(r"(/[\w.-]+){3,}", re.sub(r"https?://\S+", "", text)), re.search(r"(/[\w.-]+){3,}", text)


def test_the_report_prints_to_pdf_from_chromium(reports, tmp_path):
    pdf = tmp_path / "report.pdf"
    done = subprocess.run(
        [
            _browser(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            (reports / "second" / "report.html").resolve().as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0 and pdf.is_file(), done.stderr[-2000:]
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page(?![s\w])", data))
    assert pages >= len(HEADINGS), "the cover, then a page (at least) per section: page breaks before each"


def test_an_example_bundle_s_report_says_so_on_its_cover_summary_and_charts(tmp_path, capsys):
    assert main(["report", "places/lhasa", "--out", str(tmp_path), "--author", "张三"]) == 0
    out = capsys.readouterr().out
    assert "（示例）" in out.splitlines()[0]
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    cover = html[html.index('<div class="cover"') : html.index('<section id="summary">')]
    assert "示例" in cover and "张三" in cover
    summary = html[html.index('<section id="summary">') : html.index('<section id="scope">')]
    assert "示例" in summary and "不能作为决策依据" in summary
    conclusion = html[html.index('<section id="conclusion">') : html.index('<section id="reliance">')]
    assert "示例" in conclusion or "示例" in summary
    reliance = html[html.index('<section id="reliance">') :]
    assert "提示" in reliance and "校准系数" in reliance, "the 346% outpatient factor is pointed out"


def test_the_reports_charts_carry_the_region_and_the_scenario():
    import forecast
    from forecast.apps.valuation import valuation_context
    from forecast.results import chart_base

    ds = forecast.run("places/qiandongnan")
    context = valuation_context(ds, forecast.load_scenario("places/qiandongnan"))
    assert set(context["charts"]) >= {"reserve.png", "income_expenditure.png"}
    from forecast.results.charts import main_charts

    from .test_charts import _texts

    for fig in main_charts(ds).values():
        texts = _texts(fig)
        assert chart_base.chart_context(ds, chart_base.cjk_font() is not None) in texts
