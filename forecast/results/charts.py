"""Charts of a run (matplotlib, Agg: no display needed). Each function returns a
:class:`matplotlib.figure.Figure` and writes nothing; :func:`png_bytes` renders one for
:func:`forecast.results.writers.write_files` (``forecast run --out``) or the valuation report.

Labels are Chinese when a CJK font is installed and English otherwise, never boxes of missing
glyphs: :func:`cjk_font` looks for a common CJK font, re-scanning the system's fonts once when
matplotlib's cache was built before one was installed. Money is shown in 亿元 (100 million yuan)
with thousands separators; the months-covered lines are the scenario's verdict thresholds
(人社部发〔2009〕67号: 6–9 months reasonable, above 15 too much).
"""

from __future__ import annotations

import io
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib import font_manager, get_cachedir
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

__all__ = ["cjk_font", "png_bytes", "main_charts", "reserve_chart", "flows_chart", "pyramid_chart", "fan_chart", "probability_chart", "tornado_chart", "backtest_chart", "LABELS"]

CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "SimHei", "Microsoft YaHei", "PingFang SC", "Heiti SC", "AR PL UMing CN")
YI = 1e8  # 亿元

LABELS = {
    "employee": ("职工医保统筹基金", "Employee pooled fund"),
    "resident": ("城乡居民医保基金", "Resident fund"),
    "critical_illness": ("大病保险", "Critical-illness insurance"),
    "medical_assistance": ("医疗救助", "Medical assistance"),
    "ltci": ("长期护理保险", "Long-term care insurance"),
    "employee total": ("职工医保基金(统筹+个人账户)", "Employee fund (pooled + accounts)"),  # the back-test's series
    "employee pooled fund": ("职工医保统筹基金", "Employee pooled fund"), "employee accounts": ("职工医保个人账户", "Employee individual accounts"),
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
    "low": ("低值 (第10百分位)", "low (10th percentile)"), "high": ("高值 (第90百分位)", "high (90th percentile)"),
    "tornado_title": ("敏感性分析: 逐一改变各组假设", "Sensitivity: one assumption group at a time"),
    "backtest_title": ("回测: 预测与实际", "Back-test: forecast against the bulletins"),
}


@lru_cache(maxsize=1)
def _rescanned() -> bool:
    """Add to matplotlib's font list the system fonts installed after its cache was built (once
    per process; in place, so every module holding the font manager sees them)."""
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

        try:
            font_manager.json_dump(font_manager.fontManager, Path(get_cachedir(), f"fontlist-v{font_manager.FontManager.__version__}.json"))
        except (OSError, AttributeError):  # a read-only cache folder; an older matplotlib
            pass
    return added


def cjk_font() -> str | None:
    """The name of an installed CJK font matplotlib can use, or None."""
    def find():
        installed = {f.name for f in font_manager.fontManager.ttflist}
        return next((name for name in CJK_FONTS if name in installed), None)

    return find() or (find() if _rescanned() else None)


@contextmanager
def _fonts():
    """The CJK font (with DejaVu Sans as fallback) for every text made or drawn inside; yields
    whether the labels are Chinese."""
    font = cjk_font()
    with matplotlib.rc_context({"font.family": [font, "DejaVu Sans"] if font else ["DejaVu Sans"], "axes.unicode_minus": False}):
        yield font is not None


def _label(key: str, chinese: bool, **fmt) -> str:
    zh, en = LABELS[key]
    return (zh if chinese else en).format(**fmt) if fmt else (zh if chinese else en)


def _figure(rows: int, cols: int, size):
    fig = Figure(figsize=size)
    return fig, fig.subplots(rows, cols, squeeze=False)


def _finish(fig, title: str):
    """Title, layout, and a first draw inside the font context (tick labels are made lazily)."""
    fig.suptitle(title)
    fig.tight_layout(rect=(0, 0, 1, 0.96))
    fig.draw_without_rendering()
    return fig


def _thousands(axis, absolute: bool = False) -> None:
    """Tick labels with thousands separators (of the magnitude, for the pyramid's two sides)."""
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{abs(v) if absolute else v:,.0f}"))


