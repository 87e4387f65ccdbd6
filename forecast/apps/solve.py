"""Break-even solvers (``forecast solve``): what financing, or which benefit, keeps a pool on target.

A *lever* (the resident per-person standard, its individual or fiscal part; the employee contribution
rate, its employer or employee part; LTCI financing per covered person; or any benefit parameter,
``benefit:PATH``) is moved so that a *target* holds in every year from ``start`` to ``until``:
``months:LO-HI`` (months of expenditure the reserve covers within the band), ``no_deficit`` (the
year's balance not negative), ``no_exhaustion`` (the reserve positive).

- ``path`` (financing levers): a value for every year, the smallest change that meets the target
  year by year — the pool's financing rule (:mod:`forecast.model.financing.rules`) run over the years
  and written out.
- ``level``: one value from ``start`` on — a multiplier of the financing lever's path, or the most
  generous value of a benefit parameter — found with scipy's brentq on the target's slack (the bracket,
  tolerance and iterations are reported); with ``probability`` P the slack is that of the draw at the
  (1 − P) quantile, so the target holds in a share P of the draws (common random numbers: one seed).

Every solution is checked by running the scenario with it, and written as an overlay
(:func:`forecast.apps.solution.overlay_text`, ``solved.yaml``) that ``forecast run BASE+solved.yaml``
reproduces. A target the bracket cannot reach is refused, saying the best that can be reached.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import brentq

from ..engine import project, resolved_rules
from ..engine.reuse import Reuse
from ..errors import InputError, Problem
from ..inputs.region import load_region
from ..model.calibration.base_year import fund_base_year
from ..scenario.dated import DatedValue
from .solution import Solution, Target, dated_with, misses, unreachable

__all__ = ["LEVERS", "solve"]

LEVERS = {
    ("resident", "financing"): ("policy.resident.individual_contribution", "policy.resident.fiscal_subsidy"),
    ("resident", "financing.individual"): ("policy.resident.individual_contribution",),
    ("resident", "financing.subsidy"): ("policy.resident.fiscal_subsidy",),
    ("employee", "rate"): ("policy.employee.employer_rate", "policy.employee.employee_rate"),
    ("employee", "rate.employer"): ("policy.employee.employer_rate",),
    ("employee", "rate.employee"): ("policy.employee.employee_rate",),
    ("ltci", "financing"): ("policy.ltci.financing_per_capita",),
}
#: a multiplier of the financing lever's path is sought in this bracket
MULTIPLIER = (0.0, 5.0)
XTOL = 1e-6
#: benefit parameters whose larger value is the less generous
STINGIER_WHEN_LARGER = ("deductible",)


def _slack(ds, target: Target, pool: str, years, side: str, probability: float | None):
    """The target's slack over ``years`` (≥ 0: met), side 'low' or 'high' for a band; a run with
    draws gives the (1 − probability) quantile of the draws' slacks."""
    at = ds.sel(pool=pool, year=years)
    if target.kind == "months":
        slack = (
            (at["months_covered"] - target.low).min("year")
            if side == "low"
            else (target.high - at["months_covered"]).min("year")
        )
    elif target.kind == "no_deficit":
        slack = (at["balance"] / at["expenditure"].where(at["expenditure"] > 0, 1.0)).min("year")
    else:
        slack = (at["reserve"] / at["expenditure"].where(at["expenditure"] > 0, 1.0)).min("year")
    if "draw" in slack.dims:
        return float(slack.quantile(1 - (probability or 0.5), dim="draw"))
    return float(slack)


def _runner(scenario, region, params, root, horizon, draws, seed):
    """A trial of the lever: the scenario run with ``overrides``, every trial sharing the population
    and, for a financing lever, the plan's benefit layers (:class:`~forecast.engine.reuse.Reuse`)."""
    reuse = Reuse(region)

    def run(overrides: dict):
        return project(scenario, region, {**params, **overrides}, root, horizon, draws=draws, seed=seed, reuse=reuse)

    return run


def _scaled(paths: dict, years, start: int, factor: float) -> dict:
    """Each lever parameter's resolved path × ``factor`` from ``start`` (explicit for every year)."""
    return {
        p: DatedValue(
            tuple((int(y), float(v * (factor if y >= start else 1.0))) for y, v in zip(years, path)), after="hold"
        )
        for p, path in paths.items()
    }


