"""Speed and memory (run: make benchmark, or .venv/bin/python benchmarks/run.py).

Reports, on this machine:
1. a deterministic projection of the national bundle to 2100: the whole run (inputs, engine,
   indicators) and the engine alone for 2024-2100;
2. a 10,000-draw stochastic projection (Lee-Carter + TFR random walk) to 2060: wall time and peak
   resident memory, measured in a fresh subprocess.
3. the deterministic fund projection of the baseline scenario (all pools, 2024-2060), in-process:
   the whole ``forecast.run`` (bundle, scenario, population, enrollment, income, expenditure,
   fund) and the fund stages alone on a cached population (goal: under 1 s).
Numbers are medians of repeated runs; compare ratios within one run, not across machines.
"""

from __future__ import annotations

import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def median_seconds(fn, repeat=15):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def deterministic():
    import numpy as np

    import forecast
    from forecast.model.population import project_region
    from forecast.model.population.engine import project_arrays

    china = forecast.load_region(ROOT / "data" / "china")
    whole = median_seconds(lambda: project_region(china, end_year=2100))
    ds = project_region(china, end_year=2100)
    years = [y for y in ds["year"].values if y >= 2024]
    from forecast.model.population.assumptions import PopulationAssumptions
    from forecast.model.population.project import mortality_path, tfr_path
    from forecast.model.population.rates import fertility_pattern

    a = PopulationAssumptions()
    mx = mortality_path(china, a, years)[0].values[:, None]
    asfr = (tfr_path(china, a, years)[0] * fertility_pattern(china.fertility, years)).values[:, None]
    srb = np.full((len(years), 1), 1.1)
    base = ds["population"].sel(year=2023).values[None]
    engine = median_seconds(lambda: project_arrays(base, 1.0, mx, asfr, srb), repeat=50)
    return {"deterministic_2020_2100_whole_run_ms": whole * 1e3, "deterministic_engine_2024_2100_ms": engine * 1e3}


def stochastic_child(draws: int, end_year: int):
    import forecast
    from forecast.model.population import PopulationAssumptions, project_region

    china = forecast.load_region(ROOT / "data" / "china")
    start = time.perf_counter()
    ds = project_region(china, PopulationAssumptions(mortality_method="lee_carter"), end_year=end_year, draws=draws, seed=2024)
    elapsed = time.perf_counter() - start
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    total = ds["population_total"].sel(year=end_year)
    print(json.dumps({"seconds": elapsed, "peak_rss_mib": peak_mib, "median_total": float(total.median()),
                      "p10": float(total.quantile(0.1)), "p90": float(total.quantile(0.9))}))


def stochastic(draws=10_000, end_year=2060):
    out = subprocess.run([sys.executable, __file__, "--child", str(draws), str(end_year)], capture_output=True, text=True, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    return {f"stochastic_{draws}_draws_to_{end_year}_seconds": result["seconds"],
            f"stochastic_{draws}_draws_peak_rss_mib": result["peak_rss_mib"],
            f"stochastic_{end_year}_total_median_p10_p90_million": [round(result[k] / 1e6, 1) for k in ("median_total", "p10", "p90")]}


def fund():
    import forecast
    from forecast.model.calibration import base_year_figures
    from forecast.model.population import project_region
    from forecast.projection import project_funds
    from forecast.scenario.parameters import resolve

    baseline = ROOT / "scenarios" / "baseline.yaml"
    whole = median_seconds(lambda: forecast.run(baseline), repeat=7)
    china = forecast.load_region(ROOT / "data" / "china")
    scenario = forecast.load_scenario(baseline)
    pop = project_region(china, scenario.population, end_year=scenario.horizon)
    import numpy as np

    from forecast.projection import _fill_fitted

    values = {"employee_income_per_in_service": 0.05, "expenditure_per_insured": 0.03, "in_service_coverage": 0.0, "resident_coverage": 0.0}
    params = resolve(_fill_fitted(dict(scenario.params), values, 2024), np.arange(2024, scenario.horizon + 1))
    figures = base_year_figures(china, 2024)
    stages = median_seconds(lambda: project_funds(china, pop, params, params, figures), repeat=7)
    return {"fund_run_baseline_2024_2060_whole_s": whole, "fund_stages_only_2024_2060_s": stages}


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        stochastic_child(int(sys.argv[2]), int(sys.argv[3]))
    elif len(sys.argv) > 1 and sys.argv[1] == "--fund":
        for key, value in fund().items():
            print(f"{key}: {round(value, 3)}")
    else:
        results = {**deterministic(), **fund(), **stochastic()}
        for key, value in results.items():
            print(f"{key}: {value if isinstance(value, list) else round(value, 2)}")
