"""The fund projection: population → enrollment → income → expenditure → fund, year by year.

:func:`run` is the public entry point (``forecast.run``). It returns one self-describing
:class:`xarray.Dataset` (DESIGN.md): ``population (year, sex, age)``, ``insured (year, pool)``,
``income``, ``expenditure``, ``balance``, ``reserve``, ``months_covered``, ``verdict`` (year,
pool), the items behind income and expenditure, the employee individual accounts, and
provenance in ``attrs`` (package version, scenario files and hash, region hash, base-year
calibration, every value extended beyond its last given year).

For ``employee`` the pool-level variables are the pooled fund (统筹基金, maternity included);
the individual accounts are ``individual_account_*``. The verdict is judged on the pooled fund.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import xarray as xr

from forecast.errors import InputError, Problem
from forecast.model.fitting import fitted_values
from forecast.results.finite import check_finite
from forecast.scenario.dated import DatedValue
from forecast.scenario.parameters import SCHEMA, TREND_YEARS, iter_params
from forecast.vocabulary import POOLS

from . import enrollment as enr
from .calibration import (
    BENEFIT_PARAMETERS,
    Calibration,
    base_year_figures,
    claim_model,
    costs_benefits,
    fund_base_year,
    interest_in_year,
)
from .expenditure import INPATIENT_LEVELS, assistance_layer, benefit_layers, claim_payments, critical_illness_layer
from .fund import VERDICTS, months_covered, verdict
from .income import contribution_base, employee_contributions, individual_account_credits, interest_income, resident_contributions
from .resolve import Resolved, resolve

__all__ = ["run", "project", "INCOME_ITEMS", "EXPENDITURE_ITEMS"]

INCOME_ITEMS = ("contributions", "fiscal_subsidy", "transfer_in", "interest")
EXPENDITURE_ITEMS = ("inpatient", "outpatient", "outpatient_special", "maternity", "transfer_out", "contribution_subsidy", "direct_assistance", "home_care", "institutional_care")
GROUPS = ("tekun", "dibao", "near_dibao", "at_risk", "illness_poor")
CLAIM_TYPES = (*INPATIENT_LEVELS, "outpatient_special", "outpatient")
def _fill_fitted(params: dict, values: dict, base: int) -> dict:
    """``params`` with every ``fitted`` value replaced by what its parameter names: a growth rate,
    or for a coverage index the fitted trend from the base year, continued TREND_YEARS, then held."""
    fitted_from = {path: param.fitted_from for path, param in iter_params(SCHEMA) if param.fitted_from}
    out = {}
    for key, value in params.items():
        if not (isinstance(value, DatedValue) and value.needs_fit):
            out[key] = value
            continue
        source = fitted_from[key]
        if source not in values:
            raise InputError(Problem(key, f"'fitted' needs at least two years of history for {source} up to {base}", "give a number instead of 'fitted'"))
        if source.endswith("coverage"):
            out[key] = DatedValue(((base, 1.0), (base + TREND_YEARS, (1 + values[source]) ** TREND_YEARS)), between="linear")
        else:
            out[key] = value.fill(values[source])
    return out


def _payg_pools(p: Resolved) -> tuple[str, ...]:
    """Pools financed as they pay: critical illness (break-even premium) and medical assistance
    unless the scenario gives it a budget."""
    budget = np.asarray(p["policy.medical_assistance.budget"])
    return ("critical_illness",) if (budget > 0).any() else ("critical_illness", "medical_assistance")


def run(scenario, *, draws: int | None = None, seed: int | None = None, strict: bool = False) -> xr.Dataset:
    """Project every pool of ``scenario`` (a :class:`~forecast.Scenario` or a path) to its horizon.

    ``draws``/``seed``: stochastic population (needs ``lee_carter`` mortality); the fund
    stage runs once per population draw and the result gains a ``draw`` dimension.
    ``strict``: refuse to extend any dated value beyond its last given year.

    >>> import forecast
    >>> ds = forecast.run("scenarios/baseline.yaml")  # doctest: +SKIP
    >>> ds["verdict"].sel(pool="employee", year=2030).item()  # doctest: +SKIP
    'excessive'
    """
    from forecast.inputs.region import load_region
    from forecast.scenario.load import load_scenario

    if not hasattr(scenario, "params"):
        scenario = load_scenario(scenario)
    region = load_region(scenario.region_path)
    root = scenario if len(scenario.files) == 1 else load_scenario(scenario.files[0])
    return project(scenario, region, dict(scenario.params), dict(root.params), scenario.horizon, draws=draws, seed=seed, strict=strict)


def project(scenario, region, params: dict, root_params: dict, horizon: int, *, draws=None, seed=None, strict=False) -> xr.Dataset:
    """The projection of ``scenario``'s demography with ``params`` (path -> value) on ``region``
    from its fund base year to ``horizon``; ``root_params`` calibrate the base year.

    :func:`run` calls it with the scenario's own parameters; the back-test
    (:mod:`forecast.apps.backtest`) with a bundle cut at a past year and the values known then.
    """
    from forecast.model.population import project_region

    base = fund_base_year(region)
    if horizon <= base:
        file, line = scenario.origins.get("horizon") or (scenario.files[-1], None)
        raise InputError(Problem(file, f"the horizon {horizon} is not after the fund base year {base} (the last year of the bundle's fund history)", f"set 'horizon:' to a year after {base}, e.g. 2060", line, "horizon", horizon))
    if region.population_date >= dt.date(base, 12, 31):
        raise InputError(Problem(region.path / "region.yaml", f"the base population is dated {region.population_date.isoformat()}, not before the end of the fund base year {base}: the fund model needs the population during {base}", f"give the population at a date before 31 December {base} (e.g. the last census, projected forward by the model), or fund figures for a later year", field="population_date", value=region.population_date.isoformat()))
    costed = costs_benefits(region, base)
    if not costed:
        _refuse_uncosted_changes(scenario, params, root_params, base)
    years = np.arange(base, horizon + 1)
    figures = base_year_figures(region, base)
    pop = project_region(region, scenario.population, end_year=horizon, draws=draws, seed=seed)
    _check_population(pop, scenario, region)
    fits = {}
    if any(isinstance(v, DatedValue) and v.needs_fit for v in (*params.values(), *root_params.values())):
        central = pop.isel(draw=0) if "draw" in pop.dims else pop
        curve = _single_age_curves(region)["inpatient"]
        price = params["assumptions.economy.price_inflation"].path(years[1:2])[0][0]  # the first projected year's
        values, fits = fitted_values(region, base, central["population"], curve, float(price))
        fits["values"] = dict(values)
        params, root_params = (_fill_fitted(d, values, base) for d in (params, root_params))
    resolved = resolve(params, years)
    if strict and resolved.extended:
        raise InputError([Problem(scenario.files[-1], f"--strict: {path} is extended beyond its last given year ({how})", f"give {path} values up to {horizon}", field=path) for path, how in resolved.extended.items()])
    root_resolved = resolve(root_params, years)
    if "draw" in pop.dims:
        parts = [project_funds(region, pop.isel(draw=d), resolved, root_resolved, figures) for d in range(pop.sizes["draw"])]
        ds = xr.concat(parts, dim="draw", data_vars="minimal", coords="minimal", compat="override", join="exact")
        ds = ds.assign_coords(draw=np.arange(pop.sizes["draw"]))
    else:
        ds = project_funds(region, pop, resolved, root_resolved, figures)
    ds.attrs["fitted_growth"] = fits
    ds.attrs.update(scenario.provenance(region))
    ds.attrs.update(
        scenario_sources=list(scenario.sources),
        region_name=region.name,
        base_year=base,
        extended_values=dict(resolved.extended),
        claim_model="claim sizes by service and hospital level: benefit rules costed" if costed else f"reduced: the bundle publishes no benefit use for {base}, so expenditure follows the calibrated totals and benefit rules are not costed",
        verdict_labels=dict(VERDICTS),
        verdict_thresholds={k: float(resolved[f"verdict.{k}"]) for k in ("critical_months", "low_months", "high_months", "excess_months")},
        accounting="reserve(t) = reserve(t-1) + income(t) - expenditure(t); income includes interest at the scenario's rate on the opening reserve plus half the year's balance (none on a negative amount)",
    )
    check_finite(ds, scenario.files, region.path)
    return ds


def _check_population(pop: xr.Dataset, scenario, region) -> None:
    """The population stage's result can carry the fund stages: no negative or non-finite counts,
    births in every year."""
    counts = pop["population"].values
    where = " + ".join(str(f) for f in scenario.files)
    if not np.isfinite(counts).all() or (counts < 0).any():
        year = int(pop["year"].values[np.flatnonzero((~np.isfinite(counts) | (counts < 0)).reshape(pop.sizes["year"], -1).any(axis=1))[0]])
        raise InputError(Problem(where, f"the population projection gives negative or non-finite counts from {year}", f"check the bundle's migration table (emigration above the population) and mortality (region {region.path}), and the scenario's assumptions.demography"))
    births = pop["births"].sum("sex").values
    if (births <= 0).any():
        year = int(pop["year"].values[np.flatnonzero((births <= 0).reshape(pop.sizes["year"], -1).any(axis=1))[0]])
        raise InputError(Problem(where, f"the population projection has no births in {year}", f"check the scenario's assumptions.demography.fertility and the bundle's fertility and total_fertility tables (region {region.path})"))


def _refuse_uncosted_changes(scenario, params: dict, root_params: dict, base: int) -> None:
    """Without benefit use (the reduced claim model) a benefit change would cost a silent 0: refuse it."""
    changed = [k for k in params if k.startswith(BENEFIT_PARAMETERS) and params[k] != root_params.get(k)]
    if changed:
        file, line = scenario.origins.get(changed[0]) or (scenario.files[-1], None)
        raise InputError(Problem(file, f"the region publishes no benefit use for {base} (admissions, visits and their costs), so the change to {changed[0]} cannot be costed and would show as 0", "add the base year's benefit use to the bundle's utilisation.csv (see data/china/utilisation.csv), or run without the benefit change", line, changed[0]))


@dataclass
class _Year:
    """Per-year inputs shared by the stages (indices are 1.0 in the base year)."""

    severity: np.ndarray
    wage: np.ndarray
    utilisation: dict


def _indices(p: Resolved) -> _Year:
    price = p["assumptions.economy.price_inflation"]
    reform = p["assumptions.medical_costs.payment_reform_effect"]
    wage = p["assumptions.economy.wage_growth"]

    def index(growth):
        factors = 1.0 + np.asarray(growth, dtype=float)
        factors[0] = 1.0
        return np.cumprod(factors)

    services = ("inpatient", "outpatient", "outpatient_special", "pharmacy", "long_term_care")
    return _Year(
        severity=index((1 + price) * (1 + reform) - 1),
        wage=index(wage),
        utilisation={s: index(p[f"assumptions.medical_costs.utilisation_growth.{s}"]) for s in services},
    )


def _benefits(p: Resolved, pool: str, i: int) -> dict:
    prefix = f"policy.{pool}.benefits."
    return {path[len(prefix):]: (v[i] if isinstance(v, np.ndarray) else v) for path, v in p.values.items() if path.startswith(prefix)}


def _ci_layer(p: Resolved, i: int):
    income = p["assumptions.economy.disposable_income_per_capita"]
    previous = income[max(i - 1, 0)]  # the threshold uses the previous year's income
    c = "policy.critical_illness."
    return critical_illness_layer(
        p[c + "threshold_income_share"][i] * previous,
        p[c + "bands.first_ratio"][i],
        p[c + "bands.band_limit"][i],
        p[c + "bands.second_ratio"][i],
        p[c + "annual_cap"][i],
    )


def _assistance_layers(p: Resolved, i: int) -> dict:
    limit = p["policy.medical_assistance.annual_limit"][i]
    return {g: assistance_layer(p[f"policy.medical_assistance.groups.{g}.assistance_ratio"][i], limit) for g in GROUPS}


def _weighted(members: xr.DataArray, curve: xr.DataArray) -> np.ndarray:
    """Claim units (persons × age–sex cost weight) per year."""
    return (members * curve).sum(("sex", "age")).values


def _single_age_curves(region) -> dict:
    """The bundle's cost curves (and disability prevalence) on single ages 0..100."""
    ages = np.arange(101)

    def expand(da):
        starts = da["age_start"].values
        index = np.searchsorted(starts, ages, side="right") - 1
        values = da.transpose("sex", "age_group").values[:, np.clip(index, 0, None)]
        values = np.where(ages[None, :] < starts[0], 0.0, values)
        return xr.DataArray(values, dims=("sex", "age"), coords={"sex": ["male", "female"], "age": ages})

    curves = region.cost_curves
    out = {s: expand(curves.sel(service=s)) for s in ("inpatient", "outpatient")}
    out["disability"] = expand(region.disability_prevalence)
    return out


