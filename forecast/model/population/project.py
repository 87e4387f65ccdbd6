"""Population projection from a region bundle: inputs, the engine, and the indicators.

:func:`project` runs the cohort-component engine (:mod:`.engine`) on labelled arrays;
:func:`project_region` builds those arrays from a bundle and :class:`PopulationAssumptions`.
Both return an :class:`xarray.Dataset` whose variables carry ``attrs["units"]``.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import xarray as xr

from .assumptions import PopulationAssumptions, improvement_by_age
from .engine import project_arrays
from .graduation import graduate_counts
from .leecarter import LeeCarter
from .lifetable import infant_ax, life_table
from .rates import OPEN_AGE, annual_rates, fertility_pattern, period_midpoints, single_age_mortality

__all__ = ["project", "project_region", "population_chunks", "project_scenario", "projection_years", "fit_lee_carter", "mortality_path", "tfr_path", "indicators"]

SEXES = ["male", "female"]


def projection_years(base_date: dt.date, end_year: int) -> tuple[np.ndarray, float]:
    """Years projected (population on 31 December of each) and the first step's length in years."""
    if (base_date.month, base_date.day) == (12, 31):
        return np.arange(base_date.year + 1, end_year + 1), 1.0
    year_end = dt.date(base_date.year + 1, 1, 1)
    days_in_year = (year_end - dt.date(base_date.year, 1, 1)).days
    return np.arange(base_date.year, end_year + 1), (year_end - base_date).days / days_in_year


def _draw_axis(da: xr.DataArray, dims: tuple[str, ...]) -> np.ndarray:
    """Values with a leading draw axis (size 1 when ``da`` has no draw dimension)."""
    if "draw" in da.dims:
        return da.transpose("year", "draw", *dims).values
    return da.transpose("year", *dims).values[:, None]


def project(base_population: xr.DataArray, base_date: dt.date, mx: xr.DataArray, asfr: xr.DataArray, srb: xr.DataArray, migration: xr.DataArray | None = None) -> xr.Dataset:
    """Project ``base_population`` (sex, age) dated ``base_date`` with annual rates.

    ``mx`` (year, sex, age [, draw]), ``asfr`` (year, age [, draw]) and ``srb`` (year [, draw])
    cover the projected years (see :func:`projection_years`); ``migration`` (year, sex, age) is
    net migrants a year. Returns population, births and deaths by year (and draw).
    """
    years = mx["year"].values
    ages = base_population["age"].values
    draws = max(a.sizes.get("draw", 1) for a in (mx, asfr, srb))
    base = np.broadcast_to(base_population.transpose("sex", "age").values, (draws, 2, len(ages)))
    first = years[0]
    fraction = projection_years(base_date, int(years[-1]))[1] if first == base_date.year else 1.0
    mig = None if migration is None else migration.sel(year=years).transpose("year", "sex", "age").values
    srb_values = srb.transpose("year", "draw").values if "draw" in srb.dims else srb.values[:, None]
    mx_values = _draw_axis(mx, ("sex", "age"))
    expectancy: dict = {}
    pop, births, deaths = project_arrays(base, fraction, mx_values, _draw_axis(asfr, ("age",)), srb_values, mig, expectancy=expectancy)
    e0, e60 = (np.broadcast_to(expectancy[age], (expectancy[age].shape[0], draws) + expectancy[age].shape[2:]) for age in (0, 60))
    coords = {"year": years, "sex": SEXES, "age": ages}
    ds = xr.Dataset(
        {
            "population": (("year", "draw", "sex", "age"), pop),
            "births": (("year", "draw", "sex"), births),
            "deaths": (("year", "draw", "sex", "age"), deaths),
            "life_expectancy_birth": (("year", "draw", "sex"), e0),
            "life_expectancy_60": (("year", "draw", "sex"), e60),
        },
        coords={**coords, "draw": np.arange(draws)},
    )
    for name in ("population", "births", "deaths"):
        ds[name].attrs["units"] = "persons"
    for name in ("life_expectancy_birth", "life_expectancy_60"):
        ds[name].attrs["units"] = "year"
    ds["population"].attrs["description"] = "population on 31 December of the year; age 100 is the open group 100+"
    ds["births"].attrs["description"] = "live births in the year (in the base year: from the base date)"
    ds["deaths"].attrs["description"] = "deaths in the year by age reached at year end (age 0: deaths among the year's births)"
    if draws == 1 and "draw" not in mx.dims and "draw" not in asfr.dims:
        ds = ds.isel(draw=0, drop=True)
    ds.attrs.update(base_date=base_date.isoformat(), open_age=int(ages[-1]), first_step_years=fraction)
    return ds


