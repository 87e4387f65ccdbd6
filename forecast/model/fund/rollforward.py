"""The reserve roll-forward: the model's only loop over years, shared by every pool and the solvers.

Convention: ``income`` includes interest; ``balance = income − expenditure`` (当期结余);
``reserve(t) = reserve(t−1) + balance(t)`` (累计结余, end of year), with interest on the year's
average reserve (:func:`interest_income`), vectorised over pools and draws and tested by
Hypothesis in tests/properties. A pool whose financing lever is set by a rule each year (以收定支:
:mod:`forecast.model.financing.rules`) takes part in the same loop: the rule moves the pool's
balance of year t before that year's interest is booked.

A negative reserve is an accumulated deficit: the amount the fund has paid beyond its means. How
it is financed is the scenario's convention (``assumptions.deficits``): as ``debt``, carried in
the reserve with interest at a stated rate (by default the fund's own) booked as the item
``debt_interest``; or by public budgets (``fiscal``), a top-up each year (``deficit_subsidy``)
that brings the reserve back to zero. Either way the verdict is ``exhausted``. Individual accounts
are different: they cannot pay out more than they hold, so their spending stops at what is in them
(:func:`account_roll_forward`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import xarray as xr

__all__ = ["roll_forward", "account_roll_forward", "interest_income", "net_interest", "Setter", "Deficits"]

#: a rule that sets a pool's balance of year ``t`` in the loop: ``setter(t, flows, held, rate,
#: debt_rate)`` may change ``flows[t]`` (pool, ...) in place, knowing the reserves ``held`` at the
#: year's start and the year's interest rates on a reserve and on a deficit
Setter = Callable[[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray], None]


def interest_income(opening, balance_before_interest, rate):
    """Interest on the average reserve of the year (mid-year convention: contributions arrive
    through the year), never negative: rate × max(opening + balance / 2, 0)."""
    return np.maximum(opening + balance_before_interest / 2, 0.0) * rate


def net_interest(opening, balance_before_interest, rate, debt_rate=0.0):
    """Interest earned on the year's average reserve less interest paid on an average deficit:
    rate × max(a, 0) − debt_rate × max(−a, 0), a = opening + balance / 2."""
    average = opening + balance_before_interest / 2
    return np.maximum(average, 0.0) * rate - np.maximum(-average, 0.0) * debt_rate


@dataclass(frozen=True)
class Deficits:
    """How an accumulated deficit is financed: ``debt`` (carried, with interest at ``debt_rate``,
    year[, draw]) or ``fiscal`` (topped up to zero each year by public budgets)."""

    convention: str = "debt"
    debt_rate: object = 0.0


def roll_forward(
    balance: xr.DataArray,
    opening: xr.DataArray,
    rate: xr.DataArray,
    payg: xr.DataArray,
    setters: Sequence[Setter] = (),
    deficits: Deficits | None = None,
) -> xr.Dataset:
    """Interest and the end-of-year reserve of every pool: reserve(t) = reserve(t−1) + balance(t)
    + interest(t) − debt interest(t) + deficit subsidy(t), interest on the year's average reserve
    (none for pools financed as they pay), a deficit financed by ``deficits``.

    ``balance`` (year, pool[, draw]) is income − expenditure before interest; ``opening`` (pool[,
    draw]) the reserve at the end of the year before the base year; ``rate`` (year[, draw]) the
    interest rate; ``payg`` (pool) true for pay-as-you-go pools; ``setters`` the financing rules,
    applied in order each year before the interest. Returns ``interest``, ``debt_interest``,
    ``deficit_subsidy``, ``reserve`` and the ``balance`` as the rules left it (yuan)."""
    deficits = deficits or Deficits()
    balance = balance.transpose("year", "pool", ...)
    flows = balance.values.copy()
    reserve, interest, debt, subsidy = (np.zeros_like(flows) for _ in range(4))
    held = np.broadcast_to(opening.transpose("pool", ...).values, flows.shape[1:]).astype(float)
    no_interest = np.asarray(payg.values, dtype=bool).reshape((-1,) + (1,) * (flows.ndim - 2))
    rates = np.asarray(rate.transpose("year", ...).values, dtype=float)
    debt_rate = (
        deficits.debt_rate.transpose("year", ...).values
        if hasattr(deficits.debt_rate, "transpose")
        else deficits.debt_rate
    )
    debt_rates = np.broadcast_to(
        np.asarray(0.0 if deficits.convention == "fiscal" else debt_rate, dtype=float), rates.shape
    )  # budgets pay as it arises: no debt
    for t in range(flows.shape[0]):
        for setter in setters:
            setter(t, flows, held, rates[t], debt_rates[t])
        net = np.where(no_interest, 0.0, net_interest(held, flows[t], rates[t], debt_rates[t]))
        interest[t], debt[t] = np.maximum(net, 0.0), np.maximum(-net, 0.0)
        held = held + flows[t] + net
        if deficits.convention == "fiscal":  # public budgets bring the reserve back to zero
            subsidy[t] = np.where(no_interest, 0.0, np.maximum(-held, 0.0))
            held = held + subsidy[t]
        reserve[t] = held
    out = {
        "interest": (interest, "interest on the year's average reserve"),
        "debt_interest": (debt, "interest paid on the year's average accumulated deficit (debt)"),
        "deficit_subsidy": (subsidy, "public budgets' top-up of an accumulated deficit to zero (财政兜底)"),
        "reserve": (reserve, "accumulated reserve at year end (累计结余)"),
        "balance": (flows, "income - expenditure before interest, as the financing rules set it"),
    }
    return xr.Dataset(
        {
            name: balance.copy(data=data).assign_attrs(units="yuan", description=text)
            for name, (data, text) in out.items()
        }
    )


def account_roll_forward(credits: xr.DataArray, usage, opening, rate: xr.DataArray) -> xr.Dataset:
    """Individual accounts year by year: members spend the share ``usage`` of what the accounts
    hold (the year's credits and the balance brought forward), calibrated to the base year, so the
    accounts never pay out more than they hold and never run dry (what members do not pay from
    their accounts they pay themselves, or the pooled fund's 门诊共济 pays as its rules say).
    Interest as for the pools; ``credits`` (year[, draw]) yuan, ``usage`` a ratio ([draw])."""
    credits = credits.transpose("year", ...)
    c = credits.values
    u = np.broadcast_to(np.asarray(getattr(usage, "values", usage), dtype=float), c.shape[1:])
    spent, interest, reserve = np.empty_like(c), np.empty_like(c), np.empty_like(c)
    held = np.broadcast_to(np.asarray(opening, dtype=float), c.shape[1:]).astype(float)
    for t, r in enumerate(np.asarray(rate.transpose("year", ...).values, dtype=float)):
        spent[t] = u * (np.maximum(held, 0.0) + c[t])
        balance = c[t] - spent[t]
        interest[t] = interest_income(held, balance, r)
        held = np.maximum(held + balance + interest[t], 0.0)  # 0, not a rounding error below it
        reserve[t] = held
    return xr.Dataset(
        {
            "expenditure": credits.copy(data=spent).assign_attrs(
                units="yuan", description="individual-account spending (a calibrated share of what the accounts hold)"
            ),
            "interest": credits.copy(data=interest).assign_attrs(units="yuan", description="interest on the accounts"),
            "reserve": credits.copy(data=reserve).assign_attrs(
                units="yuan", description="individual-account reserve at year end (never negative)"
            ),
        }
    )