def _retirement(p: Resolved, years, ages) -> xr.DataArray:
    r = "policy.employee.retirement_age."
    rules = {who: {k: p[f"{r}{who}.{k}"] for k in ("from", "to", "months_per_step")} for who in ("male", "female_worker", "female_cadre")}
    return enr.retired_fraction(years, ages, rules, int(p[r + "start_year"]), float(p[r + "female_worker_share"]))


def project_funds(region, pop: xr.Dataset, p: Resolved, root: Resolved, figures: dict) -> xr.Dataset:
    """The fund stages for one population path (no draw dimension)."""
    years = p.years
    base = int(years[0])
    ages = pop["age"].values
    end_of_year = pop["population"].sel(year=slice(base - 1, int(years[-1])))
    # mid-year population; in the census year the year-end population stands in (no earlier year)
    mid = ((end_of_year.shift(year=1) + end_of_year) / 2).fillna(end_of_year).sel(year=years)
    mid.attrs["units"] = "persons"
    births = pop["births"].sel(year=years)
    births = (births.sum("sex") if "sex" in births.dims else births).values.astype(float)
    if int(pop["year"].values[0]) == base:  # the census year's births cover only the months from the census date
        births[0] /= pop.attrs.get("first_step_years", 1.0)
    curves = _single_age_curves(region)

    retired = _retirement(p, years, ages)
    calib = enr.calibrate_enrollment(mid, _retirement(root, years, ages), figures["in_service"], figures["retired"], figures["residents"], base)
    members = enr.project_enrollment(
        mid, retired, calib,
        p["assumptions.enrollment.in_service_coverage"] / root["assumptions.enrollment.in_service_coverage"][0],
        p["assumptions.enrollment.resident_coverage"] / root["assumptions.enrollment.resident_coverage"][0],
        p["assumptions.enrollment.flexible_worker_share"],
    )
    employees = members["in_service"] + members["flexible"] + members["retired"]
    residents = members["resident"]
    population_total = mid.sum(("sex", "age")).values

    weights = {
        ("employee", "inpatient"): _weighted(employees, curves["inpatient"]),
        ("employee", "outpatient"): _weighted(employees, curves["outpatient"]),
        ("resident", "inpatient"): _weighted(residents, curves["inpatient"]),
        ("resident", "outpatient"): _weighted(residents, curves["outpatient"]),
    }
    models = {pool: claim_model(region, base, pool, weights[pool, "inpatient"][0], weights[pool, "outpatient"][0]) for pool in ("employee", "resident")}
    idx = _indices(p)
    cal = _calibrate(region, base, figures, root, models, weights, members, employees, residents, population_total, births, curves)

    # ---- the projection, year by year
    run = _Accounts(p, root, cal, idx, members, employees, residents, weights, models, births, curves, population_total, figures)
    for i in range(len(years)):
        pay, units = run.claims(i)
        ltci_financing, ltci_transfer = run.employee(i, pay, units)
        run.critical_illness(i, pay, units)
        run.resident(i, pay, units)
        run.medical_assistance(i, pay, units)
        run.ltci(i, ltci_financing, ltci_transfer)
        run.close_year(i)
    return _dataset(years, end_of_year.sel(year=years), members, run.insured, run.income, run.spent, run.reserve, run.ia, run.ltci_users, p, cal, figures)



