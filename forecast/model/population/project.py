"""Population projection from a region bundle: inputs, the engine, and the indicators.

:func:`project` runs the cohort-component engine (:mod:`.engine`) on labelled arrays;
:func:`project_region` builds those arrays from a bundle and :class:`PopulationAssumptions`.
Both return an :class:`xarray.Dataset` whose variables carry ``attrs["units"]``.
"""

from __future__ import annotations

import datetime as dt
import functools
from statistics import NormalDist

import numpy as np
import xarray as xr

from ...scenario.population import PopulationAssumptions
from ...vocabulary import SEXES
from .engine import project_arrays
from .graduation import graduate_counts
from .groups import chunk_streams, drawn_apart, projected_group
from .indicators import indicators
from .mortality import (
    DrawnRates,
    fit_lee_carter,
    interpolate_dated,
    mortality_draws,
    mortality_path,
    mortality_quantile,
    mortality_zscores,
)
from .rates import OPEN_AGE, DrawnFertility, annual_rates, drawn_fertility, fertility_pattern, period_midpoints

__all__ = [
    "project", "project_region", "population_chunks", "project_scenario", "projection_years", "tfr_path"
]

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


def project(
    base_population: xr.DataArray, base_date: dt.date, mx: xr.DataArray, asfr: xr.DataArray, srb: xr.DataArray,
    migration: xr.DataArray | None = None, deaths: bool = True, each_year=None,
) -> xr.Dataset:
    """Project ``base_population`` (sex, age) dated ``base_date`` with annual rates.

    ``mx`` (year, sex, age [, draw]; or :class:`~.mortality.DrawnRates`), ``asfr`` (year, age [, draw];
    or :class:`~.rates.DrawnFertility`) and ``srb`` (year [, draw])
    cover the projected years (see :func:`projection_years`); ``migration`` (year, sex, age) is
    net migrants a year. Returns population, births and deaths by year (and draw) and life
    expectancy at birth and 60 (``deaths=False``: without deaths and life expectancy, which a run's
    fund stages do not read). ``each_year(year, previous, new)``: called with each year's population
    as it is made (:func:`~.engine.project_arrays`), which the result then does not hold.
    """
    drawn = isinstance(mx, DrawnRates)  # made a year at a time as the projection reaches it
    years = mx.years if drawn else mx["year"].values
    ages = base_population["age"].values
    draws = max([mx.shape[1] if drawn else mx.sizes.get("draw", 1)] + [a.sizes.get("draw", 1) for a in (asfr, srb)])
    asfr_values = asfr if isinstance(asfr, DrawnFertility) else _draw_axis(asfr, ("age",))
    base = np.broadcast_to(base_population.transpose("sex", "age").values, (draws, 2, len(ages)))
    first = years[0]
    fraction = projection_years(base_date, int(years[-1]))[1] if first == base_date.year else 1.0
    mig = None if migration is None else migration.sel(year=years).transpose("year", "sex", "age").values
    srb_values = srb.transpose("year", "draw").values if "draw" in srb.dims else srb.values[:, None]
    mx_values = mx if drawn else _draw_axis(mx, ("sex", "age"))
    expectancy: dict | None = {} if deaths else None
    yearly = None if each_year is None else (lambda t, previous, new: each_year(int(years[t]), previous, new))
    pop, births, died = project_arrays(
        base, fraction, mx_values, asfr_values, srb_values, mig, expectancy, deaths, yearly
    )
    coords = {"year": years, "sex": list(SEXES), "age": ages}
    by_age, by_sex = ("year", "draw", "sex", "age"), ("year", "draw", "sex")
    variables = {"births": (by_sex, births)}
    variables.update({"population": (by_age, pop)} if pop is not None else {})
    variables.update({"deaths": (by_age, died)} if died is not None else {})
    for age, name in ((0, "life_expectancy_birth"), (60, "life_expectancy_60")) if expectancy else ():
        values = expectancy[age]
        variables[name] = (by_sex, np.broadcast_to(values, (values.shape[0], draws) + values.shape[2:]))
    ds = xr.Dataset(variables, coords={**coords, "draw": np.arange(draws)})
    for name in ("population", "births", "deaths"):
        if name in ds:
            ds[name].attrs["units"] = "persons"
    for name in ("life_expectancy_birth", "life_expectancy_60"):
        if name in ds:
            ds[name].attrs["units"] = "year"
    if pop is not None:
        ds["population"].attrs["description"] = "population on 31 December of the year; age 100 is the open group 100+"
    ds["births"].attrs["description"] = "live births in the year (in the base year: from the base date)"
    if died is not None:
        ds["deaths"].attrs["description"] = (
            "deaths in the year by age reached at year end (age 0: deaths among the year's births)"
        )
    if draws == 1 and not drawn and "draw" not in mx.dims and "draw" not in asfr.sizes:
        ds = ds.isel(draw=0, drop=True)
    ds.attrs.update(base_date=base_date.isoformat(), open_age=int(ages[-1]), first_step_years=fraction)
    return ds