# ----------------------------------------------------------------------------- inputs


def base_single_ages(region) -> xr.DataArray:
    """The bundle's base population graduated to single ages 0..100+ (sex, age)."""
    pop = region.base_population
    ends = [None if e < 0 else int(e) for e in pop["age_end"].values]
    values = graduate_counts(pop.transpose("sex", "age_group").values, pop["age_start"].values, ends, open_age=OPEN_AGE)
    out = xr.DataArray(values, dims=("sex", "age"), coords={"sex": SEXES, "age": np.arange(OPEN_AGE + 1)}, name="population")
    out.attrs.update(units="persons", graduation="monotone cubic spline on cumulative counts (Fritsch-Carlson)")
    return out


def _e0(mx: np.ndarray, sex: str) -> float:
    return float(life_table(mx, infant_ax(mx[0], sex))["ex"][0])


def fit_lee_carter(region, assumptions: PopulationAssumptions) -> dict[str, LeeCarter]:
    """Lee–Carter models by sex, fitted to the bundle's surface over ``assumptions.fit_years``."""
    surface = single_age_mortality(region.mortality)
    lo, hi = assumptions.fit_years
    sel = (surface["year_start"] >= lo) & (surface["year_end"] <= hi)
    fit = surface.isel(period=np.flatnonzero(sel.values))
    if fit.sizes["period"] < 3:
        raise ValueError(f"Lee-Carter needs at least three periods inside fit_years {lo}-{hi}; the bundle has {fit.sizes['period']}")
    times = period_midpoints(fit)
    return {sex: LeeCarter().fit(fit.sel(sex=sex).transpose("period", "age"), time=times) for sex in SEXES}


def mortality_path(region, assumptions: PopulationAssumptions, years, draws: int | None = None, rng=None, models: dict | None = None) -> tuple[xr.DataArray, dict]:
    """mx (year, sex, age [, draw]) for ``years`` by the assumptions' method, and fit notes.

    ``models``: Lee–Carter models already fitted (:func:`fit_lee_carter`), so that stochastic runs
    fit once and draw many times."""
    method = assumptions.mortality_method
    notes: dict = {"mortality_method": method}
    if method == "lee_carter":
        models = models or fit_lee_carter(region, assumptions)
        ages = models[SEXES[0]].ages_
        values = np.empty((len(years), draws or 1, len(SEXES), len(ages)))  # the layout the projection reads
        for i, sex in enumerate(SEXES):
            model = models[sex]
            k = model.k_path(np.asarray(years) + 0.5, draws=draws, rng=rng)
            values[:, :, i, :] = np.moveaxis(np.atleast_2d(model.predict(years, k=k).values), -2, 0) if draws else model.predict(years, k=k).values[:, None]
            notes[f"lee_carter_{sex}"] = {
                "drift_per_year": model.drift_, "drift_se": model.drift_se_, "sigma_per_year": model.sigma_,
                "explained_variance": model.explained_variance_, "periods": model.time_labels_,
            }
        mx = xr.DataArray(values, dims=("year", "draw", "sex", "age"), coords={"year": np.asarray(years), "sex": list(SEXES), "age": ages})
        mx = mx if draws else mx.isel(draw=0, drop=True)
    else:
        annual = annual_rates(single_age_mortality(region.mortality), years)
        if method == "schedule":
            mx = annual
        else:
            base = annual.isel(year=0)
            elapsed = xr.DataArray(np.asarray(years) - years[0], dims="year", coords={"year": years})
            if method == "improvement":
                rate = xr.DataArray(improvement_by_age(assumptions, OPEN_AGE), dims=("sex", "age"), coords={"sex": SEXES, "age": base["age"].values})
                mx = base * (1.0 - rate) ** elapsed
            else:
                mx = _scale_to_e0(base, years, assumptions.e0_targets)
    mx = mx.transpose(*(("draw",) if "draw" in mx.dims else ()), "year", "sex", "age")
    mx.attrs.update(units="per_person_year")
    return mx.rename("mx"), notes


