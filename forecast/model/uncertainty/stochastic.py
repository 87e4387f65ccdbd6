"""The fund stages' stochastic drivers: deviations from a scenario's central path, drawn for every
draw at once (arrays over year and draw), each from its own random stream (:mod:`.streams`).

Growth drivers — real cost growth per pool, the contribution base's growth, coverage of
in-service members and of residents — are deviations of the yearly log growth from the central
path, an AR(1) around it with parameter uncertainty:

    g_t − ḡ_t = w_t·u + d_t,   d_t = φ·d_{t−1} + ε_t,   ε_t ~ N(0, σ²),   u ~ N(0, se²) per draw,

its parameters learned from the bulletin history (:mod:`.shocks`): σ the series' one-year
out-of-sample error calibrated on the back-test, φ the persistence of its growth, se the standard
error of its fitted mean growth, w_t the weight of the fitted value in the scenario's path (the
parameter uncertainty fades where the scenario states its long-run values), and the wage and cost
shocks correlated as their history's one-year errors are (or the pools' cost shocks at
``cost_correlation`` where a scenario states it).
They act as indices on the central path, exp(Σ deviations), 1 in the base year. The interest rate
deviates by an AR(1) of stated s.d. (φ = 0.8; floored at a zero rate); the resident financing
standards after their last announcement by yearly increments drawn around the mean increment
with the s.d. of the announced ones. ``assumptions.uncertainty`` scales each driver (0: off, so
that with every scale 0 a stochastic run is the deterministic run).

:func:`fixed_drivers` gives instead one path per driver at a chosen quantile of its distribution
(the low/high-cost sets and the one-at-a-time sensitivity), from 4,000 simulated paths of a fixed
stream.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from .shocks import error_correlation, fitted_weights, nearest_correlation, shock_params
from .streams import stream

__all__ = ["DRIVERS", "driver_models", "draw_drivers", "fixed_drivers", "fund_drivers", "uncertainty_settings",
           "SET_DIRECTIONS", "DriverPaths", "set_quantiles", "quantile_drivers", "POPULATION_KEYS", "fixed_quantiles"]

#: growth drivers: name -> (history series, the labels of its components)
GROWTH = {
    "cost_trend": (("employee_expenditure_per_insured", "resident_expenditure_per_insured"), ("employee", "resident")),
    "wage_growth": (("employee_income_per_in_service",), ("all",)),
    "coverage": (("in_service_members", "residents"), ("in_service", "resident")),
}
DRIVERS = ("population", "cost_trend", "wage_growth", "coverage", "interest_rate", "financing_increment")
INTEREST_PERSISTENCE = 0.8
FINANCING = ("individual_contribution", "fiscal_subsidy")
#: the direction (+1: the driver's high quantile) of each driver in the high-cost set (low-cost:
#: opposite): fewer births and longer lives, faster cost growth, slower wages, lower coverage,
#: lower interest, smaller financing increments
SET_DIRECTIONS = {
    "fertility": -1, "mortality": -1, "cost_trend": +1, "wage_growth": -1, "coverage": -1, "interest_rate": -1,
    "financing_increment": -1,
}
#: the population's quantile keys (the rest are the fund drivers', ``driver`` or ``driver.component``)
POPULATION_KEYS = ("fertility", "mortality")
#: the driver behind each variable of :func:`draw_drivers`
DRIVER_OF = {
    "cost_trend_index": "cost_trend", "wage_growth_index": "wage_growth", "coverage_index": "coverage",
    "interest_deviation": "interest_rate", "financing_deviation": "financing_increment",
}
#: paths simulated to read a driver's quantile path from
FIXED_PATHS = 4000

def _increment_sd(dated) -> float:
    """s.d. of the yearly increments of a dated value's given points (0 with fewer than three)."""
    points = getattr(dated, "points", ())
    if len(points) < 3:
        return 0.0
    steps = [(v1 - v0) / (y1 - y0) for (y0, v0), (y1, v1) in zip(points, points[1:])]
    return float(np.std(steps, ddof=1))


#: the drivers whose shocks are drawn together, correlated as their history's one-year errors, and
#: the scenario value each one's fitted path comes from
CORRELATED = (("wage_growth", "all"), ("cost_trend", "employee"), ("cost_trend", "resident"))
FITTED_FROM = {
    ("wage_growth", "all"): "assumptions.economy.wage_growth",
    ("cost_trend", "employee"): "assumptions.medical_costs.cost_trend.employee",
    ("cost_trend", "resident"): "assumptions.medical_costs.cost_trend.resident",
    ("coverage", "in_service"): "assumptions.enrollment.in_service_coverage",
    ("coverage", "resident"): "assumptions.enrollment.resident_coverage",
}


