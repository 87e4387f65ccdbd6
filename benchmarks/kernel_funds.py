"""The reference kernel's fund stage (benchmarks/kernel.py): plain numpy over (year, draw).

From the insured (each draw's members by status and by age–sex curve), births and mid-year
population: the base year's calibration per draw (:mod:`forecast.model.calibration.factors`), the
basic pools' claims and payments per claim (:mod:`forecast.model.benefits`; the payments whose mean
claim the base-year population divides evaluated here per draw as lognormal limited expected values,
the others given), the five pools' income and expenditure (:mod:`forecast.model.pools`), the
transfers booked once on both sides (:mod:`forecast.model.pools.ledger`) and the reserve
roll-forward (:func:`forecast.model.fund.roll_forward`: interest on the average reserve, none for
pools financed as they pay, a deficit carried as debt or topped up by budgets)."""

from __future__ import annotations

import numpy as np

from forecast.model.benefits.layers import (
    SharedEdges,
    shared_expectation,
)  # the limited expected values, as the engine has them

__all__ = ["fund_stage"]

POOLS = ("employee", "resident", "critical_illness", "medical_assistance", "ltci")
COUNT, INPATIENT, OUTPATIENT, DISABILITY = range(4)
IN_SERVICE, FLEXIBLE, RETIRED, RESIDENT = range(4)


def _payments(d: dict, prefix: str, severity: np.ndarray, means: dict) -> list:
    """Payments per claim [slot][claim type] -> (year, 1 or draw): the given draw-free ones, and
    those of the claim types whose mean differs by draw (``means``: type -> (draw,)) evaluated, each
    claim type's payers over one table of breakpoints."""
    table = d[f"{prefix}_pay"]
    pay = [[table[s, :, k][:, None] for k in range(table.shape[2])] for s in range(table.shape[0])]
    for k in d[f"{prefix}_kinds"]:
        at = f"{prefix}_{k}_"
        shared = SharedEdges(d[at + "limits"], d[at + "year_of"], d[at + "index"], d[at + "slopes"])
        paid = shared_expectation(shared, severity[:, None] * means[int(k)], float(d[at + "cv"]))
        for slot, value in zip(d[at + "slots"], paid):
            pay[int(slot)][int(k)] = value
    return pay


class _Pool:
    """One basic pool's claim model for these draws: frequency and per-draw means from the base year."""

    def __init__(self, d: dict, pool: str, w0: np.ndarray):
        self.claims = d[f"claims_{pool}"]
        self.frequency = [c / w0[j] if j >= 0 else c for c, j in zip(self.claims, d[f"claims_curve_{pool}"])]
        self.means = {k: d[f"cost_{pool}"][k] / w0[j] for k, j in enumerate(d[f"cost_curve_{pool}"]) if j >= 0}


