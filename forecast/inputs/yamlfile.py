"""Safe YAML reading for region and scenario files.

Uses PyYAML's SafeLoader (nothing in a file is ever executed; libyaml scans and parses, PyYAML's own
parser explains a broken file), rejects duplicate keys, and turns every way a file can be
unreadable into an :class:`~forecast.errors.InputError` naming the file and line: unreadable
characters (NUL, other control characters), impossible dates, YAML tags, recursive aliases, and
files beyond the limits of :mod:`forecast.limits` (size, nesting depth, aliases, and the size once
aliases are expanded, which stops "billion laughs" files before anything walks them). Mappings
come back as :class:`LineDict`, which remembers the line of each key so that later validation can
point at it.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from ..errors import InputError, Problem
from ..limits import MAX_YAML_ALIASES, MAX_YAML_BYTES, MAX_YAML_DEPTH, MAX_YAML_NODES
from .cache import cached, digest
from .files import read_text

__all__ = ["LineDict", "read_yaml"]


class LineDict(dict):
    """A dict that remembers the 1-based source line of each key (``.lines``)."""

    lines: dict

    def line_of(self, key, default: int | None = None) -> int | None:
        return self.lines.get(key, default)


def _line(node_or_mark) -> int | None:
    mark = getattr(node_or_mark, "start_mark", node_or_mark)
    return mark.line + 1 if mark is not None else None


class _Checks:
    """What the loaders add to PyYAML's safe loading: key lines, no duplicate keys, bounded nesting
    and aliases, no tags, dates that exist."""

    def __init__(self, text: str, name: str):
        self._start(text)
        self.name = name
        self.depth = 0
        self.aliases = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > MAX_YAML_ALIASES:
                raise InputError(
                    Problem(
                        self.name,
                        f"more than {MAX_YAML_ALIASES} aliases (*name)",
                        "write the values out; scenario and region files need few or no aliases",
                        _line(self.peek_event()),
                    )
                )
            return super().compose_node(parent, index)
        self._no_tag(self.peek_event())
        self.depth += 1
        try:
            if self.depth > MAX_YAML_DEPTH:
                raise InputError(
                    Problem(
                        self.name,
                        f"nested more than {MAX_YAML_DEPTH} levels deep",
                        "a scenario is at most about 7 levels deep: check the brackets and indentation",
                        _line(self.peek_event()),
                    )
                )
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def _no_tag(self, event) -> None:
        """Refuse an explicit tag (``!!binary``, ``!!set``, ``!!python/...``, ``!local``): these files
        are plain data (README), and a tag would make a value that is not text, a number, a date, a
        list or a mapping."""
        tag = getattr(event, "tag", None)
        if tag not in (None, "!"):
            shown = tag.replace("tag:yaml.org,2002:", "!!")
            raise InputError(
                Problem(
                    self.name,
                    f"YAML tags such as '{shown}' are not allowed: these files are data and nothing in them is "
                    "executed",
                    "remove the tag and write a plain value",
                    _line(event),
                )
            )

    def construct_yaml_timestamp(self, node):
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as exc:
            raise InputError(
                Problem(
                    self.name,
                    f"not a valid date: {exc}",
                    "write a real date as YYYY-MM-DD (e.g. 2020-11-01), or quote the text",
                    _line(node),
                    value=node.value,
                )
            ) from None


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False):
    own = sum(1 for key, _ in node.value if key.tag != "tag:yaml.org,2002:merge")
    loader.flatten_mapping(node)  # merged pairs (<<: *anchor) come first, and the mapping's own keys override them
    merged = len(node.value) - own
    mapping = LineDict()
    mapping.lines = {}
    own_keys: set = set()
    for index, (key_node, value_node) in enumerate(node.value):
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        try:
            hash(key)
        except TypeError:
            raise InputError(
                Problem(
                    loader.name,
                    "a key must be a plain value (a name or a year), not a list or mapping",
                    "write 'name: value'",
                    line,
                )
            ) from None
        if key in own_keys:
            raise InputError(
                Problem(
                    file=loader.name,
                    line=line,
                    field=str(key),
                    message=f"duplicate key '{key}' (first given on line {mapping.lines[key]})",
                    fix="keep one of the two entries",
                )
            )
        if index >= merged:
            own_keys.add(key)
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.lines[key] = line
    return mapping


class _StrictLoader(_Checks, yaml.SafeLoader):
    """SafeLoader (PyYAML's scanner and parser, in Python) with the checks."""

    def _start(self, text: str) -> None:
        yaml.SafeLoader.__init__(self, text)


try:
    from yaml.cyaml import CParser
except ImportError:  # a PyYAML built without libyaml: PyYAML's own parser only
    CParser = None


class _FastLoader(
    _Checks,
    yaml.composer.Composer,
    *((CParser,) if CParser else ()),
    yaml.constructor.SafeConstructor,
    yaml.resolver.Resolver,
):
    """The same on libyaml's scanner and parser (C: a scenario in 3 ms instead of 20), the events
    composed into nodes and checked in Python as by :class:`_StrictLoader`. A file it finds broken is
    read again by :class:`_StrictLoader`, whose messages are PyYAML's (the character, what was expected)."""

    def _start(self, text: str) -> None:
        CParser.__init__(self, text)
        yaml.composer.Composer.__init__(self)
        yaml.constructor.SafeConstructor.__init__(self)
        yaml.resolver.Resolver.__init__(self)


for _loader in (_StrictLoader, _FastLoader):
    _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
    # YAML 1.1 (PyYAML) reads 1e-3 and 5E6 as text because they have no dot; YAML 1.2 and every
    # user read them as numbers
    _loader.add_implicit_resolver(
        "tag:yaml.org,2002:float",
        re.compile(r"^[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"),
        list("-+0123456789"),
    )
    _loader.add_constructor("tag:yaml.org,2002:timestamp", _loader.construct_yaml_timestamp)


def _expanded_size(node, name: str, sizes: dict) -> int:
    """Nodes in ``node`` with every alias expanded; refuses recursive aliases (no recursion
    deeper than the composer's depth limit)."""
    key = id(node)
    if key in sizes:
        if sizes[key] is None:
            raise InputError(
                Problem(
                    name,
                    "a recursive alias: an anchor (&name) is used inside its own value",
                    "remove the alias, or write the value out",
                    _line(node),
                )
            )
        return sizes[key]
    sizes[key] = None
    if isinstance(node, yaml.MappingNode):
        size = 1 + sum(_expanded_size(k, name, sizes) + _expanded_size(v, name, sizes) for k, v in node.value)
    elif isinstance(node, yaml.SequenceNode):
        size = 1 + sum(_expanded_size(v, name, sizes) for v in node.value)
    else:
        size = 1
    if size > MAX_YAML_NODES:
        raise InputError(
            Problem(
                name,
                f"the file expands to more than {MAX_YAML_NODES:,} values once its aliases (*name) are expanded",
                "write the values out without nested aliases",
                _line(node),
            )
        )
    sizes[key] = size
    return size


def read_yaml(path: Path) -> object:
    """Parse a YAML file safely; every problem becomes an InputError with the line. The document
    of the same text is read back from the cache (:mod:`.cache`)."""
    path = Path(path)
    text = read_text(path, "a YAML file", MAX_YAML_BYTES)
    return cached("yaml", digest(text), lambda: _parse(path, text))


def _parse(path: Path, text: str) -> object:
    """The document of ``text``, read by libyaml; a file libyaml finds broken (or every file, without
    libyaml) is read by PyYAML, whose messages show the character and what was expected."""
    if CParser is not None:
        try:
            return _document(_FastLoader, path, text)
        except (yaml.YAMLError, ValueError):
            pass  # explained below in PyYAML's words
    try:
        return _document(_StrictLoader, path, text)
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        char = f"U+{exc.character:04X}" if isinstance(exc.character, int) else repr(exc.character)
        raise InputError(
            Problem(
                path,
                f"unreadable character {char} (a NUL byte or another control character)",
                "save the file as plain UTF-8 text; remove the character",
                line,
            )
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = str(exc.problem or "")
        if isinstance(exc, yaml.constructor.ConstructorError) and "tag" in problem:
            tag = problem.split("tag '")[-1].rstrip("'").replace("tag:yaml.org,2002:", "!!")
            message = f"YAML tags such as '{tag}' are not allowed: these files are data and nothing in them is executed"
            fix = "remove the tag and write a plain value"
        elif isinstance(exc, yaml.constructor.ConstructorError):
            message = f"cannot read this value: {problem or exc.context}"
            fix = "write a plain value (a number, a quoted text, a list or a mapping)"
        elif isinstance(exc, yaml.composer.ComposerError) and "another document" in problem:
            message = "the file holds more than one YAML document (a line '---' starts another)"
            fix = (
                "keep one document per file: remove the second '---' and what follows, or move it to a file of its own"
            )
        elif isinstance(exc, yaml.composer.ComposerError) and "alias" in str(exc.problem or exc.context):
            message = f"YAML alias error: {problem or exc.context}"
            fix = "define each anchor (&name) before its alias (*name)"
        else:
            message = f"YAML syntax error: {problem or exc.context}"
            fix = "check indentation (spaces, not tabs), colons after keys and closing quotes"
        raise InputError(Problem(file=path, line=mark.line + 1 if mark else None, message=message, fix=fix)) from None
    except yaml.YAMLError as exc:
        raise InputError(Problem(file=path, message=f"YAML error: {exc}", fix="check the file's syntax")) from None


def _document(kind: type, path: Path, text: str) -> object:
    """``text`` read by a loader of ``kind`` (InputError for what the checks refuse, YAMLError for
    what the loader cannot read)."""
    loader = None
    try:
        loader = kind(text, str(path))
        node = loader.get_single_node()
        if node is None:
            return None
        _expanded_size(node, str(path), {})
        return loader.construct_document(node)
    finally:
        if loader is not None:
            loader.dispose()
