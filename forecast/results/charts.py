"""Charts (matplotlib, Agg backend: no display needed). Plotting is kept out of the model stages.

Labels are Chinese when a CJK font is installed and English otherwise, never boxes of missing
glyphs: :func:`cjk_font` looks for one of the common CJK fonts known to matplotlib.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

__all__ = ["cjk_font", "backtest_chart", "fan_chart", "probability_chart", "tornado_chart"]

CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "SimHei", "Microsoft YaHei", "PingFang SC", "Heiti SC", "AR PL UMing CN")

LABELS = {
    "employee total": ("职工医保基金(统筹+个人账户)", "Employee fund (pooled + accounts)"),
    "employee pooled fund": ("职工医保统筹基金", "Employee pooled fund"),
    "employee accounts": ("职工医保个人账户", "Employee individual accounts"),
    "resident": ("城乡居民医保基金", "Resident fund"),
    "medical assistance": ("医疗救助", "Medical assistance"),
    "income": ("收入", "income"),
    "expenditure": ("支出", "expenditure"),
    "actual": ("实际 (统计公报)", "actual (bulletins)"),
    "forecast": ("预测, 数据截至", "forecast, data to"),
    "unit": ("亿元", "100 million yuan"),
    "title": ("回测: 预测与实际", "Back-test: forecast against the bulletins"),
    "employee_pool": ("职工医保统筹基金", "Employee pooled fund"),
    "resident_pool": ("城乡居民医保基金", "Resident fund"),
    "ltci_pool": ("长期护理保险", "Long-term care insurance"),
    "months": ("可支付月数", "months of expenditure covered"),
    "reserve": ("累计结余 (万亿元)", "reserve (trillion yuan)"),
    "median": ("中位数", "median"),
    "band": ("{lo}–{hi}% 区间", "{lo}–{hi}% band"),
    "reasonable": ("6–9个月 (合理)", "6–9 months (reasonable)"),
    "excess": ("15个月 (过多)", "15 months (too much)"),
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
}


def cjk_font() -> str | None:
    """The name of an installed CJK font matplotlib can use, or None."""
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in installed), None)


def _label(key: str, chinese: bool) -> str:
    zh, en = LABELS[key]
    return zh if chinese else en


def backtest_chart(table, history: dict, path: Path | str) -> Path:
    """One panel per series and item: the published history and each cut-off's forecasts.

    ``table``: rows of :func:`forecast.apps.backtest.backtest` (several cut-offs allowed);
    ``history``: (series, item) -> pandas Series of published values (yuan) by year.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    font = cjk_font()
    chinese = font is not None
    if chinese:
        plt.rcParams["font.sans-serif"] = [font, "DejaVu Sans"]
    panels = sorted(set(zip(table["series"], table["item"])))
    fig, axes = plt.subplots(len(panels), 1, figsize=(7, 2.6 * len(panels)), squeeze=False)
    for ax, (series, item) in zip(axes[:, 0], panels):
        past = history.get((series, item))
        if past is not None:
            past = past.dropna()
            ax.plot(past.index, past.values / 1e8, "k-o", lw=1.5, ms=3, label=_label("actual", chinese))
        rows = table[(table["series"] == series) & (table["item"] == item)]
        for cut, group in rows.groupby("train_until"):
            ax.plot(group["year"], group["forecast"] / 1e8, "--s", ms=3, label=f"{_label('forecast', chinese)} {cut}")
        ax.set_title(f"{_label(series, chinese)} · {_label(item, chinese)}", fontsize=10)
        ax.set_ylabel(_label("unit", chinese), fontsize=8)
        ax.legend(fontsize=7)
        ax.grid(alpha=0.3)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    fig.suptitle(_label("title", chinese))
    fig.tight_layout(rect=(0, 0, 1, 0.97))
    path = Path(path)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def _figure(rows: int, cols: int, size):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    font = cjk_font()
    if font:
        plt.rcParams["font.sans-serif"] = [font, "DejaVu Sans"]
    fig, axes = plt.subplots(rows, cols, figsize=size, squeeze=False)
    return plt, fig, axes, font is not None


