"""The valuation report's framing: the cover (region, scenario, valuation date, data cut-off, author
and reviewer), the executive summary in plain Chinese, the reliance and limitations section, and the
appendix. The figures are the run's (:mod:`forecast.apps.valuation` lays out the rest); nothing here
is a number typed in.

The valuation date (评估基准日) is the end of the fund base year, the last year whose figures the
model reproduces; the data cut-off (数据截止) is that year's fund figures and the base population's
date. A report on an illustration bundle says 示例 on its cover, in its summary and in every chart.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..inputs.provenance import PROVENANCE
from ..registry import ITEMS, PENDING

__all__ = ["cover_context", "summary_context", "reliance_context", "appendix_context", "NOT_MODELLED"]

#: what the model does not project (beyond the budget lines it leaves at 0, from the registry)
NOT_MODELLED = (
    "委托投资收益、上级补助收入和上解支出（预算表列为0）",
    "情景未写明的政策调整（待遇目录、支付方式改革、医保支付标准、集中带量采购的效果，除非情景设定了相应参数）",
    "异地就医结算的资金往来、基金调剂金和省级统筹的调剂",
    "基金的投资运营、风险准备金和历年结余的其他用途",
    "人口迁移以外的参保地变化（户籍与常住的差异按数据包的口径处理）",
)


def cover_context(
    ds, scenario, author: str | None = None, reviewer: str | None = None, today: dt.date | None = None
) -> dict:
    """The cover: title, region (with 示例), scenario, valuation date, data cut-off, report date,
    author and reviewer (blank lines to sign where not given)."""
    from ..results.provenance import is_example, place

    base = int(ds.attrs["base_year"])
    population = ds.attrs.get("base_date") or ""
    return {
        "region": place(ds),
        "scenario": scenario.title,
        "example": is_example(ds),
        "valuation_date": f"{base}年12月31日",
        "cutoff": f"基金收支数据截至{base}年（{base}年基金收支决算或统计公报数）"
        + (f"；基础人口截至{population}" if population else ""),
        "horizon": int(ds["year"].values[-1]),
        "report_date": (today or dt.date.today()).strftime("%Y年%m月%d日"),
        "author": author or "",
        "reviewer": reviewer or "",
        "version": ds.attrs.get("forecast_version", ""),
    }


def summary_context(ds, conclusion: list[dict], hints: list[str]) -> dict:
    """The executive summary: one opening sentence, each pool's conclusion, the number of 提示."""
    from ..results.provenance import example_mark, place, pool_scope

    base, horizon = int(ds.attrs["base_year"]), int(ds["year"].values[-1])
    scope = (
        "职工医保按统筹基金测算，个人账户单列"
        if pool_scope(ds, "employee") == "pooled_fund"
        else "职工医保按统筹基金与个人账户合计测算（数据包未分列个人账户）"
    )
    opening = (
        f"本报告以{base}年12月31日为评估基准日，按“{ds.attrs.get('scenario_title', '')}”情景，"
        f"测算{place(ds)}医疗保障各项基金{base + 1}—{horizon}年的收入、支出和累计结余，并按“以收定支、收支平衡、"
        f"略有结余”的原则判断各基金的运行状况；{scope}。"
    )
    if example_mark(ds):
        opening += "本报告所用数据包为示例（部分数据借用全国数推算），结论仅供演示，不能作为决策依据。"
    return {
        "opening": opening,
        "pools": [c["zh"] for c in conclusion],
        "hints": f"另有{len(hints)}条提示，见第9节“依赖与局限”。" if hints else "测算未触发需复核的提示。",
    }


def _provenance_counts(ds) -> str:
    """How many of the base-year figures are published, derived or examples, in words."""
    labels = list((ds.attrs.get("base_year_provenance") or {}).values())
    counts = {key: labels.count(key) for key in PROVENANCE if labels.count(key)}
    return "、".join(f"{PROVENANCE[key][0]}{n}项" for key, n in counts.items()) or "无"


def reliance_context(ds, hints: list[str]) -> dict:
    """What the figures rest on, what is not modelled, and the 提示 a reviewer should check."""
    from ..results.provenance import is_example, place, pool_scope

    base = int(ds.attrs["base_year"])
    rests = [
        f"数据：{place(ds)}数据包（{Path(str(ds.attrs.get('region_path', ''))).name}）的基年数据，"
        f"其中{_provenance_counts(ds)}（公布：统计公报或本地公布数；推算：按注明的方法推算；示例："
        "借用全国数的示例数据）。" + ("该数据包为示例，结论不能作为决策依据。" if is_example(ds) else ""),
        f"校准：模型使{base}年的参保人数和基金收支复现数据包的数；校准系数见附录，超出合理范围的已列为提示。",
        "假设：第3节所列经济、医疗费用、参保和筹资假设，由情景文件设定；近期增长率按历年公报拟合。",
        "口径："
        + (
            "职工医保为统筹基金（含生育保险），个人账户单列。"
            if pool_scope(ds, "employee") == "pooled_fund"
            else "职工医保为统筹基金与个人账户合计（数据包未分列）。"
        )
        + "金额为当年价格的名义值。",
        "判断标准：可支付月数6–9个月为合理，超过15个月为结余过多（人社部发〔2009〕67号）；"
        "3个月的短缺线和预警规则为本项目的设定。",
    ]
    pending = [ITEMS[item.name].form for item in PENDING]
    return {"rests": rests, "not_modelled": [f"{'、'.join(pending)}（预算表列为0）", *NOT_MODELLED], "hints": hints}


def appendix_context(ds, scenario) -> dict:
    """The appendix: the scenario files by name, versions and hashes, the calibration factors, the
    values extended beyond their last given year (counted)."""
    from ..results.review import FACTOR_BAND, FACTORS

    calibration = ds.attrs.get("calibration") or {}
    factors = []
    for keys, (name, _) in FACTORS.items():
        value = calibration
        for key in keys:
            value = value.get(key) if isinstance(value, dict) else None
        if isinstance(value, (int, float)):
            factors.append(
                {
                    "name": name,
                    "value": f"{value:.0%}",
                    "inside": FACTOR_BAND[0] <= value <= FACTOR_BAND[1] or value == 0,
                }
            )
    return {
        "files": [Path(f).name for f in scenario.files],
        "version": ds.attrs.get("forecast_version", ""),
        "scenario_hash": str(ds.attrs.get("scenario_hash", ""))[:12],
        "region_hash": str(ds.attrs.get("region_hash", ""))[:12],
        "factors": factors,
        "extended": len(ds.attrs.get("extended_values", []) or []),
    }
