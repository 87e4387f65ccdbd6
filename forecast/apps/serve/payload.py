"""A run, a comparison, a budget and a solution as JSON: every number with its unit, every result
with its provenance (package version, scenario and its hash, region and its hash, draws and seed).
Money in yuan, as in the result Dataset; the pages show 亿元. Years that do not occur are null."""

from __future__ import annotations

import math

import numpy as np

from ...model.fund import VERDICTS
from ...model.fund.warning import WARNINGS
from ...results.report import SUMMARY_YEARS, fund_summary
from ...vocabulary import POOL_NAMES_EN, POOL_NAMES_ZH

__all__ = ["number", "year", "provenance", "run_payload", "comparison_payload", "rows"]

SERIES = ("income", "expenditure", "balance", "reserve", "months_covered", "insured")


def number(value):
    """A finite float, an int, or None (NaN, infinity, a missing year)."""
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def year(value) -> int | None:
    """A year as a whole number, or None when it does not occur (NaN)."""
    value = number(value)
    return None if value is None else int(value)


def rows(frame) -> list[dict]:
    """A DataFrame's rows as JSON objects (numbers finite or null)."""
    return [
        {str(k): (number(v) if not isinstance(v, str) else v) for k, v in record.items()}
        for record in frame.to_dict("records")
    ]


def provenance(ds) -> dict:
    """Where a run came from: the package version, the scenario (title, files by name, hash), the
    region (name, hash), the base year, horizon, draws and seed."""
    from pathlib import Path

    attrs = ds.attrs
    return {
        "forecast_version": attrs.get("forecast_version", ""),
        "scenario_title": attrs.get("scenario_title", ""),
        "scenario_files": [Path(f).name for f in attrs.get("scenario_files", [])],
        "scenario_hash": attrs.get("scenario_hash", ""),
        "scenario_sources": list(attrs.get("scenario_sources", [])),
        "region_name": attrs.get("region_name", ""),
        "region_hash": attrs.get("region_hash", ""),
        "base_year": int(attrs["base_year"]),
        "horizon": int(ds["year"].values[-1]),
        "draws": int(ds.sizes["draw"]) if "draw" in ds.dims else None,
        "seed": number(attrs.get("seed")) if "draw" in ds.dims else None,
        "verdict_thresholds": dict(attrs.get("verdict_thresholds", {})),
    }


def _labelled(labels, pool: str, years) -> list[str]:
    return [str(v) for v in labels.sel(pool=pool, year=years).values]


def _first(labels, pool: str, level: str, years) -> int | None:
    hits = [int(y) for y, v in zip(years, labels.sel(pool=pool, year=years).values) if v == level]
    return hits[0] if hits else None


def run_payload(ds) -> dict:
    """The verdict table per pool (first deficit and exhaustion years, months covered and the verdict
    in the summary years, the 风险预警 grade and its first orange and red years), the central paths of
    income, expenditure, balance, reserve, months covered and insured persons, and for a run with draws
    the percentiles of reserve and months covered and the probabilities of a deficit and of exhaustion."""
    central = ds.fund.central()
    years = [int(y) for y in ds["year"].values]
    projected = [y for y in years if y > int(ds.attrs["base_year"])]
    verdicts, warnings = central.fund.verdict_label(), central.fund.warning_label()
    summary_years = [y for y in SUMMARY_YEARS if y in years]
    pools = []
    for pool, row in fund_summary(ds).iterrows():
        entry = {
            "pool": str(pool),
            "name_zh": POOL_NAMES_ZH[str(pool)],
            "name_en": POOL_NAMES_EN[str(pool)],
            "payg": bool(ds.fund.payg().sel(pool=pool)),
            "first_deficit_year": year(row["first_deficit_year"]),
            "exhaustion_year": year(row["exhaustion_year"]),
            "months_covered": {str(y): number(row[f"months_covered_{y}"]) for y in summary_years},
            "verdict": {
                str(y): {"label": row[f"verdict_{y}"], "zh": VERDICTS.get(row[f"verdict_{y}"], "")}
                for y in summary_years
            },
            "warning": {
                str(y): {
                    "label": str(warnings.sel(pool=pool, year=y).item()),
                    "zh": WARNINGS[str(warnings.sel(pool=pool, year=y).item())],
                }
                for y in [projected[0], *summary_years]
            },
            "first_orange_year": _first(warnings, str(pool), "orange", projected),
            "first_red_year": _first(warnings, str(pool), "red", projected),
        }
        for name in ("exhausted_share_of_draws", "exhaustion_year_p10", "exhaustion_year_p90"):
            if name in row:
                entry[name] = number(row[name]) if name.startswith("exhausted") else year(row[name])
        pools.append(entry)
    series = {
        name: {
            "units": central[name].attrs.get("units", ""),
            "values": {str(p): [number(v) for v in central[name].sel(pool=p).values] for p in ds["pool"].values},
        }
        for name in SERIES
    }
    series["verdict"] = {
        "units": "label",
        "values": {str(p): _labelled(verdicts, str(p), years) for p in ds["pool"].values},
    }
    series["warning"] = {
        "units": "label",
        "values": {str(p): _labelled(warnings, str(p), years) for p in ds["pool"].values},
    }
    out = {
        "provenance": provenance(ds),
        "years": years,
        "summary_years": summary_years,
        "pools": pools,
        "series": series,
        "labels": {"verdict": dict(VERDICTS), "warning": dict(WARNINGS)},
    }
    if "draw" in ds.dims:
        out["draws"] = _draws(ds)
    return out


