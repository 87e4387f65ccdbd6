"""Prediction intervals from the model's own record.

A fund's income or expenditure is a product of fitted series — a per-capita amount and a count
(employee income = income per in-service member × in-service members; medical assistance =
its ratio to resident spending × resident spending per insured × residents). For each series the
log s.d. h years ahead combines, in quadrature,

- the fitted parameters' uncertainty (h × the growth rate's standard error:
  :meth:`~forecast.model.fitting.growth.GrowthModel.param_sd`; the financed share's standard error), and
- its empirical out-of-sample error at that horizon: the root mean square log error of its
  rolling-origin forecasts on the history up to the base year (:mod:`forecast.model.fitting.selection`;
  beyond the longest horizon recorded, scaled by sqrt(h / h_max); with no record at all, the
  s.d. of the series' yearly log changes × sqrt(h)),

and the flow's s.d. sums the squares of its series' (taken as independent). Only the history up
to the base year enters, so the back-test's intervals at a cut-off see nothing later, and the
back-test reports how often they contained the outcome (:func:`forecast.apps.backtest.coverage`).
The bands describe the statistical forecast of the flows; they do not cover a change of policy or
of the scenario's long-run assumptions. LTCI has no history: its band has zero width.
"""

from __future__ import annotations

import copy
from statistics import NormalDist

import numpy as np
import xarray as xr

from ...inputs.cache import of_bundle
from ...memo import Memo

__all__ = ["FLOWS", "record", "flow_log_sd", "band_dataset", "interval", "CALIBRATION", "Z80"]

#: the factor on the record's log s.d. that calibrates the intervals on the back-test: the lowest mean
#: interval (Winkler) score over data/china's cut-offs 2021-2023 (horizons 1-3, 34 outcomes) whose
#: 80% intervals cover 70-90% of the outcomes (:func:`forecast.apps.backtest.calibration_factor`
#: recomputes it; tests/fund/test_fitting.py checks that it is still the choice). The series'
#: rolling-origin errors overstate a flow's: they carry the pandemic years' swings, and a flow's
#: per-capita and count errors partly offset each other.
CALIBRATION = 0.6
#: the normal quantile of an 80% central interval
Z80 = 1.2815515655446004

#: (pool, flow) -> the fitted series whose product the flow follows
_RESIDENT = ("resident_expenditure_per_insured", "residents")
FLOWS = {
    ("employee", "income"): ("employee_income_per_in_service", "in_service_members"),
    ("employee", "expenditure"): ("employee_expenditure_per_insured", "employee_members"),
    ("resident", "income"): ("resident_income_per_insured", "residents"),
    ("resident", "expenditure"): _RESIDENT,
    ("critical_illness", "income"): _RESIDENT,
    ("critical_illness", "expenditure"): _RESIDENT,
    ("medical_assistance", "income"): ("assistance_to_resident_expenditure", *_RESIDENT),
    ("medical_assistance", "expenditure"): ("assistance_to_resident_expenditure", *_RESIDENT),
}

#: the records by bundle content and base year (bounded)
_RECORDS = Memo(8)


def record(region, base_year: int) -> dict:
    """The summary (form, model s.d., empirical errors by horizon) of every history series fitted
    up to ``base_year`` (:func:`~forecast.model.fitting.fitted.fit_history_series`), remembered in-process."""
    from ..fitting.fitted import fit_history_series, history_series

    def fit() -> dict:
        from threadpoolctl import threadpool_limits

        out = {}
        with threadpool_limits(limits=1, user_api="blas"):
            for name, series in history_series(region, base_year).items():
                try:
                    out[name] = fit_history_series(region, series)[1]
                except ValueError:
                    continue
        return out

    made = _RECORDS.get((region.content_hash, base_year), lambda: of_bundle(region, "record", (base_year,), fit))
    return copy.deepcopy(made)


def _series_sd(summary: dict, horizons: np.ndarray) -> np.ndarray:
    """One series' log s.d. at each horizon (years ≥ 1): its empirical error, and beyond the record
    the parameter error's growth, in quadrature; never narrower than at a shorter horizon (a small
    record can be luckier two years out than one)."""
    k = np.arange(1, max(int(np.max(horizons, initial=1)), 1) + 1)
    own = np.asarray(summary.get("param_sd") or [0.0], dtype=float)
    model = own[np.clip(k, 1, len(own)) - 1] * np.sqrt(np.maximum(k / len(own), 1.0))
    recorded = {i + 1: v for i, v in enumerate(summary.get("empirical_sd") or []) if v is not None}
    if recorded:
        longest, shortest = max(recorded), min(recorded)
        empirical = np.array(
            [
                recorded[j]
                if j in recorded
                else recorded[longest] * np.sqrt(j / longest)
                if j > longest
                else recorded[shortest] * np.sqrt(j / shortest)
                for j in k
            ]
        )
        # the rolling-origin errors already hold the fit's estimation error up to the longest horizon
        # recorded: the parameter term adds only its growth beyond it, (h − longest)·se
        model = np.clip(model - model[min(longest, len(model)) - 1], 0.0, None)
    else:
        empirical = (summary.get("rates_sd") or 0.0) * np.sqrt(k)
    sd = np.maximum.accumulate(np.sqrt(model**2 + empirical**2))
    return sd[np.clip(np.asarray(horizons, dtype=int), 1, None) - 1]


def flow_log_sd(fitted: dict, pool: str, flow: str, horizons) -> np.ndarray:
    """The log s.d. of ``pool``'s ``flow`` (income, expenditure) at ``horizons`` (0 at horizon 0;
    0 throughout for a pool with no record)."""
    horizons = np.asarray(horizons, dtype=int)
    names = FLOWS.get((pool, flow), ())
    if not names or not all(n in fitted for n in names):
        return np.zeros(len(horizons))
    total = sum(_series_sd(fitted[n], horizons) ** 2 for n in names)
    return np.where(horizons > 0, CALIBRATION * np.sqrt(total), 0.0)


def band_dataset(fitted: dict, years, pools) -> xr.Dataset:
    """``income_log_sd`` and ``expenditure_log_sd`` (year, pool) of a run from its base year."""
    years = np.asarray(years, dtype=int)
    horizons = years - years[0]
    out = {}
    for flow in ("income", "expenditure"):
        values = np.column_stack([flow_log_sd(fitted, str(p), flow, horizons) for p in pools])
        out[f"{flow}_log_sd"] = xr.DataArray(
            values,
            dims=("year", "pool"),
            coords={"year": years, "pool": list(pools)},
            attrs={
                "units": "ratio",
                "description": (
                    f"s.d. of log {flow} forecast from the base year "
                    "(model and empirical error; forecast.model.uncertainty.intervals)"
                ),
            },
        )
    return xr.Dataset(out)


def interval(ds: xr.Dataset, level: float = 0.8) -> xr.Dataset:
    """Lower and upper bounds of every pool's income and expenditure at ``level`` (yuan)."""
    z = NormalDist().inv_cdf(0.5 + level / 2)  # statistics: scipy.stats takes a second to import
    out = xr.Dataset()
    for flow in ("income", "expenditure"):
        sd = ds[f"{flow}_log_sd"]
        out[f"{flow}_lower"] = (ds[flow] * np.exp(-z * sd)).assign_attrs(
            units="yuan", description=f"{level:.0%} interval of {flow}: lower bound"
        )
        out[f"{flow}_upper"] = (ds[flow] * np.exp(z * sd)).assign_attrs(
            units="yuan", description=f"{level:.0%} interval of {flow}: upper bound"
        )
    out.attrs["level"] = level
    return out
