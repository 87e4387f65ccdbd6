"""Lee–Carter mortality model: log m(x, t) = a_x + b_x k_t.

Fitted by singular value decomposition (Lee & Carter 1992, JASA 87:659) and normalised so that
Σ b_x = 1 and Σ k_t = 0; k_t is forecast as a random walk with drift whose drift and
innovation variance are estimated by weighted least squares on the increments (in closed form;
so unequal time steps — e.g. WPP's 5-year periods — give annual parameters). Forecasts start
from the last observed rates (the Lee–Miller 2001 jump-off), so the first forecast year does not
jump away from the data. The second-stage re-estimation of k_t on observed deaths is not done:
bundles hold rates, not deaths.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

__all__ = ["LeeCarter"]


class LeeCarter:
    """Lee–Carter model for one sex.

    >>> import numpy as np, xarray as xr
    >>> ages, years = np.arange(3), np.arange(2000, 2005)
    >>> a, b, k = np.array([-5.0, -4.0, -2.0]), np.array([0.5, 0.3, 0.2]), np.array([2.0, 1.0, 0.0, -1.0, -2.0])
    >>> log_mx = xr.DataArray(a + np.outer(k, b), dims=("year", "age"), coords={"year": years, "age": ages})
    >>> model = LeeCarter().fit(np.exp(log_mx))
    >>> model.bx_.round(6).tolist(), round(model.drift_, 6)
    ([0.5, 0.3, 0.2], -1.0)
    """

    def fit(self, mx: xr.DataArray, time: np.ndarray | None = None) -> LeeCarter:
        """Fit to a surface ``mx`` with dims (time-like, age); ``time`` gives each row's date in
        years (default: the first dimension's coordinate). Returns self."""
        if mx.ndim != 2 or "age" not in mx.dims:
            raise ValueError("LeeCarter.fit needs a 2-d surface with dims (time, age)")
        mx = mx.transpose(..., "age")
        tdim = mx.dims[0]
        times = np.asarray(mx[tdim].values if time is None else time, dtype=float)
        if np.any(np.diff(times) <= 0):
            raise ValueError("the surface's times must increase")
        if np.any(mx.values <= 0):
            raise ValueError("death rates must be positive to take logs")
        log_m = np.log(mx.values)
        ax = log_m.mean(axis=0)
        u, s, vt = np.linalg.svd(log_m - ax, full_matrices=False)
        bx, kt = vt[0], s[0] * u[:, 0]
        scale = bx.sum()
        bx, kt = bx / scale, kt * scale
        self.ax_, self.bx_, self.kt_ = ax, bx, kt
        self.times_ = times
        self.time_labels_ = mx[tdim].values.tolist()
        self.ages_ = mx["age"].values
        self.explained_variance_ = float(s[0] ** 2 / np.sum(s**2))
        self.last_log_mx_ = log_m[-1]
        self._fit_drift(times, kt)
        return self

    def _fit_drift(self, times, kt) -> None:
        """k_{i+1} - k_i ~ N(drift·Δt_i, σ²·Δt_i): WLS of the increments on Δt, one regressor and no
        intercept, so in closed form (what statsmodels' OLS of dk/√Δt on √Δt gives, to rounding,
        without its second of imports)."""
        dk, dt = np.diff(kt), np.diff(times)
        if len(dk) < 2:
            raise ValueError("Lee–Carter needs at least three times to estimate a drift and its standard error")
        w = 1.0 / np.sqrt(dt)
        y, x = dk * w, dt * w
        xx = float(x @ x)
        self.drift_ = float(x @ y) / xx
        scale = float(np.sum((y - self.drift_ * x) ** 2)) / (len(y) - 1)  # residual variance, n - 1 degrees of freedom
        self.drift_se_ = float(np.sqrt(scale / xx))
        self.sigma_ = float(np.sqrt(scale))  # innovation s.d. per year

    def k_path(
        self, years, draws: int | None = None, rng: np.random.Generator | None = None, drift_uncertainty: bool = True
    ) -> np.ndarray:
        """k_t for ``years`` relative to the last fitted time: the central path (draws=None, shape
        (len(years),)) or ``draws`` random-walk paths (shape (draws, len(years))), each with its own
        drift drawn from N(drift, se²) when ``drift_uncertainty``."""
        years = np.asarray(years, dtype=float)
        t_last, k_last = self.times_[-1], self.kt_[-1]
        horizon = years - t_last
        if draws is None:
            return k_last + self.drift_ * horizon
        rng = rng or np.random.default_rng()
        drift = self.drift_ + (self.drift_se_ * rng.standard_normal((draws, 1)) if drift_uncertainty else 0.0)
        steps = np.diff(np.concatenate([[0.0], np.maximum(horizon, 0.0)]))
        shocks = np.cumsum(self.sigma_ * np.sqrt(steps) * rng.standard_normal((draws, len(years))), axis=1)
        return k_last + drift * horizon + shocks

    def predict(self, years, k: np.ndarray | None = None) -> xr.DataArray:
        """m(x, t) for ``years`` from the jump-off rates: log m = log m_last + b_x (k_t - k_last).

        ``k`` (from :meth:`k_path`) may carry a leading draw axis; the result then has dims
        (draw, year, age)."""
        years = np.asarray(years)
        k = self.k_path(years) if k is None else np.asarray(k)
        log_m = self.last_log_mx_ + (k - self.kt_[-1])[..., None] * self.bx_
        dims = ("year", "age") if k.ndim == 1 else ("draw", "year", "age")
        out = xr.DataArray(np.exp(log_m), dims=dims, coords={"year": years, "age": self.ages_})
        out.attrs["units"] = "per_person_year"
        return out
