"""The reference kernel's inputs (benchmarks/kernel.py), made outside its timing from the engine itself.

``kernel_inputs(scenario, draws, seed)`` calls the engine's own draw-independent preparation — the
plan (:func:`forecast.engine.plan.run_plan`: the resolved rules of the scenario and of its root
baseline, the benefit layers, the base-year claims, the cost and wage indices), the base year's
figures, the age–sex curves — and draws the same random inputs as ``forecast.run(scenario,
draws=..., seed=...)``: the population's streams per chunk of draws
(benchmarks/kernel_population_inputs.py) and the fund drivers' paths
(:func:`forecast.model.uncertainty.stochastic.fund_drivers`). Everything is reduced to plain numpy
arrays (no labels), which ``save``/``load`` keep in an ``.npz``, so that the timed kernel only loads
arrays. Nothing that varies by draw is computed here beyond the drivers' random paths: each draw's
population, enrollment, base-year calibration, claims, payments per claim where the base-year
population divides the mean claim, flows and reserves are the kernel's work.

    python benchmarks/kernel_inputs.py DRAWS SEED PATH.npz   # writes the inputs of the baseline
"""

from __future__ import annotations

import sys

import numpy as np
import xarray as xr

from forecast.engine.draws import stochastic_setup
from forecast.engine.plan import run_plan
from forecast.engine.run import base_year
from forecast.inputs.region import load_region
from forecast.model.benefits.layers import shared_edges
from forecast.model.benefits.outpatient_status import RETIRED
from forecast.model.benefits.payers import CURVE_OF
from forecast.model.benefits.payments import payer_slots, payments
from forecast.model.benefits.spending import ITEM_OF, SERVICE_OF
from forecast.model.calibration.base_year import interest_in_year, opening_reserves
from forecast.model.enrollment.members import WORKING_AGE, retired_share
from forecast.model.pools import ltci
from forecast.model.uncertainty.stochastic import fund_drivers
from forecast.scenario.load import load_scenario
from forecast.scenario.rules import with_defaults
from forecast.vocabulary import ASSISTANCE_GROUPS, BASIC_POOLS, CARE_MODES, CLAIM_TYPES, POOLS

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent))
from kernel_population_inputs import population_inputs  # noqa: E402

__all__ = ["kernel_inputs", "save", "load", "CURVES"]

#: the age–sex curves of the enrollment's weighted members, in the engine's order
CURVES = ("count", "inpatient", "outpatient", "disability")


def _years(value, n: int) -> np.ndarray:
    """A rule over the years (or a plain value) as a float array of length ``n``."""
    values = np.asarray(getattr(value, "values", value), dtype=float)
    return np.broadcast_to(values, (n,)).copy() if values.ndim == 0 else values.reshape(n)


def _first(value) -> float:
    """A base-year rule as a plain number (the calibration's ``_value``)."""
    return float(np.asarray(getattr(value, "values", value)).ravel()[0])


def _pool_payments(out: dict, prefix: str, model, claims, year_layers: list, severity, years) -> None:
    """The draw-free payments per claim (pool, payer slot, year, claim type), from the engine's
    :func:`payments`, and for each claim type whose mean claim the base-year population divides
    (evaluated per draw by the kernel) its payers' slots and their table of breakpoints
    (:func:`~forecast.model.benefits.layers.shared_edges`, as the engine has it)."""
    pay = payments(model, year_layers, severity, years)
    table = np.concatenate(
        [
            pay["basic"].transpose("year", "claim_type").values[None],
            pay["critical_illness"].transpose("year", "claim_type").values[None],
            pay["assistance"].transpose("group", "year", "claim_type").values,
        ]
    )  # (slot, year, claim type)
    out[f"{prefix}_pay"] = table
    kinds = []
    for j, kind in enumerate(CLAIM_TYPES):
        if claims.cost_per_weighted[kind] is None:
            continue
        slots = payer_slots([year[kind] for year in year_layers])
        shared = shared_edges([layers for _, layers in slots])
        for name in ("limits", "year_of", "index", "slopes"):
            out[f"{prefix}_{j}_{name}"] = getattr(shared, name)
        out[f"{prefix}_{j}_slots"] = np.array([slot for slot, _ in slots], dtype=int)
        out[f"{prefix}_{j}_cv"] = float(model.cv.sel(claim_type=kind))
        kinds.append(j)
    out[f"{prefix}_kinds"] = np.array(kinds, dtype=int)


