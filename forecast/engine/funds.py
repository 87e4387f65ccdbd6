"""The fund stages of some draws: their enrollment (:mod:`.enrolled`), claims and the base year's
calibration make the pools' context; each pool gives its flows; the ledger books them; one
roll-forward with the financing rules; the individual accounts; the result Dataset."""

from __future__ import annotations

import numpy as np
import xarray as xr

from ..model.benefits import indicators, spending
from ..model.benefits.curves import age_curves
from ..model.benefits.outpatient_status import status_payments
from ..model.benefits.payments import payments
from ..model.calibration.base_year import opening_by_pool, opening_reserves
from ..model.calibration.factors import OUTPATIENT, BaseYearCalibration
from ..model.financing.rules import Rule, apply_rules
from ..model.fund import Deficits
from ..model.pools import UNITS, Context, employee, ledger
from ..model.uncertainty.stochastic import DriverPaths
from ..results.dataset import THRESHOLDS, WARNING_SETTINGS, fund_dataset
from ..vocabulary import BASIC_POOLS, EXPENDITURE_ITEMS, INCOME_ITEMS, INSURED_STATUSES, POOLS
from .enrolled import Enrolled, enroll
from .plan import Plan

__all__ = ["project_funds", "fund_stages"]


def project_funds(
    region,
    pop: xr.Dataset,
    plan: Plan,
    figures: dict,
    curves: xr.Dataset | None = None,
    paths: DriverPaths | None = None,
) -> xr.Dataset:
    """The fund stages for one population (a chunk of draws: dims year, draw, sex, age; or one
    path without a draw dimension, which the result then has none of either); ``paths``: the
    fund drivers of those draws (:class:`~forecast.model.uncertainty.stochastic.DriverPaths`;
    none: central).

    The pools' flows (:mod:`forecast.model.pools`, one unit each) from one context, the transfers
    booked by the ledger, the reserves rolled forward with the pools' financing rules, the
    individual accounts, then the result Dataset."""
    if "draw" not in pop.dims:
        with xr.set_options(arithmetic_join="exact"):
            one = project_funds(region, pop.expand_dims(draw=[0]), plan, figures, curves, paths)
            return one.isel(draw=0, drop=True)
    curves = age_curves(region) if curves is None else curves
    paths = paths or DriverPaths(None, pop["draw"].values)
    return fund_stages(region, enroll(pop, plan, figures, curves, paths), plan, figures, paths)


def fund_stages(region, enrolled: Enrolled, plan: Plan, figures: dict, paths: DriverPaths) -> xr.Dataset:
    """:func:`project_funds` after the enrollment stage: the fund stages of the draws ``enrolled``
    (:mod:`.enrolled`; several chunks' joined), ``paths`` their drivers."""
    ctx = _context(region, enrolled, plan, figures, paths)
    flows = ledger.declared_items(ctx, {pool: unit.flows(ctx) for pool, unit in UNITS.items()})
    like = ctx.population * 0.0
    income_items, expenditure_items = ledger.book(flows, like)
    rate = ctx.paths.rate(plan.rules.economy.interest_rate)
    levers = {rule.pool: UNITS[rule.pool].lever(ctx) for rule in plan.financing_rules}
    opening = opening_by_pool(figures, ctx.cal.ltci_financing_factor_ != 0)
    required = _required_standard(ctx, plan, (income_items, expenditure_items, opening, rate))
    deficits = _deficits(plan, rate)
    rolled, income_items, expenditure_items, ruled = apply_rules(
        list(plan.financing_rules),
        levers,
        income_items,
        expenditure_items,
        opening,
        rate,
        plan.payg,
        deficits,
        in_place=True,
    )
    income_items, expenditure_items = ledger.with_rolled(income_items, expenditure_items, rolled)
    extra = {name: value for pool in POOLS for name, value in flows[pool].results.items()}
    extra.update(ruled)
    extra.update(required)
    outpatient = flows["employee"].expenditure["outpatient"]  # the pooled fund's 门诊共济, not computed again
    extra.update(employee.accounts(ctx, rate, opening_reserves(figures)["individual_account"], outpatient))
    extra.update(_indicators(region, ctx, plan, like))
    thresholds = {k: float(plan.rules.ds[f"verdict_{k}"]) for k in THRESHOLDS}
    warnings = {k: float(plan.rules.ds[f"verdict_{k}"]) for k in WARNING_SETTINGS}
    insured = ledger.insured_by_pool(flows, like)
    reserve = rolled["reserve"]
    ds = fund_dataset(income_items, expenditure_items, reserve, insured, thresholds, plan.payg, extra, warnings)
    ds = ds.assign_coords(
        income_item=list(INCOME_ITEMS), expenditure_item=list(EXPENDITURE_ITEMS), status=list(INSURED_STATUSES)
    )
    ds.attrs["calibration"] = ctx.cal.as_dict()
    return ds


