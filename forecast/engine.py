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
from .model.benefits import indicators, spending
from .model.benefits.curves import age_curves
from .model.benefits.outpatient_status import status_payments
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
from .model.financing.contributions import wage_index
from .model.financing.rules import apply_rules, rules_of
from .model.pools import UNITS, Context, employee, ledger
from .model.population.indicators import check_projection
from .model.population.project import population_chunks, prefetched
from .model.uncertainty.intervals import band_dataset, record
from .model.uncertainty.stochastic import DriverPaths, fund_drivers, stochastic_setup
from .results.dataset import THRESHOLDS, WARNING_SETTINGS, PopulationResult, fund_dataset, provenance
from .results.finite import check_finite
from .results.uncertainty import draw_summary
from .scenario.dated import DatedValue
from .scenario.demography import extended_demography
from .scenario.rules import Rules, resolve_rules, with_defaults
from .vocabulary import BASIC_POOLS, EXPENDITURE_ITEMS, INCOME_ITEMS, INSURED_STATUSES, POOLS

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
    params, root_params = with_defaults(params), with_defaults(root_params)  # the one place defaults are filled
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
        damping = float(params["assumptions.enrollment.trend_damping"])
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
    return _plan(scenario, region, with_defaults(params), with_defaults(root_params), years, chunk["population"].isel(draw=0), age_curves(region), False).rules


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
    indices = spending.cost_indices(rules)
    factor = (fits or {}).get("resident_realisation", {}).get("factor", 1.0)
    indices["realisation"] = xr.DataArray(np.where(rules.years > rules.years[0], factor, 1.0), dims="year", coords={"year": rules.years}, attrs={"units": "ratio", "description": "the resident pool's realisation of its standard relative to the base year's (its fitted local level)"})
    return _Plan(rules, root, fits or {}, claims, layers, root_layers, indices, wage_index(rules), payg)


def project_funds(region, pop: xr.Dataset, plan: _Plan, figures: dict, curves: xr.Dataset | None = None, paths: DriverPaths | None = None) -> xr.Dataset:
    """The fund stages for one population (a chunk of draws: dims year, draw, sex, age; or one
    path without a draw dimension, which the result then has none of either); ``paths``: the
    fund drivers of those draws (:class:`~forecast.model.uncertainty.stochastic.DriverPaths`; none: central).

    The pools' flows (:mod:`forecast.model.pools`, one unit each) from one context, the transfers
    booked by the ledger, the reserves rolled forward with the pools' financing rules, the
    individual accounts, then the result Dataset."""
    if "draw" not in pop.dims:
        with xr.set_options(arithmetic_join="exact"):
            return project_funds(region, pop.expand_dims(draw=[0]), plan, figures, curves, paths).isel(draw=0, drop=True)
    ctx = _context(region, pop, plan, figures, age_curves(region) if curves is None else curves, paths or DriverPaths(None, pop["draw"].values))
    flows = ledger.declared_items(ctx, {pool: unit.flows(ctx) for pool, unit in UNITS.items()})
    like = ctx.population * 0.0
    income_items, expenditure_items = ledger.book(flows, like)
    rate = ctx.paths.rate(plan.rules.economy.interest_rate)
    levers = {rule.pool: UNITS[rule.pool].lever(ctx) for rule in plan.financing_rules}
    opening = opening_by_pool(figures, ctx.cal.ltci_financing_factor_ != 0)
    rolled, income_items, expenditure_items, ruled = apply_rules(list(plan.financing_rules), levers, income_items, expenditure_items, opening, rate, plan.payg)
    extra = {name: value for pool in POOLS for name, value in flows[pool].results.items()}
    extra.update(ruled)
    extra.update(employee.accounts(ctx, rate, opening_reserves(figures)["individual_account"]))
    extra.update(_indicators(region, ctx, plan, like))
    thresholds = {k: float(plan.rules.ds[f"verdict_{k}"]) for k in THRESHOLDS}
    warnings = {k: float(plan.rules.ds[f"verdict_{k}"]) for k in WARNING_SETTINGS}
    ds = fund_dataset(ledger.with_interest(income_items, rolled["interest"]), expenditure_items, rolled["reserve"], ledger.insured_by_pool(flows, like), thresholds, plan.payg, extra, warnings)
    ds = ds.assign_coords(income_item=list(INCOME_ITEMS), expenditure_item=list(EXPENDITURE_ITEMS), status=list(INSURED_STATUSES))
    ds.attrs["calibration"] = ctx.cal.as_dict()
    return ds


