"""A reform built in the browser or sent as JSON: parameter path -> value, on top of a shipped scenario.

A form field holds a value as a scenario file would write it (``400000``, ``40万``, ``65%``, ``true``)
or years and values (``2025: 40万, 2027: 45万``). A single value takes effect in the first projected
year (the year after the bundle's fund base year); given years take effect from the first of them.
Either way the scenario's own values before that year are kept (the base year is calibrated on them),
so the overlay says only what changes. It is written by the YAML emitter
(:func:`forecast.results.neutral.yaml_text`: no text of the user's becomes structure) into the server's
private folder and validated by the CLI's loader (:func:`forecast.load_scenario`): the message beside a
field is the CLI's, naming ``reform.yaml``, its line and the field.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import re
from pathlib import Path

from ...errors import InputError, Problem
from ...results.neutral import yaml_text
from ...results.writers import write_files
from ...scenario.parameters import iter_params
from .catalog import LOCK, base_year_of, region_path, scenario_path
from .settings import MAX_FIELD_CHARS

__all__ = ["PARAMS", "parse_field", "canonical", "Checked", "check", "overlay_text", "field_text", "ReformError"]

PARAMS = dict(iter_params())
#: the most parameters one reform may change (the schema has about 150)
MAX_CHANGES = 300
OVERLAY = "reform.yaml"
_DATED = re.compile(r"^\{?\s*(\d{4})\s*[:：]")
_POINT = re.compile(r"\s*(\d{4})\s*[:：]\s*(.+?)\s*")


class ReformError(InputError):
    """Bad reform: the problems by field (a parameter's path, or ``region``, ``scenario``, ...)."""

    def __init__(self, problems: list[Problem], fields: dict[str, list[str]]):
        super().__init__(problems)
        self.fields = fields


def _scalar(text: str):
    """A value as written: true/false, a number, or text the schema reads (40万, 65%, fitted)."""
    lowered = text.strip().lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    try:
        return int(text)
    except ValueError:
        pass
    try:
        number = float(text)
    except ValueError:
        return text.strip()
    return number if math.isfinite(number) else text.strip()


def parse_field(path: str, text: str):
    """A form field's text as a value (None: left empty, unchanged); a located problem if it cannot be read."""
    text = (text or "").strip()
    if not text:
        return None
    if len(text) > MAX_FIELD_CHARS:
        raise ReformError(
            [
                _problem(
                    path, f"the value is {len(text):,} characters long", f"write at most {MAX_FIELD_CHARS} characters"
                )
            ],
            {},
        )
    if not _DATED.match(text):
        return _scalar(text)
    points = {}
    for part in re.split(r"[,，;；]", text.strip().strip("{}")):
        if not part.strip():
            continue
        match = _POINT.fullmatch(part)
        if not match:
            raise ReformError(
                [
                    _problem(
                        path,
                        f"cannot read '{part.strip()}' as a year and a value",
                        "write one value (e.g. 400000 or 40万) or years and values: 2025: 400000, 2027: 450000",
                    )
                ],
                {},
            )
        points[int(match.group(1))] = _scalar(match.group(2))
    return points


def canonical(reform: dict) -> dict:
    """A reform from JSON or the form as path -> value (a scalar, or year -> scalar), in path order;
    year keys as whole numbers. A problem per entry that is not of that shape."""
    if len(reform) > MAX_CHANGES:
        raise ReformError(
            [_problem("reform", f"{len(reform):,} parameters changed", f"change at most {MAX_CHANGES} in one reform")],
            {},
        )
    out, problems = {}, []
    for path, value in sorted(reform.items()):
        if isinstance(value, dict):
            try:
                value = {int(str(year)): v for year, v in value.items()}
            except ValueError:
                problems.append(
                    _problem(path, "dated values are keyed by year", 'write e.g. {"2025": 400000, "2027": 450000}')
                )
                continue
            if any(isinstance(v, (dict, list)) for v in value.values()):
                problems.append(_problem(path, "each year takes one value", 'write e.g. {"2025": 400000}'))
                continue
        elif isinstance(value, list) or value is None:
            problems.append(
                _problem(path, "expected a value, or years and values", 'write e.g. 400000, "40万" or {"2025": 400000}')
            )
            continue
        out[str(path)] = value
    if problems:
        raise ReformError(problems, {p.field: [p.render()] for p in problems})
    return out


def field_text(value) -> str:
    """A reform value as a form field shows it (the inverse of :func:`parse_field`)."""

    def one(v):
        return str(v).lower() if isinstance(v, bool) else f"{v:g}" if isinstance(v, float) else str(v)

    return ", ".join(f"{y}: {one(v)}" for y, v in sorted(value.items())) if isinstance(value, dict) else one(value)


def _problem(field: str, message: str, fix: str) -> Problem:
    return Problem(OVERLAY, message, fix, field=field)


def _bool_safe(value, param):
    return bool(value) if param.unit == "bool" and isinstance(value, float) else value


def _dated(value, param, original, base_year: int):
    """The overlay's value of a dated parameter: the scenario's points before the first changed year
    (a single value: the base year's), then the reform's, continuing as the scenario's value did."""
    points = dict(value) if isinstance(value, dict) else {base_year + 1: value}
    first = min(points)
    if original is None:
        return points
    if original.is_constant:
        before = {base_year: original.points[0][1]} if first > base_year else {}
    else:
        before = {y: v for y, v in original.points if y < first}
    merged = {y: _bool_safe(v, param) for y, v in sorted({**before, **points}.items())}
    if (original.between, original.after, original.lag) == ("step", param.after, param.lag):
        return merged
    return {"values": merged, "between": original.between, "after": original.after, "lag": original.lag}


def overlay_doc(scenario, reform: dict, base_year: int, title: str | None) -> dict:
    """The overlay (a mapping for the YAML emitter) that applies ``reform`` to ``scenario``."""
    doc: dict = {"title": title or f"{scenario.title} + 改革 reform"}
    for path, value in reform.items():
        param = PARAMS.get(path)
        if param is not None and param.dated:
            value = _dated(value, param, scenario.params.get(path), base_year)
        node = doc
        *parents, leaf = path.split(".")
        for key in parents:
            node = node.setdefault(key, {}) if isinstance(node.get(key, {}), dict) else node
        node[leaf] = value
    return doc


def overlay_text(scenario_name: str, region_name: str, doc: dict) -> str:
    """The overlay as a file a user can keep and run with the CLI."""
    region = "" if region_name == "china" else f" --region data/{region_name}"
    return (
        f"# 情景改革 reform on {scenario_name}, made with forecast serve; run it: forecast run "
        f"{scenario_name}+{OVERLAY}{region}\n" + yaml_text(doc)
    )


@dataclasses.dataclass(frozen=True)
class Checked:
    """A validated request: the scenario files (the shipped one, then the overlay), the region's
    folder, the loaded scenario and the overlay's text ('' without a reform)."""

    files: tuple[str, ...]
    region: Path
    scenario: object
    overlay: str


def _by_field(error: InputError, overlay: Path | None, reform: dict) -> ReformError:
    """The loader's problems with the overlay named ``reform.yaml``, each under the reform's field it is about."""
    problems, fields = [], {}
    for problem in error.problems:
        shown = (
            OVERLAY
            if overlay is not None and Path(problem.file) == overlay
            else Path(str(problem.file)).name or str(problem.file)
        )
        problem = dataclasses.replace(problem, file=shown)
        problems.append(problem)
        field = str(problem.field or "")
        owner = max((p for p in reform if field == p or field.startswith(p + ".")), key=len, default=field)
        fields.setdefault(owner, []).append(problem.render())
    return ReformError(problems, fields)


def check(settings, region: str | None, scenario: str | None, reform: dict, title: str | None = None) -> Checked:
    """Validate a request with the CLI's loader; a :class:`ReformError` lists its problems by field."""
    from ...scenario.load import load_scenario

    try:
        folder, path = region_path(settings.regions, region, settings.default_region), scenario_path(scenario)
    except InputError as error:
        raise _by_field(error, None, {}) from None
    reform = canonical(reform)
    overlay, text = None, ""
    if reform or title:
        with LOCK:
            base = load_scenario(path)
        name = scenario or "baseline"
        text = overlay_text(
            name, region or settings.default_region, overlay_doc(base, reform, base_year_of(folder), title)
        )
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
        overlay = settings.cache / "reforms" / digest / OVERLAY
        if not overlay.is_file():
            write_files(overlay.parent, {OVERLAY: text}, option="reform")
    files = (str(path),) + ((str(overlay),) if overlay is not None else ())
    try:
        with LOCK:
            loaded = load_scenario(list(files))
    except InputError as error:
        raise _by_field(error, overlay, reform) from None
    return Checked(files, folder, dataclasses.replace(loaded, region_path=folder), text)