def _correlation(shocks: dict, settings: dict) -> np.ndarray:
    """The wage and the two pools' cost shocks' correlation: estimated (:func:`.shocks.error_correlation`),
    the cost pair stated where the scenario gives ``cost_correlation``."""
    corr = error_correlation(shocks, [GROWTH[d][0][GROWTH[d][1].index(c)] for d, c in CORRELATED])
    stated = settings["cost_correlation"]
    if np.isfinite(stated):
        corr[1, 2] = corr[2, 1] = stated
        corr = nearest_correlation(corr)
    return corr


def driver_models(region, base: int, params: dict, settings: dict) -> dict:
    """Each driver's model, parameters (scaled) and source, as recorded in a run's attrs."""
    shocks = shock_params(region, base)
    out = {}
    for name, (series, labels) in GROWTH.items():
        out[name] = {
            "model": "AR(1) deviation of the yearly log growth, "
            "with the fit's parameter uncertainty fading where the scenario states its values",
            "scale": settings[name],
            "components": {
                label: {k: v for k, v in shocks[s].items() if k != "errors"} | {"series": s}
                for s, label in zip(series, labels)
            },
            "source": "NHSA statistical bulletins up to the base year (the bundle's fund_history and insured tables); "
            "σ calibrated on the back-test",
        }
    corr = _correlation(shocks, settings)
    out["correlation"] = {"drivers": [f"{d}.{c}" for d, c in CORRELATED], "matrix": corr.round(4).tolist(),
                          "source": "one-year errors of the series in common years, shrunk toward 0"
                          + ("" if not np.isfinite(settings["cost_correlation"])
                             else "; the cost pair stated (cost_correlation)")}
    out["interest_rate"] = {"model": f"AR(1) deviation of the rate, persistence {INTEREST_PERSISTENCE}, floored at 0",
                            "scale": settings["interest_rate"], "sd": settings["interest_rate_sd"],
                            "source": "stated (assumptions.uncertainty.interest_rate_sd)"}
    out["financing_increment"] = {
        "model": "yearly increments after the last announcement drawn around their mean "
        "with the s.d. of the announced ones",
        "scale": settings["financing_increment"],
        "sd": {part: _increment_sd(params.get(f"policy.resident.{part}")) for part in FINANCING},
        "source": "the scenario's announced standards (policy.resident.*)",
    }
    return out


def _ar1(
    z: np.ndarray, level: np.ndarray, sigma: np.ndarray, phi: np.ndarray, se: np.ndarray, weights: np.ndarray
) -> np.ndarray:
    """(draws, n, k) deviations w_t·u + d_t for the years after the base year, from standard normal
    shocks ``z`` (draws, n, k; correlated already) and ``level`` (draws, 1, k); ``weights`` (n, k)."""
    eps = z * sigma
    d = np.empty_like(eps)
    previous = np.zeros(eps.shape[::2])
    for t in range(eps.shape[1]):
        previous = phi * previous + eps[:, t]
        d[:, t] = previous
    return level * se * weights[None] + d


