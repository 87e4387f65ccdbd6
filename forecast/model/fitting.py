"""The values the scenario keyword ``fitted`` stands for: growth rates and coverage trends learned
from a bundle's fund history with :class:`~forecast.model.growth.GrowthModel`, remembered
in-process for the same inputs, and filled into a scenario's parameters."""

from __future__ import annotations

import copy
import hashlib

import numpy as np
import pandas as pd
import xarray as xr

from .growth import FORMS, GrowthModel, select_form

__all__ = ["GrowthModel", "FORMS", "select_form", "history_series", "fit_history", "fitted_values", "fill_fitted", "HISTORY_SERIES"]

HISTORY_SERIES = {
    "employee_income_per_in_service": "employee fund income (pooled + accounts) per in-service member",
    "employee_expenditure_per_insured": "employee fund expenditure (pooled + accounts) per insured person",
    "resident_income_per_insured": "resident fund income per insured person",
    "resident_expenditure_per_insured": "resident fund expenditure per insured person",
    "in_service_members": "employee in-service members",
    "residents": "resident pool members",
}


def history_series(region, until: int | None = None) -> dict[str, pd.Series]:
    """The per-capita and enrolment series of :data:`HISTORY_SERIES` from a bundle (up to ``until``)."""

    def cut(s: pd.Series) -> pd.Series:
        return s if until is None else s[s.index <= until]

    def insured(pool, status):
        return region.insured.sel(pool=pool, status=status).to_series()

    employee_income = region.fund("employee", "income")
    employee_spent = region.fund("employee", "expenditure")
    out = {
        "employee_income_per_in_service": (employee_income / insured("employee", "in_service"), "yuan/person/year"),
        "employee_expenditure_per_insured": (employee_spent / insured("employee", "all"), "yuan/person/year"),
        "resident_income_per_insured": (region.fund("resident", "income") / insured("resident", "all"), "yuan/person/year"),
        "resident_expenditure_per_insured": (region.fund("resident", "expenditure") / insured("resident", "all"), "yuan/person/year"),
        "in_service_members": (insured("employee", "in_service"), "persons"),
        "residents": (insured("resident", "all"), "persons"),
    }
    series = {}
    for name, (values, units) in out.items():
        s = cut(values.dropna())
        s.name = name
        s.attrs["units"] = units
        series[name] = s
    return series


def fit_history(region, until: int | None = None, form: str | None = None) -> dict[str, GrowthModel]:
    """A fitted :class:`GrowthModel` per history series; the form chosen by :func:`select_form`
    unless ``form`` is given."""
    models = {}
    for name, series in history_series(region, until).items():
        chosen = form or select_form(series)[0]
        models[name] = GrowthModel(chosen).fit(series)
    return models


#: fits made in this process, by what they depend on (the bundle's content, the base year, the
#: population path, the cost curve, price inflation, the form): scenarios run on one bundle share them
_FITS: dict = {}


def fitted_values(region, base_year: int, population: xr.DataArray, curve: xr.DataArray, price_inflation: float, form: str | None = None) -> tuple[dict, dict]:
    """:func:`fit_values`, remembered for the same inputs (a fit takes a few hundred ms)."""
    key = (region.content_hash, base_year, float(price_inflation), form, hashlib.sha256(np.ascontiguousarray(population.values).tobytes() + np.ascontiguousarray(curve.values).tobytes()).hexdigest())
    if key not in _FITS:
        if len(_FITS) >= 8:
            _FITS.pop(next(iter(_FITS)))
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=1, user_api="blas"):  # tiny problems: threads only cost (the user's setting is restored after)
            _FITS[key] = fit_values(region, base_year, population, curve, price_inflation, form)
    values, summaries = _FITS[key]
    return dict(values), copy.deepcopy(summaries)