def _required_standard(ctx: Context, plan: Plan, accounts: tuple) -> dict:
    """The resident pool's per-person financing standard that keeps its reserve within the verdict's
    reasonable band (6-9 months) every projected year — the question a bureau faces, where the
    scenario's own standards stop rising after their last announcement — in yuan and as a share of
    per-capita disposable income: the pool's ``balance_band`` rule applied beside the run
    (:mod:`forecast.model.financing.rules`), the run itself unchanged."""
    years = plan.rules.years
    low, high = (float(plan.rules.ds[f"verdict_{k}_months"]) for k in ("low", "high"))
    rule = Rule("resident", "balance_band", low, high, years > years[0])
    income_items, expenditure_items, opening, rate = accounts
    levers = {"resident": UNITS["resident"].lever(ctx)}
    resident = {"pool": ["resident"]}  # the pools' roll-forwards are apart: the resident's alone, a fifth of the work
    _, _, _, ruled = apply_rules(
        [rule],
        levers,
        income_items.sel(resident),
        expenditure_items.sel(resident),
        opening.sel(resident),
        rate,
        plan.payg.sel(resident),
        _deficits(plan, rate),
        items=False,
    )
    standard = ruled["rule_lever_resident"]
    income = plan.rules.economy.disposable_income_per_capita
    return {
        "required_standard": standard.assign_attrs(
            units="yuan/person/year",
            description=(
                f"the resident per-person financing standard that keeps {low:g}-{high:g} months of spending "
                "every year (以收定支)"
            ),
        ),
        "required_standard_share": (standard / income).assign_attrs(
            units="ratio", description="the required resident standard as a share of per-capita disposable income"
        ),
    }


def _deficits(plan: Plan, rate: xr.DataArray) -> Deficits:
    """The scenario's deficit convention: debt at its stated rate (or the fund's own, the run's
    rate with its draws), or public budgets' top-up."""
    stated = plan.rules.ds["deficits_interest_rate"]
    debt_rate = rate if not np.isfinite(float(stated)) else xr.full_like(rate, float(stated))
    return Deficits(str(plan.rules.ds["deficits_financing"].item()), debt_rate)


def _indicators(region, ctx: Context, plan: Plan, like: xr.DataArray) -> dict:
    """The insured by status, benefit use as the bulletins publish it and the cost indices."""
    count = ctx.members["count"]
    described = "mid-year insured persons by status (employee pool: in_service, flexible, retired; resident pool)"
    out = {"insured_by_status": count.assign_attrs(units="persons", description=described)}
    out.update(indicators.benefit_use(region, ctx.units, ctx.pay, plan.claims, int(plan.rules.years[0]), like))
    shocks = {pool: ctx.paths.cost(pool) for pool in BASIC_POOLS}
    out.update(indicators.cost_indices(plan.indices, ctx.members["weighted"], count, like, plan.curve_weights, shocks))
    return out


def _context(region, enrolled: Enrolled, plan: Plan, figures: dict, paths: DriverPaths) -> Context:
    """The pools' context for some draws: members, claims and payments, the base year's
    calibration (on the root rules), the claims of every year with their cost indices."""
    years = plan.rules.years
    members, births, population = enrolled.members, enrolled.births, enrolled.population
    models = {
        pool: plan.claims[pool].model(members["weighted"].sel(pool=pool, drop=True).isel(year=0, drop=True))
        for pool in BASIC_POOLS
    }
    pay = status_payments(models, plan.layers, plan.indices["severity"].values, years, members, payments)
    cal = _calibrate(region, figures, plan, models, members, births, population)
    units = {pool: _claims(models[pool], members, pay[pool], cal, plan, paths, pool) for pool in BASIC_POOLS}
    wages = plan.wages * paths.wages()
    return Context(
        plan.rules,
        plan.root,
        members,
        units,
        pay,
        cal,
        plan.indices,
        paths,
        wages,
        births,
        population,
        figures,
        plan.payg,
    )


def _calibrate(
    region, figures: dict, plan: Plan, models: dict, members: xr.Dataset, births, population
) -> BaseYearCalibration:
    """The base year's factors, fitted under the root baseline's rules
    (:mod:`forecast.model.calibration`)."""
    years = plan.rules.years
    first = members.isel(year=[0])
    no_growth = xr.ones_like(plan.indices["utilisation"].isel(year=[0], pool=0, drop=True))
    units0 = {
        pool: spending.claim_units(models[pool].frequency, first["weighted"].sel(pool=pool, drop=True), no_growth)
        for pool in BASIC_POOLS
    }
    pay0 = status_payments(models, plan.root_layers, np.ones(1), years[:1], first, payments)
    base_births, base_population = births.isel(year=[0]), population.isel(year=[0])
    calibration = BaseYearCalibration(region, figures)
    return calibration.fit(plan.root.base_year(), first, units0, pay0, base_births, base_population)


def _claims(
    model, members: xr.Dataset, pay: xr.Dataset, cal: BaseYearCalibration, plan: Plan, paths: DriverPaths, pool: str
) -> xr.DataArray:
    """A basic pool's claims by type every year: frequency × weighted members × utilisation (with
    the draws' cost shocks) × induced demand, outpatient claims scaled by the calibration."""
    elasticity = plan.rules.medical_costs.induced_demand_elasticity
    induced = spending.induced_demand(pay, cal.patient_share_.sel(pool=pool), elasticity)
    scale = xr.where(pay["claim_type"].isin(list(OUTPATIENT)), cal.outpatient_factor_.sel(pool=pool), 1.0)
    utilisation = plan.indices["utilisation"].sel(pool=pool, drop=True) * paths.cost(pool)
    weighted = members["weighted"].sel(pool=pool, drop=True)
    return spending.claim_units(model.frequency, weighted, utilisation, induced) * scale
