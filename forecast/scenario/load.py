"""Scenario files: YAML data, a baseline plus small overlays, validated with located errors.

A scenario file has a header (``title``, ``description``, ``sources``: the policy documents it
encodes), a ``region`` (bundle folder, relative to the file; the baseline's is inherited),
optionally ``extends: baseline.yaml`` (relative to the file), ``horizon`` (last projected
year), and three sections: ``assumptions`` (demography, economy, medical_costs, enrollment),
``policy`` (one block per pool) and ``verdict`` (the thresholds of the balance verdict).
Every key below ``assumptions``/``policy``/``verdict`` is declared in
:data:`forecast.scenario.parameters.SCHEMA` with its unit and range; ``assumptions.demography`` is
described in :class:`~forecast.model.population.PopulationAssumptions`.

Overlays combine: ``load_scenario("baseline.yaml+low_tfr.yaml")`` applies each file's values
over the previous ones (mappings merge key by key; a dated value is replaced whole). Nothing
in a file is executed; unknown keys, wrong types, out-of-range values and inconsistent
combinations end in an :class:`~forecast.errors.InputError` naming the file, line, field,
value and the fix. Loading never changes a previously loaded :class:`Scenario`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from .._version import __version__
from ..errors import InputError, Problem
from ..inputs.yamlfile import LineDict, read_yaml
from ..library import extended_file, resolve_scenario, suggestion
from ..limits import MAX_EXTENDS, MAX_YAML_BYTES
from .dated import DatedValue
from .dated_fields import DATED_KEYS
from .demography import DEMOGRAPHY, DEMOGRAPHY_KEYS
from .param import default_source
from .parameters import iter_params
from .population import PopulationAssumptions
from .reader import Reader
from .validate import validate

__all__ = ["Scenario", "load_scenario"]

#: scenario files are small text files; anything larger is a mistake (or an attack on the parser)
MAX_SCENARIO_BYTES = MAX_YAML_BYTES


@dataclass(frozen=True)
class Scenario:
    """A validated scenario: where it came from, the demography and every parameter.

    ``params`` maps a dotted path (``policy.employee.employer_rate``) to its value: a
    :class:`~forecast.scenario.parameters.DatedValue` for dated parameters, else a number, bool or
    choice. ``origins`` maps the same path to ``(file, line)``, or ``None`` for a schema default.
    """

    files: tuple[Path, ...]
    title: str
    description: str
    sources: tuple[str, ...]
    region_path: Path
    horizon: int
    population: PopulationAssumptions
    params: MappingProxyType
    origins: MappingProxyType
    content_hash: str
    #: the root baseline's parameters (the file that extends nothing): they calibrate the base year
    root_params: MappingProxyType = dataclasses.field(default_factory=lambda: MappingProxyType({}))

    @property
    def end_year(self) -> int:
        """The last projected year (the scenario's ``horizon``)."""
        return self.horizon

    def __getitem__(self, path: str):
        return self.params[path]

    def provenance(self, region) -> dict:
        """attrs a result records: package version, scenario files and hash, region and its hash."""
        return {
            "forecast_version": __version__,
            "scenario_title": self.title,
            "scenario_files": [str(f) for f in self.files],
            "scenario_hash": self.content_hash,
            "region_path": str(region.path),
            "region_hash": region.content_hash,
        }

    def describe(self) -> str:
        """Every resolved parameter with its unit and the file and line it came from."""
        lines = [
            f"# {self.title}",
            f"# files: {' + '.join(str(f) for f in self.files)}",
            f"horizon = {self.horizon}  ({self._where('horizon')})",
        ]
        for path, param in iter_params():
            if path == "horizon":
                continue
            if path not in self.params:  # left out: follows another parameter when the rules resolve
                lines.append(f"{path} = as {default_source(path, param)}  (left out)")
                continue
            value = self.params[path]
            text = (
                value.describe(boolean=param.unit == "bool")
                if isinstance(value, DatedValue)
                else (f"{value:g}" if isinstance(value, float) else str(value))
            )
            lines.append(
                f"{path} = {text} {param.unit if param.unit != 'bool' else ''}  ({self._where(path)})".replace(
                    "  (", " ("
                ).replace(" (", "  (", 1)
            )
        for key, value in sorted(vars(self.population).items()):
            where = self._where(DEMOGRAPHY + DEMOGRAPHY_KEYS.get(key, key))
            lines.append(f"{DEMOGRAPHY}{DEMOGRAPHY_KEYS.get(key, key)} = {value}  ({where})")
        return "\n".join(lines)

    def _where(self, path: str) -> str:
        origin = self.origins.get(path)
        if origin is None:
            return "default"
        file, line = origin
        return f"{Path(file).name}:{line}" if line else Path(file).name


def _merge(base: dict, overlay: LineDict, file: Path, origins: dict, prefix: str = "") -> dict:
    out = dict(base)
    for key, value in overlay.items():
        path = f"{prefix}{key}"
        origins[path] = (file, overlay.line_of(key))
        if (
            isinstance(value, dict)
            and isinstance(out.get(key), dict)
            and not _is_dated(value)
            and not _is_dated(out[key])
        ):
            out[key] = _merge(out[key], value, file, origins, path + ".")
        else:
            if isinstance(value, dict):
                _record(value, file, origins, path + ".")
            out[key] = value
    return out


def _is_dated(mapping: dict) -> bool:
    """A mapping year -> value, or the long form {values, between, after}: replaced whole by overlays."""
    return bool(mapping) and (
        all(isinstance(k, int) and not isinstance(k, bool) for k in mapping) or set(mapping) <= DATED_KEYS
    )


def _record(mapping, file, origins, prefix):
    for key, value in mapping.items():
        origins[f"{prefix}{key}"] = (file, mapping.line_of(key) if isinstance(mapping, LineDict) else None)
        if isinstance(value, dict):
            _record(value, file, origins, f"{prefix}{key}.")


def _chain(path: Path) -> list[tuple[Path, dict]]:
    """The file and the files it extends, baseline first, each with its parsed content."""
    chain: list[tuple[Path, dict]] = []
    current = Path(path)
    while True:
        try:
            resolved = current.resolve()
        except (OSError, RuntimeError):  # RuntimeError: Python 3.11's "Symlink loop"
            raise InputError(
                Problem(
                    current,
                    "the path is a symbolic link that leads back to itself",
                    "point the link at a real scenario file",
                )
            ) from None
        if resolved in (f for f, _ in chain):
            raise InputError(Problem(resolved, "'extends' makes a cycle", "remove the circular 'extends'"))
        if len(chain) >= MAX_EXTENDS:
            raise InputError(
                Problem(
                    Path(path),
                    f"the 'extends' chain is longer than {MAX_EXTENDS} files",
                    "extend the baseline directly, or combine overlays with a.yaml+b.yaml",
                )
            )
        if resolved.is_dir() or not resolved.exists():
            what = "is a folder, not a scenario file" if resolved.is_dir() else "scenario file not found"
            raise InputError(Problem(resolved, what, "check the path (scenarios/baseline.yaml, ...)"))
        size = resolved.stat().st_size
        if resolved.is_file() and size > MAX_SCENARIO_BYTES:
            raise InputError(
                Problem(
                    resolved,
                    f"the file is {size / 1e6:.1f} MB; a scenario file is at most {MAX_SCENARIO_BYTES / 1e6:.0f} MB",
                    "keep a scenario to its parameters; large tables belong in a region bundle's CSV files",
                )
            )
        data = read_yaml(resolved)
        if not isinstance(data, dict):
            raise InputError(
                Problem(
                    resolved, "a scenario file must be a mapping of keys to values", "see scenarios/baseline.yaml", 1
                )
            )
        chain.append((resolved, data))
        parent = data.get("extends")
        if parent is None:
            return chain[::-1]
        if not isinstance(parent, str) or not parent.strip():
            raise InputError(
                Problem(
                    resolved,
                    "'extends' must be a file name",
                    "write e.g. 'extends: baseline.yaml'",
                    data.line_of("extends"),
                    "extends",
                    parent,
                )
            )
        current = extended_file(resolved.parent, parent)


def _empty_values(reader, data: dict, file: Path, prefix: str = "") -> None:
    """An empty value (``key:`` with nothing after it, or ``~``) is a slip, and in an overlay it
    would erase what the baseline says: refuse it where it stands."""
    for key, value in data.items():
        if value is None:
            line = data.line_of(key) if isinstance(data, LineDict) else None
            reader.fail(
                (file, line),
                f"{prefix}{key}",
                "empty value (nothing after the colon, or ~)",
                "give a value; an overlay changes the values it names and keeps the rest of the baseline, so leave out "
                "what you do not change",
            )
        elif isinstance(value, dict):
            _empty_values(reader, value, file, f"{prefix}{key}.")


def _parts(path_or_paths) -> list[Path]:
    """The overlay files named by ``path_or_paths``; bare names resolve to the shipped library."""
    if isinstance(path_or_paths, (str, Path)) and Path(path_or_paths).is_file():
        parts = [str(path_or_paths)]  # a file whose name holds a '+'
    elif isinstance(path_or_paths, (str, Path)):
        parts = resolve_scenario(str(path_or_paths)).split("+")
    else:
        parts = [resolve_scenario(str(p)) for p in path_or_paths]
    for part in parts:
        if not part.strip():
            raise InputError(
                Problem(
                    str(path_or_paths),
                    "an empty scenario name",
                    "write SCENARIO or a.yaml+b.yaml, without a leading, trailing or doubled '+'",
                )
            )
        if (
            not Path(part).exists()
            and not Path(part).is_symlink()
            and "/" not in part
            and not part.endswith((".yaml", ".yml"))
        ):
            raise InputError(
                Problem(
                    part,
                    "no such scenario file, and no shipped scenario of that name",
                    f"{suggestion(part)}'forecast scenarios' lists the shipped ones; or give a file path ('+' joins "
                    "overlays: a.yaml+b.yaml)",
                )
            )
    return [Path(p) for p in parts]


def load_scenario(path_or_paths) -> Scenario:
    """Read, merge and validate scenario file(s): a path, 'a.yaml+b.yaml', or a list of paths.

    A bare name (``baseline``, ``baseline+ltci_extension``) is a scenario of the shipped library.
    """
    chain: list[tuple[Path, dict]] = []
    for part in _parts(path_or_paths):
        for f, data in _chain(part):
            if f not in (g for g, _ in chain):
                chain.append((f, data))
    reader = Reader()
    for f, data in chain:
        _empty_values(reader, data, f)
    if reader.problems:
        raise InputError(reader.problems)
    scenario = _merged(chain)
    root = scenario if len(chain) == 1 else _merged(chain[:1])
    return dataclasses.replace(scenario, root_params=root.params)


def _merged(chain: list[tuple[Path, dict]]) -> Scenario:
    """The chain's files merged in order and validated (an InputError lists every problem)."""
    merged: dict = {}
    origins: dict = {}
    for f, data in chain:
        merged = _merge(merged, data, f, origins)
    reader = Reader()
    scenario = Scenario(**validate(merged, origins, [f for f, _ in chain], reader))
    if reader.problems:
        raise InputError(reader.problems)
    return scenario