def _interpolate_dated(dated: dict, years, start_value: float | None = None, start_year: int | None = None) -> np.ndarray:
    """Dated values -> one value per year: linear between dates, held after the last date and
    (without a start value) before the first."""
    xs = sorted(dated)
    ys = [dated[x] for x in xs]
    if start_value is not None and start_year is not None and start_year < xs[0]:
        xs, ys = [start_year, *xs], [start_value, *ys]
    return np.interp(np.asarray(years, dtype=float), xs, ys)


def _e0_gap(log_theta: float, m0: np.ndarray, sex: str, target: float) -> float:
    return _e0(m0 * np.exp(log_theta), sex) - target


def _scale_to_e0(base: xr.DataArray, years, targets: dict) -> xr.DataArray:
    from scipy.optimize import brentq  # scipy.optimize is slow to import: only for e0 targets

    out = []
    for sex in SEXES:
        m0 = base.sel(sex=sex).values
        start = _e0(m0, sex)
        path = _interpolate_dated({y: v[sex] for y, v in targets.items()}, years, start, int(years[0]))
        rows = []
        for target in path:
            root = brentq(_e0_gap, -6.0, 6.0, args=(m0, sex, target), xtol=1e-12)
            rows.append(m0 * np.exp(root))
        out.append(np.array(rows))
    return xr.DataArray(np.stack(out, axis=1), dims=("year", "sex", "age"), coords={"year": years, "sex": SEXES, "age": base["age"].values})


def tfr_path(region, assumptions: PopulationAssumptions, years) -> tuple[xr.DataArray, list[int]]:
    """TFR (year) from the dated values (or the bundle's path), and the years held constant."""
    if assumptions.tfr:
        dated = dict(assumptions.tfr)
    elif region.total_fertility is not None:
        dated = dict(zip(region.total_fertility["year"].values.tolist(), region.total_fertility.values.tolist()))
    else:
        fert = region.fertility
        widths = (fert["age_end"] - fert["age_start"] + 1)
        totals = (fert * widths).sum("age_group")
        dated = dict(zip(np.floor(period_midpoints(fert)).astype(int).tolist(), totals.values.tolist()))
    held = [int(y) for y in years if y > max(dated)]
    values = _interpolate_dated(dated, years)
    out = xr.DataArray(values, dims="year", coords={"year": years}, name="tfr")
    out.attrs["units"] = "births/woman"
    return out, held


def default_tfr_volatility(region) -> float:
    """s.d. of the annual TFR changes over the 20 years up to the bundle's base year (estimates)."""
    tfr = region.total_fertility
    if tfr is None:
        raise ValueError("the bundle has no total_fertility table: give population.stochastic.tfr_volatility in the scenario")
    series = tfr.sel(year=slice(region.base_year - 20, region.base_year)).values
    if len(series) < 3:
        raise ValueError("the bundle's TFR path has too few years before the base year: give population.stochastic.tfr_volatility")
    return float(np.std(np.diff(series), ddof=1))