def _claims(out: dict, plan, years) -> None:
    """Each basic pool's base-year claims (before the base-year population divides them), the
    claim types' curves, services and items, the payments of the scenario's layers (every year) and
    of the root's (the base year), the utilisation indices."""
    curve = {name: i for i, name in enumerate(CURVES)}
    ones = xr.DataArray(np.ones(len(CURVES)), dims="curve", coords={"curve": list(CURVES)})
    severity = plan.indices["severity"].values
    items = list(dict.fromkeys(ITEM_OF.values()))
    out["claim_item"] = np.array([items.index(ITEM_OF[k]) for k in CLAIM_TYPES])
    out["claim_curve"] = np.array([curve[CURVE_OF[k]] for k in CLAIM_TYPES])
    out["outpatient_types"] = np.array([k in ("outpatient_special", "outpatient") for k in CLAIM_TYPES])
    out["hospital_types"] = np.array([ITEM_OF[k] == "inpatient" for k in CLAIM_TYPES])
    for pool in BASIC_POOLS:
        claims = plan.claims[pool]
        if pool == "employee" and RETIRED in plan.layers[pool][0]:
            raise NotImplementedError("the kernel has no retirees' outpatient rule (the baseline has none)")
        out[f"claims_{pool}"] = np.array([float(claims.claims[k]) for k in CLAIM_TYPES])
        out[f"claims_curve_{pool}"] = np.array(
            [curve[claims.claims_per_weighted[k]] if claims.claims_per_weighted[k] else -1 for k in CLAIM_TYPES]
        )
        out[f"cost_{pool}"] = np.array([float(claims.cost[k]) for k in CLAIM_TYPES])
        out[f"cost_curve_{pool}"] = np.array(
            [curve[claims.cost_per_weighted[k]] if claims.cost_per_weighted[k] else -1 for k in CLAIM_TYPES]
        )
        model = claims.model(ones)  # the draw-free claim types' means (the others: the kernel's, per draw)
        _pool_payments(out, f"lev_{pool}", model, claims, plan.layers[pool], severity, years)
        _pool_payments(out, f"root_{pool}", model, claims, plan.root_layers[pool], np.ones(1), years[:1])
        utilisation = plan.indices["utilisation"].sel(pool=pool, drop=True)
        out[f"util_{pool}"] = np.stack([utilisation.sel(service=SERVICE_OF[k]).values for k in CLAIM_TYPES], -1)
    out["severity"] = severity.astype(float)
    out["util_resident_inpatient"] = plan.indices["utilisation"].sel(pool="resident", service="inpatient").values


def _enrollment(out: dict, plan, figures: dict, curves, ages, years) -> None:
    """Retirement shares (the scenario's every year, the root's in the base year), who retires at
    the base year's cohort share, the coverage indices' central paths, the curves' weights."""
    rules, root = plan.rules, plan.root
    ret = retired_share(rules, ages).transpose("year", "sex", "age").values
    ret_root = retired_share(root, ages).transpose("year", "sex", "age").values[0]
    first_retired = np.array([ages[ret_root[s] > 0].min() for s in range(2)])  # per sex
    last = int(years[0]) - first_retired
    out["ret"], out["ret_root"] = ret, ret_root
    out["old"] = (years[:, None, None] - ages[None, None, :]) <= last[None, :, None]
    out["adult"] = ages >= WORKING_AGE
    e = rules.enrollment
    n = len(years)
    out["in_service_index"] = _years(e.in_service_coverage / float(root.enrollment.in_service_coverage[0]), n)
    out["resident_index"] = _years(e.resident_coverage / float(root.enrollment.resident_coverage[0]), n)
    out["flexible_share"] = _years(e.flexible_worker_share, n)
    out["published_counts"] = np.array([figures["in_service"], figures["retired"], figures["residents"]])
    out["curve_weights"] = np.stack(
        [np.ones(curves["inpatient"].shape), *(curves[c].transpose("sex", "age").values for c in CURVES[1:])], -1
    ).reshape(-1, len(CURVES))