def _indicators(region, ctx: Context, plan: _Plan, like: xr.DataArray) -> dict:
    """The insured by status, benefit use as the bulletins publish it and the cost indices."""
    count = ctx.members["count"]
    out = {"insured_by_status": count.assign_attrs(units="persons", description="mid-year insured persons by status (employee pool: in_service, flexible, retired; resident pool)")}
    out.update(indicators.benefit_use(region, ctx.units, ctx.pay, plan.claims, int(plan.rules.years[0]), like))
    out.update(indicators.cost_indices(plan.indices, ctx.members["weighted"], count, like, {pool: ctx.paths.cost(pool) for pool in BASIC_POOLS}))
    return out


def _members(pop: xr.Dataset, plan: _Plan, figures: dict, curves: xr.Dataset, paths: DriverPaths) -> xr.Dataset:
    """The enrollment stage: insured persons by status and weighted by curve, calibrated to the
    base year's published counts (:mod:`forecast.model.enrollment.members`)."""
    rules, root, years = plan.rules, plan.root, plan.rules.years
    mid = mid_year_population(pop["population"], years[:1])  # the base year's, for the calibration
    ages = mid["age"].values
    calibration = calibrate_enrollment(mid, retired_share(root, ages), figures["in_service"], figures["retired"], figures["residents"], int(years[0]))
    e = rules.enrollment
    index_in_service = e.in_service_coverage / float(root.enrollment.in_service_coverage[0]) * paths.coverage("in_service")
    index_resident = e.resident_coverage / float(root.enrollment.resident_coverage[0]) * paths.coverage("resident")
    return insured_summary(pop["population"], years, retired_share(rules, ages), calibration, index_in_service, index_resident, e.flexible_worker_share, curves)


def _births(pop: xr.Dataset, years) -> xr.DataArray:
    """Births of each year (year, draw); the census year's cover only the months from the census date."""
    births = pop["births"].sel(year=years).sum("sex", skipna=False)
    if int(pop["year"].values[0]) == int(years[0]):
        births = births.copy(data=np.concatenate([births.values[:1] / pop.attrs.get("first_step_years", 1.0), births.values[1:]]))
    return births


def _context(region, pop: xr.Dataset, plan: _Plan, figures: dict, curves: xr.Dataset, paths: DriverPaths) -> Context:
    """The pools' context for one chunk of draws: members, claims and payments, the base year's
    calibration (on the root rules), the claims of every year with their cost indices."""
    years = plan.rules.years
    members = _members(pop, plan, figures, curves, paths)
    births, population = _births(pop, years), mid_year_population(pop["population"].sum(("sex", "age"), skipna=False), years)
    models = {pool: plan.claims[pool].model(members["weighted"].sel(pool=pool, drop=True).isel(year=0, drop=True)) for pool in BASIC_POOLS}
    pay = status_payments(models, plan.layers, plan.indices["severity"].values, years, members, payments)
    cal = _calibrate(region, figures, plan, models, members, births, population)
    units = {pool: _claims(models[pool], members, pay[pool], cal, plan, paths, pool) for pool in BASIC_POOLS}
    return Context(plan.rules, plan.root, members, units, pay, cal, plan.indices, paths, plan.wages * paths.wages(), births, population, figures, plan.payg)


def _calibrate(region, figures: dict, plan: _Plan, models: dict, members: xr.Dataset, births, population) -> BaseYearCalibration:
    """The base year's factors, fitted under the root baseline's rules (:mod:`forecast.model.calibration`)."""
    years = plan.rules.years
    first = members.isel(year=[0])
    no_growth = xr.ones_like(plan.indices["utilisation"].isel(year=[0], pool=0, drop=True))
    units0 = {pool: spending.claim_units(models[pool].frequency, first["weighted"].sel(pool=pool, drop=True), no_growth) for pool in BASIC_POOLS}
    pay0 = status_payments(models, plan.root_layers, np.ones(1), years[:1], first, payments)
    return BaseYearCalibration(region, figures).fit(plan.root.base_year(), first, units0, pay0, births.isel(year=[0]), population.isel(year=[0]))


def _claims(model, members: xr.Dataset, pay: xr.Dataset, cal: BaseYearCalibration, plan: _Plan, paths: DriverPaths, pool: str) -> xr.DataArray:
    """A basic pool's claims by type every year: frequency × weighted members × utilisation (with
    the draws' cost shocks) × induced demand, outpatient claims scaled by the calibration."""
    induced = spending.induced_demand(pay, cal.patient_share_.sel(pool=pool), plan.rules.medical_costs.induced_demand_elasticity)
    scale = xr.where(pay["claim_type"].isin(list(OUTPATIENT)), cal.outpatient_factor_.sel(pool=pool), 1.0)
    utilisation = plan.indices["utilisation"].sel(pool=pool, drop=True) * paths.cost(pool)
    return spending.claim_units(model.frequency, members["weighted"].sel(pool=pool, drop=True), utilisation, induced) * scale