def _calibrate(d: dict, w0, c0, births0, population0, models: dict, root_pay: dict) -> dict:
    """The base year's factors per draw (``forecast.model.calibration.factors.BaseYearCalibration``)."""
    f, root = d["figures"], d["root"]
    (
        contributions,
        credits,
        _usage,
        folded,
        resident_income,
        maternity,
        employee_spent,
        resident_spent,
        assistance_spent,
        ltci_income,
        users,
        ltci_spent,
    ) = f
    rates, flex_ratio, ret_ratio, ret_rate, in_service_rate, phase, standard, individual = root[:8]
    cover_e, cover_r, per_capita, pooled, per_user = root[9:14]
    out = {}
    covered = cover_e * w0[0, COUNT] + cover_r * w0[1, COUNT]
    financing = covered * per_capita * 1.0
    if np.isfinite(ltci_income) and np.isfinite(users):
        out["ltci_factor"] = np.where(financing > 0, ltci_income / np.where(financing > 0, financing, 1.0), 0.0)
    else:
        out["ltci_factor"] = np.zeros_like(financing)
    share = np.where(covered > 0, pooled * cover_e * w0[0, COUNT] / np.where(covered > 0, covered, 1.0), 0.0)
    transfer = share * financing * out["ltci_factor"]
    disabled = cover_e * w0[0, DISABILITY] + cover_r * w0[1, DISABILITY]
    out["take_up"] = (
        np.where(disabled > 0, users / np.where(disabled > 0, disabled, 1.0), 0.0)
        if np.isfinite(users)
        else np.zeros_like(disabled)
    )
    out["ltci_cost"] = ltci_spent / (users * per_user) if np.isfinite(ltci_spent) and np.isfinite(users) else 1.0
    out["per_birth"] = maternity / births0 if np.isfinite(maternity) else 0.0
    units0 = {
        p: [models[p].frequency[k] * w0[i, d["claim_curve"][k]] * 1.0 for k in range(len(d["claim_curve"]))]
        for i, p in enumerate(("employee", "resident"))
    }
    targets = {"employee": employee_spent - maternity - transfer, "resident": resident_spent}
    out["outpatient"] = {}
    for pool in ("employee", "resident"):
        paid = [u * (b + c) for u, b, c in zip(units0[pool], root_pay[pool][0], root_pay[pool][1])]
        fixed = sum(p for p, h in zip(paid, d["hospital_types"]) if h)
        out["outpatient"][pool] = (targets[pool] - fixed) / sum(p for p, o in zip(paid, d["outpatient_types"]) if o)
    per_base = (c0[IN_SERVICE] + c0[FLEXIBLE] * flex_ratio) * rates + c0[RETIRED] * ret_ratio * ret_rate
    out["base"] = contributions / per_base
    out["retiree_credit"] = (
        np.zeros_like(per_base)
        if folded
        else (credits - c0[IN_SERVICE] * out["base"] * in_service_rate) / c0[RETIRED] / phase
    )
    out["realisation"] = resident_income / (c0[RESIDENT] * standard)
    members = d["root_group_share"][:, None] * population0
    subsidies = (members * d["root_group_subsidy"][:, None]).sum(axis=0) * individual
    scale = out["outpatient"]["resident"]
    scaled = [u * (scale if o else 1.0) for u, o in zip(units0["resident"], d["outpatient_types"])]
    direct = sum(
        scaled[k] * (members[g] / c0[RESIDENT]) * root_pay["resident"][2 + g][k]
        for k in range(len(scaled))
        for g in range(members.shape[0])
    )
    direct = np.asarray(direct).reshape(-1)
    if np.isfinite(assistance_spent):
        out["assistance"] = np.where(
            direct > 0, (assistance_spent - subsidies) / np.where(direct > 0, direct, 1.0), 1.0
        )
        out["per_member"] = np.where(
            direct == 0, np.maximum(assistance_spent - subsidies, 0) / members.sum(axis=0), 0.0
        )
    else:
        out["assistance"], out["per_member"] = 1.0, 0.0
    return out


def _basic_pool(d: dict, pool: str, i: int, model: _Pool, pay: list, weighted, scale) -> tuple[list, dict]:
    """Claims by type and the benefit payments by item of a basic pool."""
    cost = d["cost_index"][i]
    units = []
    for k, j in enumerate(d["claim_curve"]):
        u = model.frequency[k] * weighted[:, i, :, j] * (d[f"util_{pool}"][:, k, None] * cost) * 1.0
        units.append(u * scale if d["outpatient_types"][k] else u)
    items = {}
    for k, item in enumerate(d["claim_item"]):
        paid = units[k] * pay[0][k]
        items[int(item)] = paid if int(item) not in items else items[int(item)] + paid
    return units, items


