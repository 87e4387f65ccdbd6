"""Financing rules: a pool's lever set each year by its reserve, as a bureau sets next year's
standard (以收定支), instead of following a given path.

A pool's *lever* is the financing parameter its income is linear in: the resident per-person
standard (individual contribution + fiscal subsidy, the split held; income = enrollees × standard
× realisation), the employer contribution rate (income = contributors × base × rate), the LTCI
financing per covered person (income = covered × financing × factor; the employee pooled fund
pays its share). With the lever at v instead of its given value v₀ the year's balance is
b(v) = b₀ + (v − v₀)·k, k the income per unit of lever. Each year, in the reserve roll-forward:

- ``balance_band``: if the reserve (at v₀) would leave [low, high] months of expenditure, v is set
  so that it lands on the nearest edge;
- ``no_deficit``: if the balance at v₀ (interest included) is negative, v is raised so that it is 0;
- ``no_exhaustion``: if the reserve at v₀ would fall below 0, v is raised so that it is 0;

solved in closed form from reserve = held + b + r·max(held + b/2, 0) (the interest convention of
:func:`~forecast.model.fund.rollforward.interest_income`); the lever never goes below 0 (a band's upper edge
may then be out of reach, and the results show it). Before ``from_year`` the lever follows its
given path; after ``until_year`` it keeps the rule's last change on top of it. Each rule's lever path and the change from the given path are results.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr

from ..fund.rollforward import interest_income

__all__ = ["Rule", "rules_of", "roll_forward_rules", "apply_rules", "levers_of", "LEVER_UNITS"]

#: the lever of each pool that may have a rule, and its unit
LEVER_UNITS = {"employee": "ratio", "resident": "yuan/person/year", "ltci": "yuan/person/year"}


@dataclass
class Rule:
    """One pool's rule: kind, band, active years, the given lever v₀ and k (year[, draw])."""

    pool: str
    kind: str
    low: float
    high: float
    active: np.ndarray
    lever: xr.DataArray | None = None
    slope: xr.DataArray | None = None
    #: share of the lever's income the employee pooled fund pays (LTCI), or None
    spill: xr.DataArray | None = None


def rules_of(params: dict, years) -> list[Rule]:
    """The scenario's rules (those not ``none``), with their active years."""
    years = np.asarray(years)
    out = []
    for pool in LEVER_UNITS:
        base = f"policy.{pool}.financing_rule."
        kind = params.get(base + "rule", "none")
        if kind in (None, "none"):
            continue
        start = int(params.get(base + "from_year") or years[1] if len(years) > 1 else years[0])
        end = int(params.get(base + "until_year") or years[-1])
        active = (years >= max(start, int(years[0]) + 1)) & (years <= end)
        out.append(Rule(pool, kind, float(params.get(base + "low_months", 6.0)), float(params.get(base + "high_months", 9.0)), active))
    return out


def _balance_for(target, held, rate):
    """The balance before interest that brings the reserve from ``held`` to ``target``."""
    with_interest = (target - held * (1 + rate)) / (1 + rate / 2)
    return np.where(held + with_interest / 2 >= 0, with_interest, target - held)


def roll_forward_rules(balance: xr.DataArray, opening: xr.DataArray, rate, payg: xr.DataArray, expenditure: xr.DataArray, rules: list[Rule]) -> xr.Dataset:
    """:func:`~forecast.model.fund.rollforward.roll_forward` with the rules: ``balance`` and ``expenditure``
    (year, pool[, draw]) at the given levers; returns interest, reserve and, per rule, the lever
    (``lever_<pool>``) and the balance it adds (``added_<pool>``, year[, draw])."""
    balance = balance.transpose("year", "pool", ...)
    pools = list(balance["pool"].values)
    flows = balance.values.copy()
    spent = expenditure.transpose("year", "pool", ...).values
    reserve, interest = np.empty_like(flows), np.empty_like(flows)
    held = np.broadcast_to(opening.transpose("pool", ...).values, flows.shape[1:]).astype(float).copy()
    no_interest = np.asarray(payg.values, dtype=bool).reshape((-1,) + (1,) * (flows.ndim - 2))
    rates = np.asarray(rate.transpose("year", ...).values, dtype=float)
    order = sorted(rules, key=lambda r: r.pool != "ltci")  # LTCI first: its employer half is the employee pool's spending
    levers = {r.pool: np.broadcast_to(r.lever.transpose("year", ...).values, flows[:, 0].shape).astype(float).copy() for r in rules}
    added = {r.pool: np.zeros(flows[:, 0].shape) for r in rules}
    last_change = {r.pool: np.zeros(flows.shape[2:]) for r in rules}
    ended = {r.pool: np.flatnonzero(r.active)[-1] if r.active.any() else -1 for r in rules}
    for t in range(flows.shape[0]):
        r_t = rates[t]
        for rule in order:
            i = pools.index(rule.pool)
            k = np.broadcast_to(rule.slope.transpose("year", ...).values[t], held[i].shape)
            if not rule.active[t]:
                if 0 <= ended[rule.pool] < t:  # after the rule's last year the lever keeps its last change
                    change = np.maximum(levers[rule.pool][t] + last_change[rule.pool], 0.0) - levers[rule.pool][t]
                    levers[rule.pool][t] += change
                    added[rule.pool][t] = change * k
                    flows[t, i] += added[rule.pool][t]
                    if rule.spill is not None:
                        flows[t, pools.index("employee")] -= added[rule.pool][t] * np.broadcast_to(rule.spill.transpose("year", ...).values[t], k.shape)
                continue
            b0 = flows[t, i]
            at_given = held[i] + b0 + interest_income(held[i], b0, r_t)
            monthly = spent[t, i] / 12
            if rule.kind == "balance_band":
                target = np.clip(at_given, rule.low * monthly, rule.high * monthly)
            elif rule.kind == "no_deficit":  # the year's balance, interest included, not below 0
                target = np.maximum(at_given, held[i])
            else:
                target = np.maximum(at_given, 0.0)
            wanted = np.where(np.isclose(target, at_given, rtol=0, atol=1e-6), b0, _balance_for(target, held[i], r_t))
            given = levers[rule.pool][t].copy()
            value = np.maximum(given + np.divide(wanted - b0, k, out=np.zeros_like(k, dtype=float), where=k > 0), 0.0)
            extra = (value - given) * k
            levers[rule.pool][t], added[rule.pool][t] = value, extra
            last_change[rule.pool] = value - given
            flows[t, i] += extra
            if rule.spill is not None:  # the employee pooled fund pays its share of the LTCI change
                flows[t, pools.index("employee")] -= extra * np.broadcast_to(rule.spill.transpose("year", ...).values[t], extra.shape)
        interest[t] = np.where(no_interest, 0.0, interest_income(held, flows[t], r_t))
        held = held + flows[t] + interest[t]
        reserve[t] = held
    out = xr.Dataset(
        {
            "interest": balance.copy(data=interest).assign_attrs(units="yuan", description="interest on the year's average reserve"),
            "reserve": balance.copy(data=reserve).assign_attrs(units="yuan", description="accumulated reserve at year end (累计结余)"),
        }
    )
    like = balance.isel(pool=0, drop=True)
    for rule in rules:
        out[f"lever_{rule.pool}"] = like.copy(data=levers[rule.pool]).assign_attrs(units=LEVER_UNITS[rule.pool], description=f"the {rule.pool} pool's financing lever as its rule ({rule.kind}) set it")
        out[f"added_{rule.pool}"] = like.copy(data=added[rule.pool]).assign_attrs(units="yuan", description=f"income the {rule.pool} pool's rule added to the given path (negative: removed)")
    return out


