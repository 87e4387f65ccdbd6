"""The break-even solver's target and solution (``forecast solve``): a target parsed from its text
(``months:LO-HI``, ``no_deficit``, ``no_exhaustion``), the solution found by
:func:`forecast.apps.solve.solve` (values, level, bracket, the check run), the years in which the check
run misses the target, the refusal of a target that cannot be reached, and the solution written as an
overlay (``solved.yaml``) that ``forecast run BASE+solved.yaml`` reproduces.
"""

from __future__ import annotations

import dataclasses
import re

from ..errors import InputError, Problem, printable
from ..results.neutral import yaml_text
from ..scenario.dated import DatedValue

__all__ = ["Target", "parse_target", "Solution", "dated_with", "unreachable", "misses", "overlay_text"]


@dataclasses.dataclass(frozen=True)
class Target:
    kind: str
    low: float = 6.0
    high: float = 9.0

    def describe(self) -> str:
        return {
            "months": f"months covered within {self.low:g}-{self.high:g}",
            "no_deficit": "no current deficit",
            "no_exhaustion": "no exhaustion",
        }[self.kind]


def parse_target(text: str) -> Target:
    """``months:6-9``, ``months`` (6-9), ``no_deficit`` or ``no_exhaustion``."""
    if text in ("no_deficit", "no_exhaustion"):
        return Target(text)
    match = re.fullmatch(r"months(?::(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?))?", text)
    if match:
        low, high = (float(match.group(1)), float(match.group(2))) if match.group(1) else (6.0, 9.0)
        if low < high:
            return Target("months", low, high)
    raise InputError(
        Problem(
            "--target",
            f"unknown target '{text}'",
            "write months:6-9 (a band of months covered, low < high), no_deficit or no_exhaustion",
            value=text,
        )
    )


@dataclasses.dataclass
class Solution:
    pool: str
    lever: str
    target: Target
    start: int
    until: int
    mode: str
    #: parameter path -> {year: value} (the solved values)
    values: dict
    #: the multiplier (financing levels) or the value (benefits), for level solutions
    level: float | None = None
    bracket: tuple = ()
    iterations: int = 0
    check: object = None
    notes: list = dataclasses.field(default_factory=list)
    #: parameter path -> its value in the year before ``start`` (the solved values start after it)
    anchors: dict = dataclasses.field(default_factory=dict)


def dated_with(original, values: dict, anchor: float) -> DatedValue:
    """``original``'s given points before the solved years, its value in the year before them
    (``anchor``: so the base year keeps it), then the solved values, continuing by its rule (held
    for a plain value). Between points: steps, so each year is exactly its value."""
    first = min(values)
    before = {y: v for y, v in getattr(original, "points", ()) if 0 < y < first - 1}
    before[first - 1] = anchor
    after = getattr(original, "after", "hold") if not getattr(original, "is_constant", True) else "hold"
    return DatedValue(tuple(sorted({**before, **values}.items())), after=after)


def unreachable(pool, lever, target, best: str) -> InputError:
    return InputError(
        Problem(
            "--target",
            f"the {pool} pool's {lever} cannot reach '{target.describe()}': {best}",
            "relax the target (a wider band, a later --until), or choose another lever",
        )
    )


def misses(solution: Solution) -> list[int]:
    """The checked years in which the check run misses the target (empty when it is met)."""
    ds = solution.check
    years = [y for y in ds["year"].values if solution.start <= y <= solution.until]
    at = ds.sel(pool=solution.pool, year=years)
    t = solution.target
    if t.kind == "months":
        bad = (at["months_covered"] < t.low - 1e-6) | (at["months_covered"] > t.high + 1e-6)
    elif t.kind == "no_deficit":
        bad = at["balance"] < -1e-6 * at["expenditure"]
    else:
        bad = at["reserve"] <= 0
    if "draw" in bad.dims:
        bad = bad.mean("draw") > 0.5
    return [int(y) for y, b in zip(years, bad.values) if b]


def overlay_text(solution: Solution, scenario) -> str:
    """``solved.yaml``: an overlay that reproduces the solution with ``forecast run BASE+solved.yaml``,
    written by the YAML emitter (:func:`forecast.results.neutral.yaml_text`), so any title reads back as it was."""
    header = [
        f"# Solved by forecast solve: the {solution.pool} pool's {solution.lever} "
        f"for '{solution.target.describe()}', {solution.start}-{solution.until}",
        f"# ({solution.mode}{'' if solution.level is None else f', level {solution.level:.6g}'}); "
        f"run it as forecast run {printable(scenario.files[-1].name, newlines=True)}+solved.yaml",
    ]
    doc: dict = {"title": f"{scenario.title} + solved {solution.pool} {solution.lever}"}
    for path, values in solution.values.items():
        original = scenario.params.get(path)
        dated = (
            dated_with(original, values, solution.anchors[path])
            if solution.mode == "path"
            else DatedValue(tuple(sorted({solution.start - 1: solution.anchors[path], **values}.items())), after="hold")
        )
        node = doc
        *parents, leaf = path.split(".")
        for key in parents:
            node = node.setdefault(key, {})
        node[leaf] = {"values": {int(y): float(f"{v:.10g}") for y, v in dated.points}, "after": dated.after}
    return "\n".join(header) + "\n" + yaml_text(doc)
