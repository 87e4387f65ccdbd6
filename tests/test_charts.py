"""The charts (forecast.results.charts): each renders to a valid PNG with Chinese labels where a CJK
font is installed and English ones otherwise, never a missing-glyph box; money in 亿元 with
thousands separators; the months-covered lines are the run's verdict thresholds."""

from __future__ import annotations

import io
import logging
import re
import warnings

import numpy as np
import pandas as pd
import pytest

from forecast.results import chart_base, charts

from .conftest import missing

pytestmark = pytest.mark.slow

CJK = re.compile(r"[\u3000-\u9fff]")
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def runs():
    import forecast

    return {"deterministic": forecast.run("baseline"), "draws": forecast.run("baseline", draws=12, seed=3)}


def _tornado():
    rows = [("employee", "exhaustion_year", g, 2050.0, 2049.0, 2052.0) for g in ("wage growth", "mortality")]
    rows += [("resident", "exhaustion_year", g, 2036.0, 2035.0, 2038.0) for g in ("wage growth", "mortality")]
    table = pd.DataFrame(rows, columns=["pool", "metric", "group", "base", "low", "high"])
    return table.assign(swing=table["high"] - table["low"])


def _backtest():
    table = pd.DataFrame(
        {
            "series": ["resident"] * 3,
            "item": ["income"] * 3,
            "year": [2022, 2023, 2024],
            "train_until": [2021] * 3,
            "forecast": [1.0e12, 1.05e12, 1.1e12],
        }
    )
    return table, {
        ("resident", "income"): pd.Series([0.95e12, 1.0e12, 1.06e12, 1.12e12], index=[2021, 2022, 2023, 2024])
    }


#: chart -> (how to make it from the runs, its title in Chinese, in English)
CHARTS = {
    "reserve": (
        lambda r: charts.reserve_chart(r["deterministic"]),
        "累计结余与可支付月数",
        "Reserve and months of expenditure covered",
    ),
    "flows": (
        lambda r: charts.flows_chart(r["deterministic"]),
        "基金收入与支出 (亿元)",
        "Fund income and expenditure (100 million yuan)",
    ),
    "pyramid": (
        lambda r: charts.pyramid_chart(r["deterministic"]),
        "人口金字塔 2024 / 2060",
        "Population pyramid 2024 / 2060",
    ),
    "reserve_draws": (
        lambda r: charts.reserve_chart(r["draws"]),
        "累计结余与可支付月数",
        "Reserve and months of expenditure covered",
    ),
    "fan": (lambda r: charts.fan_chart(r["draws"]), "随机模拟: 12 次抽样", "Stochastic projection: 12 draws"),
    "probability": (
        lambda r: charts.probability_chart(r["draws"]),
        "随机模拟: 12 次抽样",
        "Stochastic projection: 12 draws",
    ),
    "tornado": (
        lambda r: charts.tornado_chart(_tornado()),
        "敏感性分析: 逐一改变各组假设",
        "Sensitivity: one assumption group at a time",
    ),
    "backtest": (
        lambda r: charts.backtest_chart(*_backtest()),
        "回测: 预测与实际",
        "Back-test: forecast against the bulletins",
    ),
}


def _texts(fig) -> list[str]:
    from matplotlib.text import Text

    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


def _render(fig, caplog) -> tuple[bytes, list[str]]:
    """The PNG and every warning rendering it raised (warnings and matplotlib's log)."""
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="matplotlib"), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        png = charts.png_bytes(fig)
    return png, [str(w.message) for w in caught] + [r.getMessage() for r in caplog.records]


def _assert_png(png: bytes) -> None:
    from matplotlib.image import imread

    assert png.startswith(PNG)
    image = imread(io.BytesIO(png), format="png")
    assert image.shape[0] > 200 and image.shape[1] > 300
    assert float(np.std(image[..., :3])) > 0.05  # something is drawn


def _drawn_without_missing_glyphs(make, runs, caplog):
    """(figure, PNG bytes) of a chart, asserting that neither drawing nor rendering it warned of a
    missing glyph or font."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = make(runs)
    png, problems = _render(fig, caplog)
    problems += [str(w.message) for w in caught]
    assert not [p for p in problems if "Glyph" in p or "missing from" in p or "findfont" in p], problems
    return fig, png


@pytest.mark.parametrize("name", CHARTS)
def test_without_a_cjk_font_the_chart_is_in_english_with_no_missing_glyph(name, runs, monkeypatch, caplog):
    monkeypatch.setattr(chart_base, "cjk_font", lambda: None)
    make, _, english = CHARTS[name]
    fig, png = _drawn_without_missing_glyphs(make, runs, caplog)
    texts = _texts(fig)
    assert english in texts
    assert not [t for t in texts if CJK.search(t)], [t for t in texts if CJK.search(t)]
    _assert_png(png)


@pytest.mark.cjk_font
@pytest.mark.parametrize("name", CHARTS)
def test_with_a_cjk_font_the_chart_is_in_chinese_with_no_missing_glyph(name, runs, caplog):
    if charts.cjk_font() is None:
        missing("A CJK font", "apt-get install fonts-wqy-microhei (or fonts-noto-cjk)", "cjk_font")
    make, chinese, _ = CHARTS[name]
    fig, png = _drawn_without_missing_glyphs(make, runs, caplog)
    assert chinese in _texts(fig)
    _assert_png(png)


@pytest.mark.parametrize("name", CHARTS)
@pytest.mark.parametrize("font", ["WenQuanYi Micro Hei", None])
def test_a_chart_made_has_its_tick_labels_in_its_font_wherever_it_is_drawn(name, font, runs, monkeypatch):
    """The tick labels are made with the chart, inside its font context, and matplotlib gives any tick it
    adds when drawing the first one's font: a figure a notebook draws (outside that context) shows them
    in the chart's font, as png_bytes does."""
    monkeypatch.setattr(chart_base, "cjk_font", lambda: font)
    fig = CHARTS[name][0](runs)
    families = {
        tuple(label.get_fontfamily())
        for ax in fig.axes
        for label in (*ax.get_xticklabels(), *ax.get_yticklabels())
        if label.get_text()
    }
    assert families == {(font, "DejaVu Sans") if font else ("DejaVu Sans",)}


