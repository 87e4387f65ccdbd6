"""Financing rules: a pool's lever set each year by its reserve, as a bureau sets next year's
standard (以收定支), instead of following a given path.

A pool's *lever* is the financing parameter its income is linear in (each pool module's
``lever``: the resident per-person standard, the employer contribution rate, the LTCI financing
per covered person). With the lever at v instead of its given value v₀ the year's balance is
b(v) = b₀ + (v − v₀)·k, k the income per unit of lever. Each year, in the reserve roll-forward
(:func:`~forecast.model.fund.roll_forward`, the one loop over years):

- ``balance_band``: if the reserve (at v₀) would leave [low, high] months of expenditure, v is set
  so that it lands on the nearest edge;
- ``no_deficit``: if the balance at v₀ (interest included) is negative, v is raised so that it is 0;
- ``no_exhaustion``: if the reserve at v₀ would fall below 0, v is raised so that it is 0;

solved in closed form from reserve = held + b + r·max(held + b/2, 0) (the interest convention of
:func:`~forecast.model.fund.interest_income`); the lever never goes below 0 (a band's upper edge
may then be out of reach, and the results show it). Before ``from_year`` the lever follows its
given path; after ``until_year`` it keeps the rule's last change on top of it. Each rule's lever
path and the change from the given path are results.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import xarray as xr

from ..fund import Deficits, net_interest, roll_forward

__all__ = ["Rule", "Lever", "rules_of", "apply_rules", "LEVER_UNITS", "LEVER_LINES"]

#: the lever of each pool that may have a rule, and its unit
LEVER_UNITS = {"employee": "ratio", "resident": "yuan/person/year", "ltci": "yuan/person/year"}
#: the income lines each pool's lever moves (in proportion to their size: the split held)
LEVER_LINES = {
    "employee": ("contributions",),
    "resident": ("contributions", "fiscal_subsidy"),
    "ltci": ("contributions", "fiscal_subsidy", "transfer_in"),
}


@dataclass(frozen=True)
class Lever:
    """A pool's lever as given (``value``, v₀) and its income per unit (``per_unit``, k), each
    (year[, draw]); ``spill``: the share of the lever's income the employee pooled fund pays (LTCI)."""

    value: xr.DataArray
    per_unit: xr.DataArray
    spill: xr.DataArray | None = None


@dataclass(frozen=True)
class Rule:
    """One pool's rule: kind, band (months) and active years; ``lever`` once the run knows it."""

    pool: str
    kind: str
    low: float
    high: float
    active: np.ndarray
    lever: Lever | None = None


def rules_of(params: dict, years) -> list[Rule]:
    """The scenario's rules (those not ``none``), with their active years; ``params`` with their
    defaults (:func:`~forecast.scenario.rules.with_defaults`)."""
    years = np.asarray(years)
    out = []
    for pool in LEVER_UNITS:
        base = f"policy.{pool}.financing_rule."
        kind = params[base + "rule"]
        if kind == "none":
            continue
        start = int(params[base + "from_year"] or years[1] if len(years) > 1 else years[0])
        end = int(params[base + "until_year"] or years[-1])
        active = (years >= max(start, int(years[0]) + 1)) & (years <= end)
        out.append(Rule(pool, kind, float(params[base + "low_months"]), float(params[base + "high_months"]), active))
    return out


def _balance_for(target, held, rate, debt_rate=0.0):
    """The balance before interest that brings the reserve from ``held`` to ``target`` (interest on
    the average reserve at ``rate``, or on an average deficit at ``debt_rate``)."""
    earning = (target - held * (1 + rate)) / (1 + rate / 2)
    owing = (target - held * (1 + debt_rate)) / (1 + debt_rate / 2)
    return np.where(held + earning / 2 >= 0, earning, owing)


