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
import difflib
import hashlib
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from ..errors import InputError, Problem
from ..inputs.tables import parse_age, parse_period
from ..inputs.yamlfile import LineDict, read_yaml
from ..limits import MAX_EXTENDS, MAX_YAML_BYTES
from ..model.population.assumptions import MORTALITY_METHODS, PopulationAssumptions
from .dated import CONTINUATIONS, INTERPOLATIONS, DatedValue
from .parameters import SCHEMA, Param, coerce, iter_params

__all__ = ["Scenario", "load_scenario"]

SEXES = ("male", "female")


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
        from .. import __version__

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
        lines = [f"# {self.title}", f"# files: {' + '.join(str(f) for f in self.files)}", f"horizon = {self.horizon}  ({self._where('horizon')})"]
        for path, param in iter_params():
            if path == "horizon":
                continue
            value = self.params[path]
            text = value.describe(boolean=param.unit == "bool") if isinstance(value, DatedValue) else (f"{value:g}" if isinstance(value, float) else str(value))
            lines.append(f"{path} = {text} {param.unit if param.unit != 'bool' else ''}  ({self._where(path)})".replace("  (", " (").replace(" (", "  (", 1))
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


class _Reader:
    """Walks a merged mapping whose values remember (file, line) of their key."""

    def __init__(self):
        self.problems: list[Problem] = []
        #: the files of the chain (baseline first) and where the horizon was set, for messages
        #: that must blame the later of two conflicting values
        self.files: list[Path] = []
        self.horizon_at: tuple = (None, None)

    def fail(self, where, field, message, fix, value=None):
        file, line = where
        self.problems.append(Problem(file, message, fix, line, field, value))


def _merge(base: dict, overlay: LineDict, file: Path, origins: dict, prefix: str = "") -> dict:
    out = dict(base)
    for key, value in overlay.items():
        path = f"{prefix}{key}"
        origins[path] = (file, overlay.line_of(key))
        if isinstance(value, dict) and isinstance(out.get(key), dict) and not _is_dated(value) and not _is_dated(out[key]):
            out[key] = _merge(out[key], value, file, origins, path + ".")
        else:
            if isinstance(value, dict):
                _record(value, file, origins, path + ".")
            out[key] = value
    return out


def _is_dated(mapping: dict) -> bool:
    """A mapping year -> value, or the long form {values, between, after}: replaced whole by overlays."""
    return bool(mapping) and (all(isinstance(k, int) and not isinstance(k, bool) for k in mapping) or set(mapping) <= DATED_KEYS)


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
            raise InputError(Problem(current, "the path is a symbolic link that leads back to itself", "point the link at a real scenario file")) from None
        if resolved in (f for f, _ in chain):
            raise InputError(Problem(resolved, "'extends' makes a cycle", "remove the circular 'extends'"))
        if len(chain) >= MAX_EXTENDS:
            raise InputError(Problem(Path(path), f"the 'extends' chain is longer than {MAX_EXTENDS} files", "extend the baseline directly, or combine overlays with a.yaml+b.yaml"))
        if not resolved.is_file():
            what = "is a folder, not a scenario file" if resolved.is_dir() else "scenario file not found"
            raise InputError(Problem(resolved, what, "check the path (scenarios/baseline.yaml, ...)"))
        size = resolved.stat().st_size
        if size > MAX_SCENARIO_BYTES:
            raise InputError(Problem(resolved, f"the file is {size / 1e6:.1f} MB; a scenario file is at most {MAX_SCENARIO_BYTES / 1e6:.0f} MB", "keep a scenario to its parameters; large tables belong in a region bundle's CSV files"))
        data = read_yaml(resolved)
        if not isinstance(data, dict):
            raise InputError(Problem(resolved, "a scenario file must be a mapping of keys to values", "see scenarios/baseline.yaml", 1))
        chain.append((resolved, data))
        parent = data.get("extends")
        if parent is None:
            return chain[::-1]
        if not isinstance(parent, str) or not parent.strip():
            raise InputError(Problem(resolved, "'extends' must be a file name", "write e.g. 'extends: baseline.yaml'", data.line_of("extends"), "extends", parent))
        current = resolved.parent / parent