class _Accounts:
    """The year loop's state: each method books one pool's income and expenditure for year i, in
    the loop's order (employee first: it sets the LTCI-covered persons; resident before medical
    assistance: it sets the residents)."""

    def __init__(self, p: Resolved, root: Resolved, cal: Calibration, idx: _Year, members, employees, residents, weights, models, births, curves, population_total, figures):
        self.p, self.root, self.cal, self.idx = p, root, cal, idx
        self.members, self.employees, self.residents = members, employees, residents
        self.weights, self.models, self.births, self.curves, self.population_total = weights, models, births, curves, population_total
        n = len(p.years)
        self.income = {pool: {item: np.zeros(n) for item in INCOME_ITEMS} for pool in POOLS}
        self.spent = {pool: {item: np.zeros(n) for item in EXPENDITURE_ITEMS} for pool in POOLS}
        self.ia = {"income": np.zeros(n), "expenditure": np.zeros(n), "reserve": np.zeros(n), "shortfall": np.zeros(n)}
        self.reserve = {pool: np.zeros(n) for pool in POOLS}
        self.insured = {pool: np.zeros(n) for pool in POOLS}
        self.ltci_users = np.zeros(n)
        self.payg = _payg_pools(p)
        self.folded = bool(figures["accounts_folded"])
        self.opening = _opening_reserves(figures)
        if not cal.ltci_financing_factor:  # LTCI not projected: no flows, so no reserve either
            self.opening["ltci"] = 0.0
        self.ia_opening = self.opening.pop("individual_account")
        self._covered = None  # LTCI-covered persons of the year (set by employee(), used by ltci())

    def claims(self, i: int) -> tuple[dict, dict]:
        """Expected payments per claim and the number of claims, per pool and claim type."""
        p, cal = self.p, self.cal
        ci_layer = _ci_layer(p, i)
        pay = {
            "employee": claim_payments(self.models["employee"], benefit_layers(_benefits(p, "employee", i)), self.idx.severity[i], ci_layer if p["policy.critical_illness.covers_employees"] else None),
            "resident": claim_payments(self.models["resident"], benefit_layers(_benefits(p, "resident", i)), self.idx.severity[i], ci_layer, _assistance_layers(p, i)),
        }
        elasticity = p["assumptions.medical_costs.induced_demand_elasticity"][i]
        units = {}
        for pool in ("employee", "resident"):
            induced = np.array([_induced(pay[pool][k], cal.patient_share[pool, k], elasticity) for k in CLAIM_TYPES])
            units[pool] = _claim_units(self.models[pool], self.weights, pool, i, self.idx, induced)
            for k in ("outpatient_special", "outpatient"):
                units[pool][k] *= cal.outpatient_factor[pool]
        return pay, units

    def _benefits_paid(self, pool: str, i: int, pay: dict, units: dict) -> None:
        for k, item in (("tier3", "inpatient"), ("tier2", "inpatient"), ("tier1", "inpatient"), ("outpatient_special", "outpatient_special"), ("outpatient", "outpatient")):
            self.spent[pool][item][i] += units[pool][k] * pay[pool][k]["basic"]

    def employee(self, i: int, pay: dict, units: dict) -> tuple[float, float]:
        """The employee pooled fund and the individual accounts; returns LTCI financing and the
        part of it the pooled fund transfers."""
        p, cal, idx, e = self.p, self.cal, self.idx, "policy.employee."
        base = contribution_base(cal.contribution_base, idx.wage[i], p["assumptions.enrollment.compliance_rate"][i] / self.root["assumptions.enrollment.compliance_rate"][0])
        m_in, m_flex, m_ret = (float(self.members[s].isel(year=i).sum()) for s in ("in_service", "flexible", "retired"))
        rates = p[e + "employer_rate"][i] + p[e + "employee_rate"][i] + p[e + "maternity_rate"][i]
        total = employee_contributions(m_in, m_flex, m_ret, base, rates, p[e + "flexible_base_ratio"][i], p[e + "retiree_contribution_rate"][i], p[e + "retiree_base_ratio"][i])
        credit = p[e + "individual_account.retiree_credit"][i] or cal.retiree_credit
        ia_credit = 0.0 if self.folded else individual_account_credits(m_in, m_ret, base, p[e + "individual_account.in_service_rate"][i], credit)
        self.income["employee"]["contributions"][i] = total - ia_credit
        self._benefits_paid("employee", i, pay, units)
        self.spent["employee"]["maternity"][i] = cal.maternity_per_birth * self.births[i] * idx.wage[i]
        covered = _ltci_covered(p, i, self.employees, self.residents)
        financing = float(covered.sum()) * p["policy.ltci.financing_per_capita"][i] * cal.ltci_financing_factor
        transfer = _ltci_employee_share(p, i, self.employees, covered) * financing
        self.spent["employee"]["transfer_out"][i] = transfer
        self.ia["income"][i] = ia_credit
        demand = cal.individual_account_spend * self.weights["employee", "outpatient"][i] * idx.severity[i] * idx.utilisation["pharmacy"][i]
        # accounts cannot pay out more than they hold: what the year's credits and the balance
        # brought forward do not cover is paid by the members themselves
        self.ia["expenditure"][i] = min(demand, max(self.ia_opening, 0.0) + ia_credit)
        self.ia["shortfall"][i] = demand - self.ia["expenditure"][i]
        balance = self.ia["income"][i] - self.ia["expenditure"][i]
        interest = interest_income(self.ia_opening, balance, p["assumptions.economy.interest_rate"][i])
        self.ia["income"][i] += interest
        self.ia["reserve"][i] = self.ia_opening = max(self.ia_opening + balance + interest, 0.0)  # 0 - rounding
        self.insured["employee"][i] = m_in + m_flex + m_ret
        self.insured["ltci"][i] = float(covered.sum())
        self._covered = covered
        return financing, transfer

    def critical_illness(self, i: int, pay: dict, units: dict) -> None:
        """Break-even premium from the resident pool (and employees if covered); claims paid."""
        p = self.p
        loading = p["policy.critical_illness.loading"][i]
        claims = sum(units["resident"][k] * pay["resident"][k]["ci"] for k in CLAIM_TYPES)
        if p["policy.critical_illness.covers_employees"]:
            employee_claims = sum(units["employee"][k] * pay["employee"][k]["ci"] for k in CLAIM_TYPES)
            self.spent["employee"]["transfer_out"][i] += employee_claims * (1 + loading)
            claims += employee_claims
        self.spent["critical_illness"]["inpatient"][i] = claims
        self.income["critical_illness"]["transfer_in"][i] = claims * (1 + loading)
        self.spent["critical_illness"]["transfer_out"][i] = claims * loading  # the insurer's margin

    def resident(self, i: int, pay: dict, units: dict) -> None:
        p = self.p
        n = float(self.residents.isel(year=i).sum())
        individual, subsidy = p["policy.resident.individual_contribution"][i], p["policy.resident.fiscal_subsidy"][i]
        financing = resident_contributions(n, individual, subsidy, self.cal.resident_realisation)
        individual_share = individual / (individual + subsidy) if individual + subsidy > 0 else 0.0
        self.income["resident"]["contributions"][i] = financing * individual_share
        self.income["resident"]["fiscal_subsidy"][i] = financing * (1 - individual_share) if individual + subsidy > 0 else 0.0
        self._benefits_paid("resident", i, pay, units)
        self.spent["resident"]["transfer_out"][i] = sum(units["resident"][k] * pay["resident"][k]["ci"] for k in CLAIM_TYPES) * (1 + p["policy.critical_illness.loading"][i])
        self.insured["resident"][i] = n
        self.insured["critical_illness"][i] = n + (self.insured["employee"][i] if p["policy.critical_illness.covers_employees"] else 0.0)

    def medical_assistance(self, i: int, pay: dict, units: dict) -> None:
        """Contribution subsidies and direct assistance; the budget pays as it goes (or a set budget)."""
        p, cal, idx = self.p, self.cal, self.idx
        groups = {g: p[f"policy.medical_assistance.groups.{g}.population_share"][i] * self.population_total[i] for g in GROUPS}
        spent = self.spent["medical_assistance"]
        spent["contribution_subsidy"][i] = sum(groups[g] * p[f"policy.medical_assistance.groups.{g}.contribution_subsidy"][i] for g in GROUPS) * p["policy.resident.individual_contribution"][i]
        spent["direct_assistance"][i] = cal.assistance_factor * _direct_assistance(pay["resident"], units["resident"], groups, self.insured["resident"][i], 1.0)
        spent["direct_assistance"][i] += cal.assistance_per_member * sum(groups.values()) * idx.severity[i] * idx.utilisation["inpatient"][i]
        needed = spent["contribution_subsidy"][i] + spent["direct_assistance"][i]
        self.income["medical_assistance"]["fiscal_subsidy"][i] = needed if "medical_assistance" in self.payg else p["policy.medical_assistance.budget"][i]
        self.insured["medical_assistance"][i] = sum(groups.values())

    def ltci(self, i: int, financing: float, transfer: float) -> None:
        p, cal = self.p, self.cal
        self.ltci_users[i] = cal.ltci_take_up * float((self._covered * self.curves["disability"]).sum())
        per_user = _ltci_spend_per_user(p, i) * cal.ltci_cost_factor * self.idx.utilisation["long_term_care"][i]
        for mode in ("home_care", "institutional_care"):
            self.spent["ltci"][mode][i] = self.ltci_users[i] * per_user * _ltci_mode_share(p, i, mode)
        self.income["ltci"]["transfer_in"][i] = transfer
        self.income["ltci"]["contributions"][i] = financing * p["policy.ltci.financing_shares.individual"][i]
        residents_pooled_share = p["policy.ltci.financing_shares.employee_pooled_fund"][i] * financing - transfer  # falls to the budget
        self.income["ltci"]["fiscal_subsidy"][i] = financing * p["policy.ltci.financing_shares.fiscal"][i] + max(residents_pooled_share, 0.0)

    def close_year(self, i: int) -> None:
        """Interest and the reserve roll-forward: reserve(t) = reserve(t-1) + income(t) - expenditure(t)."""
        rate = self.p["assumptions.economy.interest_rate"][i]
        for pool in POOLS:
            before = sum(v[i] for v in self.income[pool].values()) - sum(v[i] for v in self.spent[pool].values())
            self.income[pool]["interest"][i] = 0.0 if pool in self.payg else interest_income(self.opening[pool], before, rate)
            self.reserve[pool][i] = self.opening[pool] = self.opening[pool] + before + self.income[pool]["interest"][i]