class _Setter:
    """One rule inside the roll-forward: sets its pool's lever each year (a
    :data:`~forecast.model.fund.rollforward.Setter`) and keeps the lever's path and the balance it added."""

    def __init__(self, rule: Rule, pools: list, spent: np.ndarray, shape: tuple):
        self.rule, self.i, self.spent = rule, pools.index(rule.pool), spent
        self.slope = rule.lever.per_unit.transpose("year", ...).values
        self.spill = None if rule.lever.spill is None else rule.lever.spill.transpose("year", ...).values
        self.employee = None if self.spill is None else pools.index("employee")  # the pool paying the spill
        self.levers = np.broadcast_to(rule.lever.value.transpose("year", ...).values, shape).astype(float).copy()
        self.added = np.zeros(shape)
        self.last_change = np.zeros(shape[1:])
        self.ended = np.flatnonzero(rule.active)[-1] if rule.active.any() else -1

    def __call__(self, t: int, flows: np.ndarray, held: np.ndarray, rate, debt_rate=0.0) -> None:
        k = np.broadcast_to(self.slope[t], held[self.i].shape)
        if self.rule.active[t]:
            change = self._solve(t, flows[t, self.i], held[self.i], rate, debt_rate, k)
            self.last_change = change
        elif 0 <= self.ended < t:  # after the rule's last year the lever keeps its last change
            change = np.maximum(self.levers[t] + self.last_change, 0.0) - self.levers[t]
        else:
            return
        self.levers[t] += change
        self.added[t] = change * k
        flows[t, self.i] += self.added[t]
        if self.spill is not None:  # the employee pooled fund pays its share of the LTCI change
            flows[t, self.employee] -= self.added[t] * np.broadcast_to(self.spill[t], k.shape)

    def _solve(self, t, b0, held, rate, debt_rate, k):
        """The change of the lever that brings the reserve to the rule's target (0 if already there)."""
        debt_rate = np.broadcast_to(debt_rate, held.shape) if np.ndim(debt_rate) else debt_rate
        rate = np.broadcast_to(rate, held.shape) if np.ndim(rate) else rate
        at_given = held + b0 + net_interest(held, b0, rate, debt_rate)
        monthly = self.spent[t, self.i] / 12
        if self.rule.kind == "balance_band":
            target = np.clip(at_given, self.rule.low * monthly, self.rule.high * monthly)
        elif self.rule.kind == "no_deficit":  # the year's balance, interest included, not below 0
            target = np.maximum(at_given, held)
        else:
            target = np.maximum(at_given, 0.0)
        wanted = np.where(
            np.isclose(target, at_given, rtol=0, atol=1e-6), b0, _balance_for(target, held, rate, debt_rate)
        )
        given = self.levers[t]
        value = np.maximum(given + np.divide(wanted - b0, k, out=np.zeros_like(k, dtype=float), where=k > 0), 0.0)
        return value - given


def apply_rules(
    rules: list[Rule],
    levers: dict,
    income_items: xr.DataArray,
    expenditure_items: xr.DataArray,
    opening,
    rate,
    payg,
    deficits: Deficits | None = None,
    items: bool = True,
    in_place: bool = False,
) -> tuple[xr.Dataset, xr.DataArray, xr.DataArray, dict]:
    """Roll the reserves forward (:func:`~forecast.model.fund.roll_forward`) with the rules
    (``levers``: pool -> :class:`Lever`); returns the roll-forward, the income and expenditure
    items with the rules' changes in their lines (``items=False``: the items as given, for a caller
    that reads only the levers; ``in_place``: the rules' changes written into the arrays given, for
    a caller that has no further use for them, sparing a copy of the largest arrays), and the result
    variables (each rule's lever path and its change from the given path). With no rules, the plain
    roll-forward."""
    ready = sorted(
        (replace(r, lever=levers[r.pool]) for r in rules), key=lambda r: r.pool != "ltci"
    )  # LTCI first: its employer half is the employee pool's spending
    # the items are finite (a NaN would be refused with its input named, not summed as 0: skipna=False)
    expenditure = expenditure_items.sum("expenditure_item", skipna=False)
    balance = (income_items.sum("income_item", skipna=False) - expenditure).transpose("year", "pool", ...)
    spent = expenditure.transpose("year", "pool", ...).values
    setters = [_Setter(rule, list(balance["pool"].values), spent, balance.isel(pool=0).shape) for rule in ready]
    rolled = roll_forward(balance, opening, rate, payg, setters, deficits or Deficits())
    if not setters:
        return rolled, income_items, expenditure_items, {}
    if items and not in_place:
        income_items, expenditure_items = income_items.copy(), expenditure_items.copy()
    like, extra = balance.isel(pool=0, drop=True), {}
    for rule, setter in zip(ready, setters):
        if items:
            _book_rule(rule, like.copy(data=setter.added), income_items, expenditure_items)
        lever = like.copy(data=setter.levers).assign_attrs(
            units=LEVER_UNITS[rule.pool],
            description=f"the {rule.pool} pool's financing lever as its rule ({rule.kind}) set it",
        )
        extra[f"rule_lever_{rule.pool}"] = lever
        extra[f"rule_change_{rule.pool}"] = (lever - rule.lever.value).assign_attrs(
            units=LEVER_UNITS[rule.pool],
            description=f"the change the {rule.pool} pool's rule ({rule.kind}) made to its lever, year by year",
        )
    return rolled, income_items, expenditure_items, extra


def _book_rule(rule: Rule, added: xr.DataArray, income_items: xr.DataArray, expenditure_items: xr.DataArray) -> None:
    """Book what ``rule`` added to its pool's financing (yuan, year [, draw]) in its lever's income
    lines, in proportion to them, in place (and the LTCI employer half as the employee pool's
    transfer out)."""
    lines = income_items.sel(pool=rule.pool, income_item=list(LEVER_LINES[rule.pool]))
    total = lines.sum("income_item", skipna=False)
    share = xr.where(total != 0, lines / total.where(total != 0, 1.0), 1.0 / len(LEVER_LINES[rule.pool]))
    income_items.loc[{"pool": rule.pool, "income_item": list(LEVER_LINES[rule.pool])}] = lines + share * added
    if (
        rule.lever.spill is not None
    ):  # the employer half, in the LTCI pool's transfer_in line, paid by the employee pooled fund
        expenditure_items.loc[{"pool": "employee", "expenditure_item": "transfer_out"}] = (
            expenditure_items.sel(pool="employee", expenditure_item="transfer_out") + added * rule.lever.spill
        )
