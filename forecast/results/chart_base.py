"""What every chart shares: the CJK font (Chinese labels where one is installed, English
otherwise, never boxes), the labels in both languages, the title that names the region, the
scenario and (示例), tick formats, and PNG rendering. :mod:`forecast.results.charts` draws the
charts with these."""

from __future__ import annotations

import io
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

__all__ = ["cjk_font", "png_bytes", "LABELS", "CJK_FONTS", "YI", "chart_context", "latin"]

CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
    "Heiti SC",
    "AR PL UMing CN",
)
YI = 1e8  # 亿元

LABELS = {
    "employee": ("职工医保统筹基金", "Employee pooled fund"),
    "resident": ("城乡居民医保基金", "Resident fund"),
    "critical_illness": ("大病保险", "Critical-illness insurance"),
    "medical_assistance": ("医疗救助", "Medical assistance"),
    "ltci": ("长期护理保险", "Long-term care insurance"),
    "employee total": ("职工医保基金(统筹+个人账户)", "Employee fund (pooled + accounts)"),  # the back-test's series
    "employee pooled fund": ("职工医保统筹基金", "Employee pooled fund"),
    "employee accounts": ("职工医保个人账户", "Employee individual accounts"),
    "medical assistance": ("医疗救助", "Medical assistance"),
    "income": ("收入", "income"),
    "expenditure": ("支出", "expenditure"),
    "deficit": ("当期收不抵支", "current deficit"),
    "actual": ("实际 (统计公报)", "actual (bulletins)"),
    "forecast": ("预测, 数据截至", "forecast, data to"),
    "yi": ("亿元", "100 million yuan"),
    "months": ("可支付月数 (月)", "months of expenditure covered (months)"),
    "reserve": ("累计结余 (亿元)", "reserve (100 million yuan)"),
    "flows": ("基金收入与支出 (亿元)", "Fund income and expenditure (100 million yuan)"),
    "reserve_title": ("累计结余与可支付月数", "Reserve and months of expenditure covered"),
    "persons": ("人口 (万人)", "population (10,000 persons)"),
    "age": ("年龄 (岁)", "age (years)"),
    "male": ("男", "male"),
    "female": ("女", "female"),
    "pyramid": ("人口金字塔", "Population pyramid"),
    "median": ("中位数", "median"),
    "band": ("{lo}–{hi}% 区间", "{lo}–{hi}% band"),
    "reasonable": ("{lo:g}–{hi:g} 个月 (合理)", "{lo:g}–{hi:g} months (reasonable)"),
    "excess": ("{x:g} 个月 (过多)", "{x:g} months (too much)"),
    "fan_title": ("随机模拟: {n} 次抽样", "Stochastic projection: {n} draws"),
    "p_exhausted": ("累计结余耗尽的概率", "probability the reserve is exhausted by the year"),
    "p_deficit": ("当期收不抵支的概率", "probability of a current deficit in the year"),
    "probability": ("概率", "probability"),
    "exhaustion_year": ("累计结余耗尽年份", "exhaustion year"),
    "months_covered_2035": ("2035年可支付月数", "months covered in 2035"),
    "months_covered_2050": ("2050年可支付月数", "months covered in 2050"),
    "low": ("低值 (第10百分位)", "low (10th percentile)"),
    "high": ("高值 (第90百分位)", "high (90th percentile)"),
    "tornado_title": ("敏感性分析: 逐一改变各组假设", "Sensitivity: one assumption group at a time"),
    "backtest_title": ("回测: 预测与实际", "Back-test: forecast against the bulletins"),
    # the sensitivity's assumption groups (forecast.apps.sensitivity.GROUPS)
    "fertility": ("生育率", "fertility"),
    "mortality": ("死亡率", "mortality"),
    "wage growth": ("工资（缴费基数）增长", "wage growth"),
    "cost growth (employee)": ("职工医保费用增长", "cost growth (employee)"),
    "cost growth (resident)": ("居民医保费用增长", "cost growth (resident)"),
    "coverage": ("参保覆盖", "coverage"),
    "interest rate": ("基金利率", "interest rate"),
    "financing increment": ("居民筹资增量", "financing increment"),
    "(all policy changes)": ("全部政策调整", "all policy changes"),
}


