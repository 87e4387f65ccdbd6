"""What the engine's group sizes and reuse rest on, measured in one process (CPU time of this thread,
the minimum over repeats, one BLAS thread, ordinary memory pages as a run has them):

1. the plan (``forecast.engine.plan.make_plan``) made from its rules, and made again when only the
   financing differs from an earlier plan's (``like=``: its layers and indices taken), CPU;
2. a solver's trial (``project`` of 200 draws, and deterministic) alone, and sharing the population
   and plan with the trials before it (``forecast.engine.reuse.Reuse``): wall time, as the trial
   uses the population threads (measured first, in a fresh process: measured after the large groups
   below, the trials took 0.15-0.3 s longer and the difference between them was lost);
3. the fund stages (``forecast.engine.funds.fund_stages``) on 50 to 4,000 enrolled draws: their
   labelled arrays over year and pool cost much the same for few draws as for many, which is why
   they take FUND_DRAWS at once;
4. the population of 10,000 draws projected in groups of 1,000 to 10,000 draws: why the
   population keeps its own, smaller group (POPULATION_DRAWS);
5. the breakpoints at which the limited expected value is evaluated per draw, for each pool and
   claim type whose mean claim differs by draw (4,000 draws): each payer's own against the distinct
   ones of one shared table (``forecast.model.benefits.layers.shared_edges``), and the CPU time of
   the two evaluations;
6. a group of 2,000 draws projected and enrolled: its population kept whole and enrolled after it
   (``forecast.engine.enrolled.enroll``), and enrolled a year at a time as it is projected
   (``EnrollingByYear``, what a run with draws does): CPU and the pages faulted in (the least over
   repeats, so after the first call's; measured third, before the large groups of parts 3-5 leave
   the allocator holding memory).

Part 3 also gives the largest memory a call holds (tracemalloc, a call of its own).

    python benchmarks/stages.py            # the baseline, 10,000 draws, seed 1
"""

from __future__ import annotations

import functools
import itertools
import resource
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import xarray as xr
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from forecast.engine.draws import stochastic_setup  # noqa: E402
from forecast.engine.enrolled import EnrollingByYear, enroll  # noqa: E402
from forecast.engine.funds import fund_stages  # noqa: E402
from forecast.engine.pages import ordinary_pages  # noqa: E402
from forecast.engine.plan import build_plan, make_plan  # noqa: E402
from forecast.engine.reuse import Reuse  # noqa: E402
from forecast.engine.run import base_year, project  # noqa: E402
from forecast.inputs.region import load_region  # noqa: E402
from forecast.model.benefits.layers import (  # noqa: E402
    expected_layers,
    padded_layers,
    shared_edges,
    shared_expectation,
)
from forecast.model.benefits.payments import payer_slots  # noqa: E402
from forecast.model.uncertainty.stochastic import DriverPaths, fund_drivers  # noqa: E402
from forecast.scenario.dated import DatedValue  # noqa: E402
from forecast.scenario.load import load_scenario  # noqa: E402
from forecast.scenario.rules import Rules, with_defaults  # noqa: E402
from forecast.vocabulary import BASIC_POOLS, CLAIM_TYPES  # noqa: E402

DRAWS, SEED, REPEAT = 10_000, 1, 3


def _least(function, clock=time.thread_time) -> float:
    """The least time over REPEAT calls of ``function`` on ``clock``: this thread's CPU time, or
    ``time.perf_counter`` for wall time (a call that uses other threads)."""
    best = np.inf
    for _ in range(REPEAT):
        start = clock()
        function()
        best = min(best, clock() - start)
    return best


def _cpu(function) -> float:
    return _least(function)


def _wall(function) -> float:
    return _least(function, time.perf_counter)


def _peak(function) -> int:
    """The largest memory (bytes) one call of ``function`` holds above what was held before it."""
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        function()
        return tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()


def _cpu_and_faults(function) -> tuple[float, int]:
    """The least CPU time of this thread and the fewest pages it faulted in over REPEAT calls."""
    best, faults = np.inf, None
    for _ in range(REPEAT):
        start, used = time.thread_time(), resource.getrusage(resource.RUSAGE_THREAD).ru_minflt
        function()
        best = min(best, time.thread_time() - start)
        fresh = resource.getrusage(resource.RUSAGE_THREAD).ru_minflt - used
        faults = fresh if faults is None else min(faults, fresh)
    return best, faults


