"""Charts (matplotlib, Agg backend: no display needed). Plotting is kept out of the model stages.

Labels are Chinese when a CJK font is installed and English otherwise, never boxes of missing
glyphs: :func:`cjk_font` looks for one of the common CJK fonts known to matplotlib.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["cjk_font", "backtest_chart"]

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