#: the income lines each pool's lever moves (in proportion to their size: the split held)
LEVER_LINES = {"employee": ("contributions",), "resident": ("contributions", "fiscal_subsidy"), "ltci": ("contributions", "fiscal_subsidy", "transfer_in")}


def apply_rules(rules: list[Rule], levers: dict, income_items: xr.DataArray, expenditure_items: xr.DataArray, opening, rate, payg) -> tuple[xr.Dataset, xr.DataArray, xr.DataArray, dict]:
    """Roll the reserves forward with the rules (``levers``: pool -> (v₀, k, spill)); returns the
    roll-forward, the income and expenditure items with the rules' changes in their lines, and the
    result variables (each rule's lever path and the income it added)."""
    from dataclasses import replace

    ready = [replace(r, lever=levers[r.pool][0], slope=levers[r.pool][1], spill=levers[r.pool][2]) for r in rules]
    balance = income_items.sum("income_item") - expenditure_items.sum("expenditure_item")
    rolled = roll_forward_rules(balance, opening, rate, payg, expenditure_items.sum("expenditure_item"), ready)
    income_items = income_items.copy()
    expenditure_items = expenditure_items.copy()
    extra = {}
    for rule in ready:
        added = rolled[f"added_{rule.pool}"]
        lines = income_items.sel(pool=rule.pool, income_item=list(LEVER_LINES[rule.pool]))
        total = lines.sum("income_item")
        share = xr.where(total != 0, lines / total.where(total != 0, 1.0), 1.0 / len(LEVER_LINES[rule.pool]))
        income_items.loc[{"pool": rule.pool, "income_item": list(LEVER_LINES[rule.pool])}] = lines + share * added
        if rule.spill is not None:  # the employer half, in the LTCI pool's transfer_in line, paid by the employee pooled fund
            expenditure_items.loc[{"pool": "employee", "expenditure_item": "transfer_out"}] = expenditure_items.sel(pool="employee", expenditure_item="transfer_out") + added * rule.spill
        extra[f"rule_lever_{rule.pool}"] = rolled[f"lever_{rule.pool}"]
        extra[f"rule_change_{rule.pool}"] = (rolled[f"lever_{rule.pool}"] - rule.lever).assign_attrs(units=LEVER_UNITS[rule.pool], description=f"the change the {rule.pool} pool's rule ({rule.kind}) made to its lever, year by year")
    return rolled[["interest", "reserve"]], income_items, expenditure_items, extra


def levers_of(rules, residents, realisation, resident_income, contributors, base_pay, covered, ltci_factor, pooled_share) -> dict:
    """Each pool's lever as given (v₀) and its income per unit (k), (year[, draw]), and the spill:
    resident v₀ = the standard (income / k), k = enrollees × realisation; employee v₀ = the employer
    rate, k = contributors × the contribution base; LTCI v₀ = financing per covered person,
    k = covered × the calibration factor, the employee pooled fund paying ``pooled_share``."""
    k_resident = residents * realisation
    return {
        "resident": (resident_income / k_resident.where(k_resident > 0, 1.0), k_resident, None),
        "employee": (rules.employee.employer_rate + 0.0 * contributors, contributors * base_pay, None),
        "ltci": (rules.ltci.financing_per_capita + 0.0 * covered, covered * ltci_factor, pooled_share),
    }