def _flows(d: dict, summed, births, population, models, pay, cal) -> tuple[np.ndarray, np.ndarray]:
    """Income (before interest) and expenditure of the five pools (year, pool, draw), yuan."""
    count = summed[..., COUNT]  # (status, year, draw)
    weighted = np.stack([summed[0] + summed[1] + summed[2], summed[3]], axis=1)  # (year, pool, draw, curve)
    n_years, draws = count.shape[1:]
    income, spent = np.zeros((n_years, len(POOLS), draws)), np.zeros((n_years, len(POOLS), draws))
    col = lambda a: a[:, None]  # noqa: E731  (a year path as a (year, 1) column)
    wages = col(d["wages"]) * d["wage_index"]
    units = {}
    for i, pool in enumerate(("employee", "resident")):
        units[pool], items = _basic_pool(d, pool, i, models[pool], pay[pool], weighted, cal["outpatient"][pool])
        spent[:, i] = sum(items.values())
    # employee: contributions less the accounts' credits, maternity, transfers out
    base = cal["base"] * wages * col(d["compliance"])
    rate = col(d["employer_rate"] + d["employee_rate"] + d["maternity_rate"])
    contributors = count[IN_SERVICE] + count[FLEXIBLE] * col(d["flexible_base_ratio"])
    contributions = contributors * base * rate + count[RETIRED] * base * col(d["retiree_base_ratio"]) * col(
        d["retiree_contribution_rate"]
    )
    credit = np.where(col(d["retiree_credit"]) > 0, col(d["retiree_credit"]), cal["retiree_credit"]) * col(
        d["reform_share"] + (1 - d["reform_share"]) * d["legacy_credit_ratio"]
    )
    credits = 0.0 if d["figures"][3] else count[IN_SERVICE] * base * col(d["in_service_rate"]) + count[RETIRED] * credit
    income[:, 0] = contributions - credits
    spent[:, 0] += cal["per_birth"] * births * wages
    # resident: the standard with its drawn increments, realised
    individual = np.maximum(col(d["individual_contribution"]) + d["financing_deviation"][0], 0.0)
    subsidy = np.maximum(col(d["fiscal_subsidy"]) + d["financing_deviation"][1], 0.0)
    standard = individual + subsidy
    total = count[RESIDENT] * standard * (cal["realisation"] * col(d["realisation"]))
    share = np.where(standard > 0, individual / np.where(standard > 0, standard, 1.0), 0.0)
    income[:, 1] = total * share + np.where(standard > 0, total * (1 - share), 0.0)
    # critical illness: claims above the basic pool, premiums from the covered pools (pay as you go)
    paid = {p: sum(u * c for u, c in zip(units[p], pay[p][1])) for p in ("employee", "resident")}
    if not d["covers_employees"]:
        paid["employee"] = np.zeros_like(paid["resident"])
    loading = col(d["loading"])
    income[:, 2] = paid["employee"] * (1 + loading) + paid["resident"] * (1 + loading)
    spent[:, 2] = (paid["resident"] + paid["employee"]) + (paid["resident"] + paid["employee"]) * loading
    spent[:, 1] += paid["resident"] * (1 + loading)
    # medical assistance: contribution subsidies and direct assistance on the groups' resident claims
    groups = d["group_share"].T[:, :, None] * population  # (group, year, draw)
    widening = col(d["assistance"])
    subsidies = (groups * d["group_subsidy"].T[:, :, None]).sum(axis=0) * col(d["individual_contribution"])
    on_claims = sum(
        units["resident"][k] * (groups[g] / count[RESIDENT]) * pay["resident"][2 + g][k]
        for k in range(len(units["resident"]))
        for g in range(groups.shape[0])
    )
    use = col(d["util_resident_inpatient"]) * d["cost_index"][1]
    direct = cal["assistance"] * on_claims + cal["per_member"] * groups.sum(axis=0) * col(d["severity"]) * use
    needed = subsidies * widening + direct * widening
    spent[:, 3] = needed
    income[:, 3] = needed if d["payg"][3] else col(d["assistance_budget"]) + 0.0 * needed
    # LTCI: financing by source (the employee pooled fund's share a transfer), care for the beneficiaries
    cover_e, cover_r = col(d["ltci_cover_employee"]), col(d["ltci_cover_resident"])
    covered = cover_e * weighted[:, 0, :, COUNT] + cover_r * weighted[:, 1, :, COUNT]
    financing = covered * col(d["ltci_per_capita"]) * cal["ltci_factor"]
    drawn = col(d["ltci_pooled"]) * cover_e * weighted[:, 0, :, COUNT]
    transfer = np.where(covered > 0, drawn / np.where(covered > 0, covered, 1.0), 0.0) * financing
    users = cal["take_up"] * (cover_e * weighted[:, 0, :, DISABILITY] + cover_r * weighted[:, 1, :, DISABILITY])
    per_user = col(d["ltci_per_user"]) * cal["ltci_cost"] * col(d["care"])
    spent[:, 4] = sum(
        users * per_user * col(d["ltci_mode_shares"][:, m]) for m in range(d["ltci_mode_shares"].shape[1])
    )
    income[:, 4] = (
        transfer
        + financing * col(d["ltci_individual"])
        + (financing * col(d["ltci_fiscal"]) + np.maximum(col(d["ltci_pooled"]) * financing - transfer, 0))
    )
    spent[:, 0] += paid["employee"] * (1 + loading) + transfer
    return income, spent