def _opening_reserves(figures: dict) -> dict:
    """Reserves at the end of the year before the base year (yuan).

    LTCI: only the previous year's balance is known (national LTCI reserves are not published), so
    the reserve accumulates from that year. Critical illness and medical assistance hold none.
    """
    def known(value):
        return value if np.isfinite(value) else 0.0

    return {
        "employee": figures["employee_pooled_reserve_opening"],
        "resident": figures["resident_reserve_opening"],
        "ltci": known(figures["ltci_income_previous"] - figures["ltci_expenditure_previous"]),
        "critical_illness": 0.0,
        "medical_assistance": 0.0,
        "individual_account": known(figures["individual_account_reserve_opening"]),
    }


def _calibrate(region, base, figures, root: Resolved, models, weights, members, employees, residents, population_total, births, curves) -> Calibration:
    """The base-year factors, under the root baseline's rules (see :mod:`forecast.model.calibration`)."""
    cal = Calibration(year=base)
    e = "policy.employee."
    root_idx = _indices(root)
    payments0 = {
        "employee": claim_payments(models["employee"], benefit_layers(_benefits(root, "employee", 0)), 1.0, _ci_layer(root, 0) if root["policy.critical_illness.covers_employees"] else None),
        "resident": claim_payments(models["resident"], benefit_layers(_benefits(root, "resident", 0)), 1.0, _ci_layer(root, 0), _assistance_layers(root, 0)),
    }
    for pool in ("employee", "resident"):
        for kind in CLAIM_TYPES:
            entry = payments0[pool][kind]
            cal.patient_share[pool, kind] = 1 - entry["basic"] / entry["cost"]
    units0 = {pool: _claim_units(models[pool], weights, pool, 0, root_idx, np.ones(len(CLAIM_TYPES))) for pool in ("employee", "resident")}
    ltci_covered0 = _ltci_covered(root, 0, employees, residents)
    ltci_financing0 = float(ltci_covered0.sum()) * root["policy.ltci.financing_per_capita"][0]
    ltci_opening = _opening_reserves(figures)["ltci"]
    if np.isfinite(figures["ltci_income"]) and np.isfinite(figures["ltci_users"]) and ltci_financing0 > 0:
        ltci_interest0 = interest_in_year(ltci_opening, figures["ltci_income"], figures["ltci_expenditure"], root["assumptions.economy.interest_rate"][0])
        cal.ltci_financing_factor = (figures["ltci_income"] - ltci_interest0) / ltci_financing0
    else:
        cal.ltci_financing_factor = 0.0  # no LTCI income or beneficiaries in the base year: LTCI is not projected
    ltci_transfer0 = _ltci_employee_share(root, 0, employees, ltci_covered0) * ltci_financing0 * cal.ltci_financing_factor
    cal.maternity_per_birth = figures["maternity_expenditure"] / births[0] if np.isfinite(figures["maternity_expenditure"]) else 0.0
    for pool, target in (("employee", figures["employee_pooled_expenditure"] - figures["maternity_expenditure"] - ltci_transfer0), ("resident", figures["resident_expenditure"])):
        fixed = sum(units0[pool][k] * (payments0[pool][k]["basic"] + payments0[pool][k]["ci"]) for k in INPATIENT_LEVELS)
        scaled = sum(units0[pool][k] * (payments0[pool][k]["basic"] + payments0[pool][k]["ci"]) for k in ("outpatient_special", "outpatient"))
        cal.outpatient_factor[pool] = (target - fixed) / scaled
        if cal.outpatient_factor[pool] <= 0:
            raise InputError(Problem(region.path, f"{pool}: the inpatient payments under the baseline rules ({fixed / 1e8:,.0f} 亿元) exceed the pool's {base} expenditure ({target / 1e8:,.0f} 亿元)", "check the baseline's inpatient deductibles and ratios, or the bundle's inpatient use and cost figures"))
    r0 = root["assumptions.economy.interest_rate"][0]
    interest_pooled = interest_in_year(figures["employee_pooled_reserve_opening"], figures["employee_pooled_income"], figures["employee_pooled_expenditure"], r0)
    ia_opening = _opening_reserves(figures)["individual_account"]
    interest_ia = interest_in_year(ia_opening, figures["individual_account_income"], figures["individual_account_expenditure"], r0)
    contributions0 = figures["employee_pooled_income"] + figures["individual_account_income"] - interest_pooled - interest_ia
    n_in, n_flex, n_ret = (float(members[s].isel(year=0).sum()) for s in ("in_service", "flexible", "retired"))
    rates0 = root[e + "employer_rate"][0] + root[e + "employee_rate"][0] + root[e + "maternity_rate"][0]
    per_base = (n_in + n_flex * root[e + "flexible_base_ratio"][0]) * rates0 + n_ret * root[e + "retiree_base_ratio"][0] * root[e + "retiree_contribution_rate"][0]
    cal.contribution_base = contributions0 / per_base
    if figures["accounts_folded"]:
        cal.retiree_credit = 0.0  # the accounts are folded into the pooled fund (no split published)
    else:
        cal.retiree_credit = (figures["individual_account_income"] - interest_ia - n_in * cal.contribution_base * root[e + "individual_account.in_service_rate"][0]) / n_ret
    cal.individual_account_spend = figures["individual_account_expenditure"] / weights["employee", "outpatient"][0]
    interest_res = interest_in_year(figures["resident_reserve_opening"], figures["resident_income"], figures["resident_expenditure"], r0)
    n_res = float(residents.isel(year=0).sum())
    standard0 = root["policy.resident.individual_contribution"][0] + root["policy.resident.fiscal_subsidy"][0]
    cal.resident_realisation = (figures["resident_income"] - interest_res) / (n_res * standard0)
    group_members0 = {g: root[f"policy.medical_assistance.groups.{g}.population_share"][0] * population_total[0] for g in GROUPS}
    subsidies0 = sum(group_members0[g] * root[f"policy.medical_assistance.groups.{g}.contribution_subsidy"][0] for g in GROUPS) * root["policy.resident.individual_contribution"][0]
    direct0 = _direct_assistance(payments0["resident"], units0["resident"], group_members0, n_res, cal.outpatient_factor["resident"])
    cal.assistance_factor = (figures["assistance_expenditure"] - subsidies0) / direct0 if np.isfinite(figures["assistance_expenditure"]) and direct0 > 0 else 1.0
    if direct0 == 0 and np.isfinite(figures["assistance_expenditure"]):  # reduced claims: assistance per group member
        cal.assistance_per_member = max(figures["assistance_expenditure"] - subsidies0, 0.0) / sum(group_members0.values())
    prevalent0 = float((ltci_covered0 * curves["disability"]).sum())
    cal.ltci_take_up = figures["ltci_users"] / prevalent0 if np.isfinite(figures["ltci_users"]) and prevalent0 > 0 else 0.0
    spend_per_user0 = _ltci_spend_per_user(root, 0)
    cal.ltci_cost_factor = figures["ltci_expenditure"] / (figures["ltci_users"] * spend_per_user0) if np.isfinite(figures["ltci_expenditure"]) and np.isfinite(figures["ltci_users"]) else 1.0
    return cal

