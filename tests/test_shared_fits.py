"""A run fits each history series once: its ``fitted`` values and its intervals' record share the
fits of the series both use (forecast.model.fitting.shared), and each caller gets its own summary."""

from __future__ import annotations

import forecast
from forecast.model.fitting import fitted, shared
from forecast.model.uncertainty import intervals

REQUIRED = ("employee_income_per_in_service", "employee_expenditure_per_insured", "resident_expenditure_per_insured")


def _fresh(monkeypatch) -> list:
    """No cache on disk, no fits in memory; the names of the series fitted, as they are fitted."""
    monkeypatch.setenv("FORECAST_CACHE", "off")
    for memo in (shared._FITS, fitted._FITS, intervals._RECORDS):
        memo.clear()
    calls: list = []
    real = fitted.fit_series
    monkeypatch.setattr(
        fitted, "fit_series", lambda series, *a, **k: calls.append(series.name) or real(series, *a, **k)
    )
    return calls


def test_a_run_fits_each_series_its_fitted_values_and_record_share_once(monkeypatch):
    calls = _fresh(monkeypatch)
    forecast.run("baseline")
    assert all(calls.count(name) == 1 for name in REQUIRED), calls
    assert set(intervals.record(forecast.load_region("data/china"), 2024)) >= set(REQUIRED)


def test_each_caller_gets_its_own_summary(monkeypatch):
    _fresh(monkeypatch)
    region = forecast.load_region("data/china")
    series = fitted.history_series(region, 2024)["employee_income_per_in_service"]
    model, summary = fitted.fit_history_series(region, series)
    summary["form"] = "changed by its caller"
    again, other = fitted.fit_history_series(region, series)
    assert again is model and other["form"] != "changed by its caller"