def _empty_values(reader, data: dict, file: Path, prefix: str = "") -> None:
    """An empty value (``key:`` with nothing after it, or ``~``) is a slip, and in an overlay it
    would erase what the baseline says: refuse it where it stands."""
    for key, value in data.items():
        if value is None:
            line = data.line_of(key) if isinstance(data, LineDict) else None
            reader.fail((file, line), f"{prefix}{key}", "empty value (nothing after the colon, or ~)", "give a value; an overlay changes the values it names and keeps the rest of the baseline, so leave out what you do not change")
        elif isinstance(value, dict):
            _empty_values(reader, value, file, f"{prefix}{key}.")


def _parts(path_or_paths) -> list[Path]:
    """The overlay files named by ``path_or_paths``; bare names resolve to the shipped library."""
    from ..library import resolve_scenario, suggestion

    if isinstance(path_or_paths, (str, Path)) and Path(path_or_paths).is_file():
        parts = [str(path_or_paths)]  # a file whose name holds a '+'
    elif isinstance(path_or_paths, (str, Path)):
        parts = resolve_scenario(str(path_or_paths)).split("+")
    else:
        parts = [resolve_scenario(str(p)) for p in path_or_paths]
    for part in parts:
        if not part.strip():
            raise InputError(Problem(str(path_or_paths), "an empty scenario name", "write SCENARIO or a.yaml+b.yaml, without a leading, trailing or doubled '+'"))
        if not Path(part).exists() and not Path(part).is_symlink() and "/" not in part and not part.endswith((".yaml", ".yml")):
            raise InputError(Problem(part, "no such scenario file, and no shipped scenario of that name", f"{suggestion(part)}'forecast scenarios' lists the shipped ones; or give a file path ('+' joins overlays: a.yaml+b.yaml)"))
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
    reader = _Reader()
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
    reader = _Reader()
    scenario = _validate(merged, origins, [f for f, _ in chain], reader)
    if reader.problems:
        raise InputError(reader.problems)
    return scenario


TOP_KEYS = {"title", "description", "sources", "extends", "region", "horizon", "assumptions", "policy", "verdict"}
DEMOGRAPHY = "assumptions.demography."
POPULATION_KEYS = {"mortality", "fertility", "sex_ratio_at_birth", "migration", "stochastic"}
MORTALITY_KEYS = {"method", "fit_years", "improvement_rate", "e0_targets"}
FERTILITY_KEYS = {"tfr", "continuation"}
STOCHASTIC_KEYS = {"tfr_volatility"}
DATED_KEYS = {"values", "between", "after"}
#: plausible total fertility and life-expectancy targets: outside them a value is a slip (a TFR
#: of 0.3 is far below any recorded for a country or province; a life expectancy of 40 far below
#: China's since the 1960s), and at 0 the projection's births and life table have no meaning
TFR_RANGE = (0.3, 8.0)
E0_RANGE = (40.0, 100.0)
#: scenario files are small text files; anything larger is a mistake (or an attack on the parser)
MAX_SCENARIO_BYTES = MAX_YAML_BYTES
#: PopulationAssumptions field -> key path in the file
DEMOGRAPHY_KEYS = {
    "mortality_method": "mortality.method",
    "fit_years": "mortality.fit_years",
    "improvement_rate": "mortality.improvement_rate",
    "e0_targets": "mortality.e0_targets",
    "tfr": "fertility.tfr",
    "tfr_volatility": "stochastic.tfr_volatility",
}