def test_money_axes_are_in_yi_yuan_with_thousands_separators_and_months_in_months(runs, monkeypatch):
    monkeypatch.setattr(chart_base, "cjk_font", lambda: None)
    fig = charts.reserve_chart(runs["deterministic"])
    reserve_axis, months_axis = fig.axes[0], fig.axes[len(fig.axes) // 2]
    assert reserve_axis.get_ylabel() == "reserve (100 million yuan)"
    assert months_axis.get_ylabel() == "months of expenditure covered (months)"
    ticks = [t.get_text() for t in reserve_axis.get_yticklabels()]
    assert any(re.fullmatch(r"-?\d{1,3}(,\d{3})+", t) for t in ticks), (
        ticks
    )  # the employee reserve runs to 100,000 亿元
    years = [t.get_text() for t in reserve_axis.get_xticklabels()]
    assert "2040" in years and not any("," in y for y in years), years


def test_the_months_bands_are_the_runs_verdict_thresholds(runs, monkeypatch):
    monkeypatch.setattr(chart_base, "cjk_font", lambda: None)
    ds = runs["deterministic"].copy()
    ds.attrs = {
        **ds.attrs,
        "verdict_thresholds": {
            **ds.attrs["verdict_thresholds"],
            "low_months": 4.0,
            "high_months": 8.0,
            "excess_months": 12.0,
        },
    }
    months_axis = charts.reserve_chart(ds).axes[3]
    legend = [t.get_text() for t in months_axis.get_legend().get_texts()]
    assert legend == ["4–8 months (reasonable)", "12 months (too much)"]
    band = [p for p in months_axis.patches if p.get_label().startswith("4–8")][0]
    assert (band.get_y(), band.get_y() + band.get_height()) == (4.0, 8.0)  # axhspan: a Rectangle in data units along y


@pytest.mark.cjk_font
def test_a_font_installed_after_matplotlibs_cache_is_found_by_a_rescan(monkeypatch):
    from matplotlib import font_manager

    found = chart_base.cjk_font()
    if found is None:
        missing("A CJK font", "apt-get install fonts-wqy-microhei (or fonts-noto-cjk)", "cjk_font")
    files = {f.fname for f in font_manager.fontManager.ttflist if f.name in chart_base.CJK_FONTS}
    without = [f for f in font_manager.fontManager.ttflist if f.fname not in files]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", without)  # as if cached before the install
    chart_base._rescanned.cache_clear()
    try:
        assert chart_base.cjk_font() == found
    finally:
        chart_base._rescanned.cache_clear()


def test_run_out_writes_the_main_charts_beside_the_csvs(tmp_path, capsys):
    from forecast.cli import main

    out = tmp_path / "out"
    (out / "notes.txt").parent.mkdir()
    (out / "notes.txt").write_text("mine")
    assert main(["run", "baseline", "--out", str(out)]) == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        ".forecast-manifest.json",
        "accounts.csv",
        "calibration.csv",
        "income_expenditure.png",
        "indicators.csv",
        "notes.txt",
        "population_pyramid.png",
        "reserve.png",
        "results.nc",
        "summary.csv",
    ]
    for name in ("reserve.png", "income_expenditure.png", "population_pyramid.png"):
        _assert_png((out / name).read_bytes())
    assert (out / "notes.txt").read_text() == "mine"


@pytest.mark.parametrize("name", ["reserve", "flows", "pyramid", "fan", "probability"])
def test_each_chart_of_a_run_names_its_region_and_scenario(name, runs):
    """The line under the title: the region and the scenario, in the labels' language."""
    make, _, _ = CHARTS[name]
    texts = _texts(make(runs))
    chinese = chart_base.cjk_font() is not None
    assert chart_base.chart_context(runs["deterministic"], chinese) in texts
    assert any("China" in t or "中国" in t for t in texts) and any("Baseline" in t for t in texts)


def test_an_example_bundle_s_charts_say_so(monkeypatch):
    import forecast

    ds = forecast.run("places/qiandongnan")
    for chinese in (True, False):
        context = chart_base.chart_context(ds, chinese)
        assert ("示例" in context) if chinese else ("illustration" in context and not CJK.search(context)), context
    for fig in charts.main_charts(ds).values():
        assert chart_base.chart_context(ds, chart_base.cjk_font() is not None) in _texts(fig)


def test_the_months_axis_fits_the_data_never_clipped(runs):
    """The baseline's LTCI reserve covers more than 60 months (the old axis stopped there): the
    axis shows the whole line."""
    ds = runs["deterministic"]
    months = ds["months_covered"].sel(pool="ltci")
    assert float(months.max()) > 60
    axis = charts.reserve_chart(ds, pools=["ltci"]).axes[1]
    low, high = axis.get_ylim()
    assert low <= float(months.min()) and high >= float(months.max())


def test_tornado_labels_are_in_the_labels_language():
    texts = _texts(charts.tornado_chart(_tornado()))
    if chart_base.cjk_font() is not None:
        assert "工资（缴费基数）增长" in texts and "wage growth" not in texts