def draw_drivers(region, base: int, params: dict, settings: dict, years, draws: int, entropy: int) -> xr.Dataset:
    """The fund drivers of ``draws`` draws over ``years`` (the base year first): indices on the
    central path (cost per pool, wages, coverage by status; 1 in the base year), the interest
    rate's deviation and the financing standards' deviation in yuan (0 in the base year)."""
    models = driver_models(region, base, params, settings)
    n = len(years) - 1
    z = {
        name: np.random.default_rng(stream(entropy, name)).standard_normal((draws, n + 1, len(labels)))
        for name, (_s, labels) in GROWTH.items()
    }
    joint = np.concatenate(
        [z[d][:, 1:, GROWTH[d][1].index(c)][..., None] for d, c in CORRELATED], axis=-1
    ) @ np.linalg.cholesky(np.array(models["correlation"]["matrix"])).T
    for i, (d, c) in enumerate(CORRELATED):  # the correlated shocks replace each driver's own
        z[d][:, 1:, GROWTH[d][1].index(c)] = joint[..., i]
    damping = float(params.get("assumptions.enrollment.trend_damping", 0.0))
    out = {}
    for name, (_series, labels) in GROWTH.items():
        comps = models[name]["components"]
        sigma, phi, se = (
            np.array([comps[label][p] for label in labels]) * (settings[name] if p != "phi" else 1.0)
            for p in ("sigma", "phi", "se")
        )
        weights = np.stack(
            [fitted_weights(params.get(FITTED_FROM.get((name, label), "")), years[1:], damping) for label in labels],
            axis=-1,
        )
        dev = _ar1(z[name][:, 1:], z[name][:, :1], sigma, phi, se, weights)
        index = np.exp(np.concatenate([np.zeros((draws, 1, len(labels))), np.cumsum(dev, axis=1)], axis=1))
        out[f"{name}_index"] = xr.DataArray(
            index, dims=("draw", "year", name), coords={"year": years, name: list(labels)}
        )
    rng = np.random.default_rng(stream(entropy, "interest_rate"))
    dev = _ar1(rng.standard_normal((draws, n, 1)), np.zeros((draws, 1, 1)),
               np.array([settings["interest_rate_sd"] * settings["interest_rate"]]), np.array([INTEREST_PERSISTENCE]),
               np.zeros(1), np.zeros((n, 1)))[..., 0]
    out["interest_deviation"] = xr.DataArray(
        np.concatenate([np.zeros((draws, 1)), dev], axis=1), dims=("draw", "year"), coords={"year": years}
    )
    rng = np.random.default_rng(stream(entropy, "financing_increment"))
    parts = []
    for part in FINANCING:
        dated = params.get(f"policy.resident.{part}")
        sd = models["financing_increment"]["sd"][part] * settings["financing_increment"]
        free = (np.asarray(years) > getattr(dated, "last_year", years[-1])
                if getattr(dated, "after", "") == "mean_increment" else np.zeros(len(years), bool))
        steps = rng.standard_normal((draws, len(years))) * sd * free
        parts.append(np.cumsum(steps, axis=1))
    out["financing_deviation"] = xr.DataArray(
        np.stack(parts, axis=-1), dims=("draw", "year", "part"), coords={"year": years, "part": list(FINANCING)}
    )
    ds = xr.Dataset(out).assign_coords(draw=np.arange(draws))
    ds.attrs["drivers"] = models
    return ds


def fixed_paths(region, base: int, params: dict, settings: dict, years) -> xr.Dataset:
    """The simulated paths the fixed quantiles are read from (the same for every quantile set)."""
    return draw_drivers(region, base, params, settings, years, FIXED_PATHS, entropy=0)


def fixed_drivers(
    region, base: int, params: dict, settings: dict, years, quantiles: dict, simulated: xr.Dataset | None = None
) -> xr.Dataset:
    """One path (draw 0) with each driver in ``quantiles`` (``driver`` or ``driver.component`` ->
    q, e.g. ``cost_trend.resident``) at the q-quantile of its simulated paths, year by year, and
    the others central; ``simulated``: :func:`fixed_paths` of these arguments, if already made."""
    simulated = fixed_paths(region, base, params, settings, years) if simulated is None else simulated
    out = {}
    for var, da in simulated.data_vars.items():
        driver = DRIVER_OF[var]
        neutral = 1.0 if var.endswith("index") else 0.0
        component = next((d for d in da.dims if d not in ("draw", "year")), None)
        labels = da[component].values if component else [None]
        parts = []
        for label in labels:
            part = da.sel({component: label}) if component else da
            q = quantiles.get(f"{driver}.{label}", quantiles.get(driver))
            parts.append(
                part.quantile(q, dim="draw").drop_vars("quantile") if q is not None else part.isel(draw=0) * 0 + neutral
            )
        value = (xr.concat([p.drop_vars(component, errors="ignore") for p in parts], dim=component)
                 .assign_coords({component: labels}) if component else parts[0])
        out[var] = value.expand_dims(draw=[0]).transpose(*da.dims)
    ds = xr.Dataset(out)
    ds.attrs["drivers"] = simulated.attrs["drivers"]
    ds.attrs["quantiles"] = dict(quantiles)
    return ds


