"""The indicators of a fund year and the 收支平衡、略有结余 verdict.

``months_covered = reserve / (expenditure / 12)`` (可支付月数), the one formula every output uses.

The verdict for a pool and year (thresholds from the scenario's ``verdict`` section; the
defaults are 人社部发〔2009〕67号's 6–9 months reasonable and more than 15 too much, with 3
months as the project's "critical" line), tested in this order:

=============  ======================  =====================================================
label          中文                     rule
=============  ======================  =====================================================
exhausted      累计结余耗尽              reserve ≤ 0
critical       结余短缺                  months_covered < critical_months
low            结余不足                  months_covered < low_months
drawing        当期收不抵支              balance < 0 (the reserve is being drawn down)
excessive      结余过多                  months_covered > excess_months
high           结余偏多                  months_covered > high_months
balanced       收支平衡、略有结余         otherwise: balance ≥ 0 and low ≤ months ≤ high
payg           现收现付                  pools financed pay-as-you-go (no reserve)
not_projected  未测算                    no income, expenditure or reserve projected for the pool
                                       (the region has none, or its base-year figures are missing)
undefined      —                         a non-finite input (a run refuses to return it)
=============  ======================  =====================================================

Verdicts are stored as small integer codes (``int8``) with their labels in the variable's
``flag_values`` and ``flag_meanings`` attrs (the CF convention); :data:`VERDICTS` gives the
Chinese terms.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from ...labelled import values_like

__all__ = ["VERDICTS", "CODES", "months_covered", "verdict_codes", "verdict_labels", "first_year"]

VERDICTS: dict[str, str] = {
    "exhausted": "累计结余耗尽",
    "critical": "结余短缺",
    "low": "结余不足",
    "drawing": "当期收不抵支",
    "excessive": "结余过多",
    "high": "结余偏多",
    "balanced": "收支平衡、略有结余",
    "payg": "现收现付",
    "not_projected": "未测算",
    "undefined": "—",
}
#: label -> integer code of the stored verdict
CODES: dict[str, int] = {label: code for code, label in enumerate(VERDICTS)}


def months_covered(reserve, expenditure):
    """Months of the year's expenditure the reserve would pay: reserve / (expenditure / 12).

    A fund holding nothing covers 0 months whatever it spends; a reserve with no expenditure at
    all gives NaN, which a run refuses (:func:`forecast.results.finite.check_finite`).
    """
    spent = xr.where(expenditure > 0, expenditure, np.nan)
    months = xr.where((expenditure <= 0) & (reserve == 0), 0.0, reserve / (spent / 12))
    months.attrs = {"units": "months", "description": "reserve / (expenditure / 12) (可支付月数)"}
    return months


def verdict_codes(reserve, balance, months, thresholds: dict, payg, idle) -> xr.DataArray:
    """The verdict of every pool and year as integer codes (labels in attrs), tested in the order
    of the module's table: not projected, pay-as-you-go, undefined, exhausted, critical, low,
    drawing, excessive, high, balanced."""
    order = [
        (idle, "not_projected"),
        (payg, "payg"),
        (~(np.isfinite(reserve) & np.isfinite(balance) & np.isfinite(months)), "undefined"),
        (reserve <= 0, "exhausted"),
        (months < thresholds["critical_months"], "critical"),
        (months < thresholds["low_months"], "low"),
        (balance < 0, "drawing"),
        (months > thresholds["excess_months"], "excessive"),
        (months > thresholds["high_months"], "high"),
    ]
    picked = np.select(  # the first verdict whose condition holds, in one pass over the arrays
        [values_like(condition, reserve) for condition, _ in order],
        [CODES[label] for _, label in order],
        CODES["balanced"],
    )
    code = reserve.copy(data=picked.astype(np.int8)).rename(None)
    code.attrs = {
        "units": "label",
        "flag_values": list(CODES.values()),
        "flag_meanings": " ".join(CODES),
        "description": "the balance verdict (codes; flag_meanings gives the labels, VERDICTS the Chinese terms)",
    }
    return code


def verdict_labels(codes: xr.DataArray) -> xr.DataArray:
    """Verdict codes as their labels (text)."""
    labels = np.array(str(codes.attrs.get("flag_meanings", " ".join(CODES))).split())
    return codes.copy(data=labels[np.asarray(codes.values, dtype=int)])


def first_year(years, condition) -> int | None:
    """The first year where ``condition`` holds, or None."""
    hits = np.flatnonzero(np.asarray(condition))
    return int(np.asarray(years)[hits[0]]) if len(hits) else None