def _draws(ds) -> dict:
    """Percentiles (by year: a fan) of reserve and months covered, and the probabilities."""
    out = {"quantiles": [float(q) for q in ds["quantile"].values]}
    for name in ("reserve", "months_covered"):
        q = ds[f"{name}_quantile"]
        out[name] = {
            "units": q.attrs.get("units", ""),
            "values": {
                f"{float(level):g}": {
                    str(p): [number(v) for v in q.sel(quantile=level, pool=p).values] for p in ds["pool"].values
                }
                for level in ds["quantile"].values
            },
        }
    for name in ("p_exhausted", "p_current_deficit"):
        out[name] = {
            "units": "ratio",
            "values": {str(p): [number(v) for v in ds[name].sel(pool=p).values] for p in ds["pool"].values},
        }
    return out


def comparison_payload(base, alt, diff) -> dict:
    """The impact of ``alt`` against ``base``: per pool the changes in milestone years (income,
    expenditure, balance; both reserves; months covered) and cumulated over 5 and 10 years, the first
    deficit and exhaustion years of both; and ALT − BASE for every year (yuan; months)."""
    from ...apps.views import difference_long, impact_long, milestone_years

    central = {"base": base.fund.central(), "alt": alt.fund.central()}
    first = int(base.attrs["base_year"]) + 1
    years = milestone_years(diff["year"].values, first)
    pools = []
    for pool in diff["pool"].values:
        at = diff.sel(pool=pool)
        changed = any(np.nan_to_num(at[name].values).any() for name in ("income", "expenditure", "reserve"))
        table = [
            {
                "year": y,
                **{
                    f"{flow}_change": number(at[flow].sel(year=y).item())
                    for flow in ("income", "expenditure", "balance")
                },
                "reserve_base": number(central["base"]["reserve"].sel(pool=pool, year=y).item()),
                "reserve_alt": number(central["alt"]["reserve"].sel(pool=pool, year=y).item()),
                "months_change": number(at["months_covered"].sel(year=y).item()),
            }
            for y in years
        ]
        windows = [
            {
                "from": first,
                "to": first + w - 1,
                **{
                    f"{flow}_change": number(at[f"extra_{flow}_{w}y"].item())
                    for flow in ("income", "expenditure", "balance")
                },
            }
            for w in (5, 10)
            if first + w - 1 <= years[-1]
        ]
        pools.append(
            {
                "pool": str(pool),
                "name_zh": POOL_NAMES_ZH[str(pool)],
                "name_en": POOL_NAMES_EN[str(pool)],
                "changed": bool(changed),
                "payg": bool(base.fund.payg().sel(pool=pool)),
                "years": table,
                "windows": windows,
                "units": {"money": "yuan", "months": "months"},
                **{
                    f"{label}_{run}": year(at[f"{label}_{run}"].item())
                    for label in ("first_deficit_year", "exhaustion_year")
                    for run in ("base", "alt")
                },
            }
        )
    return {
        "base": provenance(base),
        "alt": provenance(alt),
        "pools": pools,
        "impact": rows(impact_long(diff)),
        "difference": rows(difference_long(diff)),
    }
