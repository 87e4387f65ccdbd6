"""The values the scenario keyword ``fitted`` stands for, learned from a bundle's fund history.

Each is a *path*, year by year from the base year, not one rate (the forms: :mod:`forecast.model.fitting.growth`;
the form of each series is chosen by rolling-origin error, :mod:`forecast.model.fitting.selection`):

- ``employee_income_per_in_service`` — growth of employee income per in-service member (the collected contribution
  base), for ``wage_growth``;
- ``employee_cost_trend`` / ``resident_cost_trend`` — growth of each pool's expenditure per insured person, less
  price inflation and less the growth of the pool's own age–sex cost index (its members as enrolled in those years,
  weighted by its cost curves: :func:`~forecast.model.enrollment.members.pool_age_index`, the same measure the
  projection applies): the real growth at a constant age structure that ``cost_trend`` means;
- ``assistance_trend`` — growth of medical assistance spending over the resident fund's (the widening of assistance
  beyond its groups' rules);
- ``in_service_coverage`` / ``resident_coverage`` — the coverage index: the latest year's change of the count
  (in-service members; residents) relative to its reference population (aged 20–59; the population outside the
  employee pool), a trend that fades by ``trend_damping`` a year (a damped trend, Gardner & McKenzie 1985), so the
  coverage settles at a long-run level instead of stopping dead.

The resident pool's realisation of its financing standard is fitted too, always (not a scenario value):
:func:`realisation_level`.
"""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import xarray as xr

from ...inputs.cache import digest, of_bundle
from ...memo import Memo
from .growth import FORMS, GrowthModel
from .selection import empirical_sd, select_form
from .shared import shared_fit

#: the dampings a fit chooses from, by rolling-origin error (the first is the prior, standing while
#: the record is too short to choose): every fitted driver starts from its latest outturn's growth
#: and returns to its mean, μ + φ^h·(r_T − μ) in year T + h (the drift, φ = 0, would forget the latest
#: year: employee income per in-service member grew 2.0% in 2024 after a mean of 5.7%)
DAMPINGS = (0.5, 0.25, 0.75)


def growth_candidates(**options) -> dict:
    """The damped growth forms, one per stated damping (name -> factory)."""
    return {
        f"damped {phi:g}": (lambda train, phi=phi: GrowthModel("damped", phi=phi, **options).fit(train))
        for phi in DAMPINGS
    }

__all__ = ["GrowthModel", "FORMS", "select_form", "history_series", "fit_history", "fitted_values", "fill_fitted",
           "realisation_level", "HISTORY_SERIES", "BAND_HORIZONS"]

HISTORY_SERIES = {
    "employee_income_per_in_service": "employee fund income (pooled + accounts) per in-service member",
    "employee_expenditure_per_insured": "employee fund expenditure (pooled + accounts) per insured person",
    "resident_income_per_insured": "resident fund income per insured person",
    "resident_expenditure_per_insured": "resident fund expenditure per insured person",
    "assistance_expenditure_per_capita": "medical assistance expenditure per person of the population",
    "assistance_to_resident_expenditure": "medical assistance expenditure over the resident fund's expenditure",
    "in_service_members": "employee in-service members",
    "employee_members": "employee pool members",
    "residents": "resident pool members",
}
#: horizons (years) of the empirical errors kept with each fit, and of the model's own s.d.
BAND_HORIZONS = (1, 2, 3)
MODEL_SD_YEARS = 40
COUNTS = ("in_service_members", "employee_members", "residents")


def history_series(region, until: int | None = None) -> dict[str, pd.Series]:
    """The per-capita and enrolment series of :data:`HISTORY_SERIES` from a bundle (up to ``until``)."""

    def insured(pool, status):
        return region.insured.sel(pool=pool, status=status).to_series()

    population = insured("resident", "all") + insured("employee", "all")
    per = "yuan/person/year"
    out = {
        "employee_income_per_in_service": (region.fund("employee", "income") / insured("employee", "in_service"), per),
        "employee_expenditure_per_insured": (region.fund("employee", "expenditure") / insured("employee", "all"), per),
        "resident_income_per_insured": (region.fund("resident", "income") / insured("resident", "all"), per),
        "resident_expenditure_per_insured": (region.fund("resident", "expenditure") / insured("resident", "all"), per),
        "assistance_expenditure_per_capita": (region.fund("medical_assistance", "expenditure") / population, per),
        "assistance_to_resident_expenditure": (
            region.fund("medical_assistance", "expenditure") / region.fund("resident", "expenditure"), "ratio"),
        "in_service_members": (insured("employee", "in_service"), "persons"),
        "employee_members": (insured("employee", "all"), "persons"),
        "residents": (insured("resident", "all"), "persons"),
    }
    series = {}
    for name, (values, units) in out.items():
        s = values.dropna()
        s = s if until is None else s[s.index <= until]
        s.name = name
        s.attrs["units"] = units
        series[name] = s
    return series