def _induced(payment: dict, base_share: float, elasticity: float) -> float:
    """Claims multiplier (patient share / base-year patient share) ** elasticity; 1 without a share."""
    if not elasticity or base_share <= 0:
        return 1.0
    return ((1 - payment["basic"] / payment["cost"]) / base_share) ** elasticity


def _claim_units(model, weights, pool, i, idx: _Year, induced) -> dict:
    """Expected claims in year i by claim type (admissions by level, special patients, member-units)."""
    units = {}
    for j, level in enumerate(INPATIENT_LEVELS):
        units[level] = model.inpatient_rate * weights[pool, "inpatient"][i] * idx.utilisation["inpatient"][i] * model.inpatient_share[level] * induced[j]
    units["outpatient_special"] = model.special_rate * weights[pool, "outpatient"][i] * idx.utilisation["outpatient_special"][i] * induced[3]
    units["outpatient"] = weights[pool, "outpatient"][i] * idx.utilisation["outpatient"][i] * induced[4]
    return units


def _direct_assistance(payments: dict, units: dict, group_members: dict, residents: float, outpatient_factor: float) -> float:
    """Medical assistance on what basic and critical illness leave, for the groups' share of resident claims."""
    total = 0.0
    for kind in CLAIM_TYPES:
        scale = outpatient_factor if kind in ("outpatient_special", "outpatient") else 1.0
        for group, members in group_members.items():
            total += units[kind] * scale * (members / residents) * payments[kind]["assistance"].get(group, 0.0)
    return total