#: draws projected at once in stochastic runs (bounds peak memory; results depend on it only
#: through the random streams, which are fixed by the seed for a given chunk size)
DRAW_CHUNK = 1000


def population_chunks(region, assumptions: PopulationAssumptions | None = None, end_year: int = 2100, draws: int | None = None, seed: int | None = None, with_indicators: bool = True):
    """The projection of a bundle's population in chunks: yields one Dataset per chunk of at most
    :data:`DRAW_CHUNK` draws (dims year, draw, sex, age; the draw coordinate continues from chunk
    to chunk), or a single Dataset without a draw dimension when ``draws`` is None. Each chunk has
    its own random stream, spawned from ``seed`` (recorded as ``attrs["seed"]``: that value
    repeats the run). The fund engine consumes the chunks as they come, so a stochastic run never
    holds every draw's population at once; it asks for no indicators (``with_indicators``)."""
    assumptions = assumptions or PopulationAssumptions()
    if draws and assumptions.mortality_method != "lee_carter":
        raise ValueError("stochastic projections need the lee_carter mortality method (its random walk gives the draws)")
    years, _ = projection_years(region.population_date, end_year)
    if len(years) == 0:
        first = projection_years(region.population_date, 9999)[0][0]
        raise ValueError(f"end year {end_year} is before the first projected year {first} (the base population is dated {region.population_date})")
    base = base_single_ages(region)
    pattern = fertility_pattern(region.fertility, years)
    tfr, held = tfr_path(region, assumptions, years)
    if assumptions.sex_ratio_at_birth is not None:
        srb = xr.DataArray(np.full(len(years), assumptions.sex_ratio_at_birth), dims="year", coords={"year": years})
    else:
        srb = annual_rates(region.sex_ratio_at_birth, years, log=False)
    migration = _migration(region, years) if assumptions.migration and region.migration is not None else None
    models = fit_lee_carter(region, assumptions) if assumptions.mortality_method == "lee_carter" else None

    def run(n_draws, rng):
        mx, notes = mortality_path(region, assumptions, years, draws=n_draws, rng=rng, models=models)
        path = tfr
        if n_draws:
            sigma = assumptions.tfr_volatility if assumptions.tfr_volatility is not None else default_tfr_volatility(region)
            shocks = np.cumsum(sigma * rng.standard_normal((n_draws, len(years))), axis=1)
            path = (tfr + xr.DataArray(shocks, dims=("draw", "year"), coords={"year": years})).clip(min=0.1)
            notes["tfr_volatility"] = sigma
        asfr = (path * pattern).transpose(*(("draw",) if n_draws else ()), "year", "age")
        ds = project(base, region.population_date, mx, asfr, srb, migration)
        if with_indicators:  # the fund engine needs none of them
            ds = ds.merge(indicators(ds))
        ds["tfr"] = path
        ds["tfr"].attrs["units"] = "births/woman"
        ds.attrs.update(region=region.name, mortality_method=assumptions.mortality_method, tfr_held_after_last_date=held, fit=notes)
        return ds

    if not draws:
        yield run(None, None)
        return
    sequence = np.random.SeedSequence(seed)  # without a seed: fresh entropy, recorded in attrs
    starts = list(range(0, draws, DRAW_CHUNK))
    for start, stream in zip(starts, sequence.spawn(len(starts))):
        part = run(min(DRAW_CHUNK, draws - start), np.random.default_rng(stream))
        part = part.assign_coords(draw=part["draw"].values + start)
        part.attrs.update(seed=int(sequence.entropy), draws=draws)
        yield part


