"""提示: the checks a reviewer expects, each a line with the figure and what to check.

A run or an execution analysis can be arithmetically right and still rest on something a
reviewer must look at: a calibration factor far from 1 (the model needed a large correction to
reproduce the base year), an interval wider than the year's own spending (beyond it the band says
little), an execution ratio outside 80–120% (the approved budget or the actuals may be on another
scope or unit), a seasonal profile assumed rather than given. Each gives a :class:`Hint`, printed in
the terminal and shown in the valuation report; none stops a run.

The bands are stated here, once:

>>> FACTOR_BAND, REALISATION_BAND, EXECUTION_BAND
((0.5, 2.0), (0.8, 1.25), (0.8, 1.2))
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "Hint",
    "FACTOR_BAND",
    "REALISATION_BAND",
    "EXECUTION_BAND",
    "calibration_hints",
    "interval_hints",
    "profile_hint",
    "execution_hints",
    "run_hints",
    "hint_lines",
]

#: a calibration factor (the model's base year against the bundle's figure) outside this band is a large correction
FACTOR_BAND = (0.5, 2.0)
#: the resident fund's income against the national standard × enrollees (筹资到位率): outside this band,
#: check the counts or the standard
REALISATION_BAND = (0.8, 1.25)
#: 执行率 of the full-year estimate against the approved budget: outside this band, check scope and units
EXECUTION_BAND = (0.8, 1.2)

#: calibration factor (attrs["calibration"] path) -> (中文, what to check)
FACTORS = {
    ("outpatient_factor", "employee"): (
        "职工医保普通门诊校准系数",
        "普通门诊待遇支出与基年支出的划分、职工参保人数（在职/退休）和个人账户口径：数据包未分列个人账户时，"
        "门诊共济和个人账户支出都计入统筹基金",
    ),
    ("outpatient_factor", "resident"): (
        "居民医保普通门诊校准系数",
        "居民医保基年支出、普通门诊人次和次均费用（utilisation.csv）",
    ),
    ("assistance_factor",): ("医疗救助校准系数", "医疗救助基年支出和救助对象占比（情景的 medical_assistance.groups）"),
    ("ltci_cost_factor",): ("长期护理保险费用校准系数", "长护险基年支出、享受待遇人数和失能率"),
}


@dataclass(frozen=True)
class Hint:
    """One 提示: its topic, the figure (text) and what to check, in Chinese (English beside it)."""

    topic: str
    figure: str
    check: str
    en: str = ""

    def line(self) -> str:
        return f"提示：{self.topic}{self.figure}。请核对：{self.check}。" + (f" ({self.en})" if self.en else "")


def _path(attrs: dict, keys: tuple) -> float | None:
    value = attrs
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return (
        float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) and np.isfinite(value) else None
    )


def calibration_hints(ds) -> list[Hint]:
    """A calibration factor outside :data:`FACTOR_BAND` (筹资到位率 outside :data:`REALISATION_BAND`)."""
    calibration = ds.attrs.get("calibration") or {}
    hints = []
    for keys, (name, check) in FACTORS.items():
        value = _path(calibration, keys)
        if value is not None and value > 0 and not FACTOR_BAND[0] <= value <= FACTOR_BAND[1]:
            hints.append(
                Hint(
                    name,
                    f"为{value:.0%}，超出{FACTOR_BAND[0]:.0%}–{FACTOR_BAND[1]:.0%}的合理范围",
                    check,
                    f"calibration factor {'.'.join(keys)} {value:.2f}, outside {FACTOR_BAND[0]:g}-{FACTOR_BAND[1]:g}",
                )
            )
    value = _path(calibration, ("resident_realisation",))
    if value is not None and value > 0 and not REALISATION_BAND[0] <= value <= REALISATION_BAND[1]:
        hints.append(
            Hint(
                "居民医保筹资到位率（实收÷国家标准×参保人数）",
                f"为{value:.0%}，超出{REALISATION_BAND[0]:.0%}–{REALISATION_BAND[1]:.0%}",
                "居民医保基年收入、参保人数和当地筹资标准（地方标准高于国家最低标准时，请在情景中写明 policy.resident "
                "的筹资标准）",
                f"resident realisation {value:.2f}, outside {REALISATION_BAND[0]:g}-{REALISATION_BAND[1]:g}",
            )
        )
    return hints


def interval_hints(ds, level: float = 0.8) -> list[Hint]:
    """Per pool, the first year whose interval is wider than the year's spending: over draws the
    reserve's 10–90% band, otherwise the prediction band of income or expenditure."""
    from .provenance import place

    hints = []
    central = ds.fund.central()
    payg = ds.fund.payg()
    for pool in [str(p) for p in ds["pool"].values if not bool(payg.sel(pool=p))]:
        spent = central["expenditure"].sel(pool=pool)
        if "reserve_quantile" in ds:
            low, high = (ds["reserve_quantile"].sel(pool=pool, quantile=q) for q in (0.1, 0.9))
            what = "累计结余10%–90%区间"
        elif "expenditure_log_sd" in ds:
            band = ds.fund.interval(level)
            low, high = band["expenditure_lower"].sel(pool=pool), band["expenditure_upper"].sel(pool=pool)
            what = f"基金支出{level:.0%}预测区间"
        else:
            continue
        wide = ((high - low) > spent) & (spent > 0)
        if bool(wide.any()):
            year = int(wide["year"].values[np.argmax(wide.values)])
            lo, hi, s = (float(x.sel(year=year)) / 1e8 for x in (low, high, spent))
            hints.append(
                Hint(
                    f"{place(ds)} {_pool_zh(pool)}{year}年{what}",
                    f"为{lo:,.1f}至{hi:,.1f}亿元，宽于当年支出{s:,.1f}亿元",
                    "此后区间已不能说明基金规模，应看中位数和耗尽概率，并核对驱动因素的波动设定（历史数据越短，"
                    "区间越宽）",
                    f"{pool} {year}: the interval is wider than the year's expenditure",
                )
            )
    return hints


