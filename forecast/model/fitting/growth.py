"""Growth of one annual series (income per member, spending per insured, a coverage ratio),
learned from the fund history with its uncertainty.

:class:`GrowthModel` fits log y in one of three forms, all runnable and compared by
rolling-origin error (:func:`forecast.model.fitting.selection.select_form`):

- ``drift`` — a random walk with drift (local level with drift): Δlog y_t = g + Σ c_k·ΔD_k(t) + e_t,
  estimated by WLS over the gaps; the forecast carries the latest level forward at g a year.
- ``damped`` — the latest growth rate, damped toward the long-run mean (ARIMA(1,1,0) with drift):
  r_t − μ = φ·(r_{t−1} − μ) + e_t on the yearly growth rates r; the forecast growth h years ahead
  is μ + φ^h·(r_T − μ), so the latest years weigh most at short horizons and the mean at long ones.
  μ is the gap-weighted mean rate, φ the least-squares autocorrelation of the rates (0 to 0.95;
  0 — the drift — when fewer than three rates are known), or a stated damping (``phi``): the
  fits of :mod:`forecast.model.fitting.fitted` choose it from a few by rolling-origin error.
- ``loglinear`` — log y_t = a + b·t + Σ c_k·D_k(t) + u_t by OLS (GLSAR with AR(1) errors once there
  are at least 8 points); the forecast grows at e^b − 1 from the latest level.

Pandemic years (2020, 2022 by default) are real data, treated as one-year level shifts: ``drift``
and ``loglinear`` give each an intervention dummy D_k (estimated only when the sample has at least
two more points than parameters; otherwise the year is left out and the fit says so in
``excluded_``); ``damped`` leaves them out of its growth rates (a rate then spans two years). A
forecast never jumps off from a pandemic level: the jump-off is the latest point net of its dummy
(``jump_level_``), or the latest point outside the pandemic years.

Estimators follow the house style: nothing in ``__init__`` but settings, ``fit`` returns ``self``,
fitted attributes end in ``_``, ``predict`` returns labelled arrays with units.
"""

from __future__ import annotations

from statistics import NormalDist

import numpy as np
import pandas as pd
import xarray as xr

__all__ = ["GrowthModel", "FORMS", "PANDEMIC_YEARS", "points"]

FORMS = ("drift", "damped", "loglinear")
PANDEMIC_YEARS = (2020, 2022)
#: the damping is kept below 1 so that a growth rate always returns to the mean
MAX_DAMPING = 0.95


