"""``ds.fund``: what users and reports ask of a run's result, in one place.

An xarray accessor (registered on import of :mod:`forecast.results`) instead of ``"draw" in
ds.dims`` checks scattered through the code::

    ds = forecast.run("baseline")
    ds.fund.verdict_label().sel(pool="employee", year=2030).item()   # 'excessive'
    ds.fund.first_deficit_year()                                     # per pool (and draw)
    ds.fund.central()                                                # medians over draws
    ds.fund.interval(0.8)                                            # income and expenditure bands

Years that do not occur within the horizon are NaN in memory (the writers store them as the
NetCDF missing value).
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from ..labelled import draws_last, on_cores, skipna
from ..model.fund import CODES, verdict_codes, verdict_labels
from ..model.fund.warning import warning_codes, warning_labels
from ..model.uncertainty.intervals import interval

__all__ = ["FundAccessor"]

#: not drawn but part of the central path: the record's one-year s.d. the budget intervals use
SHARED_BY_DRAWS = ("income_log_sd", "expenditure_log_sd")


def _median(da: xr.DataArray) -> xr.DataArray:
    """The median over the draws (NaN skipped where there are any)."""
    drawn = draws_last(da)
    return drawn.median("draw", skipna=skipna(drawn)).transpose(*(d for d in da.dims if d != "draw"))


def _summarised_median(ds, name: str) -> xr.DataArray | None:
    """The median over the draws of ``name`` as the run's summary already holds it (its 0.5
    percentile, :func:`~forecast.results.uncertainty.draw_summary`), None where it does not: the
    central path is then the fan chart's middle line to the bit, and the medians are not taken
    twice (0.1 s of a 10,000-draw run's end). numpy's median averages the two middle draws where its
    0.5 quantile interpolates between them: the same number, or one a unit in the last place apart."""
    summary = ds.get(f"{name}_quantile")
    if summary is None or "quantile" not in summary.dims or 0.5 not in summary["quantile"].values:
        return None
    return summary.sel(quantile=0.5, drop=True).transpose(*(d for d in ds[name].dims if d != "draw"))


def _central_names(ds) -> list[str]:
    """The flows a central path holds: every float variable by year that is drawn (its median is taken), and what a
    streamed run keeps as its mean over the draws (``over_draws: mean``); verdicts and warnings are
    recomputed from them, the population is handled apart; the record's s.d. every draw shares is kept."""
    return [
        name
        for name, var in ds.data_vars.items()
        if name != "population"
        and var.dtype.kind == "f"
        and "year" in var.dims
        and ("draw" in var.dims or var.attrs.get("over_draws") == "mean" or name in SHARED_BY_DRAWS)
    ]


@xr.register_dataset_accessor("fund")
class FundAccessor:
    """Helpers on a result Dataset of :func:`forecast.run`."""

    def __init__(self, ds: xr.Dataset):
        self._ds = ds

    @property
    def stochastic(self) -> bool:
        """True for a run with draws."""
        return "draw" in self._ds.dims

    def payg(self) -> xr.DataArray:
        """Per pool: financed as it pays (critical illness; medical assistance without a budget)
        or not projected — pools with no reserve to exhaust."""
        codes = self._ds["verdict"]
        if "draw" in codes.dims:
            codes = codes.isel(draw=0)
        return ((codes == CODES["payg"]) | (codes == CODES["not_projected"])).all("year")

    def interval(self, level: float = 0.8) -> xr.Dataset:
        """Each pool's income and expenditure bounds at ``level`` (the record's prediction
        interval, :mod:`forecast.model.uncertainty.intervals`), yuan."""
        return interval(self._ds, level)

    def warning_label(self) -> xr.DataArray:
        """The 风险预警 level as text labels (none, blue, yellow, orange, red)."""
        return warning_labels(self._ds["warning"])

    def verdict_label(self) -> xr.DataArray:
        """The verdict as text labels (``balanced``, ``exhausted``, ...)."""
        return verdict_labels(self._ds["verdict"])

    def central(self) -> xr.Dataset:
        """The run itself, or for a stochastic run the median over draws of every flow, with the
        verdict of that median path."""
        ds = self._ds
        if not self.stochastic:
            return ds
        names = _central_names(ds)
        drawn = [name for name in names if "draw" in ds[name].dims]
        medians = {name: _summarised_median(ds, name) for name in drawn}
        missing = [name for name, median in medians.items() if median is None]
        medians.update(zip(missing, on_cores(lambda name: _median(ds[name]), missing)))
        out = xr.Dataset({name: medians.get(name, ds[name]) for name in names})
        for name in out.data_vars:
            out[name].attrs = dict(ds[name].attrs)
        idle = self.payg() & (ds["verdict"].isel(draw=0) == CODES["not_projected"]).all("year")
        payg = self.payg() & ~idle
        codes = verdict_codes(
            out["reserve"], out["balance"], out["months_covered"], ds.attrs["verdict_thresholds"], payg, idle
        )
        out["verdict"] = codes
        if "warning" in ds and "warning_settings" in ds.attrs:
            out["warning"] = warning_codes(
                out, ds.attrs["verdict_thresholds"], ds.attrs["warning_settings"], idle | payg
            )
        if "population" in ds:
            out["population"] = ds["population"].median("draw") if "draw" in ds["population"].dims else ds["population"]
        out.attrs = dict(ds.attrs)
        return out

    def _first(self, condition: xr.DataArray) -> xr.DataArray:
        """The first projected year (after the base year) where ``condition`` holds, else NaN."""
        years = self._ds["year"]
        projected = condition & (years > int(self._ds.attrs.get("base_year", int(years[0]))))
        hit = projected.any("year")
        at = projected.argmax("year")  # the first year it holds (0 where it never does: masked below)
        out = xr.where(hit, at.copy(data=years.values[at.values]), np.nan)
        out.attrs = {"units": "year", "description": "NaN: not within the horizon"}
        return out

    def first_deficit_year(self) -> xr.DataArray:
        """Per pool (and draw): the first year income falls short of expenditure."""
        return self._first(self._ds["balance"] < 0)

    def exhaustion_year(self) -> xr.DataArray:
        """Per pool (and draw): the first year the reserve is exhausted (never for pools with no
        reserve)."""
        return self._first(self._ds["reserve"] <= 0).where(~self.payg())
