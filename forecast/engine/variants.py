"""Many deterministic projections that differ only in their drivers' quantiles (the sensitivity's
low and high bounds), through the fund stages at once: each variant is one draw of a single chunk.

The fund stages treat draws independently (tests/test_engine.py: a run over D draws equals D one-draw
runs), so a variant's numbers are those of its own :func:`~forecast.engine.run.project` with
``quantiles`` (tests/test_variants.py compares them to 1e-9): its population path and its fixed
driver paths are made as ``project`` makes them, then stacked along ``draw``; the plan is shared.
"""

from __future__ import annotations

import xarray as xr
from threadpoolctl import threadpool_limits

from ..labelled import concat_exact
from ..model.population.indicators import check_projection
from ..model.uncertainty.intervals import band_dataset, record
from ..model.uncertainty.stochastic import DriverPaths, fixed_drivers, fixed_paths
from ..results.dataset import PopulationResult
from ..scenario.rules import with_defaults
from ..vocabulary import POOLS
from .draws import stochastic_setup
from .funds import project_funds
from .plan import run_plan
from .run import base_year, finish

__all__ = ["project_variants"]


@threadpool_limits.wrap(limits=1, user_api="blas")
def project_variants(
    scenario, region, params: dict, root_params: dict, horizon: int, variants: list[dict], plan=None
) -> list[xr.Dataset]:
    """One projection per driver-quantile set of ``variants`` (each non-empty: driver -> q, as
    ``project(quantiles=...)`` takes them), in that order; ``plan``: :func:`~forecast.engine.plan.run_plan`'s
    for ``params`` (made here when None)."""
    if not variants:
        return []
    if not all(variants):
        raise ValueError("each variant sets at least one driver's quantile (the central path is project's)")
    params, root_params = with_defaults(params), with_defaults(root_params)
    base, costed, years, figures, curves = base_year(scenario, region, params, root_params, horizon)
    plan = plan or run_plan(scenario, region, params, root_params, horizon)
    chunks, drivers, simulated = [], [], None
    for i, quantiles in enumerate(variants):
        setup = stochastic_setup(scenario, region, params, horizon, None, None, quantiles, None)
        chunk = next(iter(setup.chunks))
        check_projection(chunk, scenario, region)
        chunks.append((chunk if "draw" in chunk.dims else chunk.expand_dims(draw=[0])).assign_coords(draw=[i]))
        settings = setup.settings
        simulated = (
            fixed_paths(region, base, params, settings, years) if simulated is None else simulated
        )  # as project's fund_drivers, once
        drivers.append(
            fixed_drivers(region, base, params, settings, years, setup.quantiles, simulated).assign_coords(draw=[i])
        )
    population = concat_exact(chunks, "draw", data_vars="minimal")
    shocks = xr.concat(drivers, dim="draw", combine_attrs="override")
    with xr.set_options(arithmetic_join="exact"):
        ds = project_funds(region, population, plan, figures, curves, DriverPaths(shocks, population["draw"].values))
    bands = band_dataset(record(region, base), years, POOLS)
    out = []
    for i, quantiles in enumerate(variants):
        own = PopulationResult(())
        own.add(chunks[i].assign_coords(draw=[0]), years)
        part = own.into(ds.isel(draw=[i]).assign_coords(draw=[0])).assign(bands).isel(draw=0, drop=True)
        out.append(finish(part, scenario, region, plan, (base, costed, figures), drivers[i], quantiles, settings))
    return out
