"""Validating a merged scenario against the parameter schema: the top-level keys, the walk over
:data:`~forecast.scenario.parameters.SCHEMA` (each field through
:func:`~forecast.scenario.dated_fields.dated_field`), then the checks between fields
(:func:`~forecast.scenario.cross_checks.cross_checks`)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from types import MappingProxyType

from ..inputs.files import read_bytes
from ..limits import MAX_YAML_BYTES
from .cross_checks import cross_checks
from .dated_fields import dated_field
from .demography import DEMOGRAPHY, DEMOGRAPHY_KEYS, demography
from .param import default_value
from .parameters import SCHEMA, Param, iter_params
from .reader import Reader, unknown_keys

__all__ = ["validate", "TOP_KEYS"]

TOP_KEYS = {"title", "description", "sources", "extends", "region", "horizon", "assumptions", "policy", "verdict"}


def _under_another_pool(path: str) -> str | None:
    """The same key under another pool's section (policy.<pool>....), if the schema has it there."""
    parts = path.split(".")
    if len(parts) < 3 or parts[0] != "policy":
        return None
    for pool in ("employee", "resident", "critical_illness", "medical_assistance", "ltci"):
        other = ".".join(["policy", pool, *parts[2:]])
        if pool != parts[1] and any(p == other or p.startswith(other + ".") for p, _ in iter_params()):
            return ".".join(other.split(".")[:-1])
    return None


def _walk(reader, data: dict, tree: dict, prefix: str, origins: dict, at, horizon: int, out: dict):
    """Validate ``data`` against the schema ``tree``; resolved values go to ``out`` by path."""
    if not isinstance(data, dict):
        reader.fail(
            at(prefix.rstrip(".")),
            prefix.rstrip("."),
            "must be a mapping of keys to values",
            "see scenarios/baseline.yaml",
            data,
        )
        data = {}
    allowed = set(tree) | ({"demography"} if prefix == "assumptions." else set())
    unknown_keys(reader, data, allowed, prefix, origins, elsewhere=_under_another_pool)
    for key, node in tree.items():
        path = f"{prefix}{key}"
        if isinstance(node, Param):
            if key in data:
                out[path] = dated_field(reader, data[key], node, path, at, horizon)
            elif node.default_from:  # left out: the rules take the flat rule's value when they resolve
                origins.pop(path, None)
            elif node.default is not None:
                out[path] = default_value(node)
                origins.pop(path, None)
            else:
                out[path] = None
                reader.fail(
                    at(prefix.rstrip(".")) if prefix else at(path),
                    path,
                    "missing",
                    f"give {node.bound_text()} here or in the baseline: {node.description}",
                )
        else:
            _walk(reader, data.get(key) or {}, node, path + ".", origins, at, horizon, out)


def validate(data: dict, origins: dict, files: list[Path], reader: Reader) -> dict:
    """The fields of a :class:`~forecast.scenario.load.Scenario` from the merged ``data``; every
    problem goes to ``reader``."""
    last = files[-1]
    at = lambda key: origins.get(key, (last, None))  # noqa: E731
    reader.files, reader.horizon_at = files, at("horizon")
    unknown_keys(reader, data, TOP_KEYS, "", origins)
    for key in ("title", "region"):
        if key not in data:
            reader.fail(
                (last, None), key, f"missing '{key}'", f"add '{key}:' to the scenario or to the file it extends"
            )
    region_path = None
    if "region" in data:
        file = origins["region"][0]
        try:
            region_path = (file.parent / str(data["region"])).resolve()
        except (OSError, RuntimeError):  # a symbolic-link loop (RuntimeError in Python 3.11)
            region_path = file.parent / str(data["region"])
        if not (region_path / "region.yaml").is_file():
            reader.fail(
                at("region"),
                "region",
                "no region bundle (region.yaml) in that folder",
                "give the bundle folder relative to the scenario file, e.g. ../data/china",
                data["region"],
            )
    sources = data.get("sources", [])
    if isinstance(sources, str):
        sources = [sources]
    if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
        reader.fail(
            at("sources"),
            "sources",
            "must be a list of documents",
            "write e.g. 'sources: [温政办〔2022〕98号]'",
            sources,
        )
        sources = []
    params: dict = {}
    horizon_param = SCHEMA["horizon"]
    raw_horizon = data.get("horizon", horizon_param.default)
    if isinstance(raw_horizon, bool) or not isinstance(raw_horizon, int):
        reader.fail(at("horizon"), "horizon", "must be a whole year", "write e.g. 'horizon: 2060'", raw_horizon)
        horizon = horizon_param.default
    else:
        horizon = dated_field(reader, raw_horizon, horizon_param, "horizon", at, 2300)
        horizon = int(horizon) if horizon is not None else horizon_param.default
    params["horizon"] = horizon
    population = demography(reader, data, at, origins)
    for section in ("assumptions", "policy", "verdict"):
        _walk(reader, data.get(section) or {}, SCHEMA[section], section + ".", origins, at, horizon, params)
    cross_checks(reader, params, at, files)
    digest = hashlib.sha256()
    for f in files:
        digest.update(read_bytes(f, "a scenario file", MAX_YAML_BYTES))
    return dict(
        files=tuple(files),
        title=str(data.get("title", "")),
        description=str(data.get("description", "")),
        sources=tuple(sources),
        region_path=region_path if region_path is not None else Path("."),
        horizon=horizon,
        population=population,
        params=MappingProxyType(params),
        origins=MappingProxyType(
            {k: origins.get(k) for k in (*params, *(DEMOGRAPHY + v for v in DEMOGRAPHY_KEYS.values()))}
        ),
        content_hash=digest.hexdigest(),
    )