def _save(plt, fig, path) -> Path:
    fig.tight_layout(rect=(0, 0, 1, 0.96))
    path = Path(path)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def fan_chart(ds, path: Path | str, pools=("employee", "resident")) -> Path:
    """Fan charts of a stochastic run (:func:`forecast.results.uncertainty.draw_summary`): months
    covered with the 6–9 and 15-month lines, and the reserve, per pool."""
    plt, fig, axes, chinese = _figure(2, len(pools), (5.5 * len(pools), 7))
    years = ds["year"].values
    for j, pool in enumerate(pools):
        for i, (name, scale) in enumerate((("months_covered", 1.0), ("reserve", 1e12))):
            ax = axes[i, j]
            q = ds[f"{name}_quantile"].sel(pool=pool) / scale
            for lo, hi, alpha in ((0.05, 0.95, 0.15), (0.1, 0.9, 0.25), (0.25, 0.75, 0.4)):
                ax.fill_between(years, q.sel(quantile=lo), q.sel(quantile=hi), color="tab:blue", alpha=alpha, lw=0, label=_label("band", chinese).format(lo=int(lo * 100), hi=int(hi * 100)))
            ax.plot(years, q.sel(quantile=0.5), color="tab:blue", lw=1.5, label=_label("median", chinese))
            if name == "months_covered":  # the scale of the lines that matter, not of the widest draws
                ax.set_ylim(max(float(q.sel(quantile=0.05).min()), -36) - 2, min(float(q.sel(quantile=0.95).max()), 60) + 2)
                ax.axhspan(6, 9, color="tab:green", alpha=0.15, label=_label("reasonable", chinese))
                ax.axhline(15, color="tab:red", lw=0.8, ls="--", label=_label("excess", chinese))
            ax.axhline(0, color="black", lw=0.6)
            ax.set_title(f"{_label(pool + '_pool', chinese)} · {_label('months' if name == 'months_covered' else 'reserve', chinese)}", fontsize=10)
            ax.grid(alpha=0.3)
            if i == 0 and j == 0:
                ax.legend(fontsize=7)
    fig.suptitle(_label("fan_title", chinese).format(n=ds.sizes["draw"]))
    return _save(plt, fig, path)


def probability_chart(ds, path: Path | str, pools=("employee", "resident", "ltci")) -> Path:
    """The probability that each pool's reserve is exhausted by the year (solid) and of a current
    deficit in the year (dashed)."""
    plt, fig, axes, chinese = _figure(1, 1, (7, 3.6))
    ax = axes[0, 0]
    years = ds["year"].values
    for pool in pools:
        line = ax.plot(years, ds["p_exhausted"].sel(pool=pool), lw=1.6, label=f"{_label(pool + '_pool', chinese)} · {_label('p_exhausted', chinese)}")
        ax.plot(years, ds["p_current_deficit"].sel(pool=pool), lw=1, ls="--", color=line[0].get_color(), label=f"{_label(pool + '_pool', chinese)} · {_label('p_deficit', chinese)}")
    ax.set_ylim(0, 1)
    ax.set_ylabel(_label("probability", chinese))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    fig.suptitle(_label("fan_title", chinese).format(n=ds.sizes["draw"]))
    return _save(plt, fig, path)


def tornado_chart(table, path: Path | str) -> Path:
    """Tornado bars (low and high against the scenario's value) per pool and metric, from
    :func:`forecast.apps.sensitivity.tornado_table`."""
    pools = list(dict.fromkeys(table["pool"]))
    metrics = list(dict.fromkeys(table["metric"]))
    plt, fig, axes, chinese = _figure(len(metrics), len(pools), (6 * len(pools), 3.2 * len(metrics)))
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
            ax.set_title(f"{_label(pool + '_pool', chinese)} · {_label(metric, chinese)}", fontsize=9)
            ax.grid(alpha=0.3, axis="x")
            if i == 0 and j == 0:
                ax.legend(fontsize=7)
    fig.suptitle(_label("tornado_title", chinese))
    return _save(plt, fig, path)