def _years(ax) -> None:
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(alpha=0.3)


def png_bytes(fig, dpi: int = 110) -> bytes:
    """The figure as PNG (Agg)."""
    buffer = io.BytesIO()
    with _fonts():
        fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def _reserve_pools(ds) -> list[str]:
    """Pools with a reserve to judge (not pay-as-you-go, projected)."""
    payg = ds.fund.payg()
    return [str(p) for p in ds["pool"].values if not bool(payg.sel(pool=p))]


def _bands(ax, thresholds: dict, chinese: bool) -> None:
    low, high, excess = thresholds["low_months"], thresholds["high_months"], thresholds["excess_months"]
    ax.axhspan(low, high, color="tab:green", alpha=0.18, label=_label("reasonable", chinese, lo=low, hi=high))
    ax.axhline(excess, color="tab:red", lw=0.9, ls="--", label=_label("excess", chinese, x=excess))
    ax.axhline(0, color="black", lw=0.6)


def _panel(ax, ds, central, pool: str, name: str, chinese: bool, bands=((0.1, 0.9, 0.2),)) -> None:
    """One pool's reserve (亿元) or months covered (against the verdict lines) by year: the central
    path, and over draws the given percentile bands."""
    years, scale = ds["year"].values, (YI if name == "reserve" else 1.0)
    values = central[name].sel(pool=pool).values / scale
    if f"{name}_quantile" in ds:
        q = ds[f"{name}_quantile"].sel(pool=pool) / scale
        for lo, hi, alpha in bands:
            ax.fill_between(years, q.sel(quantile=lo), q.sel(quantile=hi), color="tab:blue", alpha=alpha, lw=0, label=_label("band", chinese, lo=round(lo * 100), hi=round(hi * 100)))
        values, low, high = q.sel(quantile=0.5).values, q.sel(quantile=bands[0][0]).values, q.sel(quantile=bands[0][1]).values
    else:
        low = high = values
    ax.plot(years, values, color="tab:blue", lw=1.6, label=_label("median", chinese) if "draw" in ds.dims else None)
    if name == "months_covered":  # the scale of the lines that matter, not of the widest draws
        _bands(ax, ds.attrs["verdict_thresholds"], chinese)
        ax.set_ylim(max(min(float(np.nanmin(low)), 0) - 2, -36), min(max(float(np.nanmax(high)), ds.attrs["verdict_thresholds"]["excess_months"]) * 1.1, 60))
        ax.set_ylabel(_label("months", chinese), fontsize=8)
    else:
        ax.axhline(0, color="black", lw=0.6)
        ax.set_ylabel(_label("reserve", chinese), fontsize=8)
        _thousands(ax.yaxis)
    ax.set_title(_label(pool, chinese), fontsize=10)
    _years(ax)


def reserve_chart(ds, pools=None):
    """Per pool: the reserve (亿元; the median and 10–90% band over draws when there are draws) and
    the months of expenditure it covers against the 6–9 and 15-month lines."""
    pools, central = list(pools or _reserve_pools(ds)), ds.fund.central()
    with _fonts() as chinese:
        fig, axes = _figure(2, len(pools), (4.6 * len(pools), 6.4))
        for j, pool in enumerate(pools):
            _panel(axes[0, j], ds, central, pool, "reserve", chinese)
            _panel(axes[1, j], ds, central, pool, "months_covered", chinese)
            axes[1, j].legend(fontsize=7, loc="best")
        return _finish(fig, _label("reserve_title", chinese))


