"""The valuation report's 风险预警 table (section 5) and its 以收定支 subsection (section 8): what
financing keeps each pool's months covered in the reasonable band (``forecast report --solve``).

The warning levels are the run's own (``ds.fund.warning_label()``, :mod:`forecast.model.fund.warning`),
shown for the base year and the summary years with the rule that sets each level. The financing is
the break-even solver's (:func:`forecast.apps.solve.solve`, called in-process on the central
projection): one multiplier of the scenario's financing path from the year after the base year
(``level``) and the year-by-year path (``path``), each checked by a run; a target the solver cannot
reach is reported with the solver's own reason (the years missed, or the best it could reach).
"""

from __future__ import annotations

from ..engine import resolved_rules
from ..errors import InputError
from ..inputs.region import load_region
from ..model.fund.warning import WARNINGS
from ..vocabulary import POOL_NAMES_EN, POOL_NAMES_ZH
from .solution import Target, misses
from .solve import LEVERS, solve

__all__ = ["warning_context", "balance_context", "balance_lines", "SOLVED_LEVERS"]

#: the lever solved for each pool (the solver's financing levers: the whole of each pool's financing)
SOLVED_LEVERS = {"employee": "rate", "resident": "financing", "ltci": "financing"}
#: how each lever reads: its name, and whether its parts are ratios (a contribution rate) or yuan a person a year
LEVER_TEXT = {
    "employee": ("缴费率 contribution rate (employer + employee, share of the contribution base)", "ratio"),
    "resident": ("人均筹资 financing per insured person (individual + fiscal subsidy), 元/人/年", "yuan"),
    "ltci": ("人均筹资 financing per covered person, 元/人/年", "yuan"),
}
MILESTONES = (2030, 2040, 2050)


def _pools(ds) -> list[str]:
    """The pools with a reserve that the run projected (pay-as-you-go pools have no months covered)."""
    labels, payg = ds.fund.central().fund.verdict_label(), ds.fund.payg()
    return [
        str(p)
        for p in ds["pool"].values
        if not bool(payg.sel(pool=p)) and not bool((labels.sel(pool=p) == "not_projected").all())
    ]


def _milestones(ds, first: int) -> list[int]:
    years = {int(y) for y in ds["year"].values}
    return [y for y in (first, *MILESTONES) if y in years]


def warning_context(ds) -> dict | None:
    """Each reserve pool's 风险预警 level in the base year and the summary years, and the rule of each level."""
    if "warning" not in ds:
        return None

    labels = ds.fund.central().fund.warning_label()
    years = _milestones(ds, int(ds.attrs["base_year"]))

    def level(pool, year):
        label = str(labels.sel(pool=pool, year=year).item())
        return {"year": year, "label": label, "zh": WARNINGS[label]}

    pools = [
        {"id": p, "zh": POOL_NAMES_ZH[p], "en": POOL_NAMES_EN[p], "levels": [level(p, y) for y in years]}
        for p in _pools(ds)
    ]
    return {
        "years": years,
        "pools": pools,
        "rules": warning_rules(ds.attrs["verdict_thresholds"], ds.attrs["warning_settings"]),
    }


def warning_rules(t: dict, s: dict) -> list[dict]:
    """The rule that sets each level, in the order they are tested (the first that holds)."""
    return [
        {
            "label": "red",
            "zh": "红色",
            "rule": (
                f"累计结余耗尽，或可支付月数低于 {t['critical_months']:g} 个月 — the reserve exhausted, or months "
                f"covered below {t['critical_months']:g}"
            ),
        },
        {
            "label": "orange",
            "zh": "橙色",
            "rule": (
                f"可支付月数低于 {t['low_months']:g} 个月，或连续 {s['warning_deficit_years']:g} 年当期收不抵支 — "
                f"months covered below {t['low_months']:g}, or a current deficit {s['warning_deficit_years']:g} years "
                "running"
            ),
        },
        {
            "label": "yellow",
            "zh": "黄色",
            "rule": (
                f"当期收不抵支，或当期结余率连续 {s['warning_trend_years']:g} 年下降且低于 "
                f"{s['warning_surplus_rate']:.0%} — a current deficit, or the surplus rate (balance ÷ income) below "
                f"{s['warning_surplus_rate']:.0%} after falling {s['warning_trend_years']:g} years running"
            ),
        },
        {
            "label": "blue",
            "zh": "蓝色",
            "rule": (
                f"可支付月数超过 {t['excess_months']:g} 个月（结余过多） — months covered above {t['excess_months']:g} "
                "(too much reserve, money idle that the insured paid for)"
            ),
        },
        {"label": "none", "zh": "无", "rule": "以上均不成立 — none of the above"},
    ]


