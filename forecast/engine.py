"""The engine: the stages wired together, and nothing else.

    region bundle + scenario
      -> population   (model.population: chunks of draws, streamed)
      -> enrollment   (model.enrollment: insured persons by status, sex and age)
      -> benefits     (model.benefits: payment per claim, once per year, shared by all draws)
      -> calibration  (model.calibration: the base year's factors, per draw)
      -> income, expenditure, assistance, ltci (arrays over year and draw)
      -> fund         (model.fund: the reserve roll-forward, the only loop over years)
      -> the result Dataset (results.dataset), checked finite (results.finite)

:func:`run` is ``forecast.run``; :func:`project` is what the back-test calls with a bundle cut at a
past year. Every flow is an array over (year, draw); a deterministic run is one draw, dropped at
the end. Several regions (``regions=``) give a ``region`` dimension.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import xarray as xr

from .errors import InputError, Problem
from .labelled import stack
from .model.benefits import indicators as drivers
from .model.benefits import spending as expenditure
from .model.benefits.curves import age_curves
from .model.benefits.outpatient_status import retired_outpatient, status_payments
from .model.benefits.payers import base_claims, payer_layers, payments
from .model.calibration.base_year import (
    base_year_figures,
    check_span,
    costs_benefits,
    fund_base_year,
    opening_by_pool,
    opening_reserves,
    refuse_uncosted_changes,
)
from .model.calibration.factors import OUTPATIENT, BaseYearCalibration
from .model.enrollment.members import calibrate_enrollment, insured_summary, mid_year_population, retired_share
from .model.financing import contributions as income
from .model.financing.rules import apply_rules, levers_of, rules_of
from .model.fund.rollforward import account_roll_forward, roll_forward
from .model.pools import ltci
from .model.pools import medical_assistance as assistance
from .model.population.indicators import check_projection
from .model.population.project import population_chunks, prefetched
from .model.uncertainty.intervals import band_dataset, record
from .model.uncertainty.stochastic import DriverPaths, fund_drivers, stochastic_setup
from .results.dataset import THRESHOLDS, WARNING_SETTINGS, PopulationResult, fund_dataset, item_table, provenance
from .results.finite import check_finite
from .results.uncertainty import draw_summary
from .scenario.dated import DatedValue
from .scenario.demography import extended_demography
from .scenario.rules import Rules, resolve_rules
from .vocabulary import BASIC_POOLS, CARE_MODES, EXPENDITURE_ITEMS, INCOME_ITEMS, INSURED_STATUSES, POOLS

__all__ = ["run", "project", "project_funds", "make_plan", "resolved_rules"]


def run(scenario, *, draws: int | None = None, seed: int | None = None, strict: bool = False, keep: tuple[str, ...] = (), regions=None, progress=None) -> xr.Dataset:
    """Project every pool of ``scenario`` (a :class:`~forecast.Scenario`, a path or a shipped name)
    to its horizon.

    ``draws``/``seed``: a stochastic run, every driver drawn (population, cost growth, wages,
    coverage, interest, financing: :mod:`forecast.model.uncertainty.stochastic`); the result gains a ``draw``
    dimension and the percentiles and probabilities of :mod:`forecast.results.uncertainty`
    (``keep=("population",)`` keeps each draw's population, otherwise their mean). ``strict``: refuse to extend any dated value beyond its last given year. ``regions``:
    bundle folders to run the scenario on instead of its own region; the result gains a
    ``region`` dimension. ``progress``: called as ``progress(draws done, draws)`` after each chunk of draws.

    >>> import forecast
    >>> ds = forecast.run("baseline")  # doctest: +SKIP
    >>> ds.fund.verdict_label().sel(pool="employee", year=2030).item()  # doctest: +SKIP
    'excessive'
    """
    from .inputs.region import load_region
    from .scenario.load import load_scenario

    if not hasattr(scenario, "params"):
        scenario = load_scenario(scenario)
    if regions is not None:
        return _over_regions(scenario, [load_region(r) for r in regions], draws=draws, seed=seed, strict=strict, keep=keep)
    region = load_region(scenario.region_path)
    return project(scenario, region, dict(scenario.params), dict(scenario.root_params), scenario.horizon, draws=draws, seed=seed, strict=strict, keep=keep, progress=progress)


def _over_regions(scenario, regions: list, **options) -> xr.Dataset:
    """One run per region, along a ``region`` dimension (the same base year and horizon)."""
    parts = [project(scenario, region, dict(scenario.params), dict(scenario.root_params), scenario.horizon, **options) for region in regions]
    spans = {(int(p["year"].values[0]), int(p["year"].values[-1])) for p in parts}
    if len(spans) > 1:
        raise InputError(Problem(", ".join(str(r.path) for r in regions), f"the regions' runs cover different years ({', '.join(f'{a}-{b}' for a, b in sorted(spans))}): their fund base years differ", "run regions with the same last published fund year together"))
    names = [str(r.path) for r in regions]
    ds = xr.concat(parts, dim="region", data_vars="all", coords="minimal", compat="override", join="exact", combine_attrs="override")
    ds = ds.assign_coords(region=names, region_name=("region", [r.name for r in regions]))
    ds.attrs["regions"] = names
    return ds


def project(scenario, region, params: dict, root_params: dict, horizon: int, *, draws=None, seed=None, strict=False, keep=(), quantiles=None, draw_quantiles=None, draw_range=None, summarise=True, progress=None) -> xr.Dataset:
    """The projection of ``scenario``'s demography with ``params`` (path -> value) on ``region``
    from its fund base year to ``horizon``; ``root_params`` calibrate the base year. ``draws``:
    every driver drawn (:mod:`forecast.model.uncertainty.stochastic`); ``quantiles`` (driver -> q): one path
    with those drivers at their q-quantile (default: the scenario's deterministic set);
    ``draw_quantiles`` (driver -> one quantile per draw): each draw at its own quantiles;
    ``draw_range`` (start, stop): only those of the ``draws`` (a batch task: the same values as in
    the whole run); ``summarise``: add the draws' percentiles and probabilities;
    ``progress(done, draws)`` after each chunk."""
    base = fund_base_year(region)
    check_span(scenario, region, base, horizon)
    costed = costs_benefits(region, base)
    if not costed:
        refuse_uncosted_changes(scenario, params, root_params, base)
    years = np.arange(base, horizon + 1)
    figures = base_year_figures(region, base)
    curves = age_curves(region)
    setup = stochastic_setup(scenario, region, params, horizon, draws, seed, quantiles, draw_quantiles, draw_range)
    draws, quantiles, settings, entropy, chunks = setup.draws, setup.quantiles, setup.settings, setup.entropy, setup.chunks
    plan, parts, population, shocks = None, [], PopulationResult(keep), None
    for chunk in prefetched(chunks):
        check_projection(chunk, scenario, region)
        chunk = chunk if "draw" in chunk.dims else chunk.expand_dims(draw=[0])
        if plan is None:
            plan = _plan(scenario, region, params, root_params, years, setup.first_population(chunk), curves, strict)
            shocks = fund_drivers(region, base, params, settings, years, draws, entropy, quantiles, draw_quantiles)
        with xr.set_options(arithmetic_join="exact"):
            parts.append(project_funds(region, chunk, plan, figures, curves, DriverPaths(shocks, chunk["draw"].values)))
        population.add(chunk, years)
        if progress is not None:
            progress(int(chunk["draw"].values[-1]) + 1, draws or 1)
    ds = xr.concat(parts, dim="draw", data_vars="minimal", coords="minimal", compat="override", join="exact", combine_attrs="override") if len(parts) > 1 else parts[0]
    ds = population.into(ds)
    ds = ds.assign(band_dataset(record(region, base), years, POOLS))
    if draws is None:
        ds = ds.isel(draw=0, drop=True)
    else:
        ds = ds.transpose("draw", ...)
        ds.attrs.update(seed=chunk.attrs["seed"], draws=draws)
        ds = ds.assign(draw_summary(ds)) if summarise else ds
    ds.attrs.update(provenance(scenario, region, base, plan, costed, figures))
    if shocks is not None:
        ds.attrs.update(drivers=shocks.attrs["drivers"], driver_quantiles=dict(quantiles or {}), population_volatility=settings["population"])
    check_finite(ds, scenario.files, region.path)
    return ds


@dataclasses.dataclass(frozen=True)
class _Plan:
    """What a run computes once and every chunk of draws shares: the rules, the base-year claims,
    the benefit layers, the cost and wage indices."""

    rules: Rules
    root: Rules
    fits: dict
    claims: dict
    layers: dict
    root_layers: dict
    indices: xr.Dataset
    wages: xr.DataArray
    payg: xr.DataArray
    #: every value held or grown beyond its last given year (path -> how)
    extended: dict = dataclasses.field(default_factory=dict)
    #: the pools' financing rules (forecast.model.financing.rules)
    financing_rules: tuple = ()


def _plan(scenario, region, params, root_params, years, first, curves, strict) -> _Plan:
    """Fill the ``fitted`` values (fitted on the first draw's population), resolve the rules once,
    and make the run's plan."""
    fits = {}
    if any(isinstance(v, DatedValue) and v.needs_fit for v in (*params.values(), *root_params.values())):
        from .model.fitting.fitted import fill_fitted, fitted_values

        price = params["assumptions.economy.price_inflation"].path(years[1:2])[0][0]  # the first projected year's
        damping = float(params.get("assumptions.enrollment.trend_damping", 0.8))
        values, fits = fitted_values(region, int(years[0]), first, curves["inpatient"], float(price), damping)
        fits["values"] = {k: float(v[1] - 1 if k.endswith("coverage") else v[0]) for k, v in values.items()}  # the first projected year's change
        params, root_params = (fill_fitted(d, values, int(years[0])) for d in (params, root_params))
    rules = resolve_rules(params, years)
    extended = {**rules.extended, **extended_demography(scenario.population, int(years[-1]))}
    if strict and extended:
        raise InputError([Problem(scenario.files[-1], f"--strict: {path} is extended beyond its last given year ({how})", f"give {path} values up to {years[-1]}", field=path) for path, how in extended.items()])
    root = resolve_rules(root_params, years)
    from .model.fitting.fitted import realisation_level

    fits["resident_realisation"] = realisation_level(region, int(years[0]), float(root.economy.interest_rate[0]))
    return dataclasses.replace(make_plan(region, rules, root, fits), extended=extended, financing_rules=tuple(rules_of(params, years)))


def resolved_rules(scenario, region, params: dict, root_params: dict, horizon: int) -> Rules:
    """The rules of ``params`` over the run's years, its ``fitted`` values filled (what a solver
    needs to move a lever from its resolved path)."""
    years = np.arange(fund_base_year(region), horizon + 1)
    chunk = next(population_chunks(region, scenario.population, end_year=horizon, with_indicators=False)).expand_dims(draw=[0])
    return _plan(scenario, region, params, root_params, years, chunk["population"].isel(draw=0), age_curves(region), False).rules


def make_plan(region, rules: Rules, root: Rules, fits: dict | None = None) -> _Plan:
    """What every chunk of draws shares: the benefit layers of the scenario's rules (every year)
    and of the root's (the base year), the cost and wage indices, the pay-as-you-go pools."""
    reduced = not costs_benefits(region, int(rules.years[0]))
    covers = {"employee": bool(rules.critical_illness.covers_employees), "resident": True}
    root_covers = {"employee": bool(root.critical_illness.covers_employees), "resident": True}
    layers = {pool: payer_layers(rules, pool, covers[pool], pool == "resident", reduced, region) for pool in BASIC_POOLS}
    root_layers = {pool: payer_layers(root.base_year(), pool, root_covers[pool], pool == "resident", reduced, region) for pool in BASIC_POOLS}
    budget = rules.medical_assistance.budget
    payg = xr.DataArray([p == "critical_illness" or (p == "medical_assistance" and not bool((budget > 0).any())) for p in POOLS], dims="pool", coords={"pool": list(POOLS)})
    claims = {pool: base_claims(region, int(rules.years[0]), pool) for pool in BASIC_POOLS}
    indices = expenditure.cost_indices(rules)
    factor = (fits or {}).get("resident_realisation", {}).get("factor", 1.0)
    indices["realisation"] = xr.DataArray(np.where(rules.years > rules.years[0], factor, 1.0), dims="year", coords={"year": rules.years}, attrs={"units": "ratio", "description": "the resident pool's realisation of its standard relative to the base year's (its fitted local level)"})
    return _Plan(rules, root, fits or {}, claims, layers, root_layers, indices, income.wage_index(rules), payg)


def project_funds(region, pop: xr.Dataset, plan: _Plan, figures: dict, curves: xr.Dataset | None = None, paths: DriverPaths | None = None) -> xr.Dataset:
    """The fund stages for one population (a chunk of draws: dims year, draw, sex, age; or one
    path without a draw dimension, which the result then has none of either); ``paths``: the
    fund drivers of those draws (:class:`~forecast.model.uncertainty.stochastic.DriverPaths`; none: central)."""
    if "draw" not in pop.dims:
        with xr.set_options(arithmetic_join="exact"):
            return project_funds(region, pop.expand_dims(draw=[0]), plan, figures, curves, paths).isel(draw=0, drop=True)
    paths = paths or DriverPaths(None, pop["draw"].values)
    curves = age_curves(region) if curves is None else curves
    rules, root, years = plan.rules, plan.root, plan.rules.years
    base = int(years[0])
    mid = mid_year_population(pop["population"], years[:1])  # the base year's, for the calibration
    births = pop["births"].sel(year=years).sum("sex", skipna=False)
    if int(pop["year"].values[0]) == base:  # the census year's births cover only the months from the census date
        births = births.copy(data=np.concatenate([births.values[:1] / pop.attrs.get("first_step_years", 1.0), births.values[1:]]))
    population_total = mid_year_population(pop["population"].sum(("sex", "age"), skipna=False), years)
    ages = mid["age"].values
    enrollment_calibration = calibrate_enrollment(mid, retired_share(root, ages), figures["in_service"], figures["retired"], figures["residents"], base)
    e = rules.enrollment
    index_in_service = e.in_service_coverage / float(root.enrollment.in_service_coverage[0]) * paths.coverage("in_service")
    index_resident = e.resident_coverage / float(root.enrollment.resident_coverage[0]) * paths.coverage("resident")
    members = insured_summary(pop["population"], years, retired_share(rules, ages), enrollment_calibration, index_in_service, index_resident, e.flexible_worker_share, curves)
    weighted, count = members["weighted"], members["count"]

    # claims: base-year models, payments per claim, the calibration on the root rules
    models = {pool: plan.claims[pool].model(weighted.sel(pool=pool, drop=True).isel(year=0, drop=True)) for pool in BASIC_POOLS}
    pay = status_payments(models, plan.layers, plan.indices["severity"].values, years, members, payments)
    first = members.isel(year=[0])
    no_growth = xr.ones_like(plan.indices["utilisation"].isel(year=[0], pool=0, drop=True))
    units0 = {pool: expenditure.claim_units(models[pool].frequency, first["weighted"].sel(pool=pool, drop=True), no_growth) for pool in BASIC_POOLS}
    pay0 = status_payments(models, plan.root_layers, np.ones(1), years[:1], first, payments)
    cal = BaseYearCalibration(region, figures).fit(root.base_year(), first, units0, pay0, births.isel(year=[0]), population_total.isel(year=[0]))
    units = {}
    for pool in BASIC_POOLS:
        induced = expenditure.induced_demand(pay[pool], cal.patient_share_.sel(pool=pool), rules.medical_costs.induced_demand_elasticity)
        scale = xr.where(pay[pool]["claim_type"].isin(list(OUTPATIENT)), cal.outpatient_factor_.sel(pool=pool), 1.0)
        units[pool] = expenditure.claim_units(models[pool].frequency, weighted.sel(pool=pool, drop=True), plan.indices["utilisation"].sel(pool=pool, drop=True) * paths.cost(pool), induced) * scale
    severity, utilisation = plan.indices["severity"], plan.indices["utilisation"]
    inc, spent = {}, {}

    # employee pooled fund and individual accounts
    folded = bool(figures["accounts_folded"])
    wages = plan.wages * paths.wages()
    base_pay = income.contribution_base(cal.contribution_base_, wages, rules, root)
    contributions = income.employee_contributions(count.to_dataset("status"), base_pay, rules)
    credits = xr.zeros_like(contributions) if folded else income.account_credits(count.to_dataset("status"), base_pay, rules, cal.retiree_credit_)
    inc["employee", "contributions"] = contributions - credits
    paid = expenditure.benefit_spending(units["employee"], pay["employee"])
    for item in paid["item"].values:
        spent["employee", str(item)] = paid.sel(item=item, drop=True)
    spent["employee", "maternity"] = expenditure.maternity(cal.maternity_per_birth_, births, wages)

    # LTCI financing, and the share drawn from the employee pooled fund
    covered = ltci.covered(rules, weighted.sel(pool="employee", curve="count", drop=True), weighted.sel(pool="resident", curve="count", drop=True))
    financing = ltci.financing(covered, rules, cal.ltci_financing_factor_)
    transfer = ltci.employee_pooled_share(rules, weighted.sel(pool="employee", curve="count", drop=True), covered) * financing
    loading = rules.critical_illness.loading
    ci_employee = expenditure.critical_illness_claims(units["employee"], pay["employee"]) if bool(rules.critical_illness.covers_employees) else xr.zeros_like(transfer)
    spent["employee", "transfer_out"] = transfer + ci_employee * (1 + loading)

    # critical illness (break-even premium) and the resident pool
    ci_resident = expenditure.critical_illness_claims(units["resident"], pay["resident"])
    spent["critical_illness", "inpatient"] = ci_resident + ci_employee
    inc["critical_illness", "transfer_in"] = (ci_resident + ci_employee) * (1 + loading)
    spent["critical_illness", "transfer_out"] = (ci_resident + ci_employee) * loading  # the insurer's margin
    residents = count.sel(status="resident", drop=True)
    realisation = cal.resident_realisation_ * plan.indices["realisation"]
    financed = income.resident_financing(residents, rules, realisation, paths.financing())
    inc["resident", "contributions"], inc["resident", "fiscal_subsidy"] = financed["contributions"], financed["fiscal_subsidy"]
    paid = expenditure.benefit_spending(units["resident"], pay["resident"])
    for item in paid["item"].values:
        spent["resident", str(item)] = paid.sel(item=item, drop=True)
    spent["resident", "transfer_out"] = ci_resident * (1 + loading)

    # medical assistance: the budget pays as it goes, or a set budget
    groups = assistance.group_members(rules, population_total)
    widening = plan.indices["assistance"]
    spent["medical_assistance", "contribution_subsidy"] = assistance.contribution_subsidies(groups, rules) * widening
    direct = cal.assistance_factor_ * assistance.direct_assistance(units["resident"], pay["resident"], groups, residents)
    spent["medical_assistance", "direct_assistance"] = (direct + cal.assistance_per_member_ * groups.sum("group") * severity * utilisation.sel(pool="resident", service="inpatient", drop=True) * paths.cost("resident")) * widening
    needed = spent["medical_assistance", "contribution_subsidy"] + spent["medical_assistance", "direct_assistance"]
    inc["medical_assistance", "fiscal_subsidy"] = needed if bool(plan.payg.sel(pool="medical_assistance")) else xr.broadcast(rules.medical_assistance.budget, needed)[0]

    # LTCI beneficiaries, spending by care mode, financing by source
    disabled = ltci.covered(rules, weighted.sel(pool="employee", curve="disability", drop=True), weighted.sel(pool="resident", curve="disability", drop=True))
    users = ltci.beneficiaries(cal.ltci_take_up_, disabled)
    per_user = ltci.spending_per_beneficiary(rules) * cal.ltci_cost_factor_ * plan.indices["care"]
    shares = ltci.mode_shares(rules)
    for mode in CARE_MODES:
        spent["ltci", mode] = users * per_user * shares.sel(mode=mode, drop=True)
    for item, value in ltci.financing_split(financing, transfer, rules).items():
        inc["ltci", item] = value

    # the roll-forward: interest and reserves of the pools, then of the individual accounts
    like = population_total * 0.0
    income_items = item_table(inc, tuple(i for i in INCOME_ITEMS if i != "interest"), "income_item", like)
    expenditure_items = item_table(spent, EXPENDITURE_ITEMS, "expenditure_item", like)
    opening = opening_by_pool(figures, cal.ltci_financing_factor_ != 0)
    rate = paths.rate(rules.economy.interest_rate)
    ruled = {}
    if plan.financing_rules:
        contributors = count.sel(status="in_service", drop=True) + count.sel(status="flexible", drop=True) * rules.employee.flexible_base_ratio
        levers = levers_of(rules, residents, realisation, financed["contributions"] + financed["fiscal_subsidy"], contributors, base_pay, covered, cal.ltci_financing_factor_, transfer / financing.where(financing > 0, 1.0))
        rolled, income_items, expenditure_items, ruled = apply_rules(plan.financing_rules, levers, income_items, expenditure_items, opening, rate, plan.payg)
    else:
        rolled = roll_forward(income_items.sum("income_item") - expenditure_items.sum("expenditure_item"), opening, rate, plan.payg)
    income_items = xr.concat([income_items, rolled["interest"].expand_dims(income_item=["interest"])], dim="income_item").transpose("year", "pool", "income_item", "draw")
    demand = cal.account_spending_ * weighted.sel(pool="employee", curve="outpatient", drop=True) * severity * utilisation.sel(pool="employee", service="pharmacy", drop=True) * paths.cost("employee")
    accounts = account_roll_forward(credits, demand, opening_reserves(figures)["individual_account"], rate)
    insured = {
        "employee": count.sel(status=["in_service", "flexible", "retired"]).sum("status"),
        "resident": residents,
        "critical_illness": residents + (count.sel(status=["in_service", "flexible", "retired"]).sum("status") if bool(rules.critical_illness.covers_employees) else 0.0),
        "medical_assistance": groups.sum("group"),
        "ltci": covered,
    }
    extra = {
        "insured_by_status": count.assign_attrs(units="persons", description="mid-year insured persons by status (employee pool: in_service, flexible, retired; resident pool)"),
        "individual_account_income": (credits + accounts["interest"]).assign_attrs(units="yuan", description="individual-account income (credits + interest)"),
        **{f"individual_account_{k}": accounts[k] for k in ("expenditure", "reserve", "shortfall")},
        "ltci_beneficiaries": users.assign_attrs(units="persons", description="persons receiving LTCI benefits"),
    }
    extra.update(ruled)
    extra.update(retired_outpatient(units["employee"], pay["employee"]))
    extra.update(drivers.benefit_use(region, units, pay, plan.claims, base, like))
    extra.update(drivers.cost_indices(plan.indices, weighted, count, like, {pool: paths.cost(pool) for pool in BASIC_POOLS}))
    thresholds = {k: float(rules.ds[f"verdict_{k}"]) for k in THRESHOLDS}
    insured_da = stack([xr.broadcast(insured[p], like)[0] for p in POOLS], "pool", POOLS).transpose("year", "pool", ...)
    ds = fund_dataset(income_items, expenditure_items, rolled["reserve"], insured_da, thresholds, plan.payg, extra, {k: float(rules.ds[f"verdict_{k}"]) for k in WARNING_SETTINGS})
    ds = ds.rename({"status": "status"}).assign_coords(income_item=list(INCOME_ITEMS), expenditure_item=list(EXPENDITURE_ITEMS), status=list(INSURED_STATUSES))
    ds.attrs["calibration"] = cal.as_dict()
    return ds
