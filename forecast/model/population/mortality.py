"""Mortality paths of a projection by the scenario's method: the bundle's schedule, Lee–Carter
(fitted once, drawn many times), improvement rates, or rates scaled to life-expectancy targets."""

from __future__ import annotations

import numpy as np
import xarray as xr

from ...scenario.population import PopulationAssumptions, improvement_by_age
from ...vocabulary import SEXES
from .leecarter import LeeCarter
from .lifetable import infant_ax, life_table
from .rates import OPEN_AGE, annual_rates, period_midpoints, single_age_mortality

__all__ = [
    "DrawnRates",
    "fit_lee_carter",
    "mortality_path",
    "mortality_draws",
    "mortality_quantile",
    "mortality_zscores",
    "interpolate_dated",
]


def _e0(mx: np.ndarray, sex: str) -> float:
    return float(life_table(mx, infant_ax(mx[0], sex))["ex"][0])


def fit_lee_carter(region, assumptions: PopulationAssumptions) -> dict[str, LeeCarter]:
    """Lee–Carter models by sex, fitted to the bundle's surface over ``assumptions.fit_years``."""
    surface = single_age_mortality(region.mortality)
    lo, hi = assumptions.fit_years
    sel = (surface["year_start"] >= lo) & (surface["year_end"] <= hi)
    fit = surface.isel(period=np.flatnonzero(sel.values))
    if fit.sizes["period"] < 3:
        raise ValueError(
            f"Lee-Carter needs at least three periods inside fit_years {lo}-{hi}; the bundle has {fit.sizes['period']}"
        )
    times = period_midpoints(fit)
    return {sex: LeeCarter().fit(fit.sel(sex=sex).transpose("period", "age"), time=times) for sex in SEXES}


def mortality_path(
    region, assumptions: PopulationAssumptions, years, draws: int | None = None, rng=None, models: dict | None = None
) -> tuple[xr.DataArray, dict]:
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
            values[:, :, i, :] = (
                np.moveaxis(np.atleast_2d(model.predict(years, k=k).values), -2, 0)
                if draws
                else model.predict(years, k=k).values[:, None]
            )
            notes[f"lee_carter_{sex}"] = _fit_notes(model)
        mx = xr.DataArray(
            values,
            dims=("year", "draw", "sex", "age"),
            coords={"year": np.asarray(years), "sex": list(SEXES), "age": ages},
        )
        mx = mx if draws else mx.isel(draw=0, drop=True)
    else:
        annual = annual_rates(single_age_mortality(region.mortality), years)
        if method == "schedule":
            mx = annual
        else:
            base = annual.isel(year=0)
            elapsed = xr.DataArray(np.asarray(years) - years[0], dims="year", coords={"year": years})
            if method == "improvement":
                rate = xr.DataArray(
                    improvement_by_age(assumptions, OPEN_AGE),
                    dims=("sex", "age"),
                    coords={"sex": list(SEXES), "age": base["age"].values},
                )
                mx = base * (1.0 - rate) ** elapsed
            else:
                mx = _scale_to_e0(base, years, assumptions.e0_targets)
    mx = mx.transpose(*(("draw",) if "draw" in mx.dims else ()), "year", "sex", "age")
    mx.attrs.update(units="per_person_year")
    return mx.rename("mx"), notes


def _fit_notes(model) -> dict:
    """A fitted Lee–Carter model's parameters, as a run's fit notes record them."""
    return {
        "drift_per_year": model.drift_,
        "drift_se": model.drift_se_,
        "sigma_per_year": model.sigma_,
        "explained_variance": model.explained_variance_,
        "periods": model.time_labels_,
    }


