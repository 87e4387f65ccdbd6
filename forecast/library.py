"""The shipped scenario library and the embedded default bundle, as package data.

In a wheel, ``scenarios/`` and ``data/china/`` are installed inside the package
(``forecast/scenarios``, ``forecast/data/china``: pyproject.toml maps the top-level folders
there); in a checkout they stay at the top of the project. :func:`shipped` finds them in
either place, so ``forecast run baseline`` works the same in both.
"""

from __future__ import annotations

import difflib
import os
from importlib.resources import files
from pathlib import Path

__all__ = [
    "shipped",
    "scenarios_dir",
    "default_region_path",
    "scenario_names",
    "resolve_scenario",
    "resolve_region",
    "region_names",
    "extended_file",
    "dated_folder",
    "BASELINE",
]

BASELINE = "baseline"
#: the library's subfolder of place scenarios (local rules of the seed places, each on its bundle)
PLACES = "places"


def shipped(name: str) -> Path:
    """The shipped folder ``name`` (``scenarios`` or ``data``): package data, else the checkout's."""
    package = Path(str(files("forecast")))
    inside = package / name
    return inside if inside.is_dir() else package.parent / name


def scenarios_dir() -> Path:
    """The scenario library (scenarios/)."""
    return shipped("scenarios")


def default_region_path() -> Path:
    """The embedded default bundle: ``$FORECAST_REGION`` if set, else the shipped data/china."""
    env = os.environ.get("FORECAST_REGION")
    if env:
        return Path(env)
    return shipped("data") / "china"


def region_names() -> list[str]:
    """The names of the shipped region bundles (``china``, ``wenzhou``, ...): folders of data/ holding a region.yaml."""
    return sorted(p.parent.name for p in shipped("data").glob("*/region.yaml"))


def resolve_region(spec) -> Path:
    """A bundle argument as a folder: an existing path as it is, else a shipped bundle's name
    (``wenzhou``, ``data/wenzhou`` from any folder) as its folder; anything else unchanged, for the
    reader to report."""
    path = Path(spec)
    if path.exists() or path.is_symlink():
        return path
    name = path.name if path.parent.name in ("data", "") else None
    if name and (shipped("data") / name / "region.yaml").is_file():
        return shipped("data") / name
    return path


def extended_file(folder: Path, name: str) -> Path:
    """The file an ``extends:`` names: relative to the extending file's ``folder`` when it exists
    there, else a shipped scenario of that name (``extends: baseline`` in a user's own file)."""
    local = folder / name
    if local.exists() or local.is_symlink() or "/" in name.removeprefix(f"{PLACES}/"):
        return local
    stem = name[:-5] if name.endswith(".yaml") else name
    shipped_file = scenarios_dir() / f"{stem}.yaml"
    return shipped_file if shipped_file.is_file() else local


def dated_folder(command: str, today=None) -> Path:
    """The folder a command writes into when no --out is given: ``forecast-COMMAND-YYYYMMDD-HHMMSS``
    in the current folder (announced by the command), never a fixed ./out that an earlier run filled."""
    import datetime as dt

    now = today or dt.datetime.now()
    return Path(f"forecast-{command}-{now:%Y%m%d-%H%M%S}")


def scenario_names() -> list[str]:
    """The names of the shipped scenarios (file names without .yaml), baseline first, then the
    place scenarios as ``places/NAME``."""
    names = sorted(p.stem for p in scenarios_dir().glob("*.yaml"))
    places = sorted(f"{PLACES}/{p.stem}" for p in (scenarios_dir() / PLACES).glob("*.yaml"))
    return sorted(names, key=lambda n: n != BASELINE) + places


def _resolve_one(part: str) -> str:
    path = Path(part)
    stem = part[:-5] if part.endswith(".yaml") else part
    if not path.exists() and stem.startswith(f"{PLACES}/") and (scenarios_dir() / f"{stem}.yaml").is_file():
        return str(scenarios_dir() / f"{stem}.yaml")
    if path.exists() or os.sep in part or "/" in part:
        return part
    candidate = scenarios_dir() / f"{stem}.yaml"
    return str(candidate) if candidate.is_file() else part


def resolve_scenario(spec: str) -> str:
    """A scenario argument with bare library names (``baseline``, ``ltci_extension``,
    ``places/qiandongnan``) made paths.

    Each ``+``-separated part that is neither an existing file nor a path is looked up in the
    shipped library; anything else is left for the loader to report.
    """
    return "+".join(_resolve_one(part) for part in str(spec).split("+"))


def suggestion(part: str) -> str:
    """A 'did you mean' hint for a scenario name that is not in the library (or '')."""
    close = difflib.get_close_matches(Path(part).stem, scenario_names(), n=1)
    return f"did you mean '{close[0]}'? " if close else ""
