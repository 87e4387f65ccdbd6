"""A bundle's history series fitted once a process: a run's ``fitted`` values
(:func:`~forecast.model.fitting.fitted.fit_values`) and its intervals' record
(:func:`~forecast.model.uncertainty.intervals.record`) fit the same series the same way
(:func:`~forecast.model.fitting.fitted.fit_history_series`)."""

from __future__ import annotations

import copy
from collections.abc import Callable

import pandas as pd

from ...inputs.cache import digest
from ...memo import Memo

__all__ = ["shared_fit"]

#: fits by the bundle's content, the series (name, years, values) and the form (bounded)
_FITS = Memo(64)


def shared_fit(region, series: pd.Series, form: str | None, fit: Callable[[], tuple]) -> tuple:
    """``fit()`` — (model, summary) of ``region``'s history ``series`` in ``form`` — made once a
    process: the model is shared (read only), the summary the caller's own copy."""
    if not region.content_hash:  # a Region made in memory: nothing names its content
        return fit()
    key = (region.content_hash, series.name, digest(series.index.to_numpy(), series.to_numpy(dtype=float)), form)
    model, summary = _FITS.get(key, fit)
    return model, copy.deepcopy(summary)
