"""The plan of a run: what every chunk of draws shares, made once (the ``fitted`` values, the
resolved rules of the scenario and of its root baseline, the benefit layers, the base-year claims,
the cost and wage indices, the pools' financing rules)."""

from __future__ import annotations

import dataclasses

import numpy as np
import xarray as xr

from ..errors import InputError, Problem
from ..inputs.cache import digest, of_bundle
from ..model.benefits import spending
from ..model.benefits.curves import age_curves
from ..model.benefits.payers import base_claims, curve_weights, payer_layers
from ..model.calibration.base_year import costs_benefits, fund_base_year
from ..model.enrollment.members import pool_age_index, retired_fraction, retirement_schedule
from ..model.financing.contributions import FINANCING_PARAMS, wage_index
from ..model.financing.rules import rules_of
from ..model.fitting.fitted import fill_fitted, fitted_values, realisation_level
from ..model.population.project import population_chunks
from ..scenario.dated import DatedValue
from ..scenario.demography import extended_demography
from ..scenario.rules import Rules, resolve_rules, with_defaults
from ..vocabulary import BASIC_POOLS, POOLS

__all__ = ["Plan", "build_plan", "make_plan", "resolved_rules", "run_plan"]


@dataclasses.dataclass(frozen=True)
class Plan:
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

    @property
    def curve_weights(self) -> dict:
        """pool -> each age–sex curve's share of its base-year cost (the mix of its ageing index)."""
        return {pool: curve_weights(self.claims[pool]) for pool in BASIC_POOLS}


def build_plan(scenario, region, params, root_params, years, first, curves, strict, like=None) -> Plan:
    """Fill the ``fitted`` values (fitted on ``first``, the central population path), resolve the
    rules once, and make the run's plan (``like``: see :func:`make_plan`)."""
    fits = {}
    if any(isinstance(v, DatedValue) and v.needs_fit for v in (*params.values(), *root_params.values())):
        price = params["assumptions.economy.price_inflation"].path(years[1:2])[0][0]  # the first projected year's
        damping = float(params["assumptions.enrollment.trend_damping"])
        ages = _past_age_index(region, root_params, first, curves, int(years[0]))
        values, fits = fitted_values(region, int(years[0]), first, ages, float(price), damping)
        fits["values"] = {
            k: float(v[1] - 1 if k.endswith("coverage") else v[0]) for k, v in values.items()
        }  # the first projected year's change
        params, root_params = (fill_fitted(d, values, int(years[0])) for d in (params, root_params))
    rules = resolve_rules(params, years)
    extended = {**rules.extended, **extended_demography(scenario.population, int(years[-1]))}
    if strict and extended:
        raise InputError(
            [
                Problem(
                    scenario.files[-1],
                    f"--strict: {path} is extended beyond its last given year ({how})",
                    f"give {path} values up to {years[-1]}",
                    field=path,
                )
                for path, how in extended.items()
            ]
        )
    root = resolve_rules(root_params, years)
    fits["resident_realisation"] = realisation_level(region, int(years[0]), float(root.economy.interest_rate[0]))
    return dataclasses.replace(
        make_plan(region, rules, root, fits, like), extended=extended, financing_rules=tuple(rules_of(params, years))
    )


def _past_age_index(region, params: dict, population: xr.DataArray, curves: xr.Dataset, base: int) -> xr.DataArray:
    """Each basic pool's age–sex cost index at the end of the years the population and the
    published insured counts (year-end figures) share, up to the base year
    (:func:`~forecast.model.enrollment.members.pool_age_index`), kept in the cache of the bundle's
    derived values (:mod:`forecast.inputs.cache`) under all it depends on: the bundle (its curves
    among it), the retirement ages, the population path."""
    schedule = retirement_schedule(params)
    key = (base, schedule, digest(population.values, population["year"].values))
    return of_bundle(region, "age_index", key, lambda: _age_index(region, schedule, population, curves, base))


def _age_index(region, schedule: tuple, population: xr.DataArray, curves: xr.Dataset, base: int) -> xr.DataArray:
    insured = region.insured
    years = [int(y) for y in population["year"].values if y <= base and y in insured["year"].values]
    counts = {
        y: tuple(
            float(insured.sel(year=y, pool=p, status=s))
            for p, s in (("employee", "in_service"), ("employee", "retired"), ("resident", "all"))
        )
        for y in years
    }
    counts = {y: c for y, c in counts.items() if all(np.isfinite(c))}
    year_end = population.sel(year=sorted(counts))
    retired = retired_fraction(np.array(sorted(counts)), year_end["age"].values, *schedule)
    weights = {pool: curve_weights(base_claims(region, base, pool)) for pool in BASIC_POOLS}
    return pool_age_index(year_end, counts, retired, curves, weights)


