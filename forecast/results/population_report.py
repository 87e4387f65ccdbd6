"""The population projection's plain-text report for the terminal (``forecast population``): headline
indicators by year (medians and 80% intervals over draws in stochastic runs) and the fitted mortality and
fertility models."""

from __future__ import annotations

import pandas as pd

__all__ = ["population_headline", "population_table", "HEADLINE_YEARS"]


HEADLINE_YEARS = (2020, 2024, 2025, 2030, 2035, 2040, 2050, 2060, 2070, 2080, 2090, 2100)


def population_table(ds):
    """Headline indicators by year as a DataFrame (medians over draws in stochastic runs)."""
    years = [y for y in HEADLINE_YEARS if y in ds["year"].values] or list(
        ds["year"].values[:: max(1, ds.sizes["year"] // 10)]
    )
    sel = ds.sel(year=years)
    pop = sel["population"].sum("sex")
    share65 = pop.where(pop.age >= 65, 0).sum("age") / pop.sum("age")
    columns = {
        "population_total": sel["population_total"],
        "share_65_plus": share65,
        "old_age_dependency_ratio": sel["old_age_dependency_ratio"],
        "median_age": sel["median_age"],
        "births": sel["births"].sum("sex"),
        "life_expectancy_male": sel["life_expectancy_birth"].sel(sex="male"),
        "life_expectancy_female": sel["life_expectancy_birth"].sel(sex="female"),
        "tfr": sel["tfr"],
    }
    frame = {}
    for name, da in columns.items():
        if "draw" in da.dims:
            frame[name] = da.median("draw").values
            frame[name + "_p10"] = da.quantile(0.1, "draw").values
            frame[name + "_p90"] = da.quantile(0.9, "draw").values
        else:
            frame[name] = da.values
    return pd.DataFrame(frame, index=pd.Index(years, name="year"))


def population_headline(ds, title: str) -> str:
    """The projected population headline: total, 65+ share, dependency ratio, median age, e0."""
    table = population_table(ds)
    stochastic = "population_total_p10" in table
    lines = [
        f"Population projection — {title}",
        f"  region: {ds.attrs.get('region', '')}; mortality: {ds.attrs.get('mortality_method')}"
        + (f"; {ds.sizes['draw']} draws (median, 80% interval)" if stochastic else ""),
        "  population on 31 December; totals in 万人 (10,000 persons)",
        "",
    ]
    header = (
        f"  {'year':>4} {'total 万人':>12} {'65+ share':>10} {'old-age dep.':>12} {'median age':>10} "
        f"{'births 万':>9} {'e0 m/f':>11} {'TFR':>5}"
    )
    lines.append(header)
    for year, row in table.iterrows():
        total = f"{row.population_total / 1e4:,.0f}"
        if stochastic:
            total += f" [{row.population_total_p10 / 1e4:,.0f}-{row.population_total_p90 / 1e4:,.0f}]"
        lines.append(
            f"  {year:>4} {total:>12} {row.share_65_plus:>10.1%} {row.old_age_dependency_ratio:>12.3f} "
            f"{row.median_age:>10.1f} "
            f"{row.births / 1e4:>9,.0f} {row.life_expectancy_male:>5.1f}/{row.life_expectancy_female:<5.1f} "
            f"{row.tfr:>5.2f}"
        )
    first_step = ds.attrs.get("first_step_years", 1.0)
    if first_step < 1.0:
        first = int(ds["year"].values[0])
        lines.append(
            f"\n  note: {first} covers only the {first_step * 12:.0f} months from the base date "
            f"({ds.attrs.get('base_date')}) to 31 December;"
            f" its births are those months' births."
        )
    fit = ds.attrs.get("fit", {})
    for sex in ("male", "female"):
        lc = fit.get(f"lee_carter_{sex}")
        if lc:
            lines.append(
                f"\n  Lee-Carter ({sex}, periods {lc['periods'][0]} to {lc['periods'][-1]}): k_t drift "
                f"{lc['drift_per_year']:.4f} "
                f"per year (s.e. {lc['drift_se']:.4f}), innovation s.d. {lc['sigma_per_year']:.4f}, first component "
                f"{lc['explained_variance']:.1%} of the variance"
            )
    if "tfr_volatility" in fit:
        lines.append(f"  TFR random walk: annual shock s.d. {fit['tfr_volatility']:.4f} births/woman")
    held = ds.attrs.get("tfr_held_after_last_date") or []
    if held:
        lines.append(f"\n  note: the TFR is held at its last dated value from {held[0]} (continuation rule 'hold').")
    return "\n".join(lines)