def _financing(out: dict, plan, n: int) -> None:
    """The scenario's financing rules over the years, and the root's in the base year."""
    rules, root = plan.rules, plan.root.base_year()
    e, a, r = rules.employee, rules.employee.individual_account, rules.resident
    names = {
        "employer_rate": e.employer_rate,
        "employee_rate": e.employee_rate,
        "maternity_rate": e.maternity_rate,
        "flexible_base_ratio": e.flexible_base_ratio,
        "retiree_base_ratio": e.retiree_base_ratio,
        "retiree_contribution_rate": e.retiree_contribution_rate,
        "in_service_rate": a.in_service_rate,
        "retiree_credit": a.retiree_credit,
        "reform_share": a.reform_share,
        "legacy_credit_ratio": a.legacy_credit_ratio,
        "individual_contribution": r.individual_contribution,
        "fiscal_subsidy": r.fiscal_subsidy,
        "loading": rules.critical_illness.loading,
        "compliance": rules.enrollment.compliance_rate / float(plan.root.enrollment.compliance_rate[0]),
        "wages": plan.wages,
        "interest_rate": rules.economy.interest_rate,
        "realisation": plan.indices["realisation"],
        "care": plan.indices["care"],
        "assistance": plan.indices["assistance"],
        "assistance_budget": rules.medical_assistance.budget,
        "ltci_cover_employee": rules.ltci.coverage.employee,
        "ltci_cover_resident": rules.ltci.coverage.resident,
        "ltci_per_capita": rules.ltci.financing_per_capita,
        "ltci_pooled": rules.ltci.financing_shares.employee_pooled_fund,
        "ltci_individual": rules.ltci.financing_shares.individual,
        "ltci_fiscal": rules.ltci.financing_shares.fiscal,
        "ltci_per_user": ltci.spending_per_beneficiary(rules),
    }
    for name, value in names.items():
        out[name] = _years(value, n)
    out["ltci_mode_shares"] = ltci.mode_shares(rules).sel(mode=list(CARE_MODES)).transpose("year", "mode").values
    out["group_share"] = (
        rules.ds["group_population_share"].sel(group=list(ASSISTANCE_GROUPS)).transpose("year", "group").values
    )
    out["group_subsidy"] = (
        rules.ds["group_contribution_subsidy"].sel(group=list(ASSISTANCE_GROUPS)).transpose("year", "group").values
    )
    out["covers_employees"] = np.array(bool(rules.critical_illness.covers_employees))
    re = root.employee
    out["root"] = np.array(
        [
            _first(re.employer_rate) + _first(re.employee_rate) + _first(re.maternity_rate),
            _first(re.flexible_base_ratio),
            _first(re.retiree_base_ratio),
            _first(re.retiree_contribution_rate),
            _first(re.individual_account.in_service_rate),
            _first(re.individual_account.reform_share)
            + (1 - _first(re.individual_account.reform_share)) * _first(re.individual_account.legacy_credit_ratio),
            _first(root.resident.individual_contribution) + _first(root.resident.fiscal_subsidy),
            _first(root.resident.individual_contribution),
            _first(root.economy.interest_rate),
            _first(root.ltci.coverage.employee),
            _first(root.ltci.coverage.resident),
            _first(root.ltci.financing_per_capita),
            _first(root.ltci.financing_shares.employee_pooled_fund),
            _first(ltci.spending_per_beneficiary(root)),
        ]
    )
    out["root_group_share"] = (
        root.ds["group_population_share"].sel(group=list(ASSISTANCE_GROUPS)).transpose("year", "group").values[0]
    )
    out["root_group_subsidy"] = (
        root.ds["group_contribution_subsidy"].sel(group=list(ASSISTANCE_GROUPS)).transpose("year", "group").values[0]
    )
    stated = float(rules.ds["deficits_interest_rate"])
    out["deficits"] = np.array([str(rules.ds["deficits_financing"].item()) == "fiscal", stated], dtype=float)
    budget = rules.medical_assistance.budget
    out["payg"] = np.array(
        [p == "critical_illness" or (p == "medical_assistance" and not bool((budget > 0).any())) for p in POOLS]
    )


