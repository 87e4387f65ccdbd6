"""Charts of a run (matplotlib, Agg: no display needed). Each function returns a
:class:`matplotlib.figure.Figure` and writes nothing; :func:`png_bytes` renders one for
:func:`forecast.results.writers.write_files` (``forecast run --out``) or the valuation report.

Labels are Chinese when a CJK font is installed and English otherwise, never boxes of missing
glyphs (:mod:`forecast.results.chart_base`). Every chart of a run is titled with its region (with
（示例） for an illustration bundle) and scenario. Money is shown in 亿元 (100 million yuan) with
thousands separators; the months-covered lines are the scenario's verdict thresholds
(人社部发〔2009〕67号: 6–9 months reasonable, above 15 too much), on axes that fit the data.
"""

from __future__ import annotations

import numpy as np

from .chart_base import (
    LABELS,
    YI,
    _figure,
    _finish,
    _fonts,
    _label,
    _rescanned,
    _thousands,
    _years,
    chart_context,
    cjk_font,
    png_bytes,
)

__all__ = [
    "cjk_font",
    "png_bytes",
    "main_charts",
    "run_context",
    "scenario_context",
    "reserve_chart",
    "flows_chart",
    "pyramid_chart",
    "fan_chart",
    "probability_chart",
    "tornado_chart",
    "backtest_chart",
    "LABELS",
    "chart_context",
]
__all__ += ["_rescanned"]  # the font re-scan, for its test


def _pool_title(ds, pool: str, chinese: bool) -> str:
    """A pool's panel title; the employee fund as a whole where the run's scope is the total."""
    from .provenance import pool_scope

    return _label("employee total" if pool == "employee" and pool_scope(ds, pool) == "total" else pool, chinese)


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
            ax.fill_between(
                years,
                q.sel(quantile=lo),
                q.sel(quantile=hi),
                color="tab:blue",
                alpha=alpha,
                lw=0,
                label=_label("band", chinese, lo=round(lo * 100), hi=round(hi * 100)),
            )
        values, low, high = (
            q.sel(quantile=0.5).values,
            q.sel(quantile=bands[0][0]).values,
            q.sel(quantile=bands[0][1]).values,
        )
    else:
        low = high = values
    ax.plot(years, values, color="tab:blue", lw=1.6, label=_label("median", chinese) if "draw" in ds.dims else None)
    if name == "months_covered":  # the scale of the lines that matter, not of the widest draws
        _bands(ax, ds.attrs["verdict_thresholds"], chinese)
        top = max(float(np.nanmax(high)), ds.attrs["verdict_thresholds"]["excess_months"])
        bottom = min(float(np.nanmin(low)), 0.0)
        ax.set_ylim(
            bottom - 0.05 * (top - bottom), top + 0.08 * (top - bottom)
        )  # the data's whole range, never clipped
        ax.set_ylabel(_label("months", chinese), fontsize=8)
    else:
        ax.axhline(0, color="black", lw=0.6)
        ax.set_ylabel(_label("reserve", chinese), fontsize=8)
        _thousands(ax.yaxis)
    ax.set_title(_pool_title(ds, pool, chinese), fontsize=10)
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
        return _finish(fig, _label("reserve_title", chinese), chart_context(ds, chinese))


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
        for ax in axes.flat[len(pools) :]:
            ax.set_visible(False)
        for ax, pool in zip(axes.flat, pools):
            for flow, color in (("income", "tab:blue"), ("expenditure", "tab:orange")):
                line = central[flow].sel(pool=pool).values / YI
                ax.plot(years, line, color=color, lw=1.6, label=_label(flow, chinese))
                if f"{flow}_quantile" in ds:
                    q = ds[f"{flow}_quantile"].sel(pool=pool) / YI
                    ax.fill_between(years, q.sel(quantile=0.1), q.sel(quantile=0.9), color=color, alpha=0.15, lw=0)
                elif bands is not None:
                    ax.fill_between(
                        years,
                        bands[f"{flow}_lower"].sel(pool=pool) / YI,
                        bands[f"{flow}_upper"].sel(pool=pool) / YI,
                        color=color,
                        alpha=0.15,
                        lw=0,
                    )
            inc, exp = central["income"].sel(pool=pool).values / YI, central["expenditure"].sel(pool=pool).values / YI
            ax.fill_between(
                years, inc, exp, where=inc < exp, color="tab:red", alpha=0.3, lw=0, label=_label("deficit", chinese)
            )
            ax.set_title(_pool_title(ds, pool, chinese), fontsize=10)
            ax.set_ylabel(_label("yi", chinese), fontsize=8)
            ax.set_ylim(bottom=0)
            _thousands(ax.yaxis)
            _years(ax)
            ax.legend(fontsize=7, loc="upper left")
        return _finish(fig, _label("flows", chinese), chart_context(ds, chinese))


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
        return _finish(fig, f"{_label('pyramid', chinese)} {first} / {last}", chart_context(ds, chinese))