def _roll_forward(d: dict, income, spent, ltci_projected) -> dict:
    """Interest, deficits and the reserves year by year (one loop over years, every pool and draw)."""
    flows = income - spent
    n_years, n_pools, draws = flows.shape
    rates = np.maximum(d["interest_rate"][:, None] + d["interest_deviation"], 0.0)
    fiscal, stated = bool(d["deficits"][0]), d["deficits"][1]
    debt_rates = np.zeros_like(rates) if fiscal else (rates if not np.isfinite(stated) else np.full_like(rates, stated))
    payg = d["payg"][:, None]
    held = np.broadcast_to(d["opening"][:, None], (n_pools, draws)).copy()
    held[4] = np.where(ltci_projected, d["opening"][4], 0.0)
    reserve, interest, debt, topped = (np.zeros_like(flows) for _ in range(4))
    for t in range(n_years):
        average = held + flows[t] / 2
        net = np.where(payg, 0.0, np.maximum(average, 0.0) * rates[t] - np.maximum(-average, 0.0) * debt_rates[t])
        interest[t], debt[t] = np.maximum(net, 0.0), np.maximum(-net, 0.0)
        held = held + flows[t] + net
        if fiscal:
            topped[t] = np.where(payg, 0.0, np.maximum(-held, 0.0))
            held = held + topped[t]
        reserve[t] = held
    return {"income": income + interest + topped, "expenditure": spent + debt, "reserve": reserve}


def fund_stage(d: dict, summed: np.ndarray, births: np.ndarray, population: np.ndarray) -> dict:
    """The five pools' income, expenditure and reserve (year, pool, draw) from the insured
    ``summed`` (status, year, draw, curve), ``births`` and mid-year ``population`` (year, draw)."""
    weighted0 = np.stack([summed[0, 0] + summed[1, 0] + summed[2, 0], summed[3, 0]]).transpose(0, 2, 1)  # pool, curve
    models = {p: _Pool(d, p, weighted0[i]) for i, p in enumerate(("employee", "resident"))}
    root_pay = {p: _payments(d, f"root_{p}", np.ones(1), models[p].means) for p in models}
    pay = {p: _payments(d, f"lev_{p}", d["severity"], models[p].means) for p in models}
    cal = _calibrate(d, weighted0, summed[:, 0, :, COUNT], births[0], population[0], models, root_pay)
    income, spent = _flows(d, summed, births, population, models, pay, cal)
    return _roll_forward(d, income, spent, cal["ltci_factor"] != 0)
