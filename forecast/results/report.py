"""Plain-text reports of the fund projection for the terminal (``forecast run``): calibration, the pools'
years and verdicts, warnings, fitted drivers. Money is shown in 亿元 (1e8 yuan). The population
projection's report is :mod:`forecast.results.population_report`."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..inputs.summary import yi
from ..model.fund import VERDICTS
from ..model.fund.warning import WARNINGS
from ..vocabulary import POOL_NAMES_ZH
from .uncertainty import uncertainty_lines, year_percentiles

__all__ = ["yi", "fund_summary", "calibration_table", "fund_headline"]

SUMMARY_YEARS = (2030, 2040, 2050)


def fund_summary(ds):
    """Per pool: first deficit year, exhaustion year, months covered and the verdict (DataFrame);
    for a stochastic run, of the median path, with the share of draws exhausted by the horizon
    and the 10-90% range of the exhaustion year (a draw not exhausted counting as later than any
    year; empty where the percentile lies beyond the horizon)."""
    central = ds.fund.central()
    years = ds["year"].values
    deficit, exhausted = central.fund.first_deficit_year(), central.fund.exhaustion_year()
    labels = central.fund.verdict_label()
    by_draw = ds.fund.exhaustion_year() if ds.fund.stochastic else None  # once: every draw's, every pool's
    rows = []
    for pool in ds["pool"].values:
        gone = exhausted.sel(pool=pool).item()
        at = central.sel(pool=pool)
        row = {
            "pool": pool,
            "name_zh": POOL_NAMES_ZH[pool],
            "first_deficit_year": None
            if np.isnan(deficit.sel(pool=pool).item())
            else int(deficit.sel(pool=pool).item()),
            "exhaustion_year": None if np.isnan(gone) else int(gone),
            "income_covers_after_exhaustion": np.nan
            if np.isnan(gone)
            else float(at["income"].sel(year=int(gone)) / at["expenditure"].sel(year=int(gone))),
        }
        if ds.fund.stochastic and not bool(ds.fund.payg().sel(pool=pool)):
            row["exhausted_share_of_draws"] = float(np.isfinite(by_draw.sel(pool=pool).values).mean())
            # as the console and the report: a draw not exhausted counts as later than any year
            # (empty: beyond the horizon)
            percentiles = year_percentiles(by_draw.sel(pool=pool), (0.1, 0.9))
            row["exhaustion_year_p10"], row["exhaustion_year_p90"] = percentiles[0.1], percentiles[0.9]
        for year in SUMMARY_YEARS:
            row[f"months_covered_{year}"] = float(at["months_covered"].sel(year=year)) if year in years else np.nan
            row[f"verdict_{year}"] = str(labels.sel(pool=pool, year=year).item()) if year in years else ""
        rows.append(row)
    return pd.DataFrame(rows).set_index("pool")


def calibration_table(ds):
    """The base year: model against the bundle's figures (DataFrame, 亿元 / 万人), each with the
    figure's provenance (published, derived, example: :mod:`forecast.inputs.provenance`). Where the
    bundle does not split the employee accounts, the employee rows are the total (pooled fund and
    accounts) and the accounts have no rows of their own."""
    import pandas as pd

    base = int(ds.attrs["base_year"])
    targets = ds.attrs["calibration_targets"]
    first = ds.isel(draw=0) if ds.fund.stochastic else ds
    at = {name: first[name].sel(year=base) for name in ("income", "expenditure", "reserve", "insured")}
    status = first["insured_by_status"].sel(year=base)
    folded = ds.attrs.get("fund_scope", {}).get("employee") == "total"
    employee = "fund (pooled + accounts)" if folded else "pooled fund"
    checks = [
        ("in-service members (万人)", "in_service", float(status.sel(status="in_service")) / 1e4, 1e4),
        ("retirees (万人)", "retired", float(status.sel(status="retired")) / 1e4, 1e4),
        ("residents (万人)", "residents", float(status.sel(status="resident")) / 1e4, 1e4),
        (
            f"employee {employee} income (亿元)",
            "employee_pooled_income",
            float(at["income"].sel(pool="employee")) / 1e8,
            1e8,
        ),
        (
            f"employee {employee} expenditure (亿元)",
            "employee_pooled_expenditure",
            float(at["expenditure"].sel(pool="employee")) / 1e8,
            1e8,
        ),
        (
            f"employee {employee} reserve (亿元)",
            "employee_pooled_reserve",
            float(at["reserve"].sel(pool="employee")) / 1e8,
            1e8,
        ),
        (
            "individual accounts income (亿元)",
            "individual_account_income",
            float(first["individual_account_income"].sel(year=base)) / 1e8,
            1e8,
        ),
        (
            "individual accounts expenditure (亿元)",
            "individual_account_expenditure",
            float(first["individual_account_expenditure"].sel(year=base)) / 1e8,
            1e8,
        ),
        ("resident fund income (亿元)", "resident_income", float(at["income"].sel(pool="resident")) / 1e8, 1e8),
        (
            "resident fund expenditure (亿元)",
            "resident_expenditure",
            float(at["expenditure"].sel(pool="resident")) / 1e8,
            1e8,
        ),
        ("resident fund reserve (亿元)", "resident_reserve", float(at["reserve"].sel(pool="resident")) / 1e8, 1e8),
        (
            "medical assistance expenditure (亿元)",
            "assistance_expenditure",
            float(at["expenditure"].sel(pool="medical_assistance")) / 1e8,
            1e8,
        ),
        ("LTCI income (亿元)", "ltci_income", float(at["income"].sel(pool="ltci")) / 1e8, 1e8),
        ("LTCI expenditure (亿元)", "ltci_expenditure", float(at["expenditure"].sel(pool="ltci")) / 1e8, 1e8),
    ]
    if folded:  # the accounts are inside the employee figures: no rows of their own
        checks = [c for c in checks if not c[1].startswith("individual_account")]
    labels = ds.attrs.get("base_year_provenance") or {}
    frame = pd.DataFrame(
        [(name, model, targets.get(key, np.nan) / scale, labels.get(key, "")) for name, key, model, scale in checks],
        columns=["figure", "model", "published", "provenance"],
    ).set_index("figure")
    frame["difference"] = frame["model"] / frame["published"] - 1
    return frame[["model", "published", "difference", "provenance"]]


def years_last(ds) -> int:
    return int(ds["year"].values[-1])


def required_lines(ds) -> list[str]:
    """The resident pool's headline as a bureau faces it: the standard that keeps 6-9 months each
    year (yuan, and as a share of disposable income); the deficit years above are the open-loop view
    (the scenario's standards, with no further increases after their rule)."""
    if "required_standard" not in ds or bool((ds["expenditure"].sel(pool="resident").isel(year=0) == 0).all()):
        return []
    central = ds.fund.central()
    years = [y for y in SUMMARY_YEARS if y in central["year"].values]
    shown = " / ".join(
        f"{y} {float(central['required_standard'].sel(year=y)):,.0f}元 "
        f"({float(central['required_standard_share'].sel(year=y)):.1%})"
        for y in years
    )
    thresholds = ds.attrs.get("verdict_thresholds", {})
    low, high = thresholds.get("low_months", 6.0), thresholds.get("high_months", 9.0)
    return [
        "",
        f"  居民医保每年保持可支付{low:g}–{high:g}个月所需的人均筹资标准 The resident standard that keeps "
        f"{low:g}-{high:g} months each year (yuan per person; share of disposable income): {shown}",
        "    (the first deficit and exhaustion years above assume the scenario's standards, with no further "
        "increases: the open-loop view)",
    ]


def fund_headline(ds) -> str:
    """The printed result of ``forecast run``: calibration, then one line per pool."""
    base = int(ds.attrs["base_year"])
    from .provenance import PROVENANCE_ZH, example_mark, place, pool_scope, scope_zh

    lines = [
        f"Fund projection — {ds.attrs.get('scenario_title', '')}{example_mark(ds)}",
        f"  region: {place(ds)}; base year {base}; horizon {int(ds['year'].values[-1])}"
        + (f"; {ds.sizes['draw']} draws (medians)" if "draw" in ds.dims else ""),
    ]
    if example_mark(ds):
        lines.append(
            "  示例 ILLUSTRATION: the bundle borrows figures from the nation (labelled 示例 below); not for a budget "
            "or a valuation as it stands"
        )
    scope = pool_scope(ds, "employee")
    lines.append(
        f"  职工医保口径 employee scope: {scope_zh(scope)} "
        + (
            "(pooled fund; the individual accounts apart)"
            if scope == "pooled_fund"
            else "(pooled fund and individual accounts together: the bundle does not split them)"
        )
    )
    lines += [
        "",
        f"  Calibration: the model's {base} against the bundle's figures (公布 published, 推算 derived, 示例 example)",
    ]
    table = calibration_table(ds)
    for name, row in table.iterrows():
        diff = "" if not np.isfinite(row.difference) else f"{row.difference:+.2%}"  # none where unpublished or both 0
        published = "not published" if np.isnan(row.published) else f"{row.published:,.2f}"
        lines.append(
            f"    {name:<50}{row.model:>12,.2f} {published:>13} {diff:>8}  {PROVENANCE_ZH.get(row.provenance, '')}"
        )
    lines += ["", "  Pools (years; months of expenditure the reserve covers; verdict)"]
    summary = fund_summary(ds)
    head = (
        f"    {'pool':<20}{'first deficit':>14}{'exhausted':>11}"
        + "".join(f"{y:>9}" for y in SUMMARY_YEARS)
        + "   verdict "
        + "/".join(map(str, SUMMARY_YEARS))
    )
    lines.append(head)

    for pool, row in summary.iterrows():
        months = "".join(
            "        —"
            if np.isnan(row[f"months_covered_{y}"]) or row[f"verdict_{y}"] in ("payg", "not_projected")
            else f"{row[f'months_covered_{y}']:>9.1f}"
            for y in SUMMARY_YEARS
        )
        deficit = (
            "none"
            if row.first_deficit_year is None
            or (isinstance(row.first_deficit_year, float) and np.isnan(row.first_deficit_year))
            else str(int(row.first_deficit_year))
        )
        gone = (
            "none"
            if row.exhaustion_year is None or (isinstance(row.exhaustion_year, float) and np.isnan(row.exhaustion_year))
            else str(int(row.exhaustion_year))
        )
        verdicts = " / ".join(f"{VERDICTS.get(row[f'verdict_{y}'], '')}" for y in SUMMARY_YEARS)
        lines.append(f"    {pool:<20}{deficit:>14}{gone:>11}{months}   {verdicts}")
    lines += required_lines(ds)
    lines += warning_lines(ds)
    lines += fitted_lines(ds.attrs.get("fitted_growth", {}), base)
    if ds.fund.stochastic:
        lines += uncertainty_lines(ds)
    elif ds.attrs.get("driver_quantiles"):
        lines += [
            "",
            "  Deterministic set: each driver at a fixed quantile of its distribution: "
            + ", ".join(f"{k} {v:.0%}" for k, v in ds.attrs["driver_quantiles"].items()),
        ]
    if str(ds.attrs.get("claim_model", "")).startswith("reduced"):
        lines += ["", f"  Note: claim model {ds.attrs['claim_model']}."]
    from .review import hint_lines, run_hints

    hints = hint_lines(run_hints(ds))
    if hints:
        lines += ["", *(f"  {line}" for line in hints)]
    lines.append("")
    lines.append(
        "  Verdicts follow 人社部发〔2009〕67号 (6-9 months reasonable, above 15 too much); see docs/model/fund.md, "
        "'The verdict'."
    )
    if ds.attrs.get("extended_values"):
        lines.append(
            f"  {len(ds.attrs['extended_values'])} dated values continue beyond their last given year (listed in "
            "results.nc attrs; --strict refuses)."
        )
    return "\n".join(lines)


def fitted_lines(fitted: dict, base: int) -> list[str]:
    """The fitted drivers: each series' form and next-year growth, what 'fitted' stands for in the
    first projected year, and the decomposition of each pool's cost per insured person."""
    fits = {k: v for k, v in fitted.items() if isinstance(v, dict) and "growth" in v and "form" in v}
    if not fits:
        return []
    lines = [
        "",
        f"  Drivers fitted to the bulletins up to {base} (forms chosen by rolling-origin error; the mean growth, and "
        "the latest year's)",
    ]
    for name, fit in fits.items():
        form = f"damped φ {fit['damping']:g}" if fit["form"] == "damped" else fit["form"]
        latest = f"; {fit['years'][1]} {fit['recent_growth']:+.1%}" if "recent_growth" in fit else ""
        lines.append(
            f"    {name:<36}{fit['growth']:>8.2%} ({form}, {fit['points']} points "
            f"{fit['years'][0]}-{fit['years'][1]}{latest})"
        )
    values = fitted.get("values", {})
    if values:
        lines.append(
            f"    so 'fitted' stands for, in {base + 1}: " + "; ".join(f"{k} {v:+.2%}" for k, v in values.items())
        )
    for pool, d in fitted.get("decomposition", {}).items():
        lines.append(
            f"    {pool} cost per insured {d['nominal']:+.2%} = price {d['price']:+.2%} × ageing {d['ageing']:+.2%} "
            f"(age-sex cost index, {d['years'][0]}-{d['years'][1]}) × real {d['real']:+.2%}"
        )
    realisation = fitted.get("resident_realisation", {})
    if "level" in realisation:
        lines.append(
            f"    resident realisation of the standard: {realisation['base_year_value']:.3f} in {base}, level "
            f"{realisation['level']:.3f} (local level, α {realisation['alpha']:.2f})"
        )
    return lines


def warning_lines(ds) -> list[str]:
    """风险预警: each pool's level in a few years and the first year it turns orange and red."""
    if "warning" not in ds:
        return []

    central = ds.fund.central()
    labels = central.fund.warning_label()
    years = [y for y in (int(ds.attrs["base_year"]) + 1, *SUMMARY_YEARS) if y in ds["year"].values]
    lines = ["", f"  风险预警 warning levels ({' / '.join(map(str, years))}; the first year orange and red)"]
    for pool in ds["pool"].values:
        if bool(ds.fund.payg().sel(pool=pool)):
            continue
        seq = labels.sel(pool=pool)
        levels = " / ".join(f"{WARNINGS[str(seq.sel(year=y).item())]}" for y in years)
        first = {
            level: next((int(y) for y, v in zip(seq["year"].values, seq.values) if v in level), None)
            for level in (("orange", "red"), ("red",))
        }
        lines.append(
            f"    {pool:<20}{levels:<28} orange {first[('orange', 'red')] or 'none'}, red {first[('red',)] or 'none'}"
        )
    return lines
