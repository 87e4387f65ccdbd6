"""The population part of the reference kernel's inputs (benchmarks/kernel_inputs.py), made from the
engine's own functions: the base population, the central rates, the Lee–Carter loadings and, per
draw, the random streams of :func:`forecast.model.population.project.population_chunks` (one stream
per chunk of ``DRAW_CHUNK`` draws) reduced to plain arrays: each draw's k_t deviation by sex and its
TFR shocks. The kernel computes each draw's rates, life tables and cohort steps from them."""

from __future__ import annotations

import numpy as np

from forecast.model.population.mortality import fit_lee_carter, mortality_path
from forecast.model.population.project import (
    DRAW_CHUNK,
    _migration,
    base_single_ages,
    default_tfr_volatility,
    projection_years,
    tfr_path,
)
from forecast.model.population.rates import annual_rates, fertility_pattern
from forecast.model.uncertainty.streams import entropy_of, stream
from forecast.scenario.population import PopulationAssumptions
from forecast.vocabulary import SEXES

__all__ = ["population_inputs"]


def _draws(region, assumptions, years, central, draws: int, entropy: int, volatility: float) -> tuple:
    """Each draw's k_t deviation (draw, year, sex) and TFR shocks (draw, year), drawn from the
    chunks' streams in the order population_chunks draws them."""
    models = fit_lee_carter(region, assumptions)
    sigma = assumptions.tfr_volatility if assumptions.tfr_volatility is not None else default_tfr_volatility(region)
    times = np.asarray(years) + 0.5
    deviation = np.empty((draws, len(years), len(SEXES)))
    shocks = np.empty((draws, len(years)))
    starts = list(range(0, draws, DRAW_CHUNK))
    for start, chunk_stream in zip(starts, stream(entropy_of(entropy), "population").spawn(len(starts))):
        size = min(DRAW_CHUNK, draws - start)
        rng = np.random.default_rng(chunk_stream)
        for i, sex in enumerate(SEXES):
            model = models[sex]
            deviation[start : start + size, :, i] = volatility * (
                model.k_path(times, draws=size, rng=rng) - model.k_path(times)
            )
        shocks[start : start + size] = volatility * np.cumsum(sigma * rng.standard_normal((size, len(years))), axis=1)
    bx = np.stack([models[sex].bx_ for sex in SEXES])  # (sex, age)
    return deviation, shocks, bx


def population_inputs(region, assumptions: PopulationAssumptions, horizon: int, draws: int, entropy: int, volatility):
    """Plain arrays: ``pop_years`` (years projected), ``fraction`` (the first step's length),
    ``base`` (sex, age), ``mx_central`` (year, sex, age), ``bx`` (sex, age), ``deviation`` (draw,
    year, sex: volatility × (k_draw − k_central)), ``tfr`` (year), ``tfr_shocks`` (draw, year),
    ``pattern`` (year, age), ``srb`` (year), ``migration`` (year, sex, age; zeros without)."""
    years, fraction = projection_years(region.population_date, horizon)
    base = base_single_ages(region)
    pattern = fertility_pattern(region.fertility, years)
    tfr, _ = tfr_path(region, assumptions, years)
    if assumptions.sex_ratio_at_birth is not None:
        srb = np.full(len(years), assumptions.sex_ratio_at_birth)
    else:
        srb = annual_rates(region.sex_ratio_at_birth, years, log=False).values
    ages = base["age"].values
    if assumptions.migration and region.migration is not None:
        migration = _migration(region, years).sel(year=years).transpose("year", "sex", "age").values
    else:
        migration = np.zeros((len(years), len(SEXES), len(ages)))
    central, _ = mortality_path(region, assumptions, years)
    deviation, shocks, bx = _draws(region, assumptions, years, central, draws, entropy, volatility)
    fraction = fraction if years[0] == region.population_date.year else 1.0
    return {
        "pop_years": np.asarray(years),
        "fraction": np.float64(fraction),
        "base": base.transpose("sex", "age").values.astype(float),
        "mx_central": central.transpose("year", "sex", "age").values.astype(float),
        "bx": bx,
        "deviation": deviation,
        "tfr": tfr.values.astype(float),
        "tfr_shocks": shocks,
        "pattern": pattern.transpose("year", "age").values.astype(float),
        "srb": np.asarray(srb, dtype=float),
        "migration": migration.astype(float),
    }