def _enrolled_both_ways(scenario, region, params, figures, curves, plan, shocks) -> None:
    print("6 (measured third). a group of 2,000 draws projected and enrolled (CPU s, pages faulted in)")
    setup = stochastic_setup(
        scenario, region, params, scenario.horizon, DRAWS, SEED, None, None, group=2_000, deferred=True
    )
    task = next(iter(setup.chunks))

    def after():
        chunk = task()
        enroll(chunk, plan, figures, curves, DriverPaths(shocks, chunk["draw"].values))

    def by_year():
        enrolling = EnrollingByYear(plan, figures, curves, shocks)
        enrolling.enrolled(task(each_year=enrolling))

    for name, function in (("kept whole, enrolled after", after), ("enrolled a year at a time", by_year)):
        seconds, faults = _cpu_and_faults(function)
        print(f"   {name}: {seconds:.3f}; {faults:,} pages")


def _fresh(rules: Rules) -> Rules:
    """``rules`` without what they remember (their selections, their base year): as resolved."""
    return Rules(rules.years, rules.ds, rules.extended, rules.values)


def _plans_and_trials(scenario, region, plan) -> None:
    print("1. the plan made from its rules, and again from a plan that differs only in the financing (CPU s)")
    alone = _cpu(lambda: make_plan(region, _fresh(plan.rules), _fresh(plan.root), plan.fits))
    taken = _cpu(lambda: make_plan(region, _fresh(plan.rules), _fresh(plan.root), plan.fits, like=plan))
    print(f"   made: {alone:.3f}; its parts taken: {taken:.3f}")
    print("2. a solver's trial alone, and sharing the trials' population and plan (wall s)")
    params, root = dict(scenario.params), dict(scenario.root_params)
    trials = itertools.count(1)

    def trial(draws, reuse):
        """One trial of a solver's resident financing lever: each a little higher than the last."""
        subsidy = {"policy.resident.fiscal_subsidy": DatedValue(((2025, 700.0 + next(trials)),), after="hold")}
        project(scenario, region, {**params, **subsidy}, root, scenario.horizon, draws=draws, seed=0, reuse=reuse)

    for draws in (None, 200):
        reuse = Reuse(region)
        trial(draws, reuse)  # the first trial projects and keeps
        print(
            f"   {draws or 'deterministic'}: alone {_wall(lambda: trial(draws, None)):.3f}; "  # noqa: B023
            f"sharing {_wall(lambda: trial(draws, reuse)):.3f}"  # noqa: B023
        )


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
    plan = build_plan(scenario, region, params, root, years, first.central_population(None), curves, False)
    _plans_and_trials(scenario, region, plan)
    population = next(iter(first.chunks))
    shocks = fund_drivers(region, base, params, first.settings, years, DRAWS, first.entropy, first.quantiles, None)

    _enrolled_both_ways(scenario, region, params, figures, curves, plan, shocks)  # before the large groups
    print("3. the fund stages on n enrolled draws (CPU s)")
    with xr.set_options(arithmetic_join="exact"):
        for n in (50, 1_000, 2_000, 4_000):
            part = population.isel(draw=slice(0, n))
            paths = DriverPaths(shocks, part["draw"].values)
            enrolled = enroll(part, plan, figures, curves, paths)
            call = functools.partial(fund_stages, region, enrolled, plan, figures, paths)
            print(f"   {n:>6,} draws: {_cpu(call):.3f}; peak {_peak(call) / 2**20:,.0f} MiB")

    print(f"4. the population of {DRAWS:,} draws in groups of n draws (CPU s)")
    for group in (1_000, 2_000, 5_000, 10_000):
        print(f"   {group:>6,} draws a group: {_cpu(functools.partial(_all_chunks, setup, group)):.3f}")

    print("5. breakpoints evaluated per draw where the mean claim differs by draw: each payer's / distinct")
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
