"""The growth drivers' shocks, learned from the bulletin history: their size, persistence, parameter
uncertainty and correlation (what :mod:`.stochastic` draws).

For each history series (:data:`~forecast.model.fitting.fitted.HISTORY_SERIES`):

- σ, the s.d. of a year's growth shock: the series' one-year out-of-sample error on its own record
  (the rolling-origin errors of its chosen form, the record :mod:`.intervals` builds the budget
  intervals from), times the fans' calibration on the stochastic back-test (:data:`CALIBRATION`);
- φ, the persistence of a growth shock, from the ``damped`` form (ARIMA(1,1,0) on the log growth);
- se, the standard error of the fitted mean growth (parameter uncertainty). It moves the path only
  where the scenario's value is the fitted one, and fades as the scenario moves from it to its
  stated long-run values (:func:`fitted_weights`): mean-reverting, not a permanent drift;
- the correlation of the wage and cost shocks, estimated from the series' one-year errors in the
  same years, shrunk toward zero by n / (n + 3) for n common years (:func:`error_correlation`).
"""

from __future__ import annotations

import numpy as np

from ...inputs.cache import of_bundle
from ...memo import Memo
from ...scenario.dated import FITTED, DatedValue
from .intervals import record

__all__ = ["shock_params", "error_correlation", "nearest_correlation", "fitted_weights", "SHRINKAGE"]

#: the correlation of n common years' errors is shrunk by n / (n + SHRINKAGE) toward zero
SHRINKAGE = 3
#: the factor on the one-year errors that calibrates the draws' fans on the stochastic back-test:
#: the lowest interval score (:func:`forecast.apps.backtest.interval_score`) among 1.0, 1.1, 1.2, 1.3
#: whose 10th-90th percentile bands cover 70-90% of data/china's outcomes from the cut-offs
#: 2021-2023 with 300 draws (73.5% at 1.1; tests/fund/test_stochastic.py checks the coverage). Above
#: the budget intervals' factor: a draw's shocks miss the flows' own errors (the model's bias at a
#: cut-off, the base year's calibration), which the record of the flows holds
CALIBRATION = 1.1
#: the shocks' parameters by bundle content and base year (bounded: a batch reads many bundles; kept on disk
#: beside the other values a run derives from the bundle alone, forecast/inputs/cache.py)
_SHOCKS = Memo(8)


def shock_params(region, base: int) -> dict:
    """Each history series' ``phi``, ``sigma``, ``se``, its one-year errors by year, the years and
    points of the fit (see the module), remembered per bundle and base year."""
    return _SHOCKS.get(
        (region.content_hash, base), lambda: of_bundle(region, "shocks", (base,), lambda: _fit(region, base))
    )


def _fit(region, base: int) -> dict:
    from ..fitting.fitted import (  # deferred: the fits import statsmodels, which a run without draws never needs
        COUNTS,
        history_series,
    )
    from ..fitting.growth import GrowthModel

    out, summaries = {}, record(region, base)
    for name, series in history_series(region, base).items():
        summary = summaries.get(name, {})
        one_year = (summary.get("empirical_sd") or [None])[0] or summary.get("rates_sd") or 0.0
        try:
            model = GrowthModel("damped", pandemic_years=() if name in COUNTS else (2020, 2022)).fit(series)
            phi, se, years = model.phi_, model.log_growth_se_, [int(model.years_[0]), model.last_year_]
        except ValueError:
            phi, se, years = 0.0, 0.0, []
        out[name] = {
            "phi": float(phi),
            "sigma": float(CALIBRATION * one_year),
            "se": float(max(se, summary.get("growth_se", 0.0))),
            "errors": dict(summary.get("one_year_errors", {})),
            "years": years,
            "points": int(summary.get("points", 0)),
        }
    return out


def error_correlation(shocks: dict, series: list[str]) -> np.ndarray:
    """The correlation matrix of ``series``' one-year errors over the years they share, each pair
    shrunk toward 0 by n / (n + :data:`SHRINKAGE`) (n common years; 0 with fewer than three), made
    positive definite if the pairs disagree."""
    k = len(series)
    out = np.eye(k)
    for i in range(k):
        for j in range(i + 1, k):
            a, b = shocks[series[i]].get("errors", {}), shocks[series[j]].get("errors", {})
            years = sorted(set(a) & set(b))
            if len(years) < 3:
                continue
            x, y = np.array([a[t] for t in years]), np.array([b[t] for t in years])
            if x.std() == 0 or y.std() == 0:
                continue
            out[i, j] = out[j, i] = float(np.corrcoef(x, y)[0, 1]) * len(years) / (len(years) + SHRINKAGE)
    return nearest_correlation(out)


def nearest_correlation(corr: np.ndarray) -> np.ndarray:
    """``corr`` made positive definite where its pairs disagree: the eigenvalues clipped at 1e-6 and
    the diagonal rescaled to 1 (unchanged when it already is)."""
    values, vectors = np.linalg.eigh(corr)
    if values.min() >= 1e-6:
        return corr
    fixed = vectors @ np.diag(np.clip(values, 1e-6, None)) @ vectors.T
    scale = np.sqrt(np.diag(fixed))
    return fixed / np.outer(scale, scale)


def fitted_weights(value, years, damping: float = 0.0) -> np.ndarray:
    """How much of the scenario's path in each of ``years`` after the base year is the fitted value
    (1 where the path is 'fitted', 0 where the scenario states it, in between where it moves from
    one to the other), so the fit's parameter uncertainty fades where the scenario takes over. A
    value fitted as a whole path (coverage: a damped trend) fades with ``damping`` a year."""
    years = np.asarray(years, dtype=int)
    if not isinstance(value, DatedValue) or not value.needs_fit:
        return np.zeros(len(years))
    if value.is_constant:
        return damping ** np.arange(len(years))
    marks = DatedValue(tuple((y, 1.0 if v == FITTED else 0.0) for y, v in value.points), value.between, "hold")
    return marks.path(years)[0]
