"""Fund accounting: reserve roll-forward, indicators and the 收支平衡、略有结余 verdict.

Convention: ``income`` includes interest; ``balance = income − expenditure`` (当期结余);
``reserve(t) = reserve(t−1) + balance(t)`` (累计结余, end of year; :func:`roll_forward` is the
model's only loop over years, vectorised over pools and draws; tested by Hypothesis in
tests/properties);
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
undefined      —                         a non-finite input (a run refuses to return it)
=============  ======================  =====================================================

Verdicts are stored as small integer codes (``int8``) with their labels in the variable's
``flag_values`` and ``flag_meanings`` attrs (the CF convention); :data:`VERDICTS` gives the
Chinese terms.

A negative reserve is an accumulated deficit: the amount the fund has paid beyond its means,
which public budgets (or borrowing) would have to meet. It keeps its sign in the results and
the verdict is ``exhausted``. Individual accounts are different: they cannot pay out more than
they hold, so their spending stops at what is in them (:func:`account_roll_forward`).
"""

from __future__ import annotations

import numpy as np
import xarray as xr

__all__ = ["VERDICTS", "CODES", "roll_forward", "account_roll_forward", "interest_income", "months_covered", "verdict_codes", "verdict_labels", "first_year"]

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
    "undefined": "—",
}
#: label -> integer code of the stored verdict
CODES: dict[str, int] = {label: code for code, label in enumerate(VERDICTS)}


def interest_income(opening, balance_before_interest, rate):
    """Interest on the average reserve of the year (mid-year convention: contributions arrive
    through the year), never negative: rate × max(opening + balance / 2, 0)."""
    return np.maximum(opening + balance_before_interest / 2, 0.0) * rate


def roll_forward(balance: xr.DataArray, opening: xr.DataArray, rate: xr.DataArray, payg: xr.DataArray) -> xr.Dataset:
    """Interest and the end-of-year reserve of every pool: reserve(t) = reserve(t−1) + balance(t)
    + interest(t), interest on the year's average reserve (none for pools financed as they pay).

    ``balance`` (year, pool[, draw]) is income − expenditure before interest; ``opening`` (pool[,
    draw]) the reserve at the end of the year before the base year; ``rate`` (year) the interest
    rate; ``payg`` (pool) true for pay-as-you-go pools. The model's only loop over years."""
    balance = balance.transpose("year", "pool", ...)
    flows = balance.values
    reserve, interest = np.empty_like(flows), np.empty_like(flows)
    held = np.broadcast_to(opening.transpose("pool", ...).values, flows.shape[1:]).astype(float)
    no_interest = np.asarray(payg.values, dtype=bool).reshape((-1,) + (1,) * (flows.ndim - 2))
    for t, r in enumerate(np.asarray(rate.values, dtype=float)):
        interest[t] = np.where(no_interest, 0.0, interest_income(held, flows[t], r))
        held = held + flows[t] + interest[t]
        reserve[t] = held
    return xr.Dataset(
        {
            "interest": balance.copy(data=interest).assign_attrs(units="yuan", description="interest on the year's average reserve"),
            "reserve": balance.copy(data=reserve).assign_attrs(units="yuan", description="accumulated reserve at year end (累计结余)"),
        }
    )


def account_roll_forward(credits: xr.DataArray, demand: xr.DataArray, opening, rate: xr.DataArray) -> xr.Dataset:
    """Individual accounts year by year: they pay what members draw on them, at most what they
    hold (the year's credits and the balance brought forward); what they cannot pay is the
    ``shortfall`` (members pay it themselves). Interest as for the pools; the reserve never
    falls below 0. ``credits`` and ``demand`` are (year[, draw]), yuan."""
    credits, demand = credits.transpose("year", ...), demand.transpose("year", ...)
    c, d = np.broadcast_arrays(credits.values, demand.values)
    spent, interest, reserve = np.empty_like(c), np.empty_like(c), np.empty_like(c)
    held = np.broadcast_to(np.asarray(opening, dtype=float), c.shape[1:]).astype(float)
    for t, r in enumerate(np.asarray(rate.values, dtype=float)):
        spent[t] = np.minimum(d[t], np.maximum(held, 0.0) + c[t])
        balance = c[t] - spent[t]
        interest[t] = interest_income(held, balance, r)
        held = np.maximum(held + balance + interest[t], 0.0)  # 0, not a rounding error below it
        reserve[t] = held
    like = (credits + demand).transpose("year", ...)
    return xr.Dataset(
        {
            "expenditure": like.copy(data=spent).assign_attrs(units="yuan", description="individual-account spending (at most what the accounts hold)"),
            "shortfall": like.copy(data=d - spent).assign_attrs(units="yuan", description="account spending the accounts could not pay, left to the members (out of pocket)"),
            "interest": like.copy(data=interest).assign_attrs(units="yuan", description="interest on the accounts"),
            "reserve": like.copy(data=reserve).assign_attrs(units="yuan", description="individual-account reserve at year end (never negative)"),
        }
    )


def months_covered(reserve, expenditure):
    """Months of the year's expenditure the reserve would pay: reserve / (expenditure / 12).

    A fund holding nothing covers 0 months whatever it spends; a reserve with no expenditure at
    all gives NaN, which a run refuses (:func:`forecast.results.finite.check_finite`).
    """
    spent = xr.where(expenditure > 0, expenditure, np.nan)
    months = xr.where((expenditure <= 0) & (reserve == 0), 0.0, reserve / (spent / 12))
    months.attrs = {"units": "months", "description": "reserve / (expenditure / 12) (可支付月数)"}
    return months


def verdict_codes(reserve, balance, months, thresholds: dict, payg, idle) -> xr.DataArray:
    """The verdict of every pool and year as integer codes (labels in attrs), tested in the order
    of the module's table: not projected, pay-as-you-go, undefined, exhausted, critical, low,
    drawing, excessive, high, balanced."""
    order = [
        (idle, "not_projected"),
        (payg, "payg"),
        (~(np.isfinite(reserve) & np.isfinite(balance) & np.isfinite(months)), "undefined"),
        (reserve <= 0, "exhausted"),
        (months < thresholds["critical_months"], "critical"),
        (months < thresholds["low_months"], "low"),
        (balance < 0, "drawing"),
        (months > thresholds["excess_months"], "excessive"),
        (months > thresholds["high_months"], "high"),
    ]
    code = xr.full_like(reserve, CODES["balanced"], dtype=np.int8)
    for condition, label in reversed(order):
        code = xr.where(condition, np.int8(CODES[label]), code)
    code = code.astype(np.int8)
    code.attrs = {"units": "label", "flag_values": list(CODES.values()), "flag_meanings": " ".join(CODES), "description": "the balance verdict (codes; flag_meanings gives the labels, VERDICTS the Chinese terms)"}
    return code


def verdict_labels(codes: xr.DataArray) -> xr.DataArray:
    """Verdict codes as their labels (text)."""
    labels = np.array(str(codes.attrs.get("flag_meanings", " ".join(CODES))).split())
    return codes.copy(data=labels[np.asarray(codes.values, dtype=int)])


def first_year(years, condition) -> int | None:
    """The first year where ``condition`` holds, or None."""
    hits = np.flatnonzero(np.asarray(condition))
    return int(np.asarray(years)[hits[0]]) if len(hits) else None