def _ltci_covered(p: Resolved, i: int, employees: xr.DataArray, residents: xr.DataArray) -> xr.DataArray:
    return p["policy.ltci.coverage.employee"][i] * employees.isel(year=i) + p["policy.ltci.coverage.resident"][i] * residents.isel(year=i)


def _ltci_employee_share(p: Resolved, i: int, employees: xr.DataArray, covered: xr.DataArray) -> float:
    """Share of all LTCI financing drawn from the employee pooled fund."""
    total = float(covered.sum())
    if total <= 0:
        return 0.0
    employee_covered = p["policy.ltci.coverage.employee"][i] * float(employees.isel(year=i).sum())
    return p["policy.ltci.financing_shares.employee_pooled_fund"][i] * employee_covered / total


def _ltci_mode_share(p: Resolved, i: int, mode: str) -> float:
    """Share of LTCI spending by care mode."""
    parts = {m: p[f"policy.ltci.care_mix.{m}"][i] * p[f"policy.ltci.monthly_cost.{m}"][i] * p[f"policy.ltci.reimbursement_ratio.{m}"][i] for m in ("home_care", "institutional_care")}
    total = sum(parts.values())
    return parts[mode] / total if total else 0.0


def _ltci_spend_per_user(p: Resolved, i: int) -> float:
    """Fund payment per beneficiary-year: 12 × Σ_mode mix × monthly cost × reimbursement ratio."""
    return 12 * sum(p[f"policy.ltci.care_mix.{m}"][i] * p[f"policy.ltci.monthly_cost.{m}"][i] * p[f"policy.ltci.reimbursement_ratio.{m}"][i] for m in ("home_care", "institutional_care"))