class DrawnRates:
    """Death rates of many draws, made a year at a time as the projection reaches the year:
    m(year, sex, age) × exp(b_x(sex, age) · k(draw, year, sex)), where ``k`` is each draw's deviation of
    the Lee–Carter index from the central path. ``rates[t]`` is year t's (draw, sex, age) array: the
    projection never holds every year's rates of a chunk at once (as large as its population), and
    the numbers are those of the whole array made in one go (the same operations in the same order)."""

    def __init__(self, central: xr.DataArray, k: np.ndarray, bx: np.ndarray):
        self.central = central.transpose("year", "sex", "age").values  # (year, sex, age)
        self.years = central["year"].values
        self.ages = central["age"].values
        self.k = np.ascontiguousarray(np.moveaxis(k, 1, 0))  # (year, draw, sex)
        self.bx = bx  # (sex, age)

    @property
    def shape(self) -> tuple[int, int, int, int]:
        """(year, draw, sex, age), as the projection's arrays of rates."""
        return (len(self.years), self.k.shape[1], *self.central.shape[1:])

    def __getitem__(self, t: int) -> np.ndarray:
        out = np.multiply(self.k[t][:, :, None], self.bx)
        np.exp(out, out=out)
        return np.multiply(self.central[t], out, out=out)

    @classmethod
    def joined(cls, parts: list[DrawnRates]) -> DrawnRates:
        """The draws of ``parts`` (the same central path) one after another."""
        out = object.__new__(cls)
        out.__dict__.update(parts[0].__dict__)
        out.k = np.concatenate([p.k for p in parts], axis=1)
        return out


def _drawn(central: xr.DataArray, models: dict, deviation) -> DrawnRates:
    """``deviation(model)`` (draw, year) for each sex's Lee–Carter model, as :class:`DrawnRates`."""
    k = np.stack([deviation(models[sex]) for sex in SEXES], axis=-1)  # (draw, year, sex)
    return DrawnRates(central, k, np.stack([models[sex].bx_ for sex in SEXES]))


def mortality_draws(
    central: xr.DataArray, models: dict, years, draws: int, rng, volatility: float = 1.0
) -> tuple[DrawnRates, dict]:
    """``draws`` paths around the deterministic mx ``central`` (year, sex, age): each sex's
    Lee–Carter k_t random walk (drift uncertainty included) as a deviation from its central path,
    m_draw = m × exp(b_x · volatility · (k_draw − k_central)), made a year at a time (:class:`DrawnRates`)."""
    times = np.asarray(years) + 0.5

    def deviation(model):
        return volatility * (model.k_path(times, draws=draws, rng=rng) - model.k_path(times))

    rates = _drawn(central, models, deviation)  # the sexes' walks in order: male, then female
    return rates, {f"lee_carter_{sex}": _fit_notes(models[sex]) for sex in SEXES}


def mortality_zscores(central: xr.DataArray, models: dict, years, z: np.ndarray) -> DrawnRates:
    """One path per draw, the draw's k_t at z-score ``z[d]`` of its distribution year by year
    (:func:`mortality_quantile` for every draw at once), made a year at a time (:class:`DrawnRates`)."""

    def deviation(model):
        h = np.maximum(np.asarray(years) + 0.5 - model.times_[-1], 0.0)
        sd = np.sqrt(model.sigma_**2 * h + (model.drift_se_ * h) ** 2)
        return np.asarray(z)[:, None] * sd[None, :]

    return _drawn(central, models, deviation)


def mortality_quantile(central: xr.DataArray, models: dict, years, z: float) -> xr.DataArray:
    """The deterministic mx ``central`` moved to the z-score ``z`` of each sex's Lee–Carter k_t
    (a random walk with drift uncertainty: s.d. sqrt(σ²·h + se²·h²) after h years):
    m × exp(b_x · z · sd_h); dims (year, sex, age)."""
    out = central.copy()
    for sex in SEXES:
        model = models[sex]
        h = np.maximum(np.asarray(years) + 0.5 - model.times_[-1], 0.0)
        sd = np.sqrt(model.sigma_**2 * h + (model.drift_se_ * h) ** 2)
        out.loc[{"sex": sex}] = central.sel(sex=sex).transpose("year", "age").values * np.exp(
            z * sd[:, None] * model.bx_[None, :]
        )
    return out


def interpolate_dated(
    dated: dict, years, start_value: float | None = None, start_year: int | None = None
) -> np.ndarray:
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
        path = interpolate_dated({y: v[sex] for y, v in targets.items()}, years, start, int(years[0]))
        rows = []
        for target in path:
            root = brentq(_e0_gap, -6.0, 6.0, args=(m0, sex, target), xtol=1e-12)
            rows.append(m0 * np.exp(root))
        out.append(np.array(rows))
    return xr.DataArray(
        np.stack(out, axis=1),
        dims=("year", "sex", "age"),
        coords={"year": years, "sex": list(SEXES), "age": base["age"].values},
    )
