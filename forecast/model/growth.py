"""Growth rates learned from the fund history, with their uncertainty (statsmodels).

:class:`GrowthModel` fits one annual series (e.g. employee income per in-service member) in one
of three forms, chosen by out-of-sample error (:func:`select_form`) and all runnable:

- ``loglinear`` — log y_t = a + b·t + Σ c_k·D_k(t) + u_t by OLS (GLSAR with AR(1) errors once
  there are at least 8 points); growth = e^b − 1;
- ``drift`` — Δlog y_t = g + Σ c_k·ΔD_k(t) + e_t (a random walk with drift, WLS over gaps);
- ``ets`` — Holt's additive-trend exponential smoothing of log y (statsmodels ETSModel; the
  pandemic years enter as they were, ETS takes no regressors).

Pandemic years (2020, 2022 by default) are real data: ``loglinear`` and ``drift`` give each an
intervention dummy D_k (a one-year level shift), so they neither bias the trend nor vanish. A
dummy is only estimated when the sample has at least two more points than parameters; in a
sample too short for that, the pandemic year is left out of the fit and the fit says so
(``excluded_``, and ``pandemic_excluded`` in its summary).

Estimators follow the house style: nothing in ``__init__`` but settings, ``fit`` returns
``self``, fitted attributes end in ``_``, ``predict`` returns labelled arrays with units.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

__all__ = ["GrowthModel", "FORMS", "PANDEMIC_YEARS", "select_form"]

FORMS = ("loglinear", "drift", "ets")
PANDEMIC_YEARS = (2020, 2022)


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

    def __init__(self, form: str = "loglinear", pandemic_years: tuple[int, ...] = PANDEMIC_YEARS):
        self.form = form
        self.pandemic_years = pandemic_years

    def fit(self, series: pd.Series) -> GrowthModel:
        if self.form not in FORMS:
            raise ValueError(f"form must be one of {FORMS}")
        y = series.dropna()
        y = y[y > 0].sort_index()
        # a pandemic year too early in a short sample to get its own dummy is left out, and recorded
        n_params = 2 if self.form == "loglinear" else 1
        self.excluded_ = [d for d in self.pandemic_years if d in y.index and len(y) < n_params + 3 + (self.form == "drift")]
        y = y.drop(self.excluded_)
        if len(y) < 2:
            raise ValueError(f"at least two positive values are needed to fit a growth rate (found {len(y)}{' after leaving out the pandemic year(s) ' + str(self.excluded_) if self.excluded_ else ''})")
        self.units_ = series.attrs.get("units", "")
        self.years_ = np.asarray(y.index, dtype=int)
        self.last_year_ = int(self.years_[-1])
        self.last_level_ = float(y.iloc[-1])
        log_y = np.log(y.to_numpy(dtype=float))
        form = self.form if not (self.form == "ets" and len(y) < 4) else "drift"
        self.form_ = form
        getattr(self, f"_fit_{form}")(self.years_, log_y)
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

    def _fit_ets(self, years, log_y):
        from statsmodels.tsa.exponential_smoothing.ets import ETSModel

        full = np.arange(years[0], years[-1] + 1)
        series = np.interp(full, years, log_y)
        import warnings

        from statsmodels.tools.sm_exceptions import ConvergenceWarning

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # short samples; the likelihood surface is flat
            result = ETSModel(series, error="add", trend="add").fit(disp=False)
        slope = float(np.asarray(result.slope)[-1])
        self.params_ = {k: float(v) for k, v in zip(result.param_names, result.params)}
        self.log_growth_ = slope
        self.sigma_ = float(np.sqrt(result.mse)) if np.isfinite(result.mse) else 0.0
        self.log_growth_se_ = self.sigma_ / np.sqrt(len(full))
        self.dummies_ = []

    def _check(self):
        if not hasattr(self, "growth_"):
            raise ValueError("fit the model first")

    def predict(self, years) -> xr.DataArray:
        """Central projection from the last observed value (jump-off), labelled by year."""
        self._check()
        years = np.asarray(years, dtype=int)
        values = self.last_level_ * np.exp(self.log_growth_ * (years - self.last_year_))
        return xr.DataArray(values, dims="year", coords={"year": years}, attrs={"units": self.units_})

    def predict_interval(self, years, level: float = 0.8) -> xr.Dataset:
        """Central value and a prediction interval: on the log scale, h-step s.d.
        sqrt(h·σ² + h²·se²) (random walk with drift, drift uncertainty included)."""
        from scipy.stats import norm

        central = self.predict(years)
        h = np.clip(central["year"].values - self.last_year_, 0, None)
        sd = np.sqrt(h * self.sigma_**2 + (h * self.log_growth_se_) ** 2)
        z = norm.ppf(0.5 + level / 2)
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
            "years": [int(self.years_[0]), self.last_year_],
            "points": int(len(self.years_)),
            "pandemic_dummies": list(self.dummies_),
            "pandemic_excluded": list(self.excluded_),
        }


def select_form(series: pd.Series, forms=FORMS, horizon: int = 3, min_train: int = 3) -> tuple[str, pd.DataFrame]:
    """The form with the lowest mean absolute percentage error in rolling-origin forecasts.

    For every origin with at least ``min_train`` points, each form is fitted on the points up to
    the origin and predicts the next ``horizon`` published years. Returns the best form and the
    table of errors (form, origin, year, error). Ties and too-short histories give ``drift``.
    """
    y = series.dropna().sort_index()
    rows = []
    for k in range(min_train, len(y)):
        train, test = y.iloc[:k], y.iloc[k : k + horizon]
        train.attrs = series.attrs
        for form in forms:
            try:
                model = GrowthModel(form).fit(train)
            except (ValueError, np.linalg.LinAlgError):
                continue
            predicted = model.predict(test.index).values
            for year, actual, guess in zip(test.index, test.to_numpy(), predicted):
                rows.append({"form": form, "origin": int(train.index[-1]), "year": int(year), "error": guess / actual - 1})
    table = pd.DataFrame(rows, columns=["form", "origin", "year", "error"])
    if table.empty:
        return "drift", table
    mape = table.assign(abs_error=table["error"].abs()).groupby("form")["abs_error"].mean()
    return str(mape.idxmin()), table


#: The history series the calibration fits: name -> (numerator, denominator, units)
