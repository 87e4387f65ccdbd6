"""One-at-a-time sensitivity (``forecast sensitivity``): each assumption group at a low and a high
value, everything else as the scenario, and what that does to each pool's exhaustion year and
the months its reserve covers in 2035 and 2050 — the tornado.

The driver groups move to their 10th and 90th percentile paths (``percentile`` 0.9), the same
paths the low/high-cost sets use (:func:`forecast.model.uncertainty.stochastic.fixed_drivers`): fertility,
mortality, wage growth, cost growth per pool, coverage, the interest rate, the resident financing
increment. Each policy parameter the scenario changes from its root baseline is a group of its
own, low = the root's value (the change undone), high = the scenario's; with more than one, all of
them together are a group too (parameters that act together — a cap and the rule that shares it
with the inpatient cap — move the result only together).

:func:`sobol` gives global (variance-based) indices instead: every driver group at once, each at
a quantile drawn uniformly in [0.05, 0.95] by Saltelli's scheme (SALib), the whole sample run as
the draws of one vectorised run; S1 is a group's share of the metric's variance alone, ST with its
interactions (Saltelli et al. 2010, *Comput. Phys. Commun.* 181:259).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..engine import project, project_variants, run_plan
from ..engine.reuse import Reuse
from ..inputs.region import load_region

__all__ = ["sensitivity", "tornado_table", "sobol", "GROUPS", "POOLS_SHOWN", "METRICS"]

#: group -> the quantile keys it moves (forecast.model.uncertainty.stochastic)
GROUPS = {
    "fertility": ("fertility",),
    "mortality": ("mortality",),
    "wage growth": ("wage_growth",),
    "cost growth (employee)": ("cost_trend.employee",),
    "cost growth (resident)": ("cost_trend.resident",),
    "coverage": ("coverage",),
    "interest rate": ("interest_rate",),
    "financing increment": ("financing_increment",),
}
POOLS_SHOWN = ("employee", "resident")
METRIC_YEARS = (2035, 2050)
METRICS = ("exhaustion_year", *(f"months_covered_{y}" for y in METRIC_YEARS))
ALL_CHANGES = "(all policy changes)"


def _metrics(ds) -> dict:
    """(pool, metric) -> value; an exhaustion beyond the horizon counts as horizon + 1."""
    last = int(ds["year"].values[-1])
    gone = ds.fund.exhaustion_year()
    out = {}
    for pool in POOLS_SHOWN:
        year = float(gone.sel(pool=pool))
        out[(pool, "exhaustion_year")] = year if np.isfinite(year) else last + 1
        for y in METRIC_YEARS:
            out[(pool, f"months_covered_{y}")] = (
                float(ds["months_covered"].sel(pool=pool, year=y)) if y in ds["year"].values else np.nan
            )
    return out


def policy_changes(scenario) -> list[str]:
    """The policy parameters the scenario sets differently from its root baseline."""
    return [k for k, v in scenario.params.items() if k.startswith("policy.") and v != scenario.root_params.get(k)]


def sensitivity(scenario, percentile: float = 0.9, progress=None) -> pd.DataFrame:
    """One row per group and bound (base, low, high): the run's metrics per pool.
    ``progress(runs done, runs)`` is called after each run."""
    region = load_region(scenario.region_path)
    params, root = dict(scenario.params), dict(scenario.root_params)
    changes = policy_changes(scenario)
    groups = {path: [path] for path in changes}
    if len(changes) > 1:  # parameters that act together (a cap and its sharing rule) show only together
        groups[ALL_CHANGES] = changes
    done, total = [0], 1 + 2 * len(GROUPS) + len(groups)
    plan = run_plan(
        scenario, region, params, root, scenario.horizon
    )  # the bounds vary only drivers' quantiles: one plan
    reuse = Reuse(region)  # the runs of the policy groups take the base run's population

    def run(quantiles=None, overrides=None):
        ds = project(
            scenario,
            region,
            {**params, **(overrides or {})},
            root,
            scenario.horizon,
            quantiles=quantiles or {},
            plan=None if overrides else plan,
            reuse=reuse,
        )
        done[0] += 1
        if progress is not None:
            progress(done[0], total)
        return ds

    rows = [{"group": "(scenario)", "bound": "base", **_metrics(run())}]
    bounds = [
        (group, bound, q, {k: q for k in keys})
        for group, keys in GROUPS.items()
        for bound, q in (("low", 1 - percentile), ("high", percentile))
    ]
    # the bounds differ only in drivers' quantiles: one pass of the fund stages, each bound one draw
    for (group, bound, q, _), ds in zip(
        bounds, project_variants(scenario, region, params, root, scenario.horizon, [b[-1] for b in bounds], plan)
    ):
        done[0] += 1
        if progress is not None:
            progress(done[0], total)
        rows.append({"group": group, "bound": bound, "quantile": q, **_metrics(ds)})
    for group, paths in groups.items():
        rows.append({"group": group, "bound": "low", **_metrics(run(overrides={p: root.get(p) for p in paths}))})
        rows.append({**rows[0], "group": group, "bound": "high"})
    frame = pd.DataFrame(rows)
    frame.columns = [c if isinstance(c, str) else f"{c[0]}:{c[1]}" for c in frame.columns]
    frame.attrs["percentile"] = percentile
    return frame


def tornado_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Per pool and metric, each group's low and high value and the swing |high − low|, the widest
    first (tornado.csv)."""
    base = frame[frame["bound"] == "base"].iloc[0]
    rows = []
    for pool in POOLS_SHOWN:
        for metric in METRICS:
            column = f"{pool}:{metric}"
            for group, g in frame[frame["bound"] != "base"].groupby("group", sort=False):
                low = float(g.loc[g["bound"] == "low", column].iloc[0])
                high = float(g.loc[g["bound"] == "high", column].iloc[0])
                rows.append(
                    {
                        "pool": pool,
                        "metric": metric,
                        "group": group,
                        "base": float(base[column]),
                        "low": low,
                        "high": high,
                        "swing": abs(high - low),
                    }
                )
    out = pd.DataFrame(rows)
    return out.sort_values(["pool", "metric", "swing"], ascending=[True, True, False]).reset_index(drop=True)