def fit_series(series: pd.Series, form: str | None = None, extra: dict | None = None) -> tuple:
    """The model of the candidate chosen by rolling-origin error (or ``form``) — a
    :class:`GrowthModel` form, or one of ``extra`` (name -> factory; the first of them is the prior,
    else ``drift``) — fitted to the whole series, and its summary with the candidate's empirical
    log errors by horizon. Counts take no pandemic dummies."""
    options = {"pandemic_years": ()} if series.name in COUNTS else {}
    pool = {**(extra or {}), **growth_candidates(**options)}  # the first is the prior
    chosen, table = select_form(series, pool, **options)
    name = form or chosen
    model = pool[name](series) if name in pool else GrowthModel(name, **options).fit(series)
    summary = model.summary()
    summary["empirical_sd"] = [None if not np.isfinite(v) else float(v)
                               for v in empirical_sd(table, name, BAND_HORIZONS)]
    own = table[(table["form"] == name) & (table["horizon"] == 1)]
    summary["one_year_errors"] = {int(y): float(e) for y, e in zip(own["year"], own["log_error"])}
    summary["param_sd"] = [float(v) for v in model.param_sd(np.arange(1, MODEL_SD_YEARS + 1))]
    y = series.dropna()
    y = y[y > 0]
    rates = np.diff(np.log(y.to_numpy(dtype=float))) / np.diff(y.index.to_numpy()) if len(y) > 1 else np.array([])
    summary["rates_sd"] = float(np.std(rates, ddof=1)) if len(rates) > 1 else None
    summary["origins"] = int(table["origin"].nunique()) if len(table) else 0
    summary["candidates"] = list(pool)
    return model, summary


def fit_history_series(region, series: pd.Series, form: str | None = None) -> tuple:
    """:func:`fit_series` with the bundle's :func:`extra_candidates`, made once a process (:mod:`.shared`)."""
    return shared_fit(region, series, form, lambda: fit_series(series, form, extra_candidates(region, series.name)))


def resident_standard(region) -> pd.Series:
    """The resident financing standard (individual contribution + fiscal subsidy) by year, from the
    bundle's financing table (years with both), yuan/person/year."""
    table = region.financing
    rows = table[(table["pool"] == "resident") & table["parameter"].isin(["individual_contribution", "fiscal_subsidy"])]
    both = rows.groupby("year")["parameter"].nunique() == 2
    out = rows.groupby("year")["value"].sum()[both]
    out.index = out.index.astype(int)
    return out.astype(float)


def extra_candidates(region, name: str) -> dict:
    """Candidates beyond the growth forms. Resident spending per insured may follow the financing
    standard (:class:`~forecast.model.fitting.level.FinancedModel`), and does so unless the record says
    otherwise (it is the prior): the resident pool sets its benefits by its financing (以收定支; the
    annual notices spend each year's increase of the standard on benefits)."""
    from .level import FinancedModel

    if name != "resident_expenditure_per_insured":
        return {}
    standard = resident_standard(region)
    return {"financed": lambda train: FinancedModel(standard).fit(train)} if len(standard) >= 2 else {}


def fit_history(region, until: int | None = None, form: str | None = None) -> dict[str, GrowthModel]:
    """A fitted :class:`GrowthModel` per history series (those with two usable years)."""
    models = {}
    for name, series in history_series(region, until).items():
        try:
            models[name] = fit_series(series, form, extra_candidates(region, name))[0]
        except ValueError:
            continue
    return models


#: fits made in this process, by what they depend on (the bundle's content, the base year, the
#: population path, the cost curve, price inflation, the damping, the form): scenarios share them
_FITS = Memo(8)