def _unknown(reader, mapping, allowed, prefix, origins):
    for key in mapping:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), sorted(allowed), n=1)
            fix = f"did you mean '{close[0]}'?" if close else f"allowed here: {', '.join(sorted(allowed))}"
            if isinstance(key, bool) or key is None:
                fix = f"YAML reads yes/no/on/off/true/false as {key} and ~ or null as None: quote the key if you meant the word; {fix}"
            reader.fail(origins.get(f"{prefix}{key}", (None, None)), f"{prefix}{key}", f"unknown key '{key}'", fix)


def _number(reader, value, where, field, low, high, unit):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        reader.fail(where, field, "must be a number", f"write a number in [{low}, {high}] ({unit})", value)
        return None
    if not low <= value <= high:
        fix = f"the value must lie in [{low}, {high}] ({unit})"
        if unit == "ratio" and 1 < value <= 100:
            fix = f"ratios are fractions: write {value / 100:g}, not {value}"
        reader.fail(where, field, "value out of range", fix, value)
        return None
    return float(value)


def _improvement_rates(reader, rate, at, field):
    """0.015 | {male: .., female: ..} | {male: {0-64: .., 65+: ..}, ...} -> {sex: ((start, end, rate), ...)}."""
    per_sex = rate if isinstance(rate, dict) else {s: rate for s in SEXES}
    bad = [k for k in per_sex if k not in SEXES]
    if bad:
        reader.fail(at(field), f"{field}.{bad[0]}", f"unknown sex '{bad[0]}'", "give rates for male and female")
        return None
    out = {}
    for sex in SEXES:
        if sex not in per_sex:
            reader.fail(at(field), field, f"no rate for {sex}", "give one rate, or one per sex (male, female)")
            return None
        spec = per_sex[sex]
        where = at(f"{field}.{sex}") if isinstance(per_sex, LineDict) else at(field)
        if not isinstance(spec, dict):
            value = _number(reader, spec, where, f"{field}.{sex}", -0.05, 0.10, "ratio")
            if value is None:
                return None
            out[sex] = ((0, None, value),)
            continue
        bands = []
        for label, value in spec.items():
            age = parse_age(str(label))
            v = _number(reader, value, at(f"{field}.{sex}.{label}"), f"{field}.{sex}.{label}", -0.05, 0.10, "ratio")
            if age is None:
                reader.fail(at(f"{field}.{sex}.{label}"), f"{field}.{sex}.{label}", "not an age band", "write bands such as 0-64 and 65+", label)
                return None
            if v is None:
                return None
            bands.append((age[0], age[1], v))
        bands.sort()
        covers = bands[0][0] == 0 and bands[-1][1] is None and all(b[1] is not None and b[1] + 1 == n[0] for b, n in zip(bands, bands[1:]))
        if not covers:
            reader.fail(where, f"{field}.{sex}", "the age bands must cover ages 0 to the open group without gaps or overlaps", "write e.g. {0-64: 0.02, 65+: 0.01}")
            return None
        out[sex] = tuple(bands)
    return out




