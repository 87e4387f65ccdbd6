"""Fund accounting: reserve roll-forward, indicators and the 收支平衡、略有结余 verdict.

Convention: ``income`` includes interest; ``balance = income − expenditure`` (当期结余);
``reserve(t) = reserve(t−1) + balance(t)`` (累计结余, end of year; the year loop in
:mod:`forecast.projection` rolls it forward, tested by Hypothesis in tests/properties);
``months_covered = reserve / (expenditure / 12)`` (可支付月数).

The verdict for a pool and year (thresholds from the scenario's ``verdict`` section; the
defaults are 人社部发〔2009〕67号's 6–9 months reasonable and more than 15 too much, with 3
months as the project's "critical" line), tested in this order:

=============  ======================  =====================================================
label          中文                     rule
=============  ======================  =====================================================
exhausted      累计结余耗尽              reserve ≤ 0
critical       结余短缺                  months_covered < critical_months
low            结余不足                  months_covered < low_months
drawing        当期收不抵支              balance < 0 (the reserve is being drawn down)
excessive      结余过多                  months_covered > excess_months
high           结余偏多                  months_covered > high_months
balanced       收支平衡、略有结余         otherwise: balance ≥ 0 and low ≤ months ≤ high
payg           现收现付                  pools financed pay-as-you-go (no reserve)
not_projected  未测算                    no income, expenditure or reserve projected for the pool
                                       (the region has none, or its base-year figures are missing)
=============  ======================  =====================================================

A negative reserve is an accumulated deficit: the amount the fund has paid beyond its means,
which public budgets (or borrowing) would have to meet. It keeps its sign in the results and
the verdict is ``exhausted``. Individual accounts are different: they cannot pay out more than
they hold, so their spending stops at what is in them (:mod:`forecast.projection`).
"""

from __future__ import annotations

import numpy as np

__all__ = ["VERDICTS", "months_covered", "verdict", "first_year"]

VERDICTS: dict[str, str] = {
    "exhausted": "累计结余耗尽",
    "critical": "结余短缺",
    "low": "结余不足",
    "drawing": "当期收不抵支",
    "excessive": "结余过多",
    "high": "结余偏多",
    "balanced": "收支平衡、略有结余",
    "payg": "现收现付",
    "not_projected": "未测算",
}


def months_covered(reserve, expenditure):
    """Months of the year's expenditure the reserve would pay: reserve / (expenditure / 12).

    A fund holding nothing covers 0 months whatever it spends; a reserve with no expenditure
    at all gives NaN, which a run refuses (:func:`forecast.projection.check_finite`).
    """
    reserve = np.asarray(reserve, dtype=float)
    expenditure = np.asarray(expenditure, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        months = np.where(expenditure > 0, reserve / (expenditure / 12), np.nan)
    return np.where((expenditure <= 0) & (reserve == 0), 0.0, months)


def verdict(reserve: float, balance: float, months: float, thresholds: dict, payg: bool = False) -> str:
    """The verdict label for one pool and year (see the module table); ``undefined`` for a
    non-finite input, which a run never writes."""
    if payg:
        return "payg"
    if not (np.isfinite(reserve) and np.isfinite(balance) and np.isfinite(months)):
        return "undefined"
    if reserve <= 0:
        return "exhausted"
    if months < thresholds["critical_months"]:
        return "critical"
    if months < thresholds["low_months"]:
        return "low"
    if balance < 0:
        return "drawing"
    if months > thresholds["excess_months"]:
        return "excessive"
    if months > thresholds["high_months"]:
        return "high"
    return "balanced"


def first_year(years, condition) -> int | None:
    """The first year where ``condition`` holds, or None."""
    hits = np.flatnonzero(np.asarray(condition))
    return int(np.asarray(years)[hits[0]]) if len(hits) else None