def fitted_values(
    region, base_year: int, population: xr.DataArray, age_index: xr.DataArray, price_inflation: float,
    damping: float = 0.8, form: str | None = None,
) -> tuple[dict, dict]:
    """:func:`fit_values`, remembered for the same inputs (a fit takes a few hundred ms)."""
    arrays = digest(population.values, population["year"].values, age_index.values)
    key = (region.content_hash, base_year, float(price_inflation), float(damping), form, arrays)

    def fit() -> tuple[dict, dict]:
        from threadpoolctl import threadpool_limits

        # tiny problems: threads only cost (the user's setting is restored after)
        with threadpool_limits(limits=1, user_api="blas"):
            return fit_values(region, base_year, population, age_index, price_inflation, damping, form)

    values, summaries = _FITS.get(key, lambda: of_bundle(region, "fits", key[1:], fit))
    return dict(values), copy.deepcopy(summaries)


def _required(region, series, base_year, form):
    from ...errors import InputError, Problem

    try:
        return fit_history_series(region, series, form)
    except ValueError as exc:
        raise InputError(Problem(
            region.path / "fund_history.csv",
            f"'fitted' cannot be estimated from {HISTORY_SERIES[series.name]} up to {base_year}: {exc}",
            "give the growth rate as a number in the scenario, "
            "or use a later base year (back-test: a later --train-until)",
        )) from None


def ageing_effect(age_index: xr.DataArray, first: int, last: int) -> float:
    """Yearly growth of a pool's age–sex cost index (``age_index``, over year) from ``first`` to ``last``
    (0 where the index has fewer than two of those years)."""
    years = [y for y in (first, last) if y in age_index["year"].values]
    if len(years) < 2 or last == first:
        return 0.0
    return float((age_index.sel(year=last) / age_index.sel(year=first)) ** (1 / (last - first)) - 1)


def fit_values(
    region, base_year: int, population: xr.DataArray, age_index: xr.DataArray, price_inflation: float,
    damping: float = 0.8, form: str | None = None,
) -> tuple[dict, dict]:
    """The ``fitted`` paths (see the module) for years ``base_year + 1 ..`` (coverage: from
    ``base_year``, 1.0 there), and the summaries of the fits: form, growth, s.e., residual s.d.,
    empirical errors by horizon, and the cost trends' price/ageing/real decomposition.
    ``age_index`` (year, pool): each basic pool's age–sex cost index in past years."""
    from ...scenario.parameters import FITTED_YEARS

    series = history_series(region, base_year)
    years = np.arange(base_year + 1, base_year + FITTED_YEARS + 1)
    models, summaries, values = {}, {}, {}
    for name in (
        "employee_income_per_in_service", "employee_expenditure_per_insured", "resident_expenditure_per_insured"
    ):
        models[name], summaries[name] = _required(region, series[name], base_year, form)
    values["employee_income_per_in_service"] = models["employee_income_per_in_service"].growth_path(years).values
    try:
        models["assistance"], summaries["assistance_to_resident_expenditure"] = fit_series(
            series["assistance_to_resident_expenditure"], form
        )
        values["assistance_trend"] = models.pop("assistance").growth_path(years).values
    except ValueError:
        pass  # no medical assistance history: 'fitted' then asks for a number
    first = max(int(min(models[n].years_[0] for n in models)), int(age_index["year"].values[0]))
    last = max(base_year, first + 1)
    summaries["decomposition"] = {}
    for pool in ("employee", "resident"):
        ageing = ageing_effect(age_index.sel(pool=pool, drop=True), first, last)
        nominal = models[f"{pool}_expenditure_per_insured"].growth_path(years).values
        real = (1 + nominal) / ((1 + price_inflation) * (1 + ageing)) - 1
        values[f"{pool}_cost_trend"] = real
        summaries["decomposition"][pool] = {
            "nominal": float(nominal[0]), "price": price_inflation, "ageing": ageing, "real": float(real[0]),
            "years": [first, last],
        }
    for name, key in (("in_service_members", "in_service_coverage"), ("residents", "resident_coverage")):
        trend = latest_coverage_change(name, population, series, base_year)
        if trend is None:
            continue  # no trend without two consecutive years: 'fitted' coverage then asks for a number
        steps = np.log1p(trend) * damping ** np.arange(FITTED_YEARS + 1)
        values[key] = np.exp(np.concatenate([[0.0], np.cumsum(steps[:-1])]))
        summaries[key] = {
            "first_year": trend, "damping": damping, "long_run_index": float(np.exp(np.log1p(trend) / (1 - damping))),
            "years": [base_year - 1, base_year],
        }
    summaries["ageing_effect"] = {
        "growth": {pool: summaries["decomposition"][pool]["ageing"] for pool in ("employee", "resident")},
        "years": [first, last],
        "measure": "each pool's age-sex cost index (its members as enrolled, weighted by its cost curves)",
    }
    summaries["price_inflation"] = price_inflation
    return values, summaries


