"""Accuracy figures quoted in README.md, data/china/SOURCES.md and the tests' docstrings.

Run: .venv/bin/python benchmarks/accuracy.py   (or make benchmark)
Reads ../shared/research-data for the comparisons (never copied into the project); each
section says which published table it compares with.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESEARCH = Path(os.environ.get("FORECAST_SHARED", ROOT.parent / "shared")) / "research-data"


def sex_split_errors(china):
    """Base population by sex vs census table 1-5 by sex (research-data): data/china carries the table
    itself; the derivation it used before (methods 1 and 2, data/build/demography.py), kept for bundles
    without such a table, is measured against it."""
    sys.path.insert(0, str(ROOT / "data" / "build"))
    import demography

    df = pd.read_csv(RESEARCH / "census_2010_2020_pop_by_age5_sex_province.csv")
    census = df[(df.census_year == 2020) & (df.area == "全国")].set_index(["sex", "age_group"])["population"]
    pop = china.base_population
    exact = all(
        int(pop.sel(sex=s, age_group=g)) == census[s, str(g)] for s in ("male", "female") for g in pop.age_group.values
    )
    print(f"data/china base population equals census table 1-5 by sex and group: {exact}")
    derived = demography.derived_base_population()
    print("The derived split (methods 1 and 2) vs census table 1-5 (relative error, %):")
    males = sum(v for (sex, _), v in derived.items() if sex == "male")
    print(f"  male total: {100 * (males / census['male', 'total'] - 1):+.4f}%")
    bands = [(0, 10), (10, 60), (60, 80), (80, 90), (90, 100), (100, 200)]
    for low, high in bands:
        worst = max(
            abs(v / census[sex, g] - 1)
            for (sex, g), v in derived.items()
            if low <= int(g.rstrip("+").split("-")[0]) < high
        )
        print(f"  ages {low}-{high - 1 if high < 200 else '+'}: largest error {100 * worst:.1f}%")


def wpp2024_projection():
    """The 2020 census projected with WPP 2024 medium-variant rates vs WPP 2024 totals."""
    from forecast.model.population import project
    from tests.population import wpp2024

    base, date, mx, asfr, srb, migration = wpp2024.inputs(2050)
    young = base.sel(sex="male", age=slice(18, 34))
    base = base.copy()
    base.loc[{"sex": "male", "age": slice(18, 34)}] = young + 2_000_000 * young / young.sum()
    ds = project(base, date, mx, asfr, srb, migration)
    total = ds["population"].sum(("sex", "age"))
    wpp = wpp2024.projected_totals()
    births = pd.read_csv(RESEARCH / "wpp2024_china_births_deaths_rates_annual.csv").set_index("year")["births"] * 1000
    print("Census 2020 + WPP 2024 rates vs WPP 2024 medium total population:")
    for year in (2025, 2030, 2040, 2050):
        level = float(total.sel(year=year)) / wpp[year] - 1
        growth = float(total.sel(year=year) / total.sel(year=2025)) / (wpp[year] / wpp[2025]) - 1
        ours_births = float(ds["births"].sel(year=year).sum())
        print(
            f"  {year}: level {100 * level:+.2f}%, growth since 2025 {100 * growth:+.2f}%, "
            f"births {100 * (ours_births / births[year] - 1):+.1f}%"
        )
    import warnings

    import forecast

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        baseline = forecast.run(ROOT / "scenarios" / "baseline.yaml")["population"].sum(("sex", "age"))
    print("The baseline (data/china: census without the servicemen, WPP 2024 rates and migration) vs WPP 2024:")
    for year in (2025, 2030, 2040, 2050):
        level = float(baseline.sel(year=year)) / wpp[year] - 1
        growth = float(baseline.sel(year=year) / baseline.sel(year=2025)) / (wpp[year] / wpp[2025]) - 1
        print(f"  {year}: level {100 * level:+.2f}%, growth since 2025 {100 * growth:+.2f}%")


def e0_check(china):
    """Single-age life table from the bundle's 2015-2019 rates vs WPP 2024's annual e0 averaged over the
    WPP period 2015-2020 (half of 2015, 2016-2019, half of 2020)."""
    from forecast.model.population import life_table
    from forecast.model.population.lifetable import infant_ax
    from forecast.model.population.rates import single_age_mortality

    mx = single_age_mortality(china.mortality).sel(period="2015-2019")
    e0 = pd.read_csv(RESEARCH / "wpp2024_china_e0_annual.csv").set_index("year") if RESEARCH.is_dir() else None
    for sex, column in (("male", "e0M"), ("female", "e0F")):
        m = mx.sel(sex=sex).values
        ours = life_table(m, infant_ax(m[0], sex))["ex"][0]
        published = (
            ""
            if e0 is None
            else " (WPP 2024: "
            f"{(e0.loc[2015, column] / 2 + e0.loc[2016:2019, column].sum() + e0.loc[2020, column] / 2) / 5:.2f})"
        )
        print(f"  e0 {sex}: {ours:.2f}{published}")


def lee_carter(china):
    from forecast.model.population import PopulationAssumptions
    from forecast.model.population.mortality import fit_lee_carter

    for sex, model in fit_lee_carter(china, PopulationAssumptions(mortality_method="lee_carter")).items():
        print(
            f"  Lee-Carter {sex} 1990-2019: drift {model.drift_:.3f}/year, s.e. {model.drift_se_:.3f}, "
            f"explained {model.explained_variance_:.1%}"
        )


def fund_drivers():
    """The baseline's drivers quoted in the README ("What drives them") and the fitted growth."""
    import warnings

    import forecast

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = forecast.run(ROOT / "scenarios" / "baseline.yaml")
    status = ds["insured_by_status"]
    ratio = status.sel(status="in_service") / status.sel(status="retired")
    print("Baseline drivers (forecast run scenarios/baseline.yaml):")
    print(
        "  in-service : retiree ratio 2024/2030/2040/2050: "
        + " / ".join(f"{float(ratio.sel(year=y)):.2f}" for y in (2024, 2030, 2040, 2050))
    )
    print(
        "  retirees (万人) 2024/2040/2050: "
        + " / ".join(f"{float(status.sel(status='retired', year=y)) / 1e4:,.0f}" for y in (2024, 2040, 2050))
    )
    for pool in ("employee", "resident"):
        growth = {
            k: float((ds[k].sel(pool=pool, year=2035) / ds[k].sel(pool=pool, year=2024)) ** (1 / 11) - 1)
            for k in ("income", "expenditure")
        }
        print(f"  {pool}: expenditure {growth['expenditure']:.1%} a year 2024-2035, income {growth['income']:.1%}")
    for name, fit in ds.attrs["fitted_growth"].items():
        if isinstance(fit, dict) and "growth" in fit:
            growth = fit["growth"]  # a rate, or one per pool (the ageing effect)
            shown = (
                ", ".join(f"{k} {v:.2%}" for k, v in growth.items()) if isinstance(growth, dict) else f"{growth:.2%}"
            )
            print(f"  fitted {name}: {shown} ({fit.get('form', 'measured')}, years {fit.get('years')})")


if __name__ == "__main__":
    import forecast

    china = forecast.load_region(ROOT / "data" / "china")
    print("Life expectancy and Lee-Carter fit on data/china:")
    e0_check(china)
    lee_carter(china)
    print()
    fund_drivers()
    if not RESEARCH.is_dir():
        print(f"\n{RESEARCH} is absent: skipping the comparisons with the census by sex and WPP 2024.")
        sys.exit(0)
    print()
    sex_split_errors(china)
    print()
    wpp2024_projection()