def _draw_metrics(ds) -> dict:
    """(pool, metric) -> an array over draws (exhaustion beyond the horizon: horizon + 1)."""
    last = int(ds["year"].values[-1])
    gone = ds.fund.exhaustion_year()
    out = {}
    for pool in POOLS_SHOWN:
        out[(pool, "exhaustion_year")] = np.nan_to_num(gone.sel(pool=pool).values, nan=last + 1)
        for y in METRIC_YEARS:
            if y in ds["year"].values:
                out[(pool, f"months_covered_{y}")] = ds["months_covered"].sel(pool=pool, year=y).values
    return out


def sobol(scenario, n: int = 64, seed: int = 0, progress=None) -> pd.DataFrame:
    """First-order and total Sobol indices of each driver group for each pool and metric, from
    ``n`` × (groups + 2) runs (one vectorised run), with their 95% bootstrap half-widths.
    ``progress(draws done, draws)`` as in :func:`forecast.run`."""
    # deferred: SALib (and the scipy.stats it loads) takes about a second to import, and only --sobol needs it
    from SALib.analyze import sobol as analyse
    from SALib.sample import sobol as sample

    names = list(GROUPS)
    problem = {"num_vars": len(names), "names": names, "bounds": [[0.05, 0.95]] * len(names)}
    x = sample.sample(problem, n, calc_second_order=False, seed=seed)
    draw_quantiles = {key: x[:, j] for j, group in enumerate(names) for key in GROUPS[group]}
    region = load_region(scenario.region_path)
    ds = project(
        scenario,
        region,
        dict(scenario.params),
        dict(scenario.root_params),
        scenario.horizon,
        draw_quantiles=draw_quantiles,
        progress=progress,
    )
    rows = []
    for (pool, metric), y in _draw_metrics(ds).items():
        if np.ptp(y) == 0:
            indices = {
                "S1": np.zeros(len(names)),
                "S1_conf": np.zeros(len(names)),
                "ST": np.zeros(len(names)),
                "ST_conf": np.zeros(len(names)),
            }
        else:
            indices = analyse.analyze(problem, np.asarray(y, dtype=float), calc_second_order=False, seed=seed)
        for j, group in enumerate(names):
            rows.append(
                {
                    "pool": pool,
                    "metric": metric,
                    "group": group,
                    "S1": float(indices["S1"][j]),
                    "S1_conf": float(indices["S1_conf"][j]),
                    "ST": float(indices["ST"][j]),
                    "ST_conf": float(indices["ST_conf"][j]),
                }
            )
    out = pd.DataFrame(rows).sort_values(["pool", "metric", "ST"], ascending=[True, True, False]).reset_index(drop=True)
    out.attrs = {"samples": len(x), "base_samples": n}
    return out