def solve(
    scenario,
    pool: str,
    lever: str,
    target: Target,
    until: int | None = None,
    start: int | None = None,
    path: bool | None = None,
    probability: float | None = None,
    draws: int = 200,
    seed: int = 0,
) -> Solution:
    """Solve ``lever`` of ``pool`` for ``target`` (see the module)."""
    region = load_region(scenario.region_path)
    params, root = dict(scenario.params), dict(scenario.root_params)
    base = fund_base_year(region)
    years = np.arange(base, scenario.horizon + 1)
    start = start or base + 1
    until = until or scenario.horizon
    if not base < start <= until <= scenario.horizon:
        raise InputError(
            Problem(
                "--until",
                f"the years must run from after the base year {base} to the horizon {scenario.horizon} "
                f"(found {start}-{until})",
                f"write e.g. --until {min(base + 11, scenario.horizon)}",
                value=until,
            )
        )
    benefit = lever.startswith("benefit:")
    if not benefit and (pool, lever) not in LEVERS:
        known = ", ".join(f"{p} {lev}" for p, lev in LEVERS)
        raise InputError(
            Problem(
                "--lever",
                f"no lever '{lever}' for the {pool} pool",
                f"use one of: {known}; or benefit:PATH (a policy parameter of the pool's benefits)",
                value=lever,
            )
        )
    path = (not benefit and probability is None) if path is None else path
    if path and (benefit or probability is not None):
        raise InputError(
            Problem(
                "--path",
                "a year-by-year path is solved for financing levers without --probability",
                "drop --path (one value from --from), or use a financing lever",
            )
        )
    checked = [y for y in years if start <= y <= until]
    if path:
        return _solve_path(scenario, region, params, root, pool, lever, target, start, until, checked)
    rules = resolved_rules(scenario, region, params, root, scenario.horizon)
    run = _runner(scenario, region, params, root, scenario.horizon, draws if probability is not None else None, seed)
    if benefit:
        return _solve_benefit(run, rules, pool, lever, target, start, until, checked, years, probability)
    paths = {p: np.asarray(rules[p], dtype=float) for p in LEVERS[(pool, lever)]}
    return _solve_level(run, paths, pool, lever, target, start, until, checked, years, probability)


def _root(f, a: float, b: float) -> tuple[float, int]:
    value, result = brentq(f, a, b, xtol=XTOL, full_output=True)
    return float(value), int(result.iterations)


def _solve_level(run, paths, pool, lever, target, start, until, checked, years, probability) -> Solution:
    def slack(m, side="low"):
        return _slack(run(_scaled(paths, years, start, m)), target, pool, checked, side, probability)

    lo, hi = MULTIPLIER
    at_one = slack(1.0)
    note = []
    if at_one >= 0 and (target.kind != "months" or slack(1.0, "high") >= 0):
        m, iterations = 1.0, 0
        note.append("the target already holds: no change needed")
    elif at_one < 0:  # raise financing to the lowest multiplier that meets the (lower) target
        best = slack(hi)
        if best < 0:
            raise unreachable(
                pool, lever, target, f"even {hi:g} times the financing path leaves the slack at {best:.3g}"
            )
        m, iterations = _root(slack, 1.0, hi)
        m = _nudge(lambda x: slack(x) >= 0, m, +1)
    else:  # above the band: lower financing to the highest multiplier under the upper edge
        best = slack(lo, "high")
        if best < 0:
            raise unreachable(
                pool, lever, target, f"even with no financing the reserve stays above {target.high:g} months"
            )
        m, iterations = _root(lambda x: slack(x, "high"), lo, 1.0)
        m = _nudge(lambda x: slack(x, "high") >= 0, m, -1)
    if target.kind == "months" and slack(m, "high") < 0:
        raise unreachable(
            pool,
            lever,
            target,
            f"the lowest financing that keeps {target.low:g} months ({m:.4f} times the path) "
            f"takes the reserve above {target.high:g} months in some year: "
            "the band is too narrow for one level",
        )
    values = {
        p: {int(y): float(v) for y, v in zip(years, path * np.where(years >= start, m, 1.0)) if y >= start}
        for p, path in paths.items()
    }
    anchors = {p: float(path[list(years).index(start - 1)]) for p, path in paths.items()}
    solution = Solution(
        pool,
        lever,
        target,
        start,
        until,
        "level",
        values,
        level=m,
        bracket=MULTIPLIER,
        iterations=iterations,
        notes=note,
        anchors=anchors,
    )
    solution.check = run(_scaled(paths, years, start, m))
    return solution


def _nudge(ok, value: float, direction: int) -> float:
    """The root moved by the solver's tolerance until the target holds at it (brentq brackets the
    root within XTOL, on either side)."""
    for _ in range(8):
        if ok(value):
            return value
        value += direction * XTOL
    return value


