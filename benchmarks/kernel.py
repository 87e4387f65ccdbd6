"""A minimal numpy reference kernel with the same shape of work as a stochastic run.

For D draws over 37 years (2024-2060), 2 sexes and 101 ages, with nothing but numpy and no labels:

1. survival: each year's life tables (qx, lx, person-years) from death rates, and the annual
   cohort step (survivors, the open age group, births from the women's age-specific fertility);
2. enrollment: four insured statuses as shares of the mid-year population (with the clipping the
   model does);
3. claim units: one matrix product of the statuses by the age–sex curves;
4. payments: lognormal limited expected values of a benefit layer at every breakpoint;
5. the reserve roll-forward of five pools.

benchmarks/run.py times it beside the package for the same number of draws and reports the ratio.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtr

YEARS, SEXES, AGES, POOLS, CURVES, BREAKS = 37, 2, 101, 5, 4, 6


def inputs(draws: int, seed: int = 0) -> dict:
    """Synthetic inputs of realistic magnitude (outside the timing)."""
    rng = np.random.default_rng(seed)
    ages = np.arange(AGES)
    log_mx = -9.0 + 0.085 * ages  # a Gompertz-like schedule
    mx = np.exp(log_mx[None, None, None, :] + rng.normal(0, 0.05, (YEARS, draws, SEXES, 1)))
    asfr = np.where((ages >= 15) & (ages < 50), 0.04, 0.0) * (1 + rng.normal(0, 0.05, (YEARS, draws, 1)))
    return {
        "base": np.full((draws, SEXES, AGES), 7e6),
        "mx": np.ascontiguousarray(np.minimum(mx, 1.5)),
        "asfr": asfr,
        "shares": rng.uniform(0.1, 0.5, (4, YEARS, 1, SEXES, AGES)),
        "curves": rng.uniform(0.2, 3.0, (SEXES * AGES, CURVES)),
        "means": rng.uniform(1e3, 2e4, (YEARS, 1, draws)),
        "breaks": np.sort(rng.uniform(0, 5e5, (YEARS, BREAKS, 1)), axis=1),
        "slopes": rng.uniform(0, 1, (YEARS, BREAKS - 1, 1)),
        "opening": rng.uniform(1e11, 1e12, (POOLS, draws)),
    }


def kernel(data: dict) -> np.ndarray:
    """The five steps; returns the reserves (years, pools, draws)."""
    base, mx, asfr = data["base"], data["mx"], data["asfr"]
    draws = base.shape[0]
    population = np.empty((YEARS, draws, SEXES, AGES))
    previous = base
    for t in range(YEARS):  # 1. survival and the cohort step
        q = mx[t] / (1 + 0.5 * mx[t])
        lx = np.concatenate([np.ones(q.shape[:-1] + (1,)), np.cumprod(1 - q[..., :-1], axis=-1)], axis=-1)
        person_years = 0.5 * (lx[..., :-1] + lx[..., 1:])
        survival = person_years[..., 1:] / person_years[..., :-1]
        new = np.empty_like(previous)
        new[..., 1:-1] = previous[..., :-2] * survival
        new[..., -1] = (previous[..., -2] + previous[..., -1]) * 0.7
        new[..., 0] = (asfr[t] * previous[:, 1]).sum(axis=-1)[:, None] * np.array([0.52, 0.48])
        population[t] = previous = new
    mid = 0.5 * (population + np.concatenate([base[None], population[:-1]]))
    statuses = np.clip(mid[None] * data["shares"], 0.0, None)  # 2. enrollment
    units = statuses.reshape(4, YEARS * draws, SEXES * AGES) @ data["curves"]  # 3. claim units
    units = units.reshape(4, YEARS, draws, CURVES)
    edges, means, sigma = data["breaks"], data["means"], np.sqrt(np.log1p(1.96**2))  # 4. payments
    z = (np.log(edges) - (np.log(means) - sigma**2 / 2)) / sigma
    lev = means * ndtr(z - sigma) + edges * (1 - ndtr(z))
    per_claim = np.sum(data["slopes"] * np.diff(lev, axis=1), axis=1)  # (years, draws)
    flows = units[:, :, :, 1].sum(axis=0) * per_claim  # (years, draws)
    balance = np.stack([flows * (0.1 * (p + 1)) - flows * 0.2 for p in range(POOLS)], axis=1)
    reserve = np.empty_like(balance)
    held = data["opening"]
    for t in range(YEARS):  # 5. the roll-forward
        interest = np.maximum(held + balance[t] / 2, 0) * 0.015
        held = held + balance[t] + interest
        reserve[t] = held
    return reserve