def run_plan(scenario, region, params: dict, root_params: dict, horizon: int, strict: bool = False) -> Plan:
    """The plan a run of ``params`` on ``region`` to ``horizon`` makes before its first chunk (its
    ``fitted`` values fitted on the central population path), made ahead so that projections that
    differ only in their drivers' quantiles or draws share it (``project(plan=...)``: the
    sensitivity's bounds, a batch's chunks)."""
    years = np.arange(fund_base_year(region), horizon + 1)
    chunk = next(population_chunks(region, scenario.population, end_year=horizon, with_indicators=False)).expand_dims(
        draw=[0]
    )
    return build_plan(
        scenario,
        region,
        with_defaults(params),
        with_defaults(root_params),
        years,
        chunk["population"].isel(draw=0),
        age_curves(region),
        strict,
    )


def resolved_rules(scenario, region, params: dict, root_params: dict, horizon: int) -> Rules:
    """The rules of ``params`` over the run's years, its ``fitted`` values filled (what a solver
    needs to move a lever from its resolved path)."""
    return run_plan(scenario, region, params, root_params, horizon).rules


def make_plan(region, rules: Rules, root: Rules, fits: dict | None = None, like: Plan | None = None) -> Plan:
    """What every chunk of draws shares: the benefit layers of the scenario's rules (every year)
    and of the root's (the base year), the cost and wage indices, the pay-as-you-go pools.
    ``like``: an earlier plan on the same region (a solver's previous trial,
    :class:`~forecast.engine.reuse.Reuse`); when its root and fitted realisation are these and its
    rules differ from these at most in the financing (``FINANCING_PARAMS``, which none of those
    parts reads), its parts are these rules' and are taken from it instead of made again."""
    if like is not None and _apart_from_financing(like, rules, root, fits or {}):
        return dataclasses.replace(like, rules=rules, root=root, fits=fits or {})
    reduced = not costs_benefits(region, int(rules.years[0]))
    covers = {"employee": bool(rules.critical_illness.covers_employees), "resident": True}
    root_covers = {"employee": bool(root.critical_illness.covers_employees), "resident": True}
    layers = {
        pool: payer_layers(rules, pool, covers[pool], pool == "resident", reduced, region) for pool in BASIC_POOLS
    }
    root_layers = {
        pool: payer_layers(root.base_year(), pool, root_covers[pool], pool == "resident", reduced, region)
        for pool in BASIC_POOLS
    }
    budget = rules.medical_assistance.budget
    payg = xr.DataArray(
        [p == "critical_illness" or (p == "medical_assistance" and not bool((budget > 0).any())) for p in POOLS],
        dims="pool",
        coords={"pool": list(POOLS)},
    )
    claims = {pool: base_claims(region, int(rules.years[0]), pool) for pool in BASIC_POOLS}
    indices = spending.cost_indices(rules)
    factor = (fits or {}).get("resident_realisation", {}).get("factor", 1.0)
    indices["realisation"] = xr.DataArray(
        np.where(rules.years > rules.years[0], factor, 1.0),
        dims="year",
        coords={"year": rules.years},
        attrs={
            "units": "ratio",
            "description": (
                "the resident pool's realisation of its standard relative to the base year's (its fitted local level)"
            ),
        },
    )
    return Plan(rules, root, fits or {}, claims, layers, root_layers, indices, wage_index(rules), payg)


def _apart_from_financing(like: Plan, rules: Rules, root: Rules, fits: dict) -> bool:
    """Whether ``like``'s parts are those of ``rules``, ``root`` and ``fits``: the same root and fitted
    realisation, and rules that differ at most in the financing parameters."""
    return (
        like.fits.get("resident_realisation") == fits.get("resident_realisation")
        and _same_rules(like.root, root, ())
        and _same_rules(like.rules, rules, FINANCING_PARAMS)
    )


def _same_rules(a: Rules, b: Rules, apart: tuple) -> bool:
    """Whether ``a`` and ``b`` resolve every parameter but those ``apart`` to the same values."""
    if not np.array_equal(a.years, b.years) or a.values.keys() != b.values.keys():
        return False
    return all(_same(a.values[k], b.values[k]) for k in a.values if k not in apart)


def _same(x, y) -> bool:
    """Equal values of one type; NaN equals NaN (a value left unset, as a deficit's own interest rate)."""
    if type(x) is not type(y):
        return False
    if isinstance(x, (np.ndarray, float)):
        x, y = np.asarray(x), np.asarray(y)
        return x.shape == y.shape and x.dtype == y.dtype and np.array_equal(x, y, equal_nan=x.dtype.kind == "f")
    return bool(x == y)
