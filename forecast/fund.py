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
=============  ======================  =====================================================
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
}


def months_covered(reserve, expenditure):
    """Months of the year's expenditure the reserve would pay (NaN without expenditure)."""
    expenditure = np.asarray(expenditure, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(expenditure > 0, np.asarray(reserve) / (expenditure / 12), np.nan)


def verdict(reserve: float, balance: float, months: float, thresholds: dict, payg: bool = False) -> str:
    """The verdict label for one pool and year (see the module table)."""
    if payg:
        return "payg"
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
