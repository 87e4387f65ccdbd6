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

from .growth import FORMS, PANDEMIC_YEARS, GrowthModel

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
    y = series.dropna().sort_index()
    y = y[y > 0]
    rows = []
    for k in range(min_train, len(y)):
        train, test = y.iloc[:k], y.iloc[k:]
        test = test[test.index <= train.index[-1] + horizon]
        train.attrs = series.attrs
        train.name = series.name
        for form, make in candidates(forms, pandemic_years).items():
            try:
                model = make(train)
            except (ValueError, np.linalg.LinAlgError):
                continue
            predicted = model.predict(test.index).values
            for year, actual, guess in zip(test.index, test.to_numpy(), predicted):
                rows.append(
                    (
                        form,
                        int(train.index[-1]),
                        int(year),
                        int(year - train.index[-1]),
                        guess / actual - 1,
                        float(np.log(guess / actual)),
                    )
                )
    return pd.DataFrame(rows, columns=COLUMNS)


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
    scored = table[~table["year"].isin(pandemic_years)]
    if scored.empty or scored.groupby("form").size().max() < min_scored:
        return names[0], table
    mape = scored.assign(abs_error=scored["error"].abs()).groupby("form")["abs_error"].mean().reindex(names)
    best = mape[mape <= mape.min() + 1e-12].index[0]
    return str(best), table


def empirical_sd(table: pd.DataFrame, form: str, horizons) -> np.ndarray:
    """Root mean square log error of ``form`` at each horizon (NaN where it has no record; a
    horizon beyond the record takes the longest one recorded, scaled by sqrt(h / h_max))."""
    own = table[table["form"] == form]
    rms = own.groupby("horizon")["log_error"].apply(lambda e: float(np.sqrt(np.mean(np.square(e)))))
    out = []
    for h in np.asarray(horizons, dtype=int):
        if h in rms.index:
            out.append(rms[h])
        elif len(rms) and h > rms.index.max():
            out.append(rms[rms.index.max()] * np.sqrt(h / rms.index.max()))
        else:
            out.append(np.nan)
    return np.asarray(out, dtype=float)