def _section(reader, value, field: str, at, example: str) -> dict:
    """A sub-section that must be a mapping ({} when absent); anything else is reported."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        reader.fail(at(field), field, "must be a mapping of keys to values", f"write e.g. '{example}'", value)
        return {}
    return value


def _demography(reader, data, at, origins) -> PopulationAssumptions:
    """The ``assumptions.demography`` section as :class:`PopulationAssumptions`."""
    assumptions = data.get("assumptions") if isinstance(data.get("assumptions"), dict) else {}
    pop = _section(reader, assumptions.get("demography"), "assumptions.demography", at, "mortality: {method: schedule}")
    _unknown(reader, pop, POPULATION_KEYS, DEMOGRAPHY, origins)
    kwargs: dict = {}
    mort = _section(reader, pop.get("mortality"), DEMOGRAPHY + "mortality", at, "mortality: {method: lee_carter}")
    _unknown(reader, mort, MORTALITY_KEYS, DEMOGRAPHY + "mortality.", origins)
    method = mort.get("method", "schedule")
    field = DEMOGRAPHY + "mortality.method"
    if method not in MORTALITY_METHODS:
        close = difflib.get_close_matches(str(method), MORTALITY_METHODS, n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        reader.fail(at(field), field, "unknown mortality method", f"{hint}use one of {', '.join(MORTALITY_METHODS)}", method)
    else:
        kwargs["mortality_method"] = method
    if "fit_years" in mort:
        field = DEMOGRAPHY + "mortality.fit_years"
        span = parse_period(str(mort["fit_years"]))
        if span is None or span[0] == span[1]:
            reader.fail(at(field), field, "must be a range of years", "write e.g. 1990-2019", mort["fit_years"])
        else:
            kwargs["fit_years"] = span
    if "improvement_rate" in mort:
        bands = _improvement_rates(reader, mort["improvement_rate"], at, DEMOGRAPHY + "mortality.improvement_rate")
        if bands is not None:
            kwargs["improvement_rate"] = bands
    if method == "improvement" and "improvement_rate" not in mort:
        reader.fail(at(DEMOGRAPHY + "mortality.method"), DEMOGRAPHY + "mortality.improvement_rate", "the improvement method needs improvement_rate", "add e.g. 'improvement_rate: 0.015'")
    if "e0_targets" in mort or method == "e0_target":
        targets = mort.get("e0_targets")
        field = DEMOGRAPHY + "mortality.e0_targets"
        if not isinstance(targets, dict) or not targets:
            reader.fail(at(field), field, "the e0_target method needs dated targets", "write e.g. 'e0_targets: {2035: {male: 79, female: 84}}'")
        else:
            clean = {}
            for year, pair in targets.items():
                if not isinstance(year, int) or not isinstance(pair, dict) or set(pair) != set(SEXES):
                    reader.fail(at(field), f"{field}.{year}", "each target is a year with a male and a female e0", "write e.g. '2035: {male: 79, female: 84}'", pair)
                    continue
                vals = {s: _number(reader, pair[s], at(f"{field}.{year}"), f"{field}.{year}.{s}", *E0_RANGE, "year") for s in SEXES}
                if None not in vals.values():
                    clean[year] = vals
            kwargs["e0_targets"] = clean
    fert = _section(reader, pop.get("fertility"), DEMOGRAPHY + "fertility", at, "fertility: {tfr: {2025: 1.0}}")
    _unknown(reader, fert, FERTILITY_KEYS, DEMOGRAPHY + "fertility.", origins)
    if fert.get("continuation", "hold") != "hold":
        field = DEMOGRAPHY + "fertility.continuation"
        reader.fail(at(field), field, "only 'hold' is supported", "write 'continuation: hold' (the last dated value holds)", fert.get("continuation"))
    tfr = fert.get("tfr", "bundle")
    if tfr != "bundle":
        field = DEMOGRAPHY + "fertility.tfr"
        if not isinstance(tfr, dict) or not tfr:
            reader.fail(at(field), field, "must be 'bundle' or dated values", "write e.g. 'tfr: {2025: 1.0, 2035: 1.1}'", tfr)
        else:
            clean = {}
            for year, value in tfr.items():
                if not isinstance(year, int) or not 1950 <= year <= 2300:
                    reader.fail(at(field), f"{field}.{year}", "dates must be years", "write e.g. '2030: 1.1'", year)
                    continue
                v = _number(reader, value, at(f"{field}.{year}"), f"{field}.{year}", *TFR_RANGE, "births/woman")
                if v is not None:
                    clean[year] = v
            kwargs["tfr"] = clean
    srb = pop.get("sex_ratio_at_birth", "bundle")
    if srb != "bundle":
        field = DEMOGRAPHY + "sex_ratio_at_birth"
        v = _number(reader, srb, at(field), field, 0.9, 1.3, "male births per female birth")
        if v is not None:
            kwargs["sex_ratio_at_birth"] = v
    if "migration" in pop:
        field = DEMOGRAPHY + "migration"
        if not isinstance(pop["migration"], bool):
            reader.fail(at(field), field, "must be true or false", "write 'migration: true' to use the bundle's migration table", pop["migration"])
        else:
            kwargs["migration"] = pop["migration"]
    stoch = _section(reader, pop.get("stochastic"), DEMOGRAPHY + "stochastic", at, "stochastic: {tfr_volatility: 0.05}")
    _unknown(reader, stoch, STOCHASTIC_KEYS, DEMOGRAPHY + "stochastic.", origins)
    if "tfr_volatility" in stoch:
        field = DEMOGRAPHY + "stochastic.tfr_volatility"
        v = _number(reader, stoch["tfr_volatility"], at(field), field, 0.0, 1.0, "births/woman per year")
        if v is not None:
            kwargs["tfr_volatility"] = v
    return PopulationAssumptions(**kwargs)


def _dated(reader, raw, param: Param, path: str, at, horizon: int):
    """A file value -> DatedValue (dated parameters) or a plain value; None after a problem."""
    where = at(path)
    if not param.dated or not isinstance(raw, dict):
        if isinstance(raw, dict):
            reader.fail(where, path, "takes one value, not dated values", f"write {param.bound_text()}")
            return None
        value, problem = coerce(raw, param)
        if problem:
            reader.fail(where, path, "not an allowed value", problem, raw)
            return None
        return DatedValue.constant(value) if param.dated else value
    if not raw:
        reader.fail(where, path, "empty dated values ({})", f"give at least one year, e.g. '{{2025: ...}}', or one value: {param.bound_text()}")
        return None
    spec, located = raw, path
    between, after = "step", param.after
    if set(raw) <= DATED_KEYS:
        located = f"{path}.values"
        if "values" not in raw or not isinstance(raw["values"], dict) or not raw["values"]:
            reader.fail(where, f"{path}.values", "the long form needs 'values'", "write e.g. 'values: {2024: 670, 2030: 850}'")
            return None
        spec, between, after = raw["values"], raw.get("between", "step"), raw.get("after", param.after)
        if between not in INTERPOLATIONS:
            reader.fail(at(f"{path}.between"), f"{path}.between", "unknown interpolation", f"use one of {', '.join(INTERPOLATIONS)}", between)
            return None
        if after not in CONTINUATIONS:
            close = difflib.get_close_matches(str(after), CONTINUATIONS, n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            reader.fail(at(f"{path}.after"), f"{path}.after", "unknown continuation rule", f"{hint}use one of {', '.join(CONTINUATIONS)}", after)
            return None
    points = []
    for year, value in spec.items():
        if isinstance(year, bool) or not isinstance(year, int):
            reader.fail(where, f"{path}.{year}", "dated values are keyed by year", "write e.g. '{2024: 670, 2030: 850}' or use the long form (values, between, after)", year)
            return None
        value_at = at(f"{located}.{year}") if isinstance(spec, LineDict) else where
        if year > horizon and _later(reader.horizon_at, value_at, reader.files):
            if not any(p.field == "horizon" for p in reader.problems):
                reader.fail(reader.horizon_at, "horizon", f"the horizon {horizon} comes before {year}, a year {Path(value_at[0]).name} gives for {path} (line {value_at[1]})", "the horizon is the last projected year: set it after the fund's base year (the last year of the bundle's fund history; 2024 for data/china), e.g. 'horizon: 2060'")
            return None
        if not 2000 <= year <= horizon:
            reader.fail(value_at, f"{path}.{year}", f"year outside 2000..{horizon} (the horizon)", f"give years up to the horizon {horizon}, or raise 'horizon'", year)
            return None
        number, problem = coerce(value, param)
        if problem:
            reader.fail(value_at, f"{path}.{year}", "not an allowed value", problem, value)
            return None
        points.append((year, number))
    return DatedValue(tuple(sorted(points)), between, after)


def _walk(reader, data: dict, tree: dict, prefix: str, origins: dict, at, horizon: int, out: dict):
    """Validate ``data`` against the schema ``tree``; resolved values go to ``out`` by path."""
    if not isinstance(data, dict):
        reader.fail(at(prefix.rstrip(".")), prefix.rstrip("."), "must be a mapping of keys to values", "see scenarios/baseline.yaml", data)
        data = {}
    allowed = set(tree) | ({"demography"} if prefix == "assumptions." else set())
    _unknown(reader, data, allowed, prefix, origins)
    for key, node in tree.items():
        path = f"{prefix}{key}"
        if isinstance(node, Param):
            if key in data:
                out[path] = _dated(reader, data[key], node, path, at, horizon)
            elif node.default is not None:
                out[path] = DatedValue.constant(float(node.default)) if node.dated else node.default
                origins.pop(path, None)
            else:
                out[path] = None
                reader.fail(at(prefix.rstrip(".")) if prefix else at(path), path, "missing", f"give {node.bound_text()} here or in the baseline: {node.description}")
        else:
            _walk(reader, data.get(key) or {}, node, path + ".", origins, at, horizon, out)


def _later(a, b, files) -> bool:
    """True when origin ``a`` comes from a later file of the chain than origin ``b``."""
    order = {f: i for i, f in enumerate(files)}
    return order.get(a[0], -1) > order.get(b[0], -1)


def _cross_checks(reader, p: dict, at, files):
    """Checks between fields: caps above deductibles, shares that add up, retirement ages."""

    def values(path):
        v = p.get(path)
        return [] if v is None else ([x for _, x in v.points] if isinstance(v, DatedValue) else [v])

    for pool in ("employee", "resident"):
        base = f"policy.{pool}.benefits."
        for service, levels in (("inpatient", ("tier3", "tier2", "tier1")), ("outpatient", ("",)), ("outpatient_special", ("",))):
            cap = values(f"{base}{service}.annual_cap")
            for level in levels:
                ded_path = f"{base}{service}.{level + '.' if level else ''}deductible"
                deductibles = values(ded_path)
                if cap and deductibles and min(cap) <= max(deductibles):
                    cap_path = f"{base}{service}.annual_cap"
                    where, field = (at(ded_path), ded_path) if _later(at(ded_path), at(cap_path), files) else (at(cap_path), cap_path)
                    reader.fail(where, field, f"the annual cap ({min(cap):g} yuan, {cap_path}) is not above the deductible ({max(deductibles):g} yuan, {ded_path})", "raise the cap or lower the deductible; a cap must exceed the deductible")
    for group in ("care_mix",):
        shares = [values(f"policy.ltci.{group}.{k}") for k in ("home_care", "institutional_care")]
        if all(shares) and abs(shares[0][0] + shares[1][0] - 1) > 1e-9:
            reader.fail(at(f"policy.ltci.{group}"), f"policy.ltci.{group}", f"home_care + institutional_care must be 1 (found {shares[0][0] + shares[1][0]:g})", "make the two shares add up to 1")
    fin = [values(f"policy.ltci.financing_shares.{k}") for k in ("employee_pooled_fund", "individual", "fiscal")]
    if all(fin) and abs(sum(f[0] for f in fin) - 1) > 1e-9:
        reader.fail(at("policy.ltci.financing_shares"), "policy.ltci.financing_shares", f"the financing shares add up to {sum(f[0] for f in fin):g}, not 1", "make employee_pooled_fund + individual + fiscal = 1")
    groups = ("tekun", "dibao", "near_dibao", "at_risk", "illness_poor")
    total = sum(max(values(f"policy.medical_assistance.groups.{g}.population_share") or [0]) for g in groups)
    if total > 1:
        reader.fail(at("policy.medical_assistance.groups"), "policy.medical_assistance.groups", f"the groups' population shares add up to {total:g}, more than 1", "the groups are disjoint shares of the population: make them add up to at most 1")
    order = ("critical_months", "low_months", "high_months", "excess_months")
    for lower, upper in zip(order, order[1:]):
        a, b = p.get(f"verdict.{lower}"), p.get(f"verdict.{upper}")
        if a is not None and b is not None and a > b:
            later = f"verdict.{upper}" if _later(at(f"verdict.{upper}"), at(f"verdict.{lower}"), files) else f"verdict.{lower}"
            reader.fail(at(later), later, f"the verdict thresholds are out of order: {lower} ({a:g}) is above {upper} ({b:g})", "give critical_months <= low_months <= high_months <= excess_months (defaults 3, 6, 9, 15)")
            break
    for who in ("male", "female_worker", "female_cadre"):  # ages themselves are bounded by the schema (40..70)
        base = f"policy.employee.retirement_age.{who}"
        start, end = p.get(f"{base}.from"), p.get(f"{base}.to")
        if start is not None and end is not None and end < start:
            reader.fail(at(f"{base}.to"), f"{base}.to", f"the reform lowers the retirement age ({start:g} -> {end:g})", "give 'to' at least 'from' (write to = from for no reform)")


def _validate(data: dict, origins: dict, files: list[Path], reader: _Reader) -> Scenario:
    last = files[-1]
    at = lambda key: origins.get(key, (last, None))  # noqa: E731
    reader.files, reader.horizon_at = files, at("horizon")
    _unknown(reader, data, TOP_KEYS, "", origins)
    for key in ("title", "region"):
        if key not in data:
            reader.fail((last, None), key, f"missing '{key}'", f"add '{key}:' to the scenario or to the file it extends")
    region_path = None
    if "region" in data:
        file = origins["region"][0]
        try:
            region_path = (file.parent / str(data["region"])).resolve()
        except (OSError, RuntimeError):  # a symbolic-link loop (RuntimeError in Python 3.11)
            region_path = file.parent / str(data["region"])
        if not (region_path / "region.yaml").is_file():
            reader.fail(at("region"), "region", "no region bundle (region.yaml) in that folder", "give the bundle folder relative to the scenario file, e.g. ../data/china", data["region"])
    sources = data.get("sources", [])
    if isinstance(sources, str):
        sources = [sources]
    if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
        reader.fail(at("sources"), "sources", "must be a list of documents", "write e.g. 'sources: [温政办〔2022〕98号]'", sources)
        sources = []
    params: dict = {}
    horizon_param = SCHEMA["horizon"]
    raw_horizon = data.get("horizon", horizon_param.default)
    if isinstance(raw_horizon, bool) or not isinstance(raw_horizon, int):
        reader.fail(at("horizon"), "horizon", "must be a whole year", "write e.g. 'horizon: 2060'", raw_horizon)
        horizon = horizon_param.default
    else:
        horizon = _dated(reader, raw_horizon, horizon_param, "horizon", at, 2300)
        horizon = int(horizon) if horizon is not None else horizon_param.default
    params["horizon"] = horizon
    population = _demography(reader, data, at, origins)
    for section in ("assumptions", "policy", "verdict"):
        _walk(reader, data.get(section) or {}, SCHEMA[section], section + ".", origins, at, horizon, params)
    _cross_checks(reader, params, at, files)
    digest = hashlib.sha256()
    for f in files:
        digest.update(f.read_bytes())
    return Scenario(
        files=tuple(files),
        title=str(data.get("title", "")),
        description=str(data.get("description", "")),
        sources=tuple(sources),
        region_path=region_path if region_path is not None else Path("."),
        horizon=horizon,
        population=population,
        params=MappingProxyType(params),
        origins=MappingProxyType({k: origins.get(k) for k in (*params, *(DEMOGRAPHY + v for v in DEMOGRAPHY_KEYS.values()))}),
        content_hash=digest.hexdigest(),
    )