def latest_coverage_change(name: str, population: xr.DataArray, series: dict, base_year: int) -> float | None:
    """The latest year's change in coverage: the count's growth (in-service members; residents)
    over that of its reference population (aged 20–59; outside the employee pool) from
    ``base_year − 1`` to ``base_year``; None without both years (or the population of both)."""
    count, years = series[name], (base_year - 1, base_year)
    if not all(y in count.index for y in years) or not all(y in population["year"].values for y in years):
        return None
    if name == "in_service_members":
        reference = population.sel(age=(population["age"] >= 20) & (population["age"] <= 59)).sum(("sex", "age"))
        ratio = float(reference.sel(year=base_year) / reference.sel(year=base_year - 1))
    else:
        employees, total = series["employee_members"], population.sum(("sex", "age"))
        if not all(y in employees.index for y in years):
            return None
        ratio = float((total.sel(year=base_year) - employees[base_year])
                      / (total.sel(year=base_year - 1) - employees[base_year - 1]))
    return float(count[base_year] / count[base_year - 1] / ratio - 1)


def realisation_level(region, base_year: int, interest_rate: float) -> dict:
    """The resident pool's realisation of its financing standard — income net of interest over
    (enrollees × the bundle's standard) — by year, its local level (:class:`LocalLevel`), and the
    ratio of the level to the base year's value (which the calibration reproduces): the factor on
    the base year's realisation from the next year on."""
    from ..calibration.base_year import interest_in_year
    from .level import LocalLevel

    standard = resident_standard(region)
    standard = standard[standard.index <= base_year]
    income, count = region.fund("resident", "income"), region.insured.sel(pool="resident", status="all").to_series()
    reserve = region.fund("resident", "reserve")
    ratios = {}
    for year in standard.index:
        if year in income.index and year in count.index and np.isfinite(income[year]) and np.isfinite(count[year]):
            opening = reserve.get(year - 1, np.nan)
            interest = (
                interest_in_year(opening, income[year], region.fund("resident", "expenditure").get(year, income[year]),
                                 interest_rate)
                if np.isfinite(opening) else 0.0
            )
            ratios[int(year)] = (income[year] - interest) / (count[year] * standard[year])
    history = pd.Series(ratios, dtype=float).sort_index()
    if base_year not in history.index or len(history) < 2:
        return {"factor": 1.0, "form": "base year (no history of the standard)", "points": int(len(history))}
    model = LocalLevel().fit(history)
    return {**model.summary(), "factor": model.level_ / float(history[base_year]),
            "base_year_value": float(history[base_year])}


def fill_fitted(params: dict, values: dict, base: int) -> dict:
    """``params`` with every ``fitted`` value replaced by the path its parameter names: a growth
    path year by year from ``base + 1`` up to the year the ``fitted`` point was given (joined to the
    scenario's later points as they say), or the whole coverage index path."""
    from ...errors import InputError, Problem
    from ...scenario.dated import FITTED, DatedValue
    from ...scenario.parameters import SCHEMA, iter_params

    fitted_from = {path: param.fitted_from for path, param in iter_params(SCHEMA) if param.fitted_from}
    out = {}
    for key, value in params.items():
        if not (isinstance(value, DatedValue) and value.needs_fit):
            out[key] = value
            continue
        source = fitted_from[key]
        if source not in values:
            raise InputError(Problem(
                key, f"'fitted' needs at least two years of history for {source} up to {base}",
                "give a number instead of 'fitted'",
            ))
        path = values[source]
        if source.endswith("coverage"):
            out[key] = DatedValue(tuple((base + i, float(v)) for i, v in enumerate(path)), between="linear")
            continue
        points = {}
        for year, v in value.points:
            if v != FITTED:
                points[year] = v
                continue
            last = base + len(path) if value.is_constant else max(year, base + 1)
            points.update({base + 1 + i: float(path[i]) for i in range(min(last - base, len(path)))})
        out[key] = DatedValue(tuple(sorted(points.items())), value.between, value.after)
    return out
