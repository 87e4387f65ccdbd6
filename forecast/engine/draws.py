"""The draws of a run: the population's chunks and the drivers' settings, made before the first
chunk (:class:`Setup`)."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import xarray as xr

from ..errors import InputError, Problem
from ..model.population.project import population_chunks
from ..model.uncertainty.stochastic import POPULATION_KEYS, fixed_quantiles, uncertainty_settings
from ..model.uncertainty.streams import entropy_of

__all__ = ["Setup", "stochastic_setup"]


@dataclass(frozen=True)
class Setup:
    """What a run's uncertainty needs before its first chunk: the draw count, the fixed quantiles
    (a deterministic set), the settings, the run's entropy and the population's chunks."""

    draws: int | None
    quantiles: dict | None
    settings: dict
    entropy: int | None
    chunks: object
    #: chunk 0 again, for a batch task whose draws start in a later chunk (None otherwise)
    first_chunk: object = None

    def first_population(self, chunk) -> xr.DataArray:
        """The population of the run's first draw, on which the ``fitted`` values are fitted: the
        chunk's own, or chunk 0's in a batch task whose draws start later (so a task fits what
        the whole run fits)."""
        if self.first_chunk is None or int(chunk["draw"].values[0]) == 0:
            return chunk["population"].isel(draw=0)
        return next(iter(self.first_chunk()))["population"].isel(draw=0)


def stochastic_setup(scenario, region, params: dict, horizon: int, draws, seed, quantiles, draw_quantiles, draw_range=None) -> Setup:
    """The population's chunks and the drivers' settings of a run (see ``forecast.engine.project``):
    a deterministic set's quantiles unless given, per-draw z-scores for ``draw_quantiles``, and a
    set with draws refused."""
    settings = uncertainty_settings(params)
    quantiles = fixed_quantiles(settings) if quantiles is None else quantiles
    if draws and quantiles:
        file, line = scenario.origins.get("assumptions.uncertainty.deterministic_set") or (scenario.files[-1], None)
        raise InputError(Problem(file, f"the {settings['deterministic_set']} set is one path of every driver, not a distribution to draw from", "run it without --draws, or use the intermediate set (the default) with --draws", line, "assumptions.uncertainty.deterministic_set"))
    zscores = None
    if draw_quantiles:
        from scipy.stats import norm  # deferred: scipy.stats loads slowly and only Sobol samples need it

        draws = len(next(iter(draw_quantiles.values())))
        zscores = {k: norm.ppf(v) for k, v in draw_quantiles.items() if k in POPULATION_KEYS}
    entropy = entropy_of(seed) if draws else None
    population = {k: v for k, v in (quantiles or {}).items() if k in POPULATION_KEYS}
    options = dict(end_year=horizon, draws=draws, seed=entropy, with_indicators=False, volatility=settings["population"], quantiles=population, zscores=zscores)
    chunks = population_chunks(region, scenario.population, draw_range=draw_range, **options)
    first = functools.partial(population_chunks, region, scenario.population, draw_range=(0, 1), **options) if draw_range and draw_range[0] > 0 else None
    return Setup(draws, quantiles, settings, entropy, chunks, first)
