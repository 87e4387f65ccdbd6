"""Choosing a growth form by its out-of-sample record, and that record's errors by horizon.

:func:`rolling_errors` re-fits each form at every origin of a series (every year with at least
``min_train`` points before and including it) and forecasts the next ``horizon`` published years:
the rolling-origin evaluation of Tashman (2000), *Int. J. Forecasting* 16:437–450. Its errors
choose the form (:func:`select_form`, scored on the years outside the pandemic: a one-year shock
says nothing about which form forecasts better; with fewer than three scored forecasts the prior
— the first candidate — stands) and, by horizon, widen the prediction intervals
(:func:`empirical_sd`, all years: a shock is part of the record).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .growth import FORMS, PANDEMIC_YEARS, GrowthModel, points

__all__ = ["candidates", "rolling_errors", "select_form", "empirical_sd", "MIN_SCORED"]

COLUMNS = ["form", "origin", "year", "horizon", "error", "log_error"]


def candidates(forms=FORMS, pandemic_years=PANDEMIC_YEARS) -> dict:
    """Factories (training series -> fitted model) of the :class:`GrowthModel` ``forms``; a dict
    of factories passes through (other models, e.g. :class:`~forecast.model.fitting.level.FinancedModel`)."""
    if isinstance(forms, dict):
        return forms
    return {form: (lambda train, form=form: GrowthModel(form, pandemic_years).fit(train)) for form in forms}


def rolling_errors(
    series: pd.Series, forms=FORMS, horizon: int = 3, min_train: int = 3, pandemic_years=PANDEMIC_YEARS
) -> pd.DataFrame:
    """Forecast errors of each candidate from every origin: (form, origin, year, horizon, error =
    forecast / actual − 1, log_error = log(forecast / actual))."""
    years, values = points(series, positive=True)
    makers = candidates(forms, pandemic_years)
    rows = []
    for k in range(min_train, len(years)):
        origin = int(years[k - 1])
        test = slice(k, k + int(np.searchsorted(years[k:], origin + horizon, side="right")))
        train = pd.Series(values[:k], index=years[:k], name=series.name)
        train.attrs = series.attrs
        for form, make in makers.items():
            try:
                model = make(train)
            except (ValueError, np.linalg.LinAlgError):
                continue
            ratio = _predicted(model, years[test]) / values[test]
            rows.extend(
                (form, origin, int(year), int(year) - origin, r - 1, float(np.log(r)))
                for year, r in zip(years[test], ratio)
            )
    return pd.DataFrame(rows, columns=COLUMNS)


def _predicted(model, years: np.ndarray) -> np.ndarray:
    """The model's forecast of ``years`` as a bare array (without the labels, when it can)."""
    bare = getattr(model, "predict_values", None)
    return bare(years) if bare is not None else np.asarray(model.predict(years).values, dtype=float)


#: fewer scored forecasts than this per candidate is no evidence: the first candidate (the prior) stands
MIN_SCORED = 3


def select_form(
    series: pd.Series,
    forms=FORMS,
    horizon: int = 3,
    min_train: int = 3,
    pandemic_years=PANDEMIC_YEARS,
    min_scored: int = MIN_SCORED,
) -> tuple[str, pd.DataFrame]:
    """The candidate with the lowest mean absolute percentage error over all origins and horizons
    (the pandemic years not scored), and the table of errors. The first candidate is the prior:
    it stands on ties and while no candidate has ``min_scored`` scored forecasts."""
    table = rolling_errors(series, forms, horizon, min_train, pandemic_years)
    names = list(candidates(forms, pandemic_years))
    form = table["form"].to_numpy()
    scored = ~np.isin(table["year"].to_numpy(), pandemic_years)
    errors = {name: table["error"].to_numpy()[scored & (form == name)] for name in names}
    if max(len(e) for e in errors.values()) < min_scored:
        return names[0], table
    mape = {name: float(np.mean(np.abs(e))) for name, e in errors.items() if len(e)}
    best = next(name for name in names if name in mape and mape[name] <= min(mape.values()) + 1e-12)
    return str(best), table


def empirical_sd(table: pd.DataFrame, form: str, horizons) -> np.ndarray:
    """Root mean square log error of ``form`` at each horizon (NaN where it has no record; a
    horizon beyond the record takes the longest one recorded, scaled by sqrt(h / h_max))."""
    own = table["form"].to_numpy() == form
    horizon, log_error = table["horizon"].to_numpy()[own], table["log_error"].to_numpy()[own]
    rms = {int(h): float(np.sqrt(np.mean(np.square(log_error[horizon == h])))) for h in np.unique(horizon)}
    out = []
    for h in np.asarray(horizons, dtype=int):
        if h in rms:
            out.append(rms[h])
        elif rms and h > max(rms):
            out.append(rms[max(rms)] * np.sqrt(h / max(rms)))
        else:
            out.append(np.nan)
    return np.asarray(out, dtype=float)