def fit_values(region, base_year: int, population: xr.DataArray, curve: xr.DataArray, price_inflation: float, form: str | None = None) -> tuple[dict, dict]:
    """The values the scenario keyword ``fitted`` stands for, fitted on the history up to ``base_year``.

    - ``employee_income_per_in_service``: growth of employee income per in-service member (the
      collected contribution base);
    - ``expenditure_per_insured``: growth of expenditure per insured person (employee and resident,
      weighted by their base-year expenditure), less price inflation and less the growth of the
      population's age–sex cost index (``curve``) over the fitted years — the real growth at a
      constant age structure, as the model's ``utilisation_growth`` is defined;
    - ``in_service_coverage`` / ``resident_coverage``: growth of in-service members over that of
      the population aged 20–59 / of residents over that of the population outside the employee
      pool — the trend in coverage (formalisation of employment, de-duplication of resident
      enrolment), net of the move between the pools that the model makes itself.

    Returns (values, summaries) — summaries hold each fit's form, growth, s.e. and residual s.d.
    """
    from ..errors import InputError, Problem

    series = history_series(region, base_year)
    models = {}
    for name in ("employee_income_per_in_service", "employee_expenditure_per_insured", "resident_expenditure_per_insured"):
        s = series[name]
        try:
            models[name] = GrowthModel(form or select_form(s)[0]).fit(s)
        except ValueError as exc:
            raise InputError(Problem(region.path / "fund_history.csv", f"'fitted' cannot be estimated from {HISTORY_SERIES[name]} up to {base_year}: {exc}", "give the growth rate as a number in the scenario, or use a later base year (back-test: a later --train-until)")) from None
    spent = {pool: float(region.fund(pool, "expenditure").get(base_year, np.nan)) for pool in ("employee", "resident")}
    weights = {pool: (v if np.isfinite(v) else 1.0) for pool, v in spent.items()}
    growth = (weights["employee"] * models["employee_expenditure_per_insured"].growth_ + weights["resident"] * models["resident_expenditure_per_insured"].growth_) / sum(weights.values())
    first = max(int(min(models[n].years_[0] for n in models)), int(population["year"].values[0]))
    last = max(base_year, first + 1)
    index = (population * curve).sum(("sex", "age")) / population.sum(("sex", "age"))
    ageing = float((index.sel(year=last) / index.sel(year=first)) ** (1 / (last - first)) - 1)
    def population_growth(low, high):
        pop = population.sel(age=(population["age"] >= low) & (population["age"] <= high)).sum(("sex", "age"))
        return float((pop.sel(year=last) / pop.sel(year=first)) ** (1 / (last - first)) - 1)

    employees = region.insured.sel(pool="employee", status="all").to_series()
    total = population.sum(("sex", "age")).to_series()
    others = (total - employees.reindex(total.index)).dropna()  # the population outside the employee pool
    others = others[others.index <= base_year]
    others_growth = float((others.iloc[-1] / others.iloc[0]) ** (1 / (others.index[-1] - others.index[0])) - 1) if len(others) > 1 else 0.0
    coverage = {}
    for name, key, reference in (("in_service_members", "in_service_coverage", population_growth(20, 59)), ("residents", "resident_coverage", others_growth)):
        try:
            models[name] = GrowthModel(form or select_form(series[name])[0]).fit(series[name])
        except ValueError:
            continue  # no trend without two usable years: 'fitted' coverage then asks for a number
        coverage[key] = (1 + models[name].growth_) / (1 + reference) - 1
    values = {
        "employee_income_per_in_service": models["employee_income_per_in_service"].growth_,
        "expenditure_per_insured": (1 + growth) / ((1 + price_inflation) * (1 + ageing)) - 1,
        **coverage,
    }
    summaries = {name: m.summary() for name, m in models.items()}
    summaries["ageing_effect"] = {"growth": ageing, "years": [first, last]}
    summaries["price_inflation"] = price_inflation
    return values, summaries


def fill_fitted(params: dict, values: dict, base: int) -> dict:
    """``params`` with every ``fitted`` value replaced by what its parameter names: a growth rate,
    or for a coverage index the fitted trend from the base year, continued TREND_YEARS, then held."""
    from ..errors import InputError, Problem
    from ..scenario.dated import DatedValue
    from ..scenario.parameters import SCHEMA, TREND_YEARS, iter_params

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
