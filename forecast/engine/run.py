"""A run: the scenario's population chunk by chunk, the plan made once, the fund stages of each
chunk of draws, the draws' summary and the run's provenance."""

from __future__ import annotations

import functools
import threading
from pathlib import Path

import numpy as np
import xarray as xr
from threadpoolctl import threadpool_limits

from ..errors import InputError, Problem
from ..inputs.region import load_region
from ..labelled import concat_exact
from ..limits import usable_cores
from ..model.benefits.curves import age_curves
from ..model.benefits.normal import vectorised_ndtr
from ..model.calibration.base_year import (
    base_year_figures,
    check_span,
    costs_benefits,
    fund_base_year,
    refuse_uncosted_changes,
)
from ..model.population.groups import prefetched
from ..model.population.indicators import check_projection
from ..model.uncertainty.intervals import band_dataset, record
from ..model.uncertainty.stochastic import DriverPaths, fund_drivers
from ..results.dataset import PopulationResult, conventions, provenance
from ..results.finite import check_finite
from ..results.uncertainty import draw_summary
from ..results.zarr_store import DrawsZarr
from ..scenario.load import load_scenario
from ..scenario.rules import with_defaults
from ..vocabulary import POOLS
from .draws import stochastic_setup
from .enrolled import Enrolled, EnrollingByYear, enroll
from .funds import fund_stages
from .pages import ordinary_pages
from .plan import build_plan
from .store import DrawStore, streams

__all__ = ["run", "project", "FUND_DRAWS", "POPULATION_DRAWS"]

#: draws the fund stages take at once: the population's groups are enrolled as they are projected and
#: joined up to this many, as the fund stages' labelled arrays over year and pool cost much the same for 50
#: draws as for 2,000 (0.25 s against 0.47 s of CPU: benchmarks/stages.py), so that cost is paid once per
#: FUND_DRAWS. 10,000 draws (``forecast run baseline --draws 10000``) in two calls rather than three: against
#: bf12494, which took 4,000 (``benchmarks/versus.py``, eight runs), 4.92 s against 5.10 s median, CPU 7.22 s
#: against 7.51 s
FUND_DRAWS = 6_000
#: draws the population projects at once (chunks of DRAW_CHUNK draws, each its own random stream,
#: projected together up to this many; the population is fastest on groups of 1,000-2,000 draws:
#: benchmarks/stages.py)
POPULATION_DRAWS = 2_000
#: population groups made (and enrolled) ahead in the background while the fund stages of earlier draws run
AHEAD = 2
#: threads that project and enroll the population's groups: two, so that the first groups are made at
#: once while the main thread makes the drivers and the plan (``forecast run baseline --draws 10000``,
#: the groups projected on two threads and enrolled on the main one: 5.8-5.9 s against 6.0-6.3 s at best
#: over eleven runs interleaved, the medians within the machine's noise; the same peak memory)
POPULATION_THREADS = 2


