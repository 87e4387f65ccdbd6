"""A level that moves slowly: the local-level model (simple exponential smoothing), for ratios
that have no trend of their own, such as the resident fund's realisation of its financing
standard (income ÷ standard × enrollees: local top-ups above the national minimum, arrears).

    y_t = ℓ_{t−1} + e_t,   ℓ_t = ℓ_{t−1} + α·e_t,   e_t ~ N(0, σ²)

ETS(A,N,N) in Hyndman et al., *Forecasting with Exponential Smoothing* (2008), ch. 2: α near 1
follows the latest value, near 0 the long mean. α minimises the one-step squared errors (the
likelihood's concentrated form) jointly with ℓ_0 (in closed form for each α); with fewer than
three values there is nothing to choose them from and α = 1 (the latest value). The h-step
forecast is ℓ_T, with variance σ²·(1 + (h − 1)·α²).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import xarray as xr

from .growth import points

__all__ = ["LocalLevel"]


def _errors(y: np.ndarray, alpha: float) -> tuple[np.ndarray, float, float]:
    """One-step errors, final level and initial level ℓ_0 for ``alpha``, with ℓ_0 chosen by least
    squares (the errors are linear in ℓ_0: e_t = a_t − (1 − α)^(t−1)·ℓ_0)."""
    level, a = 0.0, []
    for value in y:
        a.append(value - level)
        level += alpha * a[-1]
    a = np.asarray(a)
    b = (1 - alpha) ** np.arange(len(y))
    start = float(a @ b / (b @ b)) if b @ b > 0 else float(y[0])
    errors = a - b * start
    return errors, float(level + (1 - alpha) ** len(y) * start), start


def _sign(x: float) -> float:
    return int(x > 0) - int(x < 0) + int(x == 0)  # numpy's sign, with 0 counted as +1 (as scipy's step does)


def bounded_minimum(func, low: float, high: float, xatol: float, maxfun: int = 500) -> float:
    """The minimiser of ``func`` on [low, high] by Brent's bounded method: golden-section steps and
    parabolic ones, step for step the search of ``scipy.optimize.minimize_scalar(method="bounded")``
    (the same points, the same answer), without importing scipy.optimize (0.3 s of a run's start)."""
    sqrt_eps, golden_mean = math.sqrt(2.2e-16), 0.5 * (3.0 - math.sqrt(5.0))
    a, b = low, high
    fulc = nfc = xf = a + golden_mean * (b - a)
    rat = e = 0.0
    fx = ffulc = fnfc = float(func(xf))
    num, xm = 1, 0.5 * (a + b)
    tol1 = sqrt_eps * abs(xf) + xatol / 3.0
    while abs(xf - xm) > 2.0 * tol1 - 0.5 * (b - a):
        golden = True
        if abs(e) > tol1:  # try a parabola through the three best points
            r, q = (xf - nfc) * (fx - ffulc), (xf - fulc) * (fx - fnfc)
            p, q = (xf - fulc) * q - (xf - nfc) * r, 2.0 * (q - r)
            p, q, r, e = (-p if q > 0.0 else p), abs(q), e, rat
            if abs(p) < abs(0.5 * q * r) and q * (a - xf) < p < q * (b - xf):
                golden, rat = False, (p + 0.0) / q
                if (xf + rat - a) < 2.0 * tol1 or (b - xf - rat) < 2.0 * tol1:
                    rat = tol1 * _sign(xm - xf)
        if golden:
            e = (a - xf) if xf >= xm else (b - xf)
            rat = golden_mean * e
        x = xf + _sign(rat) * max(abs(rat), tol1)
        fu, num = float(func(x)), num + 1
        if fu <= fx:
            a, b = (xf, b) if x >= xf else (a, xf)
            fulc, ffulc, nfc, fnfc, xf, fx = nfc, fnfc, xf, fx, x, fu
        else:
            a, b = (x, b) if x < xf else (a, x)
            if fu <= fnfc or nfc == xf:
                fulc, ffulc, nfc, fnfc = nfc, fnfc, x, fu
            elif fu <= ffulc or fulc == xf or fulc == nfc:
                fulc, ffulc = x, fu
        xm, tol1 = 0.5 * (a + b), sqrt_eps * abs(xf) + xatol / 3.0
        if num >= maxfun:
            break
    return float(xf)


def _lookup(years: np.ndarray, values: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """The values of ``wanted`` years (``years`` sorted and unique; NaN for a year not among them)."""
    if not len(years):
        return np.full(len(wanted), np.nan)
    at = np.clip(np.searchsorted(years, wanted), 0, len(years) - 1)
    return np.where(years[at] == wanted, values[at], np.nan)


class LocalLevel:
    """The local-level model of one series (see the module).

    >>> s = pd.Series([1.07, 1.09, 1.08, 1.07, 1.07, 1.08, 1.10], index=range(2018, 2025))
    >>> m = LocalLevel().fit(s)
    >>> 1.07 <= m.level_ <= 1.10, 0 <= m.alpha_ <= 1
    (True, True)
    """

    def fit(self, series: pd.Series) -> LocalLevel:
        years, values = points(series)
        if len(years) < 1:
            raise ValueError("at least one value is needed to fit a level")
        self.units_ = series.attrs.get("units", "")
        self.last_year_ = int(years[-1])
        self.points_ = len(values)
        if len(values) < 3:
            self.alpha_ = 1.0
        else:
            self.alpha_ = bounded_minimum(lambda a: float(np.sum(_errors(values, a)[0] ** 2)), 0.0, 1.0, 1e-6)
        errors, self.level_, self.initial_level_ = _errors(values, self.alpha_)
        if len(values) < 3:
            errors, self.level_, self.initial_level_ = np.diff(values), float(values[-1]), float(values[0])
        dof = len(errors) - (2 if len(values) >= 3 else 0)
        self.sigma_ = float(np.sqrt(np.sum(errors**2) / dof)) if dof > 0 else 0.0
        return self

    def predict(self, years) -> xr.DataArray:
        """The level for ``years`` after the last observed one, labelled by year."""
        years = np.asarray(years, dtype=int)
        return xr.DataArray(
            np.full(len(years), self.level_), dims="year", coords={"year": years}, attrs={"units": self.units_}
        )

    def sd(self, horizons) -> np.ndarray:
        """Forecast s.d. h years ahead: σ·sqrt(1 + (h − 1)·α²)."""
        h = np.clip(np.asarray(horizons, dtype=float), 1, None)
        return self.sigma_ * np.sqrt(1 + (h - 1) * self.alpha_**2)

    def summary(self) -> dict:
        return {
            "form": "local_level",
            "level": self.level_,
            "alpha": self.alpha_,
            "sigma": self.sigma_,
            "points": self.points_,
            "last_year": self.last_year_,
        }


class FinancedModel:
    """Spending per insured person as a share of the financing standard: y_t = r_t·s_t, the share
    r a :class:`LocalLevel` (the pandemic years left out: one-year shocks), the standard s as
    announced up to the last year of the series and after it by its mean yearly increment over
    the last ``intervals`` announcements — how a resident pool sets its benefits (以收定支: the
    annual notices spend each year's financing increase on benefits).

    ``standard`` (year -> yuan/person/year) may run past the series; only the years up to the
    series' last are used, so a forecast from a past year sees only what was announced by then.
    """

    def __init__(self, standard: pd.Series, intervals: int = 3, pandemic_years: tuple[int, ...] = (2020, 2022)):
        self.standard = standard
        self.intervals = intervals
        self.pandemic_years = pandemic_years

    def fit(self, series: pd.Series) -> FinancedModel:
        years, values = points(series)
        self.last_year_ = int(years[-1])
        known_years, known = points(self.standard)
        known_years, known = known_years[known_years <= self.last_year_], known[known_years <= self.last_year_]
        ratio = values / _lookup(known_years, known, years)
        calm = ~np.isnan(ratio) & ~np.isin(years, self.pandemic_years)
        if calm.sum() < 1 or len(known) < 2:
            raise ValueError(
                "the financing-linked form needs the standard of at least two years "
                "and one year of spending outside the pandemic"
            )
        self.units_ = series.attrs.get("units", "")
        self.share_ = LocalLevel().fit(pd.Series(ratio[calm], index=years[calm]))
        steps = np.diff(known[-(self.intervals + 1) :]) / np.diff(known_years[-(self.intervals + 1) :])
        self.increment_ = float(np.mean(steps))
        self.known_years_, self.known_ = known_years, known
        self.last_level_ = float(values[-1])
        self.form_, self.points_, self.years_ = "financed", int(calm.sum()), years
        self.growth_ = float(self.growth_path([self.last_year_ + 1]).item())
        return self

    def _standard(self, years) -> np.ndarray:
        years = np.asarray(years, dtype=int)
        last_year, last = int(self.known_years_[-1]), float(self.known_[-1])
        known = _lookup(self.known_years_, self.known_, years)
        return np.where(years > last_year, last + self.increment_ * (years - last_year), known)

    def predict(self, years) -> xr.DataArray:
        years = np.asarray(years, dtype=int)
        return xr.DataArray(
            self.predict_values(years), dims="year", coords={"year": years}, attrs={"units": self.units_}
        )

    def predict_values(self, years) -> np.ndarray:
        """:meth:`predict` as a bare array (the rolling-origin evaluation makes hundreds of forecasts)."""
        years = np.asarray(years, dtype=int)
        return np.where(years > self.last_year_, self.share_.level_ * self._standard(years), np.nan)

    def growth_path(self, years) -> xr.DataArray:
        """Growth of each of ``years`` over the year before (the first from the last observed value), ratio."""
        years = np.asarray(years, dtype=int)
        now = self.predict_values(years)
        before = np.where(years - 1 > self.last_year_, self.share_.level_ * self._standard(years - 1), self.last_level_)
        return xr.DataArray(now / before - 1, dims="year", coords={"year": years}, attrs={"units": "ratio"})

    def log_sd(self, horizons) -> np.ndarray:
        return self.share_.sd(horizons) / self.share_.level_

    def param_sd(self, horizons) -> np.ndarray:
        """The share's standard error (σ / sqrt(n), relative to the share), the same at every horizon."""
        return np.full(
            len(np.atleast_1d(horizons)), self.share_.sigma_ / np.sqrt(max(self.points_, 1)) / self.share_.level_
        )

    def summary(self) -> dict:
        return {
            "form": "financed",
            "growth": self.growth_,
            "growth_se": 0.0,
            "sigma": self.share_.sigma_ / self.share_.level_,
            "share": self.share_.level_,
            "alpha": self.share_.alpha_,
            "increment": self.increment_,
            "points": self.points_,
            "years": [int(self.known_years_[0]), self.last_year_],
            "pandemic_dummies": [],
            "pandemic_excluded": [d for d in self.pandemic_years if d <= self.last_year_],
        }