def points(series: pd.Series, positive: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """The years (int) and values (float) of ``series`` with a value (and a positive one), in year
    order: what the fits read of a series, taken out of pandas once."""
    years = np.asarray(series.index, dtype=int)
    values = series.to_numpy(dtype=float)
    kept = ~np.isnan(values)
    if positive:
        kept &= values > 0
    years, values = years[kept], values[kept]
    order = np.argsort(years, kind="stable")
    return years[order], values[order]


class GrowthModel:
    """Annual growth of one positive series, with its standard error and residual s.d.

    >>> s = pd.Series([100.0, 105.0, 110.25, 115.7625], index=[2018, 2019, 2020, 2021])
    >>> s.attrs["units"] = "yuan/person/year"
    >>> m = GrowthModel("drift", pandemic_years=()).fit(s)
    >>> round(m.growth_, 6), m.last_year_
    (0.05, 2021)
    >>> round(float(m.predict([2022]).item()), 4)
    121.5506
    """

    def __init__(self, form: str = "drift", pandemic_years: tuple[int, ...] = PANDEMIC_YEARS, phi: float | None = None):
        self.form = form
        self.pandemic_years = pandemic_years
        #: damped: a stated damping of the latest rate's departure from the mean (None: estimated)
        self.phi = phi

    def fit(self, series: pd.Series) -> GrowthModel:
        if self.form not in FORMS:
            raise ValueError(f"form must be one of {FORMS}")
        years, values = points(series, positive=True)
        if len(years):
            self.end_year_, self.end_level_ = int(years[-1]), float(values[-1])  # the last observed, pandemic or not
        # damped: always left out; the others: when the sample is too short for a dummy
        self.excluded_ = [d for d in self.pandemic_years if d in years and (self.form == "damped" or len(years) < 5)]
        kept = ~np.isin(years, self.excluded_)
        years, values = years[kept], values[kept]
        if len(years) < 2:
            left_out = " after leaving out the pandemic year(s) " + str(self.excluded_) if self.excluded_ else ""
            raise ValueError(
                f"at least two positive values are needed to fit a growth rate (found {len(years)}{left_out})"
            )
        self.units_ = series.attrs.get("units", "")
        self.years_ = years
        self.last_year_ = int(self.years_[-1])
        self.last_level_ = float(values[-1])
        self.form_ = self.form
        self.phi_, self.dummies_ = 0.0, []
        log_y = np.log(values)
        getattr(self, f"_fit_{self.form}")(self.years_, log_y)
        self.recent_log_growth_ = getattr(self, "recent_log_growth_", self.log_growth_)
        shift = self.params_.get(f"pandemic_{self.last_year_}", 0.0)
        self.jump_level_ = float(np.exp(log_y[-1] - shift))
        self.growth_ = float(np.expm1(self.log_growth_))
        self.growth_se_ = float(np.exp(self.log_growth_) * self.log_growth_se_)
        return self

    def _dummies(self, years: np.ndarray, n_params: int) -> list[int]:
        present = [d for d in self.pandemic_years if d in years]
        while present and len(years) < n_params + len(present) + 2:
            present.pop()
        return present

    def _fit_loglinear(self, years, log_y):
        from statsmodels.regression.linear_model import GLSAR, OLS  # not statsmodels.api: a second of imports

        dummies = self._dummies(years, 2)
        t = years - years[-1]
        X = np.column_stack([np.ones(len(t)), t] + [(years == d).astype(float) for d in dummies])
        if len(years) >= 8:
            result = GLSAR(log_y, X, rho=1).iterative_fit(maxiter=10)
        else:
            result = OLS(log_y, X).fit()
        self.params_ = dict(zip(["level", "log_growth", *[f"pandemic_{d}" for d in dummies]], result.params))
        self.log_growth_ = float(result.params[1])
        dof = max(len(years) - X.shape[1], 1)
        self.sigma_ = float(np.sqrt(np.sum(result.resid**2) / dof)) if len(years) > X.shape[1] else 0.0
        self.log_growth_se_ = float(result.bse[1]) if len(years) > X.shape[1] else 0.0
        self.dummies_ = dummies

    def _fit_drift(self, years, log_y):
        from statsmodels.regression.linear_model import WLS

        gaps = np.diff(years).astype(float)
        rate = np.diff(log_y) / gaps
        dummies = self._dummies(years[1:], 1)
        columns = [np.ones(len(rate))]
        for d in dummies:  # a one-year level shift in d: +1 into d, -1 out of it
            into = (years[1:] == d).astype(float)
            out = (years[:-1] == d).astype(float)
            columns.append((into - out) / gaps)
        X = np.column_stack(columns)
        result = WLS(rate, X, weights=gaps).fit()
        self.params_ = dict(zip(["log_growth", *[f"pandemic_{d}" for d in dummies]], result.params))
        self.log_growth_ = float(result.params[0])
        resid = (rate - X @ result.params) * np.sqrt(gaps)
        dof = len(rate) - X.shape[1]
        self.sigma_ = float(np.sqrt(np.sum(resid**2) / dof)) if dof > 0 else 0.0
        self.log_growth_se_ = self.sigma_ / np.sqrt(np.sum(gaps)) if dof > 0 else 0.0
        self.dummies_ = dummies

    def _fit_damped(self, years, log_y):
        gaps = np.diff(years).astype(float)
        rate = np.diff(log_y) / gaps
        mu = float(np.sum(rate * gaps) / np.sum(gaps))
        dev = rate - mu
        phi = 0.0
        if self.phi is not None:
            phi = float(np.clip(self.phi, 0.0, MAX_DAMPING))
        elif len(rate) >= 3 and np.sum(dev[:-1] ** 2) > 0:
            phi = float(np.clip(np.sum(dev[1:] * dev[:-1]) / np.sum(dev[:-1] ** 2), 0.0, MAX_DAMPING))
        resid = dev[1:] - phi * dev[:-1] if len(rate) >= 2 else dev
        dof = len(resid) - (1 if len(rate) >= 3 else 0)
        self.sigma_ = float(np.sqrt(np.sum(resid**2) / dof)) if dof > 0 else 0.0
        self.log_growth_ = mu
        self.log_growth_se_ = self.sigma_ / np.sqrt(np.sum(gaps)) if dof > 0 else 0.0
        self.recent_log_growth_ = float(rate[-1])
        self.phi_ = phi
        self.params_ = {"log_growth": mu, "damping": phi, "recent_log_growth": float(rate[-1])}

    def _check(self):
        if not hasattr(self, "growth_"):
            raise ValueError("fit the model first")

    def log_growth_path(self, horizons) -> np.ndarray:
        """Expected log growth in each of ``horizons`` (years after the last observed one)."""
        self._check()
        h = np.asarray(horizons, dtype=float)
        return self.log_growth_ + self.phi_ ** np.clip(h, 1, None) * (self.recent_log_growth_ - self.log_growth_)

    def growth_path(self, years) -> xr.DataArray:
        """Expected growth of each of ``years`` (after the last observed) over the year before,
        labelled by year; the first year's is from the last observed value, pandemic or not, so it
        includes the return from a pandemic level (a model calibrated to that year needs it)."""
        years = np.asarray(years, dtype=int)
        values = np.expm1(self.log_growth_path(years - self.last_year_))
        before = np.where(years - 1 > self.end_year_, np.nan, self.end_level_)
        start = years - 1 <= self.end_year_
        if start.any():
            values = np.where(start, self.predict_values(years) / before - 1, values)
        return xr.DataArray(values, dims="year", coords={"year": years}, attrs={"units": "ratio"})

    def predict(self, years) -> xr.DataArray:
        """Central projection from the jump-off (the latest level net of any pandemic shift)."""
        years = np.asarray(years, dtype=int)
        return xr.DataArray(
            self.predict_values(years), dims="year", coords={"year": years}, attrs={"units": self.units_}
        )

    def predict_values(self, years) -> np.ndarray:
        """:meth:`predict` as a bare array (the rolling-origin evaluation makes hundreds of forecasts)."""
        self._check()
        years = np.asarray(years, dtype=int)
        horizon = int(max(years.max() - self.last_year_, 0))
        steps = np.concatenate([[0.0], np.cumsum(self.log_growth_path(np.arange(1, horizon + 1)))])
        h = np.clip(years - self.last_year_, 0, None)
        base = np.where(years > self.last_year_, self.jump_level_, self.last_level_)
        return base * np.exp(steps[h])

    def log_sd(self, horizons) -> np.ndarray:
        """The model's own s.d. of the log forecast h years ahead: sqrt(h·σ² + h²·se²) (shocks
        accumulate as a random walk; the growth rate's error grows with the horizon)."""
        h = np.clip(np.asarray(horizons, dtype=float), 0, None)
        return np.sqrt(h * self.sigma_**2 + (h * self.log_growth_se_) ** 2)

    def param_sd(self, horizons) -> np.ndarray:
        """The parameter part of :meth:`log_sd`: h·se of the growth rate (the record's empirical
        errors stand for the shocks and the model's error: :mod:`forecast.model.uncertainty.intervals`)."""
        return np.clip(np.asarray(horizons, dtype=float), 0, None) * self.log_growth_se_

    def predict_interval(self, years, level: float = 0.8) -> xr.Dataset:
        """Central value and the model's prediction interval (:meth:`log_sd`, normal on the log scale)."""
        central = self.predict(years)
        sd = self.log_sd(central["year"].values - self.last_year_)
        z = NormalDist().inv_cdf(0.5 + level / 2)  # statistics: scipy.stats takes a second to import
        out = xr.Dataset({"central": central, "lower": central * np.exp(-z * sd), "upper": central * np.exp(z * sd)})
        for name in out.data_vars:
            out[name].attrs["units"] = self.units_
        out.attrs["level"] = level
        return out

    def summary(self) -> dict:
        """The fitted values as plain numbers (recorded in a run's attrs)."""
        self._check()
        return {
            "form": self.form_,
            "growth": self.growth_,
            "growth_se": self.growth_se_,
            "sigma": self.sigma_,
            "damping": self.phi_,
            "recent_growth": float(np.expm1(self.recent_log_growth_)),
            "years": [int(self.years_[0]), self.last_year_],
            "points": int(len(self.years_)),
            "pandemic_dummies": list(self.dummies_),
            "pandemic_excluded": list(self.excluded_),
        }
