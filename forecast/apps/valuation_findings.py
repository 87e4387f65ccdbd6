"""The findings of the valuation report (:mod:`forecast.apps.valuation`), section by section: 5 results
per pool (income, expenditure, balance, reserve, months covered and verdict in the years shown), 6
uncertainty and sensitivity (percentiles of the draws, the tornado) and 8 the conclusion per pool in
terms of 收支平衡、略有结余; with the money (亿元) and year formats they share with the rest of the report.
The figures are the run's (``ds.fund``); nothing is recomputed here.
"""

from __future__ import annotations

from ..model.fund import VERDICTS
from ..results.uncertainty import year_percentiles
from ..vocabulary import POOL_NAMES_EN, POOL_NAMES_ZH

__all__ = ["money_text", "results_context", "uncertainty_context", "conclusion_context"]


def money_text(value) -> str:
    return "—" if value is None or value != value else f"{round(value / 1e8, 1) + 0.0:,.1f}"  # + 0.0: no "-0.0"


def _year(value, horizon: int) -> str:
    return f"none to {horizon} 无" if value is None or value != value or value > horizon else str(int(value))


def _verdict(label: str) -> str:
    return f"{VERDICTS[label]} ({label})"


def _years(ds) -> list[int]:
    years = [int(y) for y in ds["year"].values]
    base = int(ds.attrs["base_year"])
    return [y for y in years if y in (base, base + 1, years[-1]) or (y > base + 1 and y % 5 == 0)]


def results_context(ds) -> list[dict]:
    central = ds.fund.central()
    labels, payg = central.fund.verdict_label(), ds.fund.payg()
    deficit, exhausted = central.fund.first_deficit_year(), central.fund.exhaustion_year()
    horizon = int(ds["year"].values[-1])
    out = []
    for pool in [str(p) for p in ds["pool"].values]:
        at = central.sel(pool=pool)
        if (labels.sel(pool=pool) == "not_projected").all():
            continue
        rows = [
            {
                "year": y,
                "income": money_text(float(at["income"].sel(year=y))),
                "expenditure": money_text(float(at["expenditure"].sel(year=y))),
                "balance": money_text(float(at["balance"].sel(year=y))),
                "reserve": "—" if bool(payg.sel(pool=pool)) else money_text(float(at["reserve"].sel(year=y))),
                "months": "—" if bool(payg.sel(pool=pool)) else f"{float(at['months_covered'].sel(year=y)):,.1f}",
                "verdict": _verdict(str(labels.sel(pool=pool, year=y).item())),
            }
            for y in _years(ds)
        ]
        out.append(
            {
                "id": pool,
                "zh": POOL_NAMES_ZH[pool],
                "en": POOL_NAMES_EN[pool],
                "payg": bool(payg.sel(pool=pool)),
                "rows": rows,
                "first_deficit": _year(float(deficit.sel(pool=pool)), horizon),
                "exhaustion": _year(float(exhausted.sel(pool=pool)), horizon),
                "deficit_year": float(deficit.sel(pool=pool)),
                "exhaustion_year": float(exhausted.sel(pool=pool)),
            }
        )
    return out


def uncertainty_context(ds, tornado) -> dict | None:
    if "draw" not in ds.dims or ds.sizes["draw"] < 2:
        return None
    horizon, pools = int(ds["year"].values[-1]), []
    for pool in [str(p) for p in ds["pool"].values if not bool(ds.fund.payg().sel(pool=p))]:
        q = {name: ds[f"{name}_quantile"].sel(pool=pool) for name in ("reserve", "months_covered")}
        rows = [
            {
                "year": y,
                "p_deficit": f"{float(ds['p_current_deficit'].sel(pool=pool, year=y)):.0%}",
                "p_exhausted": f"{float(ds['p_exhausted'].sel(pool=pool, year=y)):.0%}",
                "reserve": " / ".join(money_text(float(q["reserve"].sel(year=y, quantile=p))) for p in (0.1, 0.5, 0.9)),
                "months": " / ".join(
                    f"{float(q['months_covered'].sel(year=y, quantile=p)):,.1f}" for p in (0.1, 0.5, 0.9)
                ),
            }
            for y in _years(ds)
        ]
        years = {
            name: " / ".join(_year(v, horizon) for v in year_percentiles(ds[name].sel(pool=pool)).values())
            for name in ("first_deficit_year", "exhaustion_year")
        }
        pools.append({"id": pool, "en": POOL_NAMES_EN[pool], "rows": rows, **years})
    sensitivity = (
        None
        if tornado is None
        else [
            {
                k: (f"{v:.0f}" if row["metric"] == "exhaustion_year" else f"{v:,.1f}") if isinstance(v, float) else v
                for k, v in row.items()
            }
            for row in tornado[["pool", "metric", "group", "low", "base", "high", "swing"]].to_dict("records")
        ]
    )
    return {"draws": ds.sizes["draw"], "seed": ds.attrs.get("seed"), "pools": pools, "sensitivity": sensitivity}


