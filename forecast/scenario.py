"""Scenario files: YAML data, a baseline plus small overlays, validated with located errors.

A scenario file has a header (``title``, ``description``, ``source``), a ``region`` (bundle
folder, relative to the file), optionally ``extends: baseline.yaml`` (relative to the file),
and one section per stage. Overlays combine: ``load_scenario("baseline.yaml+low_tfr.yaml")``
applies each file's values over the previous ones (mappings merge key by key). Nothing in a
file is executed; unknown keys, wrong types and out-of-range values end in an
:class:`~forecast.errors.InputError` naming the file, line, field, value and the bound.

Sections so far: ``population`` (see :class:`~forecast.population.PopulationAssumptions`).
"""

from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass
from pathlib import Path

from ._yaml import LineDict, read_yaml
from .errors import InputError, Problem
from .population.assumptions import MORTALITY_METHODS, PopulationAssumptions
from .tables import parse_age, parse_period

__all__ = ["Scenario", "load_scenario"]

SEXES = ("male", "female")


@dataclass(frozen=True)
class Scenario:
    """A validated scenario: where it came from and the assumptions of each stage."""

    files: tuple[Path, ...]
    title: str
    description: str
    region_path: Path
    end_year: int
    population: PopulationAssumptions
    content_hash: str


class _Reader:
    """Walks a merged mapping whose values remember (file, line) of their key."""

    def __init__(self):
        self.problems: list[Problem] = []

    def fail(self, where, field, message, fix, value=None):
        file, line = where
        self.problems.append(Problem(file, message, fix, line, field, value))


def _merge(base: dict, overlay: LineDict, file: Path, origins: dict, prefix: str = "") -> dict:
    out = dict(base)
    for key, value in overlay.items():
        path = f"{prefix}{key}"
        origins[path] = (file, overlay.line_of(key))
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value, file, origins, path + ".")
        else:
            if isinstance(value, dict):
                _record(value, file, origins, path + ".")
            out[key] = value
    return out


def _record(mapping, file, origins, prefix):
    for key, value in mapping.items():
        origins[f"{prefix}{key}"] = (file, mapping.line_of(key) if isinstance(mapping, LineDict) else None)
        if isinstance(value, dict):
            _record(value, file, origins, f"{prefix}{key}.")


def _chain(path: Path, seen: tuple[Path, ...] = ()) -> list[Path]:
    """The file and the files it extends, baseline first."""
    path = path.resolve()
    if path in seen:
        raise InputError(Problem(path, "'extends' makes a cycle", "remove the circular 'extends'"))
    if not path.is_file():
        raise InputError(Problem(path, "scenario file not found", "check the path (scenarios/baseline.yaml, ...)"))
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise InputError(Problem(path, "a scenario file must be a mapping of keys to values", "see scenarios/baseline.yaml", 1))
    parent = data.get("extends")
    if parent is None:
        return [path]
    if not isinstance(parent, str):
        raise InputError(Problem(path, "'extends' must be a file name", "write e.g. 'extends: baseline.yaml'", data.line_of("extends"), "extends", parent))
    return [*_chain(path.parent / parent, (*seen, path)), path]


def load_scenario(path_or_paths) -> Scenario:
    """Read, merge and validate scenario file(s): a path, 'a.yaml+b.yaml', or a list of paths."""
    if isinstance(path_or_paths, (str, Path)):
        parts = [Path(p) for p in str(path_or_paths).split("+")]
    else:
        parts = [Path(p) for p in path_or_paths]
    files: list[Path] = []
    for part in parts:
        for f in _chain(part):
            if f not in files:
                files.append(f)
    merged: dict = {}
    origins: dict = {}
    for f in files:
        merged = _merge(merged, read_yaml(f), f, origins)
    reader = _Reader()
    scenario = _validate(merged, origins, files, reader)
    if reader.problems:
        raise InputError(reader.problems)
    return scenario


TOP_KEYS = {"title", "description", "source", "extends", "region", "population"}
POPULATION_KEYS = {"end_year", "mortality", "fertility", "sex_ratio_at_birth", "migration", "stochastic"}
MORTALITY_KEYS = {"method", "fit_years", "improvement_rate", "e0_targets"}
FERTILITY_KEYS = {"tfr", "continuation"}
STOCHASTIC_KEYS = {"tfr_volatility"}


def _unknown(reader, mapping, allowed, prefix, origins):
    for key in mapping:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), sorted(allowed), n=1)
            fix = f"did you mean '{close[0]}'?" if close else f"allowed here: {', '.join(sorted(allowed))}"
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