def run(
    scenario,
    *,
    draws: int | None = None,
    seed: int | None = None,
    strict: bool = False,
    keep: tuple[str, ...] = (),
    regions=None,
    progress=None,
    every_draw=None,
) -> xr.Dataset:
    """Project every pool of ``scenario`` (a :class:`~forecast.Scenario`, a path or a shipped name)
    to its horizon.

    ``draws``/``seed``: a stochastic run, every driver drawn (population, cost growth, wages,
    coverage, interest, financing: :mod:`forecast.model.uncertainty.stochastic`); the result gains a ``draw``
    dimension and the percentiles and probabilities of :mod:`forecast.results.uncertainty`
    (``keep=("population",)`` keeps each draw's population, otherwise their mean). ``strict``: refuse
    to extend any dated value beyond its last given year. ``regions``:
    bundle folders to run the scenario on instead of its own region; the result gains a
    ``region`` dimension. ``progress``: called as ``progress(draws done, draws)`` after each chunk of draws.
    ``every_draw``: with ``draws``, a Zarr store (a path, ``draws.zarr``) that every variable of every
    draw is written into as the draws are made, renamed into place once the run is whole and checked:
    memory does not grow with it (a run of more than 2,000 draws itself keeps only the headline
    variables of each draw, :data:`~forecast.engine.store.PER_DRAW`).

    >>> import forecast
    >>> ds = forecast.run("baseline")  # doctest: +SKIP
    >>> ds.fund.verdict_label().sel(pool="employee", year=2030).item()  # doctest: +SKIP
    'excessive'
    """
    if not hasattr(scenario, "params"):
        scenario = load_scenario(scenario)
    if every_draw is not None and (not draws or regions is not None):
        raise InputError(
            Problem("every_draw", "every draw is written for a run with draws on one region", "give draws=N")
        )
    if regions is not None:
        loaded = [load_region(r) for r in regions]
        return _over_regions(scenario, loaded, draws=draws, seed=seed, strict=strict, keep=keep)
    region = load_region(scenario.region_path)
    params, root_params = dict(scenario.params), dict(scenario.root_params)
    options = {"draws": draws, "seed": seed, "strict": strict, "keep": keep, "progress": progress}
    if every_draw is None:
        return project(scenario, region, params, root_params, scenario.horizon, **options)
    every_draw = Path(every_draw)
    with DrawsZarr(every_draw.parent, every_draw.name, "every_draw") as sink:
        ds = project(scenario, region, params, root_params, scenario.horizon, sink=sink, **options)
        sink.commit(ds)
    return ds


def _over_regions(scenario, regions: list, **options) -> xr.Dataset:
    """One run per region, along a ``region`` dimension (the same base year and horizon)."""
    parts = [
        project(scenario, region, dict(scenario.params), dict(scenario.root_params), scenario.horizon, **options)
        for region in regions
    ]
    spans = {(int(p["year"].values[0]), int(p["year"].values[-1])) for p in parts}
    if len(spans) > 1:
        covered = ", ".join(f"{a}-{b}" for a, b in sorted(spans))
        raise InputError(
            Problem(
                ", ".join(str(r.path) for r in regions),
                f"the regions' runs cover different years ({covered}): their fund base years differ",
                "run regions with the same last published fund year together",
            )
        )
    names = [str(r.path) for r in regions]
    ds = concat_exact(parts, "region")
    ds = ds.assign_coords(region=names, region_name=("region", [r.name for r in regions]))
    ds.attrs["regions"] = names
    return ds


@threadpool_limits.wrap(limits=1, user_api="blas")
@ordinary_pages()
def project(
    scenario,
    region,
    params: dict,
    root_params: dict,
    horizon: int,
    *,
    draws=None,
    seed=None,
    strict=False,
    keep=(),
    quantiles=None,
    draw_quantiles=None,
    draw_range=None,
    summarise=True,
    progress=None,
    plan=None,
    reuse=None,
    sink=None,
) -> xr.Dataset:
    """The projection of ``scenario``'s demography with ``params`` (path -> value) on ``region``
    from its fund base year to ``horizon``; ``root_params`` calibrate the base year. ``draws``:
    every driver drawn (:mod:`forecast.model.uncertainty.stochastic`); ``quantiles`` (driver -> q): one path
    with those drivers at their q-quantile (default: the scenario's deterministic set);
    ``draw_quantiles`` (driver -> one quantile per draw): each draw at its own quantiles;
    ``draw_range`` (start, stop): only those of the ``draws`` (a batch task: the same values as in
    the whole run); ``summarise``: add the draws' percentiles and probabilities;
    ``progress(done, draws)`` after each chunk; ``plan``: the plan :func:`~forecast.engine.plan.run_plan`
    made for these ``params`` (made here when None); ``reuse``: a study's :class:`~.reuse.Reuse`;
    ``sink``: given every chunk of draws whole (:class:`~.store.DrawStore`). One BLAS thread, ordinary
    memory pages (:mod:`forecast.engine.pages`)."""
    params, root_params = with_defaults(params), with_defaults(root_params)  # the one place defaults are filled
    base, costed, years, figures, curves = base_year(scenario, region, params, root_params, horizon)
    grouped = {"group": POPULATION_DRAWS, "deferred": True, "reuse": reuse}  # the population's groups, made lazily
    setup = stochastic_setup(
        scenario, region, params, horizon, draws, seed, quantiles, draw_quantiles, draw_range, **grouped
    )
    draws, quantiles, settings = setup.draws, setup.quantiles, setup.settings
    store = DrawStore(draws or 1, streams(draws) and draw_range is None, sink)
    population = PopulationResult(keep)
    given = (scenario, region, params, root_params, strict, draw_quantiles)
    plan, shocks, seed = _chunks(
        given, setup, (base, years, figures, curves), plan, (store, population), progress, reuse
    )
    ds = store.result()
    ds = population.into(ds)
    ds = ds.assign(band_dataset(record(region, base), years, POOLS))
    if draws is None:
        ds = ds.isel(draw=0, drop=True)
    else:
        ds = ds.transpose("draw", ...)
        ds.attrs.update(seed=seed, draws=draws)
        ds = ds.assign(draw_summary(ds)) if summarise else ds
    return finish(ds, scenario, region, plan, (base, costed, figures), shocks, quantiles, settings)