def _dataset(years, population, members, insured, income, spent, reserve, ia, ltci_users, p: Resolved, cal: Calibration, figures: dict) -> xr.Dataset:
    pools = list(POOLS)
    inc = np.array([[income[pool][item] for item in INCOME_ITEMS] for pool in pools]).transpose(2, 0, 1)
    exp = np.array([[spent[pool][item] for item in EXPENDITURE_ITEMS] for pool in pools]).transpose(2, 0, 1)
    income_total = inc.sum(axis=2)
    expenditure_total = exp.sum(axis=2)
    balance = income_total - expenditure_total
    reserves = np.array([reserve[pool] for pool in pools]).T
    months = months_covered(reserves, expenditure_total)
    thresholds = {k: p[f"verdict.{k}"] for k in ("critical_months", "low_months", "high_months", "excess_months")}
    payg = _payg_pools(p)
    idle = (income_total == 0) & (expenditure_total == 0) & (reserves == 0)
    labels = np.array([["not_projected" if idle[t, j] else verdict(reserves[t, j], balance[t, j], months[t, j], thresholds, payg=pool in payg) for j, pool in enumerate(pools)] for t in range(len(years))], dtype=object)
    coords = {"year": years, "pool": pools}
    ds = xr.Dataset(coords=coords)
    ds["population"] = population.transpose("year", "sex", "age")
    ds["population"].attrs = {"units": "persons", "description": "population on 31 December of the year; age 100 is 100+"}
    status = xr.concat([members[s].sum(("sex", "age")) for s in ("in_service", "flexible", "retired", "resident")], dim="status").assign_coords(status=["in_service", "flexible", "retired", "resident"])
    ds["insured_by_status"] = status.transpose("year", "status")
    ds["insured_by_status"].attrs = {"units": "persons", "description": "mid-year insured persons by status (employee pool: in_service, flexible, retired; resident pool)"}
    variables = {
        "insured": (np.array([insured[pool] for pool in pools]).T, "persons", "mid-year insured (covered) persons per pool"),
        "income": (income_total, "yuan", "fund income including interest (employee: pooled fund, maternity included)"),
        "expenditure": (expenditure_total, "yuan", "fund expenditure (employee: pooled fund, maternity included)"),
        "balance": (balance, "yuan", "current-year balance: income - expenditure (当期结余)"),
        "reserve": (reserves, "yuan", "accumulated reserve at year end (累计结余); negative = an accumulated deficit that public budgets would have to meet"),
        "months_covered": (months, "months", "reserve / (expenditure / 12) (可支付月数)"),
    }
    for name, (values, unit, text) in variables.items():
        ds[name] = (("year", "pool"), values, {"units": unit, "description": text})
    ds["verdict"] = (("year", "pool"), labels.astype(str), {"units": "label", "description": "the balance verdict; attrs verdict_labels of the Dataset give the Chinese terms"})
    ds["income_items"] = (("year", "pool", "income_item"), inc, {"units": "yuan", "description": "income by item"})
    ds["expenditure_items"] = (("year", "pool", "expenditure_item"), exp, {"units": "yuan", "description": "expenditure by item"})
    ds = ds.assign_coords(income_item=list(INCOME_ITEMS), expenditure_item=list(EXPENDITURE_ITEMS))
    for key, text in (
        ("income", "individual-account income (credits + interest)"),
        ("expenditure", "individual-account spending (at most what the accounts hold)"),
        ("reserve", "individual-account reserve at year end (never negative)"),
        ("shortfall", "account spending the accounts could not pay, left to the members (out of pocket)"),
    ):
        ds[f"individual_account_{key}"] = ("year", ia[key], {"units": "yuan", "description": text})
    ds["ltci_beneficiaries"] = ("year", ltci_users, {"units": "persons", "description": "persons receiving LTCI benefits"})
    ds.attrs["calibration"] = cal.as_dict()
    ds.attrs["calibration_targets"] = {k: v for k, v in figures.items() if np.isfinite(v)}
    return ds