def quantile_drivers(region, base: int, params: dict, settings: dict, years, draw_quantiles: dict) -> xr.Dataset:
    """One path per draw, each driver in ``draw_quantiles`` (key -> an array of one quantile per
    draw; keys as in :func:`fixed_drivers`) at its draw's quantile year by year (the nearest of the
    simulated paths), the others central: the Sobol samples of the sensitivity."""
    simulated = draw_drivers(region, base, params, settings, years, FIXED_PATHS, entropy=0)
    n = len(next(iter(draw_quantiles.values())))
    out = {}
    for var, da in simulated.data_vars.items():
        driver = DRIVER_OF[var]
        component = next((d for d in da.dims if d not in ("draw", "year")), None)
        labels = list(da[component].values) if component else [None]
        parts = []
        for label in labels:
            values = (da.sel({component: label}) if component else da).transpose("draw", "year").values
            q = draw_quantiles.get(f"{driver}.{label}", draw_quantiles.get(driver))
            if q is None:
                parts.append(np.full((n, len(years)), 1.0 if var.endswith("index") else 0.0))
            else:
                index = np.clip(np.rint(np.asarray(q) * (FIXED_PATHS - 1)).astype(int), 0, FIXED_PATHS - 1)
                parts.append(np.sort(values, axis=0)[index])
        data = np.stack(parts, axis=-1) if component else parts[0]
        out[var] = xr.DataArray(data, dims=("draw", "year", *([component] if component else [])),
                                coords={"year": np.asarray(years), **({component: labels} if component else {})})
    ds = xr.Dataset(out).assign_coords(draw=np.arange(n))
    ds.attrs["drivers"] = simulated.attrs["drivers"]
    return ds


def set_quantiles(name: str, percentile: float) -> dict:
    """driver -> quantile of the low-cost or high-cost set (``percentile``: 0.9 for the 10th/90th)."""
    sign = {"high_cost": 1, "low_cost": -1}[name]
    return {
        driver: (percentile if sign * direction > 0 else 1 - percentile) for driver, direction in SET_DIRECTIONS.items()
    }


class DriverPaths:
    """The drivers of one chunk of draws as the fund stages use them: multipliers and deviations
    over (year, draw), or the neutral values when a run has no drivers."""

    def __init__(self, drivers: xr.Dataset | None, draws):
        if drivers is None:
            self.ds = None
        else:  # one path (a fixed set) applies to every draw; otherwise each draw has its own
            self.ds = (
                drivers.isel(draw=0, drop=True) if drivers.sizes["draw"] == 1 else drivers.sel(draw=np.asarray(draws))
            )

    def _index(self, var: str, label: str):
        if self.ds is None:
            return 1.0
        return self.ds[var].sel({var.rsplit("_", 1)[0]: label}, drop=True).transpose("year", ...)

    def cost(self, pool: str):
        """Real cost index of ``pool`` relative to its central path."""
        return self._index("cost_trend_index", pool)

    def coverage(self, status: str):
        """Coverage index of ``status`` (in_service, resident) relative to its central path."""
        return self._index("coverage_index", status)

    def wages(self):
        """Contribution-base index relative to its central path."""
        return self._index("wage_growth_index", "all")

    def rate(self, central: xr.DataArray):
        """The interest rate: the central path plus the deviation, at least 0."""
        if self.ds is None:
            return central
        return (central + self.ds["interest_deviation"].transpose("year", ...)).clip(min=0.0)

    def financing(self):
        """The financing standards' deviation (year, part, draw) in yuan, or None."""
        return None if self.ds is None else self.ds["financing_deviation"].transpose("year", "part", ...)


SETTINGS = (*DRIVERS, "cost_correlation", "interest_rate_sd", "deterministic_set", "set_percentile")


def uncertainty_settings(params: dict) -> dict:
    """The scenario's ``assumptions.uncertainty`` values by short name (``params`` with their
    defaults, :func:`~forecast.scenario.rules.with_defaults`)."""
    return {name: params[f"assumptions.uncertainty.{name}"] for name in SETTINGS}


def fixed_quantiles(settings: dict) -> dict | None:
    """The driver quantiles of the scenario's deterministic set, or None (intermediate)."""
    name = settings["deterministic_set"]
    return None if name == "intermediate" else set_quantiles(name, settings["set_percentile"])


def fund_drivers(
    region, base: int, params: dict, settings: dict, years, draws: int | None, entropy: int | None,
    quantiles: dict | None, draw_quantiles: dict | None = None,
) -> xr.Dataset | None:
    """The run's fund drivers: each draw's quantile paths, or ``draws`` random draws, or the fixed
    quantile paths, or none (central)."""
    if draw_quantiles:
        return quantile_drivers(region, base, params, settings, years, draw_quantiles)
    if draws:
        return draw_drivers(region, base, params, settings, years, draws, entropy)
    if quantiles:
        return fixed_drivers(region, base, params, settings, years, quantiles)
    return None
