"""The draws of a run: the population's chunks and the drivers' settings, made before the first
chunk (:class:`Setup`)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import xarray as xr

from ..errors import InputError, Problem
from ..model.population.project import population_chunks
from ..model.uncertainty.stochastic import POPULATION_KEYS, fixed_quantiles, uncertainty_settings
from ..model.uncertainty.streams import entropy_of
from .reuse import population_key

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
    #: the central population path (no draws, no quantiles) when the chunks are not it, else None
    central: object = None

    def central_population(self, chunk) -> xr.DataArray:
        """The population the ``fitted`` values are fitted on: the central (deterministic) path, the
        same whatever the seed, the draws, a batch task's share of them or a quantile set, so the
        draws vary around the deterministic run instead of around their first draw."""
        if self.central is None:
            return chunk["population"].isel(draw=0) if "draw" in chunk.dims else chunk["population"]
        return list(self.central())[0]["population"]


def stochastic_setup(
    scenario,
    region,
    params: dict,
    horizon: int,
    draws,
    seed,
    quantiles,
    draw_quantiles,
    draw_range=None,
    group=None,
    deferred=False,
    reuse=None,
) -> Setup:
    """The population's chunks and the drivers' settings of a run (see ``forecast.engine.project``):
    a deterministic set's quantiles unless given, per-draw z-scores for ``draw_quantiles``, and a
    set with draws refused; ``group``: the chunks projected together up to this many draws;
    ``deferred``: the chunks as functions that project them (:func:`population_chunks`); ``reuse``:
    a :class:`~forecast.engine.reuse.Reuse` whose kept chunks are taken, or kept."""
    settings = uncertainty_settings(params)
    quantiles = fixed_quantiles(settings) if quantiles is None else quantiles
    if draws and quantiles:
        file, line = scenario.origins.get("assumptions.uncertainty.deterministic_set") or (scenario.files[-1], None)
        raise InputError(
            Problem(
                file,
                f"the {settings['deterministic_set']} set is one path of every driver, not a distribution to draw from",
                "run it without --draws, or use the intermediate set (the default) with --draws",
                line,
                "assumptions.uncertainty.deterministic_set",
            )
        )
    zscores = _zscores(draw_quantiles)
    draws = len(next(iter(draw_quantiles.values()))) if draw_quantiles else draws
    entropy = entropy_of(seed) if draws else None
    population = {k: v for k, v in (quantiles or {}).items() if k in POPULATION_KEYS}
    options = dict(
        end_year=horizon,
        draws=draws,
        seed=entropy,
        with_indicators=False,
        volatility=settings["population"],
        quantiles=population,
        zscores=zscores,
        group=group,
        draw_range=draw_range,
        deferred=deferred,
    )
    chunks = _population(reuse, region, scenario.population, options)
    drawn = bool(draws) or bool(population)
    central = (
        functools.partial(
            _population, reuse, region, scenario.population, dict(end_year=horizon, with_indicators=False)
        )
        if drawn
        else None
    )
    return Setup(draws, quantiles, settings, entropy, chunks, central)


def _zscores(draw_quantiles) -> dict | None:
    """Each population driver's z-score per draw, from its quantile per draw (``draw_quantiles``;
    statistics, not scipy.stats: a second to import)."""
    if not draw_quantiles:
        return None
    return {
        k: np.array([NormalDist().inv_cdf(float(q)) for q in np.atleast_1d(v)])
        for k, v in draw_quantiles.items()
        if k in POPULATION_KEYS
    }


def _population(reuse, region, assumptions, options: dict):
    """The population's chunks (:func:`population_chunks` with ``options``), kept in ``reuse`` or
    taken from it when given."""
    made = functools.partial(population_chunks, region, assumptions, **options)
    return made() if reuse is None else reuse.chunks(region, assumptions, population_key(options), made)