def _solve_benefit(run, rules, pool, lever, target, start, until, checked, years, probability) -> Solution:
    param = lever.split(":", 1)[1]
    if not param.startswith(f"policy.{pool}.benefits.") or param not in rules.values:
        raise InputError(
            Problem(
                "--lever",
                f"'{param}' is not a benefit parameter of the {pool} pool",
                f"write e.g. benefit:policy.{pool}.benefits.inpatient.annual_cap",
                value=lever,
            )
        )
    current = np.asarray(rules[param], dtype=float)
    stingy = param.endswith(STINGIER_WHEN_LARGER)
    ratio = param.endswith("reimbursement_ratio")
    base_value = float(current[list(years).index(start)])
    bracket = (
        (0.0, 1.0)
        if ratio
        else ((0.0, max(base_value, 1.0) * 10) if not stingy else (0.0, max(base_value * 10, 10_000.0)))
    )

    def slack(v, side="low"):
        path = np.where(years >= start, v, current)
        return _slack(
            run({param: DatedValue(tuple((int(y), float(x)) for y, x in zip(years, path)), after="hold")}),
            target,
            pool,
            checked,
            side,
            probability,
        )

    generous, frugal = (bracket[0], bracket[1]) if stingy else (bracket[1], bracket[0])
    notes = []
    if slack(generous) >= 0:
        value, iterations = generous, 0
        notes.append(
            f"the target holds even at the bracket's most generous end ({generous:g}): "
            f"{param} is affordable at least up to it"
        )
    else:
        if slack(frugal) < 0:
            raise unreachable(pool, lever, target, f"even {param} = {frugal:g} from {start} does not meet it")
        value, iterations = _root(slack, min(bracket), max(bracket))
        value = _nudge(lambda x: slack(x) >= 0, value, +1 if stingy else -1)
    values = {param: {int(y): float(value) for y in years if y >= start}}
    solution = Solution(
        pool,
        lever,
        target,
        start,
        until,
        "level",
        values,
        level=value,
        bracket=bracket,
        iterations=iterations,
        notes=notes,
        anchors={param: float(current[list(years).index(start - 1)])},
    )
    solution.check = run(
        {
            param: DatedValue(
                tuple((int(y), float(x)) for y, x in zip(years, np.where(years >= start, value, current))), after="hold"
            )
        }
    )
    return solution


def _solve_path(scenario, region, params, root, pool, lever, target, start, until, checked) -> Solution:
    kind = {"months": "balance_band", "no_deficit": "no_deficit", "no_exhaustion": "no_exhaustion"}[target.kind]
    rule = {
        f"policy.{pool}.financing_rule.{k}": v
        for k, v in (
            ("rule", kind),
            ("low_months", target.low),
            ("high_months", target.high),
            ("from_year", start),
            ("until_year", until),
        )
    }
    reuse = Reuse(region)  # the check run takes the ruled run's population
    ruled = project(scenario, region, {**params, **rule}, root, scenario.horizon, reuse=reuse)
    change = ruled[f"rule_change_{pool}"].sel(year=checked).values
    rules = resolved_rules(scenario, region, params, root, scenario.horizon)
    parts = LEVERS[(pool, lever)]
    originals = {p: np.asarray(rules[p], dtype=float)[np.isin(rules.years, checked)] for p in parts}
    total = sum(originals.values())
    values = {}
    # the change is in the pool's income per unit of lever: parts share it in proportion (the split held)
    for p in parts:
        share = originals[p] / np.where(total > 0, total, 1.0) if len(parts) > 1 else 1.0
        values[p] = {int(y): float(v) for y, v in zip(checked, originals[p] + change * share)}
    anchors = {p: float(np.asarray(rules[p], dtype=float)[list(rules.years).index(start - 1)]) for p in parts}
    solution = Solution(
        pool,
        lever,
        target,
        start,
        until,
        "path",
        values,
        notes=[f"the pool's financing rule ({kind}) run from {start} to {until}"],
        anchors=anchors,
    )
    overrides = {p: dated_with(params.get(p), vals, anchors[p]) for p, vals in values.items()}
    solution.check = project(scenario, region, {**params, **overrides}, root, scenario.horizon, reuse=reuse)
    missed = misses(solution)
    if missed:
        reached = solution.check["months_covered"].sel(pool=pool, year=missed).values
        best = "; ".join(f"{y}: {m:.1f} months" for y, m in zip(missed[:5], reached[:5]))
        raise unreachable(
            pool,
            lever,
            target,
            f"in {len(missed)} year(s) even the lever at its limit (0 at least) "
            f"leaves the reserve outside the target — {best}",
        )
    return solution