def _chunks(given: tuple, setup, base_year: tuple, plan, into: tuple, progress, reuse=None) -> tuple:
    """The population's groups projected and enrolled on the population threads
    (:func:`_enrolled`), and the enrolled draws through the fund stages FUND_DRAWS at a time on this
    one into ``into`` (the draws' store, the population's result); returns the plan, the fund
    drivers and the run's seed. ``given``: (scenario, region, params, root params, strict, draw
    quantiles); ``base_year``: (fund base year, the run's years, the base year's figures, the age–sex
    curves); ``reuse``: the plan made is kept there, and its last one lends its parts (:func:`build_plan`)."""
    scenario, region, params, root_params, strict, draw_quantiles = given
    base, years, figures, curves = base_year
    store, population = into
    draws, quantiles, settings = setup.draws, setup.quantiles, setup.settings
    seed, pending = None, []
    prepared = _Prepared(
        lambda: fund_drivers(region, base, params, settings, years, draws, setup.entropy, quantiles, draw_quantiles),
        lambda chunk: build_plan(
            scenario,
            region,
            params,
            root_params,
            years,
            setup.central_population(chunk),
            curves,
            strict,
            reuse.like(region) if reuse is not None else None,
        ),
        plan,
        central=setup.central is not None,
    )

    def fund_stages_of_pending() -> None:
        with xr.set_options(arithmetic_join="exact"):
            enrolled = Enrolled.joined(pending)
            store.add(
                fund_stages(region, enrolled, prepared.plan, figures, DriverPaths(prepared.shocks, enrolled.draws))
            )
        pending.clear()
        if progress is not None:
            progress(int(enrolled.draws[-1]) + 1, draws or 1)

    threads = min(POPULATION_THREADS, cores) if (cores := usable_cores()) > 1 else 0  # one core: made on this one
    # enrolled as projected, unless groups are kept whole (reuse, every draw's population) or fit the plan
    by_year = draws is not None and reuse is None and not population.keep and prepared.ahead_of_groups
    given = (scenario, region, figures, curves, by_year)
    tasks = (functools.partial(_enrolled, task, prepared, given) for task in setup.chunks)
    with prefetched(tasks, AHEAD, threads) as chunks:  # the first groups are projected meanwhile
        prepared()  # the drivers, and the plan unless it is fitted on the run's one path
        if draws is not None:
            vectorised_ndtr()  # imported while the first groups are made, not in the first fund stages
        for chunk, enrolled in chunks:
            pending.append(enrolled)
            population.add(chunk, years)
            seed = chunk.attrs.get("seed")
            del chunk  # its population is enrolled: the next group may take its memory
            if sum(part.draws.size for part in pending) >= FUND_DRAWS:
                fund_stages_of_pending()
        if pending:
            fund_stages_of_pending()
    if reuse is not None:
        reuse.made(region, prepared.plan)
    return prepared.plan, prepared.shocks, seed