# ----------------------------------------------------------------------------- inputs


def base_single_ages(region) -> xr.DataArray:
    """The bundle's base population graduated to single ages 0..100+ (sex, age)."""
    pop = region.base_population
    ends = [None if e < 0 else int(e) for e in pop["age_end"].values]
    values = graduate_counts(pop.transpose("sex", "age_group").values, pop["age_start"].values, ends, open_age=OPEN_AGE)
    out = xr.DataArray(
        values, dims=("sex", "age"), coords={"sex": list(SEXES), "age": np.arange(OPEN_AGE + 1)}, name="population"
    )
    out.attrs.update(units="persons", graduation="monotone cubic spline on cumulative counts (Fritsch-Carlson)")
    return out


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
    values = interpolate_dated(dated, years)
    out = xr.DataArray(values, dims="year", coords={"year": years}, name="tfr")
    out.attrs["units"] = "births/woman"
    return out, held


def default_tfr_volatility(region) -> float:
    """s.d. of the annual TFR changes over the 20 years up to the bundle's base year (estimates)."""
    tfr = region.total_fertility
    if tfr is None:
        raise ValueError(
            "the bundle has no total_fertility table: give population.stochastic.tfr_volatility in the scenario"
        )
    series = tfr.sel(year=slice(region.base_year - 20, region.base_year)).values
    if len(series) < 3:
        raise ValueError(
            "the bundle's TFR path has too few years before the base year: give population.stochastic.tfr_volatility"
        )
    return float(np.std(np.diff(series), ddof=1))


#: draws projected at once in stochastic runs (bounds peak memory; results depend on it only
#: through the random streams, which are fixed by the seed for a given chunk size)
DRAW_CHUNK = 1000


