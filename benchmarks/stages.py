"""What the engine's group sizes rest on, measured in one process (CPU time of this thread, the
minimum over repeats, one BLAS thread, ordinary memory pages as a run has them):

1. the fund stages (``forecast.engine.funds.fund_stages``) on 50 to 4,000 enrolled draws: their
   labelled arrays over year and pool cost much the same for few draws as for many, which is why
   they take FUND_DRAWS at once;
2. the population of 10,000 draws projected in groups of 1,000 to 10,000 draws: why the
   population keeps its own, smaller group (POPULATION_DRAWS);
3. the breakpoints at which the limited expected value is evaluated per draw, for each pool and
   claim type whose mean claim differs by draw (4,000 draws): each payer's own against the distinct
   ones of one shared table (``forecast.model.benefits.layers.shared_edges``), and the CPU time of
   the two evaluations.

    python benchmarks/stages.py            # the baseline, 10,000 draws, seed 1
"""

from __future__ import annotations

import functools
import sys
import time
from pathlib import Path

import numpy as np
import xarray as xr
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from forecast.engine.draws import stochastic_setup  # noqa: E402
from forecast.engine.enrolled import enroll  # noqa: E402
from forecast.engine.funds import fund_stages  # noqa: E402
from forecast.engine.pages import ordinary_pages  # noqa: E402
from forecast.engine.plan import build_plan  # noqa: E402
from forecast.engine.run import base_year  # noqa: E402
from forecast.inputs.region import load_region  # noqa: E402
from forecast.model.benefits.layers import (  # noqa: E402
    expected_layers,
    padded_layers,
    shared_edges,
    shared_expectation,
)
from forecast.model.benefits.payments import payer_slots  # noqa: E402
from forecast.model.uncertainty.stochastic import DriverPaths, fund_drivers  # noqa: E402
from forecast.scenario.load import load_scenario  # noqa: E402
from forecast.scenario.rules import with_defaults  # noqa: E402
from forecast.vocabulary import BASIC_POOLS, CLAIM_TYPES  # noqa: E402

DRAWS, SEED, REPEAT = 10_000, 1, 3


def _cpu(function) -> float:
    """The least CPU time of this thread over REPEAT calls of ``function``."""
    best = np.inf
    for _ in range(REPEAT):
        start = time.thread_time()
        function()
        best = min(best, time.thread_time() - start)
    return best


def _all_chunks(setup, group: int) -> None:
    for _ in setup(group).chunks:
        pass


def main() -> None:
    scenario = load_scenario("baseline")
    region = load_region(scenario.region_path)
    params, root = with_defaults(dict(scenario.params)), with_defaults(dict(scenario.root_params))
    base, _, years, figures, curves = base_year(scenario, region, params, root, scenario.horizon)

    def setup(group):
        return stochastic_setup(scenario, region, params, scenario.horizon, DRAWS, SEED, None, None, group=group)

    first = setup(4_000)
    population = next(iter(first.chunks))
    plan = build_plan(scenario, region, params, root, years, first.central_population(None), curves, False)
    shocks = fund_drivers(region, base, params, first.settings, years, DRAWS, first.entropy, first.quantiles, None)

    print("1. the fund stages on n enrolled draws (CPU s)")
    with xr.set_options(arithmetic_join="exact"):
        for n in (50, 1_000, 2_000, 4_000):
            part = population.isel(draw=slice(0, n))
            paths = DriverPaths(shocks, part["draw"].values)
            enrolled = enroll(part, plan, figures, curves, paths)
            seconds = _cpu(functools.partial(fund_stages, region, enrolled, plan, figures, paths))
            print(f"   {n:>6,} draws: {seconds:.3f}")

    print(f"2. the population of {DRAWS:,} draws in groups of n draws (CPU s)")
    for group in (1_000, 2_000, 5_000, 10_000):
        print(f"   {group:>6,} draws a group: {_cpu(functools.partial(_all_chunks, setup, group)):.3f}")

    print("3. breakpoints evaluated per draw where the mean claim differs by draw: each payer's / distinct")
    for pool in BASIC_POOLS:
        model = plan.claims[pool].model(enrolled.members["weighted"].sel(pool=pool, drop=True).isel(year=0, drop=True))
        means = model.mean_cost.transpose("claim_type", ...).values
        for j, kind in enumerate(CLAIM_TYPES):
            if np.all(means[j] == means[j].flat[0]):
                continue  # the same for every draw: evaluated once, not per draw
            layers = [layers for _, layers in payer_slots([year[kind] for year in plan.layers[pool]])]
            each = sum(padded_layers(list(payer))[0].size for payer in layers)
            m = plan.indices["severity"].values[:, None] * means[j][None, :]  # (year, draw)
            cv = float(model.cv.sel(claim_type=kind))
            alone = _cpu(lambda: [expected_layers(list(payer), m, cv) for payer in layers])  # noqa: B023
            shared = _cpu(lambda: shared_expectation(shared_edges(layers), m, cv))  # noqa: B023
            print(
                f"   {pool} {kind} ({m.shape[1]:,} draws): {each} / {len(shared_edges(layers).limits)}; "
                f"CPU s {alone:.3f} each payer alone / {shared:.3f} one table"
            )


if __name__ == "__main__":
    with threadpool_limits(limits=1, user_api="blas"), ordinary_pages():
        main()