def _validate(data: dict, origins: dict, files: list[Path], reader: _Reader) -> Scenario:
    last = files[-1]
    at = lambda key: origins.get(key, (last, None))  # noqa: E731
    _unknown(reader, data, TOP_KEYS, "", origins)
    for key in ("title", "region"):
        if key not in data:
            reader.fail((last, None), key, f"missing '{key}'", f"add '{key}:' to the scenario or to the file it extends")
    region_path = None
    if "region" in data:
        file = origins["region"][0]
        region_path = (file.parent / str(data["region"])).resolve()
        if not (region_path / "region.yaml").is_file():
            reader.fail(at("region"), "region", "no region bundle (region.yaml) in that folder", "give the bundle folder relative to the scenario file, e.g. ../data/china", data["region"])
    pop = data.get("population") or {}
    if not isinstance(pop, dict):
        reader.fail(at("population"), "population", "must be a mapping", "see scenarios/baseline.yaml")
        pop = {}
    _unknown(reader, pop, POPULATION_KEYS, "population.", origins)
    end_year = pop.get("end_year", 2100)
    if isinstance(end_year, bool) or not isinstance(end_year, int) or not 2021 <= end_year <= 2300:
        reader.fail(at("population.end_year"), "population.end_year", "must be a year from 2021 to 2300", "write e.g. 2100", end_year)
        end_year = 2100
    kwargs: dict = {}
    mort = pop.get("mortality") or {}
    _unknown(reader, mort, MORTALITY_KEYS, "population.mortality.", origins)
    method = mort.get("method", "schedule")
    if method not in MORTALITY_METHODS:
        close = difflib.get_close_matches(str(method), MORTALITY_METHODS, n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        reader.fail(at("population.mortality.method"), "population.mortality.method", "unknown mortality method", f"{hint}use one of {', '.join(MORTALITY_METHODS)}", method)
    else:
        kwargs["mortality_method"] = method
    if "fit_years" in mort:
        span = parse_period(str(mort["fit_years"]))
        if span is None or span[0] == span[1]:
            reader.fail(at("population.mortality.fit_years"), "population.mortality.fit_years", "must be a range of years", "write e.g. 1990-2019", mort["fit_years"])
        else:
            kwargs["fit_years"] = span
    if "improvement_rate" in mort:
        bands = _improvement_rates(reader, mort["improvement_rate"], at, "population.mortality.improvement_rate")
        if bands is not None:
            kwargs["improvement_rate"] = bands
    if method == "improvement" and "improvement_rate" not in mort:
        reader.fail(at("population.mortality.method"), "population.mortality.improvement_rate", "the improvement method needs improvement_rate", "add e.g. 'improvement_rate: 0.015'")
    if "e0_targets" in mort or method == "e0_target":
        targets = mort.get("e0_targets")
        field = "population.mortality.e0_targets"
        if not isinstance(targets, dict) or not targets:
            reader.fail(at(field), field, "the e0_target method needs dated targets", "write e.g. 'e0_targets: {2035: {male: 79, female: 84}}'")
        else:
            clean = {}
            for year, pair in targets.items():
                if not isinstance(year, int) or not isinstance(pair, dict) or set(pair) != set(SEXES):
                    reader.fail(at(field), f"{field}.{year}", "each target is a year with a male and a female e0", "write e.g. '2035: {male: 79, female: 84}'", pair)
                    continue
                vals = {s: _number(reader, pair[s], at(f"{field}.{year}"), f"{field}.{year}.{s}", 20, 110, "year") for s in SEXES}
                if None not in vals.values():
                    clean[year] = vals
            kwargs["e0_targets"] = clean
    fert = pop.get("fertility") or {}
    _unknown(reader, fert, FERTILITY_KEYS, "population.fertility.", origins)
    if fert.get("continuation", "hold") != "hold":
        reader.fail(at("population.fertility.continuation"), "population.fertility.continuation", "only 'hold' is supported", "write 'continuation: hold' (the last dated value holds)", fert.get("continuation"))
    tfr = fert.get("tfr", "bundle")
    if tfr != "bundle":
        field = "population.fertility.tfr"
        if not isinstance(tfr, dict) or not tfr:
            reader.fail(at(field), field, "must be 'bundle' or dated values", "write e.g. 'tfr: {2025: 1.0, 2035: 1.1}'", tfr)
        else:
            clean = {}
            for year, value in tfr.items():
                if not isinstance(year, int) or not 1950 <= year <= 2300:
                    reader.fail(at(field), f"{field}.{year}", "dates must be years", "write e.g. '2030: 1.1'", year)
                    continue
                v = _number(reader, value, at(f"{field}.{year}"), f"{field}.{year}", 0.0, 10.0, "births/woman")
                if v is not None:
                    clean[year] = v
            kwargs["tfr"] = clean
    srb = pop.get("sex_ratio_at_birth", "bundle")
    if srb != "bundle":
        v = _number(reader, srb, at("population.sex_ratio_at_birth"), "population.sex_ratio_at_birth", 0.9, 1.3, "male births per female birth")
        if v is not None:
            kwargs["sex_ratio_at_birth"] = v
    if "migration" in pop:
        if not isinstance(pop["migration"], bool):
            reader.fail(at("population.migration"), "population.migration", "must be true or false", "write 'migration: true' to use the bundle's migration table", pop["migration"])
        else:
            kwargs["migration"] = pop["migration"]
    stoch = pop.get("stochastic") or {}
    _unknown(reader, stoch, STOCHASTIC_KEYS, "population.stochastic.", origins)
    if "tfr_volatility" in stoch:
        v = _number(reader, stoch["tfr_volatility"], at("population.stochastic.tfr_volatility"), "population.stochastic.tfr_volatility", 0.0, 1.0, "births/woman per year")
        if v is not None:
            kwargs["tfr_volatility"] = v
    digest = hashlib.sha256()
    for f in files:
        digest.update(f.read_bytes())
    return Scenario(
        files=tuple(files),
        title=str(data.get("title", "")),
        description=str(data.get("description", "")),
        region_path=region_path if region_path is not None else Path("."),
        end_year=end_year,
        population=PopulationAssumptions(**kwargs),
        content_hash=digest.hexdigest(),
    )