def run_context(ds):
    """The ``context`` of a chart drawn from a table of ``ds``'s run (tornado, back-test)."""
    return lambda chinese: chart_context(ds, chinese)


def scenario_context(scenario, region):
    """The ``context`` of a chart of ``scenario`` on ``region`` without a run (the sensitivity's tornado,
    the back-test)."""
    from types import SimpleNamespace

    named = SimpleNamespace(
        attrs={
            "region_name": region.name,
            "region_name_en": region.metadata.get("name_en", ""),
            "illustration": region.illustration,
            "scenario_title": scenario.title,
        }
    )
    return lambda chinese: chart_context(named, chinese)


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
                _panel(
                    axes[i, j],
                    ds,
                    ds,
                    pool,
                    name,
                    chinese,
                    bands=((0.05, 0.95, 0.15), (0.1, 0.9, 0.25), (0.25, 0.75, 0.4)),
                )
        axes[0, 0].legend(fontsize=7)
        return _finish(fig, _label("fan_title", chinese, n=ds.sizes["draw"]), chart_context(ds, chinese))


def probability_chart(ds, pools=("employee", "resident", "ltci")):
    """The probability that each pool's reserve is exhausted by the year (solid) and of a current
    deficit in the year (dashed)."""
    years = ds["year"].values
    with _fonts() as chinese:
        fig, axes = _figure(1, 1, (7, 3.8))
        ax = axes[0, 0]
        for pool in pools:
            line = ax.plot(
                years,
                ds["p_exhausted"].sel(pool=pool),
                lw=1.6,
                label=f"{_label(pool, chinese)} · {_label('p_exhausted', chinese)}",
            )
            ax.plot(
                years,
                ds["p_current_deficit"].sel(pool=pool),
                lw=1,
                ls="--",
                color=line[0].get_color(),
                label=f"{_label(pool, chinese)} · {_label('p_deficit', chinese)}",
            )
        ax.set_ylim(0, 1)
        ax.set_ylabel(_label("probability", chinese))
        _years(ax)
        ax.legend(fontsize=7)
        return _finish(fig, _label("fan_title", chinese, n=ds.sizes["draw"]), chart_context(ds, chinese))


def tornado_chart(table, context=lambda chinese: ""):
    """Tornado bars (low and high against the scenario's value) per pool and metric, from
    :func:`forecast.apps.sensitivity.tornado_table`, the assumption groups named in the labels'
    language; ``context(chinese)``: the line under the title (:func:`run_context`)."""
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
                ax.set_yticks(y, [_label(g, chinese) if g in LABELS else g for g in rows["group"]], fontsize=7)
                ax.set_title(f"{_label(pool, chinese)} · {_label(metric, chinese)}", fontsize=9)
                ax.grid(alpha=0.3, axis="x")
                if i == 0 and j == 0:
                    ax.legend(fontsize=7)
        return _finish(fig, _label("tornado_title", chinese), context(chinese))


def backtest_chart(table, history: dict, context=lambda chinese: ""):
    """One panel per series and item: the published history and each cut-off's forecasts.

    ``table``: rows of :func:`forecast.apps.backtest.backtest` (several cut-offs allowed);
    ``history``: (series, item) -> pandas Series of published values (yuan) by year;
    ``context(chinese)``: the line under the title.
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
                ax.plot(
                    group["year"], group["forecast"] / YI, "--s", ms=3, label=f"{_label('forecast', chinese)} {cut}"
                )
            ax.set_title(f"{_label(series, chinese)} · {_label(item, chinese)}", fontsize=10)
            ax.set_ylabel(_label("yi", chinese), fontsize=8)
            _thousands(ax.yaxis)
            ax.legend(fontsize=7)
            _years(ax)
        return _finish(fig, _label("backtest_title", chinese), context(chinese))