def _figures(out: dict, figures: dict, root_rate: float) -> None:
    """The published base year the calibration reproduces, and the interest in its income."""
    f = figures
    reserves = opening_reserves(f)
    account_interest = interest_in_year(
        reserves["individual_account"], f["individual_account_income"], f["individual_account_expenditure"], root_rate
    )
    pooled_interest = interest_in_year(
        f["employee_pooled_reserve_opening"], f["employee_pooled_income"], f["employee_pooled_expenditure"], root_rate
    )
    ltci_known = np.isfinite(f["ltci_income"]) and np.isfinite(f["ltci_users"])
    out["figures"] = np.array(
        [
            f["employee_pooled_income"] + f["individual_account_income"] - pooled_interest - account_interest,
            f["individual_account_income"] - account_interest,  # credits
            f["individual_account_expenditure"]
            / (
                reserves["individual_account"] + f["individual_account_income"] - account_interest
            ),  # account usage (not used by the pools)
            bool(f["accounts_folded"]),
            f["resident_income"]
            - interest_in_year(
                f["resident_reserve_opening"], f["resident_income"], f["resident_expenditure"], root_rate
            ),
            f["maternity_expenditure"],
            f["employee_pooled_expenditure"],
            f["resident_expenditure"],
            f["assistance_expenditure"],
            (f["ltci_income"] - interest_in_year(reserves["ltci"], f["ltci_income"], f["ltci_expenditure"], root_rate))
            if ltci_known
            else np.nan,
            f["ltci_users"],
            f["ltci_expenditure"],
        ]
    )
    out["opening"] = np.array([reserves[p] for p in POOLS], dtype=float)


def kernel_inputs(scenario: str = "baseline", draws: int = 1000, seed: int = 1) -> dict:
    """The kernel's inputs for ``forecast.run(scenario, draws=draws, seed=seed)``: plain arrays."""
    scenario = load_scenario(scenario)
    region = load_region(scenario.region_path)
    params, root_params = with_defaults(dict(scenario.params)), with_defaults(dict(scenario.root_params))
    horizon = scenario.horizon
    base, _costed, years, figures, curves = base_year(scenario, region, params, root_params, horizon)
    setup = stochastic_setup(scenario, region, params, horizon, draws, seed, None, None)
    if setup.quantiles or any(r for r in run_plan(scenario, region, params, root_params, horizon).financing_rules):
        raise NotImplementedError("the kernel runs the intermediate set without financing rules (the baseline)")
    plan = run_plan(scenario, region, params, root_params, horizon)
    if np.any(plan.rules.medical_costs.induced_demand_elasticity != 0):
        raise NotImplementedError("the kernel has no induced demand (the baseline's elasticity is 0)")
    out = population_inputs(region, scenario.population, horizon, draws, setup.entropy, setup.settings["population"])
    out["years"] = np.asarray(years)
    ages = curves["inpatient"]["age"].values
    _enrollment(out, plan, figures, curves, ages, np.asarray(years))
    _claims(out, plan, np.asarray(years))
    _financing(out, plan, len(years))
    _figures(out, figures, _first(plan.root.economy.interest_rate))
    shocks = fund_drivers(region, base, params, setup.settings, years, draws, setup.entropy, None)
    out["cost_index"] = (
        shocks["cost_trend_index"].sel(cost_trend=list(BASIC_POOLS)).transpose("cost_trend", "year", "draw").values
    )
    out["wage_index"] = shocks["wage_growth_index"].sel(wage_growth="all").transpose("year", "draw").values
    out["coverage_index"] = (
        shocks["coverage_index"].sel(coverage=["in_service", "resident"]).transpose("coverage", "year", "draw").values
    )
    out["interest_deviation"] = shocks["interest_deviation"].transpose("year", "draw").values
    out["financing_deviation"] = (
        shocks["financing_deviation"]
        .sel(part=["individual_contribution", "fiscal_subsidy"])
        .transpose("part", "year", "draw")
        .values
    )
    return {k: np.asarray(v) for k, v in out.items()}


def save(data: dict, path) -> None:
    np.savez(path, **data)


def load(path) -> dict:
    with np.load(path) as npz:
        return {k: npz[k] for k in npz.files}


if __name__ == "__main__":
    save(kernel_inputs("baseline", int(sys.argv[1]), int(sys.argv[2])), sys.argv[3])