def flows_chart(ds, pools=None):
    """Per projected pool: income against expenditure (亿元), the deficit years shaded, with the
    80% interval of each (over draws, or the record's prediction interval)."""
    verdicts = ds.fund.central().fund.verdict_label()
    pools = list(pools or [str(p) for p in ds["pool"].values if not (verdicts.sel(pool=p) == "not_projected").all()])
    central, years = ds.fund.central(), ds["year"].values
    bands = ds.fund.interval(0.8) if "income_log_sd" in ds and "draw" not in ds.dims else None
    with _fonts() as chinese:
        cols = min(3, len(pools))
        rows = -(-len(pools) // cols)
        fig, axes = _figure(rows, cols, (4.6 * cols, 3.3 * rows))
        for ax in axes.flat[len(pools):]:
            ax.set_visible(False)
        for ax, pool in zip(axes.flat, pools):
            for flow, color in (("income", "tab:blue"), ("expenditure", "tab:orange")):
                line = central[flow].sel(pool=pool).values / YI
                ax.plot(years, line, color=color, lw=1.6, label=_label(flow, chinese))
                if f"{flow}_quantile" in ds:
                    q = ds[f"{flow}_quantile"].sel(pool=pool) / YI
                    ax.fill_between(years, q.sel(quantile=0.1), q.sel(quantile=0.9), color=color, alpha=0.15, lw=0)
                elif bands is not None:
                    ax.fill_between(years, bands[f"{flow}_lower"].sel(pool=pool) / YI, bands[f"{flow}_upper"].sel(pool=pool) / YI, color=color, alpha=0.15, lw=0)
            inc, exp = central["income"].sel(pool=pool).values / YI, central["expenditure"].sel(pool=pool).values / YI
            ax.fill_between(years, inc, exp, where=inc < exp, color="tab:red", alpha=0.3, lw=0, label=_label("deficit", chinese))
            ax.set_title(_label(pool, chinese), fontsize=10)
            ax.set_ylabel(_label("yi", chinese), fontsize=8)
            ax.set_ylim(bottom=0)
            _thousands(ax.yaxis)
            _years(ax)
            ax.legend(fontsize=7, loc="upper left")
        return _finish(fig, _label("flows", chinese))


def pyramid_chart(ds, years=None):
    """The population by single age and sex (万人, males to the left) in two years: the first as
    bars, the second as an outline (default: the first and the last projected year)."""
    pop = ds["population"]
    if "draw" in pop.dims:
        pop = pop.median("draw")
    first, last = years or (int(ds["year"].values[0]), int(ds["year"].values[-1]))
    ages = pop["age"].values
    with _fonts() as chinese:
        fig, axes = _figure(1, 1, (7, 6))
        ax = axes[0, 0]
        for sex, sign, color in (("male", -1, "tab:blue"), ("female", 1, "tab:red")):
            before, after = (pop.sel(year=y, sex=sex).values / 1e4 * sign for y in (first, last))
            ax.barh(ages, before, height=1.0, color=color, alpha=0.45, label=f"{_label(sex, chinese)} {first}")
            ax.step(after, ages, where="mid", color=color, lw=1.3, label=f"{_label(sex, chinese)} {last}")
        ax.axvline(0, color="black", lw=0.6)
        _thousands(ax.xaxis, absolute=True)
        ax.set_xlabel(_label("persons", chinese))
        ax.set_ylabel(_label("age", chinese))
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
        return _finish(fig, f"{_label('pyramid', chinese)} {first} / {last}")


def main_charts(ds) -> dict:
    """The charts ``forecast run --out`` writes: file name -> Figure."""
    charts = {"reserve.png": reserve_chart(ds), "income_expenditure.png": flows_chart(ds)}
    if "population" in ds:
        charts["population_pyramid.png"] = pyramid_chart(ds)
    if "draw" in ds.dims:
        charts["fan.png"] = fan_chart(ds)
        charts["probability.png"] = probability_chart(ds)
    return charts


def fan_chart(ds, pools=("employee", "resident")):
    """Fan charts of a stochastic run (:func:`forecast.results.uncertainty.draw_summary`): months
    covered with the 6–9 and 15-month lines, and the reserve, per pool (5–95, 10–90, 25–75%)."""
    with _fonts() as chinese:
        fig, axes = _figure(2, len(pools), (5.5 * len(pools), 7))
        for j, pool in enumerate(pools):
            for i, name in enumerate(("months_covered", "reserve")):
                _panel(axes[i, j], ds, ds, pool, name, chinese, bands=((0.05, 0.95, 0.15), (0.1, 0.9, 0.25), (0.25, 0.75, 0.4)))
        axes[0, 0].legend(fontsize=7)
        return _finish(fig, _label("fan_title", chinese, n=ds.sizes["draw"]))


def probability_chart(ds, pools=("employee", "resident", "ltci")):
    """The probability that each pool's reserve is exhausted by the year (solid) and of a current
    deficit in the year (dashed)."""
    years = ds["year"].values
    with _fonts() as chinese:
        fig, axes = _figure(1, 1, (7, 3.8))
        ax = axes[0, 0]
        for pool in pools:
            line = ax.plot(years, ds["p_exhausted"].sel(pool=pool), lw=1.6, label=f"{_label(pool, chinese)} · {_label('p_exhausted', chinese)}")
            ax.plot(years, ds["p_current_deficit"].sel(pool=pool), lw=1, ls="--", color=line[0].get_color(), label=f"{_label(pool, chinese)} · {_label('p_deficit', chinese)}")
        ax.set_ylim(0, 1)
        ax.set_ylabel(_label("probability", chinese))
        _years(ax)
        ax.legend(fontsize=7)
        return _finish(fig, _label("fan_title", chinese, n=ds.sizes["draw"]))


def tornado_chart(table):
    """Tornado bars (low and high against the scenario's value) per pool and metric, from
    :func:`forecast.apps.sensitivity.tornado_table`."""
    pools = list(dict.fromkeys(table["pool"]))
    metrics = list(dict.fromkeys(table["metric"]))
    with _fonts() as chinese:
        fig, axes = _figure(len(metrics), len(pools), (6 * len(pools), 3.2 * len(metrics)))
        for i, metric in enumerate(metrics):
            for j, pool in enumerate(pools):
                ax = axes[i, j]
                rows = table[(table["pool"] == pool) & (table["metric"] == metric)].iloc[::-1]
                base = float(rows["base"].iloc[0])
                y = np.arange(len(rows))
                ax.barh(y, rows["low"] - base, left=base, color="tab:blue", alpha=0.7, label=_label("low", chinese))
                ax.barh(y, rows["high"] - base, left=base, color="tab:orange", alpha=0.7, label=_label("high", chinese))
                ax.axvline(base, color="black", lw=0.8)
                ax.set_yticks(y, rows["group"], fontsize=7)
                ax.set_title(f"{_label(pool, chinese)} · {_label(metric, chinese)}", fontsize=9)
                ax.grid(alpha=0.3, axis="x")
                if i == 0 and j == 0:
                    ax.legend(fontsize=7)
        return _finish(fig, _label("tornado_title", chinese))


def backtest_chart(table, history: dict):
    """One panel per series and item: the published history and each cut-off's forecasts.

    ``table``: rows of :func:`forecast.apps.backtest.backtest` (several cut-offs allowed);
    ``history``: (series, item) -> pandas Series of published values (yuan) by year.
    """
    panels = sorted(set(zip(table["series"], table["item"])))
    with _fonts() as chinese:
        fig, axes = _figure(len(panels), 1, (7, 2.6 * len(panels)))
        for ax, (series, item) in zip(axes[:, 0], panels):
            past = history.get((series, item))
            if past is not None:
                past = past.dropna()
                ax.plot(past.index, past.values / YI, "k-o", lw=1.5, ms=3, label=_label("actual", chinese))
            rows = table[(table["series"] == series) & (table["item"] == item)]
            for cut, group in rows.groupby("train_until"):
                ax.plot(group["year"], group["forecast"] / YI, "--s", ms=3, label=f"{_label('forecast', chinese)} {cut}")
            ax.set_title(f"{_label(series, chinese)} · {_label(item, chinese)}", fontsize=10)
            ax.set_ylabel(_label("yi", chinese), fontsize=8)
            _thousands(ax.yaxis)
            ax.legend(fontsize=7)
            _years(ax)
        return _finish(fig, _label("backtest_title", chinese))