def project_region(region, assumptions: PopulationAssumptions | None = None, end_year: int = 2100, draws: int | None = None, seed: int | None = None) -> xr.Dataset:
    """Project a bundle's population to ``end_year`` under ``assumptions``.

    Deterministic when ``draws`` is None; otherwise ``draws`` stochastic paths (Lee–Carter k_t
    random walks with drift uncertainty and a TFR random walk around the path), projected in
    chunks of :data:`DRAW_CHUNK` draws with independent random streams spawned from ``seed``
    (:func:`population_chunks`).
    """
    ds = None
    for part in population_chunks(region, assumptions, end_year, draws, seed):
        if not draws:
            return part
        if ds is None:  # allocate the whole result once, then fill it chunk by chunk
            ds = xr.Dataset(attrs=part.attrs)
            for name, var in part.data_vars.items():
                shape = [draws if d == "draw" else part.sizes[d] for d in var.dims]
                ds[name] = xr.DataArray(np.empty(shape, dtype=var.dtype), dims=var.dims, attrs=var.attrs)
            ds = ds.assign_coords({d: part[d] for d in part.coords if d != "draw"}).assign_coords(draw=np.arange(draws))
        for name, var in part.data_vars.items():
            axis = var.dims.index("draw")
            index = [slice(None)] * var.ndim
            index[axis] = slice(int(part["draw"].values[0]), int(part["draw"].values[-1]) + 1)
            ds[name].values[tuple(index)] = var.values
    return ds


def project_scenario(scenario, *, end_year: int | None = None, draws: int | None = None, seed: int | None = None) -> xr.Dataset:
    """Project the population of a :class:`~forecast.scenario.Scenario`, with provenance in attrs:
    package version, scenario files and content hash, region bundle and its hash."""
    from ...inputs.region import load_region

    region = load_region(scenario.region_path)
    ds = project_region(region, scenario.population, end_year=end_year or scenario.end_year, draws=draws, seed=seed)
    ds.attrs.update(scenario.provenance(region))
    return ds


def _migration(region, years) -> xr.DataArray:
    mig = region.migration
    ends = [None if e < 0 else int(e) for e in mig["age_end"].values]
    single = graduate_counts(mig.transpose("period", "sex", "age_group").values, mig["age_start"].values, ends, open_age=OPEN_AGE)
    surface = xr.DataArray(single, dims=("period", "sex", "age"), coords={"period": mig["period"].values, "sex": SEXES, "age": np.arange(OPEN_AGE + 1),
                                                                          "year_start": ("period", mig["year_start"].values), "year_end": ("period", mig["year_end"].values)})
    return annual_rates(surface, years, log=False)


def indicators(ds: xr.Dataset) -> xr.Dataset:
    """Old-age dependency ratio, median age and total population of a projection."""
    pop = ds["population"].sum("sex", skipna=False)
    age = pop["age"]
    old = pop.where(age >= 65, 0).sum("age", skipna=False)
    working = pop.where((age >= 15) & (age < 65), 0).sum("age", skipna=False)
    out = xr.Dataset(
        {
            "old_age_dependency_ratio": old / working,
            "median_age": _median_age(pop),
            "population_total": pop.sum("age", skipna=False),
        }
    )
    out["old_age_dependency_ratio"].attrs.update(units="ratio", description="persons 65+ per person aged 15-64")
    out["median_age"].attrs["units"] = "year"
    out["population_total"].attrs["units"] = "persons"
    return out


def _median_age(pop: xr.DataArray) -> xr.DataArray:
    """Age below which half the population lies (linear within the single year of age)."""
    counts = pop.transpose(..., "age").values
    cum = np.cumsum(counts, axis=-1)
    half = cum[..., -1:] / 2.0
    i = np.argmax(cum >= half, axis=-1)[..., None]
    before = np.where(i > 0, np.take_along_axis(cum, np.maximum(i - 1, 0), axis=-1), 0.0)
    median = i + (half - before) / np.take_along_axis(counts, i, axis=-1)
    dims = [d for d in pop.transpose(..., "age").dims if d != "age"]
    return xr.DataArray(median[..., 0], dims=dims, coords={d: pop[d] for d in dims})