def population_chunks(
    region, assumptions: PopulationAssumptions | None = None, end_year: int = 2100, draws: int | None = None,
    seed: int | None = None, with_indicators: bool = True, volatility: float = 1.0, quantiles: dict | None = None,
    zscores: dict | None = None, draw_range: tuple | None = None, group: int | None = None, deferred: bool = False,
):
    """The projection of a bundle's population in chunks: yields one Dataset per chunk of at most
    :data:`DRAW_CHUNK` draws (dims year, draw, sex, age; the draw coordinate continues from chunk
    to chunk), or a single Dataset without a draw dimension when ``draws`` is None. ``group``:
    chunks projected together up to this many draws, one Dataset for them (the chunks' random
    streams and every draw's numbers as without it; the fund engine's groups of draws). ``deferred``:
    each yields a function that projects it, its random numbers drawn (so the projections may run
    on several threads at once, in any order).

    Draws perturb the deterministic path of whatever mortality method the scenario uses with a
    Lee–Carter model fitted to the bundle (k_t a random walk with drift uncertainty):
    m_draw = m × exp(b_x · (k_draw − k_central)), so the draws centre on the scenario's own
    mortality (for ``lee_carter`` this is its own stochastic form); the TFR takes a random walk
    around its path. ``volatility`` scales both (0: every draw is the deterministic path). Each
    chunk has its own random stream, spawned from the population's stream of ``seed``
    (:mod:`forecast.model.uncertainty.streams`; the seed is recorded as ``attrs["seed"]``). The fund engine
    consumes the chunks as they come; it asks for no indicators (``with_indicators``).

    ``quantiles`` (without draws; ``mortality``, ``fertility`` -> q): one path with k_t and the
    TFR at those quantiles of their distributions, year by year (the low/high-cost sets and the
    sensitivity; a low quantile is lower mortality, fewer births). ``zscores`` (with draws;
    ``mortality``, ``fertility`` -> an array of one z-score per draw): each draw is the path at its
    z-scores instead of a random one (the Sobol samples of the sensitivity). ``draw_range`` (start,
    stop): only the chunks holding those draws (a batch task), each with the stream it has in the
    whole run."""
    from ..uncertainty.streams import entropy_of

    assumptions = assumptions or PopulationAssumptions()
    years, _ = projection_years(region.population_date, end_year)
    if len(years) == 0:
        first = projection_years(region.population_date, 9999)[0][0]
        raise ValueError(
            f"end year {end_year} is before the first projected year {first} "
            f"(the base population is dated {region.population_date})"
        )
    base = base_single_ages(region)
    pattern = fertility_pattern(region.fertility, years)
    tfr, held = tfr_path(region, assumptions, years)
    if assumptions.sex_ratio_at_birth is not None:
        srb = xr.DataArray(np.full(len(years), assumptions.sex_ratio_at_birth), dims="year", coords={"year": years})
    else:
        srb = annual_rates(region.sex_ratio_at_birth, years, log=False)
    migration = _migration(region, years) if assumptions.migration and region.migration is not None else None
    central, notes = mortality_path(region, assumptions, years)
    quantiles = {} if draws else dict(quantiles or {})
    models = fit_lee_carter(region, assumptions) if draws or "mortality" in quantiles else None
    if zscores is not None:  # a draw's path at its z-scores; a key not given stays central (z = 0)
        zscores = {
            key: np.asarray(zscores.get(key, np.zeros(draws or 0)), dtype=float) for key in ("mortality", "fertility")
        }
    if quantiles:
        norm = NormalDist()  # the standard normal (statistics: scipy.stats takes a second to import)

        if "mortality" in quantiles:
            z_mortality = norm.inv_cdf(float(quantiles["mortality"])) * volatility
            central = mortality_quantile(central, models, years, z_mortality)
        if "fertility" in quantiles:
            sigma = (assumptions.tfr_volatility if assumptions.tfr_volatility is not None
                     else default_tfr_volatility(region))
            tfr = (tfr + norm.inv_cdf(float(quantiles["fertility"])) * volatility * sigma
                   * np.sqrt(np.arange(1, len(years) + 1))).clip(min=0.1)
        notes = {**notes, "quantiles": quantiles}

    def drawn(n_draws, rng):
        """A chunk's rates, TFR path and fit notes (its random numbers, in the order they are drawn)."""
        mx, path, fit = central, tfr, dict(notes)
        if n_draws and zscores is not None:
            z = {k: np.asarray(v)[rng] * volatility for k, v in zscores.items()}  # rng: this chunk's draws
            mx = mortality_zscores(central, models, years, z["mortality"]) if "mortality" in z else central
            if "fertility" in z:
                sigma = (assumptions.tfr_volatility if assumptions.tfr_volatility is not None
                         else default_tfr_volatility(region))
                shift = z["fertility"][:, None] * sigma * np.sqrt(np.arange(1, len(years) + 1))[None, :]
                path = (tfr + xr.DataArray(shift, dims=("draw", "year"), coords={"year": years})).clip(min=0.1)
            fit.update(zscores=sorted(z))
        elif n_draws:
            mx, lc_notes = mortality_draws(central, models, years, n_draws, rng, volatility)
            fit.update(lc_notes)
            sigma = (assumptions.tfr_volatility if assumptions.tfr_volatility is not None
                     else default_tfr_volatility(region))
            shocks = volatility * np.cumsum(sigma * rng.standard_normal((n_draws, len(years))), axis=1)
            path = (tfr + xr.DataArray(shocks, dims=("draw", "year"), coords={"year": years})).clip(min=0.1)
            fit.update(tfr_volatility=sigma, volatility=volatility)
        return mx, path, fit

    def projected(mx, path, fit, n_draws, each_year=None):
        asfr = drawn_fertility(path, pattern) if n_draws else (path * pattern).transpose("year", "age")
        ds = project(base, region.population_date, mx, asfr, srb, migration, with_indicators, each_year)
        if with_indicators:  # the fund engine needs none of them
            ds = ds.merge(indicators(ds))
        ds["tfr"] = path
        ds["tfr"].attrs["units"] = "births/woman"
        ds.attrs.update(
            region=region.name, mortality_method=assumptions.mortality_method, tfr_held_after_last_date=held, fit=fit
        )
        return ds

    made = functools.partial if deferred else (lambda function, *args: function(*args))
    if not draws:
        yield made(projected, *drawn(None, None), None)
        return
    entropy = entropy_of(seed)  # without a seed: fresh entropy, recorded in attrs
    held_parts = []
    for start, size, rng in chunk_streams(entropy, draws, DRAW_CHUNK, draw_range, zscores is not None):
        held_parts.append((start, size, *drawn(size, rng)))
        if sum(part[1] for part in held_parts) >= (group or 1) or not drawn_apart(held_parts[-1]):
            yield made(projected_group, held_parts, projected, entropy, draws)
            held_parts = []
    if held_parts:
        yield made(projected_group, held_parts, projected, entropy, draws)