@lru_cache(maxsize=1)
def _rescanned() -> bool:
    """Add to matplotlib's font list the system fonts installed after its cache was built (once
    per process; in place, so every module holding the font manager sees them)."""
    from matplotlib import font_manager

    known = {f.fname for f in font_manager.fontManager.ttflist}
    added = False
    for path in font_manager.findSystemFonts():
        if path not in known:
            try:
                font_manager.fontManager.addfont(path)
                added = True
            except (OSError, RuntimeError, ValueError):  # a font file matplotlib cannot read
                continue
    if added:  # rebuild the cache on disk, so the next process need not re-scan
        from matplotlib import get_cachedir

        try:
            font_manager.json_dump(
                font_manager.fontManager, Path(get_cachedir(), f"fontlist-v{font_manager.FontManager.__version__}.json")
            )
        except (OSError, AttributeError):  # a read-only cache folder; an older matplotlib
            pass
    return added


def cjk_font() -> str | None:
    """The name of an installed CJK font matplotlib can use, or None."""
    from matplotlib import font_manager

    def find():
        installed = {f.name for f in font_manager.fontManager.ttflist}
        return next((name for name in CJK_FONTS if name in installed), None)

    return find() or (find() if _rescanned() else None)


@contextmanager
def _fonts():
    """The CJK font (with DejaVu Sans as fallback) for every text made or drawn inside; yields
    whether the labels are Chinese."""
    import matplotlib

    font = cjk_font()
    with matplotlib.rc_context(
        {"font.family": [font, "DejaVu Sans"] if font else ["DejaVu Sans"], "axes.unicode_minus": False}
    ):
        yield font is not None


def _label(key: str, chinese: bool, **fmt) -> str:
    zh, en = LABELS[key]
    return (zh if chinese else en).format(**fmt) if fmt else (zh if chinese else en)


def _figure(rows: int, cols: int, size):
    from matplotlib.figure import Figure

    fig = Figure(figsize=size)
    return fig, fig.subplots(rows, cols, squeeze=False)


def chart_context(ds, chinese: bool = True) -> str:
    """The line under a chart's title: the region (with （示例） for an illustration) and the
    scenario; in English (the bundle's name_en, the title's Latin part) where no CJK font is installed."""
    from .provenance import is_example, place

    if chinese:
        return f"{place(ds)} · {ds.attrs.get('scenario_title', '')}".strip(" ·")
    region = ds.attrs.get("region_name_en") or latin(str(ds.attrs.get("region_name", "")))
    example = " (illustration)" if is_example(ds) and "illustration" not in region else ""
    return f"{region}{example} · {latin(str(ds.attrs.get('scenario_title', '')))}".strip(" ·")


def latin(text: str) -> str:
    """``text`` without its CJK characters (for a chart drawn without a CJK font)."""
    import re

    return re.sub(r"\s+", " ", re.sub(r"[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]+", " ", text)).strip(" -—·()（）")


def _finish(fig, title: str, context: str = ""):
    """Title, the region and scenario under it, and the layout, inside the font context. The tick
    labels, made with the chart, have its font wherever the figure is drawn later (a notebook draws it
    outside the context: tests/test_charts.py). A first draw here, as there was, changed no pixel of
    any chart, drawn inside the context or outside it; without it ``forecast run baseline -q --out DIR``
    takes 5.01 s against 6.02 s median (six runs interleaved, ``benchmarks/versus.py``)."""
    fig.suptitle(title, y=0.995)
    if context:
        fig.text(0.5, 0.955, context, ha="center", va="top", fontsize=9, color="0.25")
    fig.tight_layout(rect=(0, 0, 1, 0.92 if context else 0.96))
    return fig


def _thousands(axis, absolute: bool = False) -> None:
    """Tick labels with thousands separators (of the magnitude, for the pyramid's two sides)."""
    from matplotlib.ticker import FuncFormatter

    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{abs(v) if absolute else v:,.0f}"))


def _years(ax) -> None:
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(alpha=0.3)


def png_bytes(fig, dpi: int = 110) -> bytes:
    """The figure as PNG (Agg)."""
    buffer = io.BytesIO()
    with _fonts():
        fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()
