"""Safe YAML reading for region and scenario files.

Uses PyYAML's SafeLoader (nothing in a file is ever executed), rejects duplicate keys, and
turns syntax errors into :class:`~forecast.errors.InputError` naming the file and line.
Mappings come back as :class:`LineDict`, which remembers the line of each key so that
later validation can point at it.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from .errors import InputError, Problem

__all__ = ["LineDict", "read_yaml"]


class LineDict(dict):
    """A dict that remembers the 1-based source line of each key (``.lines``)."""

    lines: dict

    def line_of(self, key, default: int | None = None) -> int | None:
        return self.lines.get(key, default)


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that records key lines and refuses duplicate keys."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False):
    loader.flatten_mapping(node)
    mapping = LineDict()
    mapping.lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if key in mapping:
            raise InputError(
                Problem(
                    file=loader.name,
                    line=line,
                    field=str(key),
                    message=f"duplicate key '{key}' (first given on line {mapping.lines[key]})",
                    fix="keep one of the two entries",
                )
            )
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.lines[key] = line
    return mapping


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_yaml(path: Path) -> object:
    """Parse a YAML file safely; syntax errors become an InputError with the line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(Problem(file=path, message="file not found", fix="check the path")) from None
    except UnicodeDecodeError as exc:
        raise InputError(
            Problem(
                file=path,
                message=f"not valid UTF-8 text (byte {exc.start})",
                fix="save the file as UTF-8 (in Excel or WPS: 'CSV UTF-8'; in an editor: encoding UTF-8)",
            )
        ) from None
    loader = _StrictLoader(text)
    loader.name = str(path)
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if isinstance(exc, yaml.constructor.ConstructorError):
            tag = str(exc.problem).split("tag '")[-1].rstrip("'").replace("tag:yaml.org,2002:", "!!")
            message = f"YAML tags such as '{tag}' are not allowed: these files are data and nothing in them is executed"
            fix = "remove the tag and write a plain value"
        else:
            message = f"YAML syntax error: {exc.problem or exc.context}"
            fix = "check indentation (spaces, not tabs), colons after keys and closing quotes"
        raise InputError(Problem(file=path, line=mark.line + 1 if mark else None, message=message, fix=fix)) from None
    except yaml.YAMLError as exc:
        raise InputError(Problem(file=path, message=f"YAML error: {exc}", fix="check the file's syntax")) from None
    finally:
        loader.dispose()