def _judgement(months: float, t: dict, deficit: bool, exhausted: bool) -> tuple[str, str]:
    """The 以收定支、收支平衡、略有结余 judgement of a pool from its months covered, deficit and exhaustion."""
    if exhausted:
        return (
            "不能保持收支平衡，需调整筹资或待遇（见 forecast solve）",
            "the fund does not stay in balance: financing or benefits must change (see forecast solve)",
        )
    if months > t["excess_months"]:
        return "结余过多，并非“略有结余”", "the reserve is too large, not the modest surplus the rule asks for"
    if deficit:
        return "当期收不抵支，靠累计结余弥补", "current deficits are met from the reserve"
    if months < t["low_months"]:
        return "结余不足", "the reserve is short of the reasonable band"
    return "收支平衡、略有结余", "balanced, with a modest surplus"


def conclusion_context(ds, results) -> list[dict]:
    """One sentence per pool, in Chinese and English, in terms of 收支平衡、略有结余."""
    t, horizon = ds.attrs["verdict_thresholds"], int(ds["year"].values[-1])
    central = ds.fund.central()
    out = []
    for pool in results:
        if pool["payg"]:
            out.append(
                {
                    "zh": f"{pool['zh']}：现收现付，当年收支相抵，无累计结余可判断。",
                    "en": f"{pool['en']}: pay-as-you-go, income meets each year's spending; no reserve to judge.",
                }
            )
            continue
        year = min(2030, horizon)
        months = float(central["months_covered"].sel(pool=pool["id"], year=year))
        deficit, exhausted = (
            pool["deficit_year"] == pool["deficit_year"],
            pool["exhaustion_year"] == pool["exhaustion_year"],
        )  # not NaN: within the horizon
        zh = (
            f"{pool['zh']}：{year}年可支付 {months:,.1f} 个月（合理区间 {t['low_months']:g}–{t['high_months']:g} 个月，"
            f"过多界线 {t['excess_months']:g} 个月）"
        )
        en = (
            f"{pool['en']}: {months:,.1f} months covered in {year} "
            f"(reasonable {t['low_months']:g}–{t['high_months']:g}, too much above {t['excess_months']:g})"
        )
        if exhausted:
            zh, en = (
                zh + f"；{pool['first_deficit']}年起当期收不抵支，{pool['exhaustion']}年累计结余耗尽",
                en + f"; a current deficit from {pool['first_deficit']}, the reserve exhausted in {pool['exhaustion']}",
            )
        elif deficit:
            zh, en = (
                zh + f"；{pool['first_deficit']}年起当期收不抵支，至{horizon}年累计结余未耗尽",
                en + f"; a current deficit from {pool['first_deficit']}, the reserve lasting to {horizon}",
            )
        else:
            zh, en = zh + f"；至{horizon}年无当期赤字", en + f"; no current deficit to {horizon}"
        judged = _judgement(months, t, deficit, exhausted)
        zh, en = zh + f"。结论：{judged[0]}。", en + f". Judgement: {judged[1]}."
        if "p_exhausted" in ds:
            p = float(ds["p_exhausted"].sel(pool=pool["id"], year=horizon))
            zh, en = (
                zh + f"{ds.sizes['draw']} 次随机模拟中，至{horizon}年累计结余耗尽的概率为 {p:.0%}。",
                en + f" In {ds.sizes['draw']} draws, the probability of exhaustion by {horizon} is {p:.0%}.",
            )
        out.append({"zh": zh, "en": en})
    return out
