"""What a stochastic run says, pool by pool and year by year, for reports and charts.

:func:`draw_summary` reduces the draws of a run (:func:`forecast.run` with ``draws``) to

- ``{income, expenditure, balance, reserve, months_covered}_quantile`` (quantile, year, pool):
  the 5th, 10th, 25th, 50th, 75th, 90th and 95th percentiles over the draws;
- ``p_current_deficit`` (year, pool): the share of draws whose pool spends more than it takes in
  that year; ``p_exhausted`` (year, pool): the share whose reserve has been exhausted by that year
  (pools financed as they pay: 0);
- ``first_deficit_year`` and ``exhaustion_year`` (draw, pool): each draw's years (NaN: not within
  the horizon; stored as the NetCDF missing value), the distribution the report summarises.

The percentiles are of each year separately (a fan), not of whole paths.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from ..labelled import draws_last, on_cores, skipna
from ..model.fund import CODES

__all__ = ["draw_summary", "uncertainty_lines", "year_percentiles", "probability_table", "QUANTILES", "FANNED"]

QUANTILES = (0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95)
FANNED = ("income", "expenditure", "balance", "reserve", "months_covered")


def draw_summary(ds: xr.Dataset) -> xr.Dataset:
    """The percentiles, probabilities and year distributions of a run with a ``draw`` dimension."""
    out = {}

    def percentiles(name: str) -> xr.DataArray:
        drawn = draws_last(ds[name])
        return drawn.quantile(list(QUANTILES), dim="draw", skipna=skipna(drawn)).transpose("quantile", "year", "pool")

    for name, q in zip(FANNED, on_cores(percentiles, FANNED)):
        out[f"{name}_quantile"] = q.assign_attrs(
            units=ds[name].attrs.get("units", ""), description=f"percentiles of {name} over the draws, year by year"
        )
    payg = ds.fund.payg()
    deficit = (ds["balance"] < 0) & ~payg
    exhausted = (ds["verdict"] == CODES["exhausted"]).cumsum("year") > 0
    out["p_current_deficit"] = (
        deficit.mean("draw")
        .transpose("year", "pool")
        .assign_attrs(
            units="ratio", description="share of draws with a current-year deficit (当期收不抵支) in the year"
        )
    )
    out["p_exhausted"] = (
        exhausted.mean("draw")
        .transpose("year", "pool")
        .assign_attrs(units="ratio", description="share of draws whose reserve is exhausted (累计结余耗尽) by the year")
    )
    for name, years in (
        ("first_deficit_year", ds.fund.first_deficit_year()),
        ("exhaustion_year", ds.fund.exhaustion_year()),
    ):
        out[name] = years.transpose("draw", "pool").assign_attrs(
            units="year", description=f"each draw's {name.replace('_', ' ')} (NaN: not within the horizon)"
        )
    return xr.Dataset(out).assign_coords(quantile=list(QUANTILES))


def year_percentiles(years: xr.DataArray, qs=(0.1, 0.5, 0.9)) -> dict:
    """Percentiles of a draw's years, counting 'not within the horizon' as later than any year
    (NaN where that share reaches the percentile)."""
    values = np.asarray(years.values, dtype=float)
    filled = np.where(np.isnan(values), np.inf, values)
    out = {}
    for q in qs:
        v = float(np.quantile(filled, q, method="inverted_cdf"))
        out[q] = v if np.isfinite(v) else np.nan
    return out


def _year_text(value: float, last: int) -> str:
    return f"after {last}" if not np.isfinite(value) else str(int(value))


def uncertainty_lines(ds: xr.Dataset) -> list[str]:
    """The printed part of a stochastic run: the drivers, and per pool the probabilities of a
    deficit and of exhaustion and the percentiles of their years."""
    last = int(ds["year"].values[-1])
    marks = [y for y in (2030, 2035, 2040, 2050, last) if y in ds["year"].values]
    marks = list(dict.fromkeys(marks))
    lines = ["", f"  Across {ds.sizes['draw']} draws (seed {ds.attrs.get('seed')}): the drivers drawn"]
    drivers = ds.attrs.get("drivers", {})
    population = ds.attrs.get("population_volatility")
    lines.append(
        "    population              Lee–Carter k_t (drift uncertainty) around the scenario's mortality, "
        f"TFR random walk{'' if population is None else f' (scale {population:g})'}"
    )
    for name, spec in drivers.items():
        if name == "correlation":
            pairs = [
                f"{a} ~ {b} {spec['matrix'][i][j]:+.2f}"
                for i, a in enumerate(spec["drivers"])
                for j, b in enumerate(spec["drivers"])
                if j > i
            ]
            lines.append(f"    {'correlation':<24}{'; '.join(pairs)} ({spec['source']})")
        elif "components" in spec:
            parts = "; ".join(
                f"{label} φ {c['phi']:.2f}, σ {c['sigma']:.2%}, se {c['se']:.2%}"
                for label, c in spec["components"].items()
            )
            lines.append(f"    {name:<24}AR(1) on the log growth: {parts} (scale {spec['scale']:g})")
        elif name == "interest_rate":
            lines.append(
                f"    {name:<24}AR(1), persistence 0.8, shock s.d. {spec['sd']:.2%} (stated; scale {spec['scale']:g})"
            )
        else:
            sds = ", ".join(f"{k} {v:.1f} yuan" for k, v in spec["sd"].items())
            lines.append(f"    {name:<24}yearly increments ± s.d. {sds} (announcements; scale {spec['scale']:g})")
    lines += ["", "  Probability of exhaustion by the year, and the exhaustion year's 10th / 50th / 90th percentile"]
    lines.append(f"    {'pool':<20}" + "".join(f"{y:>8}" for y in marks) + "    p10 / p50 / p90")
    payg = ds.fund.payg()
    for pool in ds["pool"].values:
        if bool(payg.sel(pool=pool)):
            continue
        probs = "".join(f"{float(ds['p_exhausted'].sel(pool=pool, year=y)):>8.0%}" for y in marks)
        pct = year_percentiles(ds["exhaustion_year"].sel(pool=pool))
        lines.append(f"    {pool:<20}{probs}    " + " / ".join(_year_text(v, last) for v in pct.values()))
    return lines


def probability_table(ds: xr.Dataset):
    """One row per year and pool: p_current_deficit, p_exhausted and the percentiles of reserve and
    months covered (probabilities.csv of ``forecast run --draws --out``)."""
    frame = ds[["p_current_deficit", "p_exhausted"]].to_dataframe()
    for name in ("reserve", "months_covered"):
        wide = ds[f"{name}_quantile"].to_series().unstack("quantile")
        wide.columns = [f"{name}_p{int(round(q * 100)):02d}" for q in wide.columns]
        frame = frame.join(wide.reorder_levels(frame.index.names))
    return frame