def project_region(
    region, assumptions: PopulationAssumptions | None = None, end_year: int = 2100, draws: int | None = None,
    seed: int | None = None, progress=None,
) -> xr.Dataset:
    """Project a bundle's population to ``end_year`` under ``assumptions``.

    Deterministic when ``draws`` is None; otherwise ``draws`` stochastic paths around it
    (Lee–Carter k_t random walks with drift uncertainty and a TFR random walk), projected in
    chunks of :data:`DRAW_CHUNK` draws with independent random streams spawned from ``seed``
    (:func:`population_chunks`); ``progress(draws done, draws)`` is called after each chunk.
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
        if progress is not None:
            progress(int(part["draw"].values[-1]) + 1, draws)
    return ds


def project_scenario(
    scenario, region, *, end_year: int | None = None, draws: int | None = None, seed: int | None = None, progress=None
) -> xr.Dataset:
    """Project the population of a :class:`~forecast.scenario.Scenario` on ``region`` (its bundle,
    :func:`forecast.load_region`), with provenance in attrs: package version, scenario files and
    content hash, region bundle and its hash (``progress``: as in :func:`project_region`)."""
    ds = project_region(
        region, scenario.population, end_year=end_year or scenario.end_year, draws=draws, seed=seed, progress=progress
    )
    ds.attrs.update(scenario.provenance(region))
    return ds


def _migration(region, years) -> xr.DataArray:
    mig = region.migration
    ends = [None if e < 0 else int(e) for e in mig["age_end"].values]
    single = graduate_counts(
        mig.transpose("period", "sex", "age_group").values, mig["age_start"].values, ends, open_age=OPEN_AGE
    )
    coords = {"period": mig["period"].values, "sex": list(SEXES), "age": np.arange(OPEN_AGE + 1),
              "year_start": ("period", mig["year_start"].values), "year_end": ("period", mig["year_end"].values)}
    surface = xr.DataArray(single, dims=("period", "sex", "age"), coords=coords)
    return annual_rates(surface, years, log=False)
