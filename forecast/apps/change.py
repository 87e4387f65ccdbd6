"""The analysis of change between two runs (``forecast compare OLD NEW --explain``), as an actuarial
valuation reconciles with the previous one: the change in each pool's reserve and exhaustion year,
split into its sources by switching one group at a time from OLD to NEW:

1. ``data`` — the region bundle (a new bulletin year re-bases the run);
2. ``demography`` — the scenario's demography section;
3. ``assumptions`` — every ``assumptions.*`` parameter (economy, medical costs, enrollment, uncertainty);
4. ``policy`` — every ``policy.*`` parameter;
5. ``other`` — what is left: the root baseline that calibrates the base year, the verdict settings.

Each step is the difference between two consecutive runs, so the steps add up to the total
exactly; the order matters (interactions fall to the later step), as in any such reconciliation.
An exhaustion year beyond the horizon counts as the horizon + 1.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from ..engine import project
from ..errors import InputError, Problem
from ..inputs.region import load_region

__all__ = ["analysis_of_change", "STEPS"]

STEPS = ("data", "demography", "assumptions", "policy", "other")
POOLS_SHOWN = ("employee", "resident", "ltci")


def _metrics(ds, years) -> dict:
    last = int(ds["year"].values[-1])
    gone = ds.fund.exhaustion_year()
    out = {}
    for pool in POOLS_SHOWN:
        for year in years:
            out[(pool, f"reserve_{year}")] = float(ds["reserve"].sel(pool=pool, year=year))
        value = float(gone.sel(pool=pool))
        out[(pool, "exhaustion_year")] = value if np.isfinite(value) else last + 1
    return out


def _mixed(params_old: dict, params_new: dict, prefix: str) -> dict:
    """OLD's parameters with those under ``prefix`` taken from NEW."""
    out = {k: v for k, v in params_old.items() if not k.startswith(prefix)}
    out.update({k: v for k, v in params_new.items() if k.startswith(prefix)})
    return out


def analysis_of_change(old, new, years=(2030, 2040, 2050)) -> pd.DataFrame:
    """One row per step (and ``total``, ``residual``), one column per pool and metric (the change,
    yuan for reserves, years for the exhaustion year)."""
    horizon = min(old.horizon, new.horizon)
    regions = {"old": load_region(old.region_path), "new": load_region(new.region_path)}
    old_params, new_params = dict(old.params), dict(new.params)
    steps = [
        ("start", old, regions["old"], old_params, dict(old.root_params)),
        ("data", old, regions["new"], old_params, dict(old.root_params)),
        (
            "demography",
            dataclasses.replace(old, population=new.population),
            regions["new"],
            old_params,
            dict(old.root_params),
        ),
    ]
    assumptions = _mixed(old_params, new_params, "assumptions.")
    steps.append(("assumptions", steps[-1][1], regions["new"], assumptions, dict(old.root_params)))
    steps.append(
        ("policy", steps[-1][1], regions["new"], _mixed(assumptions, new_params, "policy."), dict(old.root_params))
    )
    steps.append(("other", new, regions["new"], new_params, dict(new.root_params)))
    runs = [(name, project(scenario, region, params, root, horizon)) for name, scenario, region, params, root in steps]
    shown = [y for y in years if all(y in ds["year"].values for _, ds in runs)]
    if not shown:
        raise InputError(
            Problem(
                "--explain",
                f"the runs share none of the years {', '.join(map(str, years))}",
                "give both scenarios a horizon of at least 2030",
            )
        )
    metrics = [(name, _metrics(ds, shown)) for name, ds in runs]
    rows = []
    for (_, before), (name, after) in zip(metrics, metrics[1:]):
        rows.append({"step": name, **{k: after[k] - before[k] for k in after}})
    total = {k: metrics[-1][1][k] - metrics[0][1][k] for k in metrics[0][1]}
    rows.append({"step": "total", **total})
    rows.append({"step": "residual", **{k: total[k] - sum(r[k] for r in rows[:-1]) for k in total}})
    frame = pd.DataFrame(rows).set_index("step")
    frame.columns = pd.MultiIndex.from_tuples(frame.columns, names=["pool", "metric"])
    frame.attrs = {"units": "yuan (reserve); years (exhaustion_year)", "horizon": horizon}
    return frame