def balance_context(ds, scenario, requested: bool) -> dict:
    """The 以收定支 subsection: for each solvable pool whose months covered leave the band, the solver's
    level and path (only when ``requested``: each costs runs of the scenario)."""
    t = ds.attrs["verdict_thresholds"]
    base, horizon = int(ds.attrs["base_year"]), int(ds["year"].values[-1])
    out = {
        "requested": requested,
        "low": t["low_months"],
        "high": t["high_months"],
        "start": base + 1,
        "horizon": horizon,
        "pools": [],
    }
    if not requested:
        return out

    target = Target("months", float(t["low_months"]), float(t["high_months"]))
    months = ds.fund.central()["months_covered"].sel(year=slice(base + 1, horizon))
    rules = None
    for pool in [p for p in _pools(ds) if p in SOLVED_LEVERS]:
        at = months.sel(pool=pool)
        outside = [
            int(y) for y, m in zip(at["year"].values, at.values) if not target.low - 1e-6 <= m <= target.high + 1e-6
        ]
        entry = {
            "id": pool,
            "zh": POOL_NAMES_ZH[pool],
            "en": POOL_NAMES_EN[pool],
            "lever": SOLVED_LEVERS[pool],
            "lever_text": LEVER_TEXT[pool][0],
            "outside": _spans(outside),
        }
        if outside:
            if rules is None:
                rules = _scenario_rules(scenario)
            entry["level"] = _solved(scenario, pool, target, rules, ds, path=False)
            entry["path"] = _solved(scenario, pool, target, rules, ds, path=True)
        out["pools"].append(entry)
    return out


def balance_lines(balance: dict) -> list[str]:
    """The subsection in a few printed lines: each pool's answer, level then path."""
    lines = [
        f"以收定支 financing for months covered within {balance['low']:g}-{balance['high']:g}, "
        f"{balance['start']}-{balance['horizon']}:"
    ]
    for pool in balance["pools"]:
        if not pool["outside"]:
            lines.append(f"  {pool['id']}: within the band in every year, no change needed")
            continue
        for mode in ("level", "path"):
            answer = pool[mode]
            if "rows" not in answer:
                said = f"cannot meet the target — {answer['reason']}"
            else:
                last = answer["rows"][-1] if answer["rows"] else None
                said = (
                    ("" if answer["multiplier"] is None else f"multiplier {answer['multiplier']}; ")
                    + (f"{last['year']}: {last['solved']}" if last else "")
                    + ("" if answer["ok"] else f" ({answer['reason']})")
                )
            lines.append(f"  {pool['id']} {mode}: {said}")
    return lines


def _spans(years: list[int]) -> str:
    """Years as runs: 2025–2031, 2040."""
    spans, start = [], None
    for i, y in enumerate(years):
        start = y if start is None else start
        if i + 1 == len(years) or years[i + 1] != y + 1:
            spans.append(str(y) if start == y else f"{start}–{y}")
            start = None
    return ", ".join(spans)


def _scenario_rules(scenario):
    return resolved_rules(
        scenario, load_region(scenario.region_path), dict(scenario.params), dict(scenario.root_params), scenario.horizon
    )


def _solved(scenario, pool: str, target, rules, ds, path: bool) -> dict:
    """One solver answer: the multiplier (level) and the lever's parts at the milestone years, the
    scenario's own value beside each; or the solver's reason it cannot meet the target."""
    try:
        solution = solve(scenario, pool, SOLVED_LEVERS[pool], target, path=path)
    except InputError as exc:
        return {"ok": False, "reason": "; ".join(p.message for p in exc.problems)}
    parts = LEVERS[(pool, SOLVED_LEVERS[pool])]
    years = [y for y in _milestones(ds, solution.start) if y in solution.values[parts[0]]]
    own = {p: dict(zip((int(y) for y in rules.years), (float(v) for v in rules[p]))) for p in parts}
    check = solution.check.fund.central()["months_covered"].sel(pool=pool)
    rows = [
        {
            "year": y,
            "scenario": _lever(pool, [own[p][y] for p in parts]),
            "solved": _lever(pool, [solution.values[p][y] for p in parts]),
            "months": f"{float(check.sel(year=y)):,.1f}",
        }
        for y in years
    ]
    missed = misses(solution)
    return {
        "ok": not missed,
        "reason": f"the check run misses the target in {_spans(missed)}" if missed else "",
        "notes": list(solution.notes),
        "multiplier": None if solution.level is None else f"{solution.level:.4f}",
        "rows": rows,
    }


def _lever(pool: str, values: list[float]) -> str:
    """The lever's parts and their total: a rate in per cent, or yuan a person a year."""
    if LEVER_TEXT[pool][1] == "ratio":
        shown = [f"{v:.2%}" for v in values]
        return shown[0] if len(values) == 1 else " + ".join(shown) + f" = {sum(values):.2%}"
    shown = [f"{v:,.1f}" for v in values]
    return shown[0] if len(values) == 1 else " + ".join(shown) + f" = {sum(values):,.1f}"
