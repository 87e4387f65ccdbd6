"""风险预警: graded warning levels per pool and year, for a fund manager's early warning.

Built on the verdict's thresholds (人社部发〔2009〕67号: 6-9 months reasonable, more than 15 too
much; 3 months this project's critical line) and on the current surplus rate (balance ÷ income)
and its trend, with the scenario's ``verdict.warning_*`` settings (assumptions, stated as such).
Tested in this order, the first that holds:

=======  ====  ===========================================================================
level    中文   rule
=======  ====  ===========================================================================
red      红色   reserve exhausted, or months covered < critical_months
orange   橙色   months covered < low_months, or a current deficit ``warning_deficit_years`` running
yellow   黄色   a current deficit, or the surplus rate below ``warning_surplus_rate`` after falling
                ``warning_trend_years`` years running
blue     蓝色   months covered > excess_months (结余过多: money idle that the insured paid for)
none     无     otherwise (and pools financed as they pay, or not projected)
=======  ====  ===========================================================================

Stored as integer codes with their labels in ``flag_meanings``, like the verdict.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from ...labelled import values_like

__all__ = ["WARNINGS", "WARNING_CODES", "warning_codes", "warning_labels"]

WARNINGS = {"none": "无", "blue": "蓝色", "yellow": "黄色", "orange": "橙色", "red": "红色"}
WARNING_CODES = {label: code for code, label in enumerate(WARNINGS)}


def _running(condition: xr.DataArray, years: int) -> xr.DataArray:
    """True where ``condition`` has held this year and the ``years`` − 1 before (over ``year``): the
    count of years it held in the window, a difference of running counts (whole numbers: exact)."""
    axis = condition.get_axis_num("year")
    held = np.cumsum(np.moveaxis(condition.values, axis, 0), axis=0, dtype=np.int64)
    window = held.copy()
    window[years:] -= held[:-years]
    out = window >= years  # the first years − 1 years have no full window: False
    return condition.copy(data=np.moveaxis(out, 0, axis))


def warning_codes(ds: xr.Dataset, thresholds: dict, settings: dict, idle: xr.DataArray) -> xr.DataArray:
    """The warning level of every pool and year (int8 codes, labels in attrs)."""
    months, reserve, balance, income = ds["months_covered"], ds["reserve"], ds["balance"], ds["income"]
    deficit = balance < 0
    rate = xr.where(income > 0, balance / income.where(income > 0, 1.0), 0.0)
    falling = _running(rate.diff("year") < 0, int(settings["warning_trend_years"])).reindex(
        year=rate["year"], fill_value=False
    )
    order = [
        (idle, "none"),  # a pool with no flows and no reserve: none, before any other
        ((reserve <= 0) | (months < thresholds["critical_months"]), "red"),
        ((months < thresholds["low_months"]) | _running(deficit, int(settings["warning_deficit_years"])), "orange"),
        (deficit | (falling & (rate < settings["warning_surplus_rate"])), "yellow"),
        (months > thresholds["excess_months"], "blue"),
    ]
    picked = np.select(  # the first level whose condition holds, in one pass over the arrays
        [values_like(condition, reserve) for condition, _ in order],
        [WARNING_CODES[label] for _, label in order],
        WARNING_CODES["none"],
    )
    code = reserve.copy(data=picked.astype(np.int8)).rename(None)
    code.attrs = {
        "units": "label",
        "flag_values": list(WARNING_CODES.values()),
        "flag_meanings": " ".join(WARNING_CODES),
        "description": "风险预警 level (codes; flag_meanings the labels: none blue yellow orange red)",
    }
    return code


def warning_labels(codes: xr.DataArray) -> xr.DataArray:
    labels = np.array(str(codes.attrs.get("flag_meanings", " ".join(WARNING_CODES))).split())
    return codes.copy(data=labels[np.asarray(codes.values, dtype=int)])
