"""Importing a scenario file into the reform form: an uploaded overlay (saved in the private
folder, read with the bounded, safe YAML reader) flattened to the form's fields, then checked by the
same loader as a submitted form. Its ``extends`` names the shipped scenario it is on."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

from ...errors import InputError, Problem
from ...inputs.yamlfile import read_yaml
from ...scenario.dated_fields import DATED_KEYS
from .reform import ReformError, check, field_text
from .work import problems_error, upload_path

__all__ = ["reform_query"]

HEADER = ("title", "description", "sources", "extends", "region")


def _dated(value: dict) -> bool:
    return bool(value) and (
        all(isinstance(k, int) and not isinstance(k, bool) for k in value) or set(value) <= DATED_KEYS
    )


def _flatten(node: dict, prefix: str = "", out: dict | None = None) -> dict:
    out = {} if out is None else out
    for key, value in node.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and not _dated(value):
            _flatten(value, path + ".", out)
        elif isinstance(value, dict):
            out[path] = dict(value.get("values", value)) if set(value) <= DATED_KEYS else dict(value)
        else:
            out[path] = value
    return out


def reform_query(settings, upload: dict, form: dict) -> str:
    """The scenario page's query for an uploaded overlay: region, scenario (its ``extends``), title and
    the reform's fields; a ReformError with the loader's messages when it is not a valid overlay."""
    from .catalog import scenario_list

    path = upload_path(settings, upload["sha256"], upload["stored"])
    try:
        data = read_yaml(path)
    except InputError as error:
        raise problems_error(
            [Problem(upload["name"], p.message, p.fix, p.line, p.field, p.value) for p in error.problems]
        ) from None
    if not isinstance(data, dict):
        raise problems_error(
            [
                Problem(
                    upload["name"],
                    "a scenario file is a mapping of keys to values",
                    "export one from this page, or see scenarios/baseline.yaml",
                    1,
                    "file",
                )
            ]
        )
    extends = Path(str(data.get("extends") or "baseline.yaml")).stem
    scenario = extends if extends in {s["name"] for s in scenario_list()} else str(form.get("scenario") or "baseline")
    reform = _flatten({k: v for k, v in data.items() if k not in HEADER})
    title = str(data.get("title") or "")[:200] or None
    region = str(form.get("region") or settings.default_region)
    try:
        check(settings, region, scenario, reform, title)
    except ReformError as error:
        raise ReformError(
            [
                p if p.file != "reform.yaml" else Problem(upload["name"], p.message, p.fix, None, p.field, p.value)
                for p in error.problems
            ],
            error.fields,
        ) from None
    return urlencode(
        {
            "region": region,
            "scenario": scenario,
            **({"title": title} if title else {}),
            **{p: field_text(v) for p, v in reform.items()},
        }
    )