def profile_hint(pools, source: str = "") -> Hint | None:
    """The seasonal profile is assumed (uniform, m/12) for ``pools``: the full year from year-to-date
    figures has no interval and follows no seasonality."""
    pools = [p for p in pools]
    if not pools:
        return None
    return Hint(
        "",
        f"{'、'.join(_pool_zh(p) for p in pools)}没有月度历史，按均匀进度（每月1/12）假设推算全年"
        + (f"（{source}）" if source else ""),
        "用 --history 提供本地历年月度累计数，或在数据包中加入 "
        "monthly_fund.csv；均匀进度下年初数据推算的全年偏差可能很大",
        "the monthly profile is assumed uniform",
    )


def execution_hints(rates) -> list[Hint]:
    """执行率 of the full-year estimate outside :data:`EXECUTION_BAND`."""
    hints = []
    for row in rates.itertuples(index=False):
        rate = getattr(row, "rate_estimate", np.nan)
        if row.line == "balance" or not np.isfinite(rate) or EXECUTION_BAND[0] <= rate <= EXECUTION_BAND[1]:
            continue
        hints.append(
            Hint(
                f"{_pool_zh(row.pool)}{row.label}全年预计执行率",
                f"为{rate:.1%}，超出{EXECUTION_BAND[0]:.0%}–{EXECUTION_BAND[1]:.0%}",
                "批复预算与执行数的口径（统筹基金、个人账户或合计）、金额单位（元、万元、亿元）和截至月份",
                f"{row.pool} {row.line}: execution rate {rate:.1%}",
            )
        )
    return hints


def run_hints(ds) -> list[Hint]:
    """The hints of a run: calibration factors and intervals."""
    return calibration_hints(ds) + interval_hints(ds)


def hint_lines(hints) -> list[str]:
    """The hints as printed, one line each."""
    return [hint.line() for hint in hints if hint is not None]


def _pool_zh(pool: str) -> str:
    from ..registry import POOL_ENTRIES

    return next((p.short_zh for p in POOL_ENTRIES if p.name == pool), pool)