def _enrolled(task, prepared: _Prepared, given: tuple) -> tuple:
    """A population group (``task``: the function that projects it), checked, and its enrollment
    (:mod:`.enrolled`), on a population thread: the enrollment holds the GIL for half its time, and
    on this thread it no longer waits for the fund stages nor they for it (``forecast run baseline
    --draws 10000``, three sets of eight runs interleaved: medians 6.00, 6.92 and 6.04 s against 6.88,
    7.21 and 6.14 s enrolled on the main thread). No ``xr.set_options`` here: xarray's options are
    global, not per thread. ``given``: (scenario, region, the base year's figures, the age–sex curves,
    whether the group is enrolled a year at a time as it is projected: :func:`_enrolled_by_year`)."""
    scenario, region, figures, curves, by_year = given
    if by_year:
        return _enrolled_by_year(task, prepared, given)
    chunk = task() if callable(task) else task
    check_projection(chunk, scenario, region)
    chunk = chunk if "draw" in chunk.dims else chunk.expand_dims(draw=[0])
    plan, shocks = prepared(chunk)
    return chunk, enroll(chunk, plan, figures, curves, DriverPaths(shocks, chunk["draw"].values))


def _enrolled_by_year(task, prepared: _Prepared, given: tuple) -> tuple:
    """:func:`_enrolled` with each year enrolled as the projection makes it
    (:class:`~.enrolled.EnrollingByYear`): no group's population is kept, only its sum over draws,
    which the run's mean population is made of."""
    scenario, region, figures, curves, _ = given
    plan, shocks = prepared()
    enrolling = EnrollingByYear(plan, figures, curves, shocks)
    chunk = task(each_year=enrolling)
    check_projection(chunk, scenario, region, enrolling.bad_from)
    return chunk.assign(population_over_draws=enrolling.over_draws()), enrolling.enrolled(chunk)


class _Prepared:
    """A run's fund drivers and plan, made once under a lock by the first thread to ask: this
    thread as soon as the population threads start (the drivers, and the plan when it is fitted on
    the central path, ``central``: made while the first groups are projected), or the population
    thread of a run's one path, whose population the plan is fitted on. ``plan``: given by the
    caller (a solver's or a batch's), else None. A failure is kept and raised to every asker."""

    def __init__(self, drivers, planner, plan, *, central: bool):
        self._drivers, self._planner, self._central = drivers, planner, central
        self._lock, self._failed, self._made = threading.Lock(), None, False
        self.plan, self.shocks = plan, None

    @property
    def ahead_of_groups(self) -> bool:
        """Whether the plan is made without a population group (given, or fitted on the central path)."""
        return self.plan is not None or self._central

    def __call__(self, chunk=None) -> tuple:
        with self._lock:
            if self._failed is not None:
                raise self._failed
            try:
                if not self._made:
                    self.shocks, self._made = self._drivers(), True
                if self.plan is None and (self._central or chunk is not None):
                    self.plan = self._planner(chunk)
            except BaseException as error:
                self._failed = error
                raise
            return self.plan, self.shocks


def base_year(scenario, region, params: dict, root_params: dict, horizon: int) -> tuple:
    """(fund base year, whether the bundle costs benefits, the run's years, the base year's figures,
    the age–sex cost curves), the span checked and uncosted policy changes refused."""
    base = fund_base_year(region)
    check_span(scenario, region, base, horizon)
    costed = costs_benefits(region, base)
    if not costed:
        refuse_uncosted_changes(scenario, params, root_params, base)
    return base, costed, np.arange(base, horizon + 1), base_year_figures(region, base), age_curves(region)


def finish(ds: xr.Dataset, scenario, region, plan, base_year: tuple, shocks, quantiles, settings) -> xr.Dataset:
    """A projection's attrs (provenance, conventions, the drivers), checked finite;
    ``base_year``: (fund base year, costed, the base year's figures)."""
    base, costed, figures = base_year
    ds.attrs.update(provenance(scenario, region, base, plan, costed, figures))
    ds.attrs["conventions"] = conventions(plan.rules)
    if shocks is not None:
        ds.attrs.update(
            drivers=shocks.attrs["drivers"],
            driver_quantiles=dict(quantiles or {}),
            population_volatility=settings["population"],
        )
    check_finite(ds, scenario.files, region.path)
    return ds
