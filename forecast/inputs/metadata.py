"""``region.yaml``: the bundle's metadata and its register of files and sources, checked key by key."""

from __future__ import annotations

import datetime as dt
import difflib
from pathlib import Path

from ..errors import Problem
from ..vocabulary import LEVELS
from .schema import REQUIRED_TABLES, TABLES
from .yamlfile import LineDict

__all__ = ["check_metadata", "REGION_KEYS"]

REGION_KEYS = {
    "name": "the region's name, e.g. 中国 or 拉萨市",
    "name_en": "the region's English name",
    "level": f"one of {', '.join(LEVELS)}",
    "base_year": "the year of the base population, e.g. 2020",
    "population_date": "the reference date of the base population, e.g. 2020-11-01",
    "currency": "CNY",
    "description": "free text",
    "illustration": "true when the bundle is an illustration, not official data",
    "files": "the bundle's CSV files, each with its path and sources",
    "sources": "the source register: id -> title, publisher, date, url",
}


def _as_date(value) -> dt.date | None:
    """A date from YAML: a date, or an ISO date written in quotes; a date with a time is not one."""
    if isinstance(value, dt.datetime):
        return None
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def check_metadata(yaml_path: Path, meta, problems: list[Problem]):
    if not isinstance(meta, dict):
        problems.append(
            Problem(yaml_path, "region.yaml must be a mapping of keys to values", "see data/china/region.yaml")
        )
        return meta
    lines = meta.lines if isinstance(meta, LineDict) else {}
    for key in meta:
        if key not in REGION_KEYS:
            close = difflib.get_close_matches(str(key), list(REGION_KEYS), n=1)
            fix = f"did you mean '{close[0]}'?" if close else f"allowed keys: {', '.join(REGION_KEYS)}"
            problems.append(Problem(yaml_path, f"unknown key '{key}'", fix, lines.get(key), str(key)))
    for key in ("name", "level", "base_year", "population_date", "currency", "files", "sources"):
        if key not in meta:
            problems.append(Problem(yaml_path, f"missing key '{key}'", f"add '{key}:' ({REGION_KEYS[key]})", field=key))
    if problems:
        return meta
    if meta["level"] not in LEVELS:
        problems.append(
            Problem(
                yaml_path,
                "unknown level",
                f"use one of {', '.join(LEVELS)}",
                lines.get("level"),
                "level",
                meta["level"],
            )
        )
    if (
        isinstance(meta["base_year"], bool)
        or not isinstance(meta["base_year"], int)
        or not 1950 <= meta["base_year"] <= 2100
    ):
        problems.append(
            Problem(
                yaml_path,
                "base_year must be a year",
                "write e.g. 2020",
                lines.get("base_year"),
                "base_year",
                meta["base_year"],
            )
        )
    date = _as_date(meta["population_date"])
    if date is None:
        problems.append(
            Problem(
                yaml_path,
                "population_date must be a date (a day, without a time)",
                "write e.g. 2020-11-01",
                lines.get("population_date"),
                "population_date",
                meta["population_date"],
            )
        )
    else:
        meta["population_date"] = date
        if isinstance(meta["base_year"], int) and date.year != meta["base_year"]:
            problems.append(
                Problem(
                    yaml_path,
                    f"base_year {meta['base_year']} is not the year of population_date {date.isoformat()}",
                    f"write 'base_year: {date.year}' (the year of the base population)",
                    lines.get("base_year"),
                    "base_year",
                    meta["base_year"],
                )
            )
    if meta["currency"] != "CNY":
        problems.append(
            Problem(
                yaml_path,
                "only CNY is supported",
                "write 'currency: CNY'",
                lines.get("currency"),
                "currency",
                meta["currency"],
            )
        )
    sources = meta["sources"]
    if not isinstance(sources, dict) or not sources:
        problems.append(
            Problem(
                yaml_path,
                "sources must map source ids to descriptions",
                "see data/china/region.yaml",
                lines.get("sources"),
                "sources",
            )
        )
        sources = {}
    for sid, src in sources.items():
        if not isinstance(src, dict) or "title" not in src:
            line = sources.lines.get(sid) if isinstance(sources, LineDict) else None
            problems.append(
                Problem(
                    yaml_path,
                    f"source '{sid}' needs at least a title",
                    "add 'title:' (and publisher, date, url)",
                    line,
                    f"sources.{sid}",
                )
            )
    files = meta["files"]
    if not isinstance(files, dict):
        problems.append(
            Problem(
                yaml_path,
                "files must map table names to {path, sources}",
                "see data/china/region.yaml",
                lines.get("files"),
                "files",
            )
        )
        return meta
    flines = files.lines if isinstance(files, LineDict) else {}
    for name, spec in files.items():
        line = flines.get(name)
        if name not in TABLES:
            close = difflib.get_close_matches(str(name), list(TABLES), n=1)
            fix = f"did you mean '{close[0]}'?" if close else f"known tables: {', '.join(TABLES)}"
            problems.append(Problem(yaml_path, f"unknown table '{name}'", fix, line, f"files.{name}"))
            continue
        if not isinstance(spec, dict) or not isinstance(spec.get("path"), str) or not spec["path"].strip():
            problems.append(
                Problem(
                    yaml_path,
                    f"table '{name}' needs a path",
                    f"write '{name}: {{path: {name}.csv, sources: [...]}}'",
                    line,
                    f"files.{name}",
                )
            )
            continue
        cited = spec.get("sources")
        if not cited or not isinstance(cited, list):
            problems.append(
                Problem(
                    yaml_path,
                    f"table '{name}' cites no source",
                    "list its source ids under 'sources:'",
                    line,
                    f"files.{name}.sources",
                )
            )
            continue
        for sid in cited:
            if sid not in sources:
                problems.append(
                    Problem(
                        yaml_path,
                        f"table '{name}' cites unknown source '{sid}'",
                        "add it to the 'sources:' register",
                        line,
                        f"files.{name}.sources",
                    )
                )
    for name in REQUIRED_TABLES:
        if name not in files:
            problems.append(
                Problem(
                    yaml_path,
                    f"required table '{name}' is not listed",
                    f"add '{name}:' under 'files:' with its path and sources",
                    lines.get("files"),
                    "files",
                )
            )
    return meta
