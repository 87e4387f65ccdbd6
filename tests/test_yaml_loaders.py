"""YAML files are scanned and parsed by libyaml (C) and composed and checked in Python; a file libyaml
finds broken is read again by PyYAML's own parser, which explains it. Both readings must agree: the
same documents (values, types and key lines) for every YAML file of the repository, the same message
for every kind of broken file."""

from __future__ import annotations

from pathlib import Path

import pytest

from forecast.errors import InputError
from forecast.inputs import yamlfile

ROOT = Path(__file__).resolve().parents[1]
FILES = sorted(p for p in ROOT.rglob("*.yaml") if ".venv" not in p.parts and ".git" not in p.parts)

BROKEN = {
    "nul": "a: 1\nb: \x00x\n",
    "control character after Chinese text": "a: 中文中文\nb: \x01\n",
    "tab": "a:\n\tb: 1\n",
    "indentation": "a:\n  b: 1\n c: 2\n",
    "duplicate key": "a: 1\nb: 2\na: 3\n",
    "python tag": "a: !!python/object:os.system x\n",
    "set tag": "a: !!set {x, y}\n",
    "two documents": "a: 1\n---\nb: 2\n",
    "undefined alias": "a: *x\n",
    "recursive alias": "a: &x [*x]\n",
    "billion laughs": "a: &a [1,1,1,1,1,1,1,1,1,1]\n"
    + "".join(f"{n}: &{n} [{','.join([f'*{p}'] * 10)}]\n" for p, n in zip("abcde", "bcdef")),
    "deep brackets": "a: " + "[" * 5000 + "]" * 5000 + "\n",
    "deep mapping": "".join("  " * i + f"k{i}:\n" for i in range(60)) + "  " * 60 + "v: 1\n",
    "impossible date": "a: 2020-13-45\n",
    "unclosed quote": "a: 'abc\nb: 1\n",
    "unclosed bracket": "policy: [unclosed\n",
    "colon in a value": "a: b: c\n",
    "list as key": "? [1, 2]\n: 3\n",
    "duplicate after merge": "base: &b {x: 1}\nd:\n  <<: *b\n  y: 3\n  y: 4\n",
    "unknown escape": 'a: "\\q"\n',
    "YAML 2.0": "%YAML 2.0\n---\na: 1\n",
    "many aliases": "a: &x 1\nb: [" + ",".join(["*x"] * 2000) + "]\n",
}

READABLE = {
    "merge": "base: &b {x: 1, y: 2}\nd:\n  <<: *b\n  y: 3\n",
    "exponents": "a: 1e-3\nb: 5E6\nc: .5\n",
    "empty": "",
    "byte order mark": "\ufeffa: 1\n",
    "Chinese": '名称: 中国\n说明: "引号"\n',
    "lone surrogate escape": 'a: "\\ud800"\n',
}


def _python_only(monkeypatch) -> None:
    monkeypatch.setattr(yamlfile, "CParser", None)


def _reading(text: str, name: str = "case.yaml"):
    """The document with each mapping's key lines, or the message."""
    try:
        return _with_lines(yamlfile._parse(Path(name), text))
    except InputError as err:
        return str(err)


def _with_lines(value):
    if isinstance(value, dict):
        return type(value).__name__, getattr(value, "lines", None), {k: _with_lines(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_with_lines(v) for v in value]
    return type(value).__name__, value


def test_libyaml_is_used():
    assert yamlfile.CParser is not None  # PyYAML's wheels bundle libyaml


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_yaml_file_reads_the_same_with_either_parser(path, monkeypatch):
    text = path.read_text(encoding="utf-8")
    fast = _reading(text, str(path))
    _python_only(monkeypatch)
    assert fast == _reading(text, str(path))


@pytest.mark.parametrize("text", [*BROKEN.values(), *READABLE.values()], ids=[*BROKEN, *READABLE])
def test_the_same_message_or_document_with_either_parser(text, monkeypatch):
    fast = _reading(text)
    _python_only(monkeypatch)
    assert fast == _reading(text)


@pytest.mark.parametrize("name", BROKEN)
def test_a_broken_file_is_a_located_input_error(name):
    with pytest.raises(InputError) as err:
        yamlfile._parse(Path("case.yaml"), BROKEN[name])
    assert str(err.value).startswith("case.yaml, line ")
