"""The house documents say what the code does (docs/architecture.md, docs/glossary.md, CONTRIBUTING.md).

- The glossary names every pool, item, claim type and closed list of the registry and the vocabularies,
  every variable of a run's result and every unit, and each pool's module exists.
- The worked example of docs/architecture.md ("Adding a benefit") is the one tests/test_registry.py
  runs: the same registry entry and the same formula.
- Every file and module the documents name exists.
"""

from __future__ import annotations

import ast
import re

import pytest

import forecast
from forecast import registry, units, vocabulary
from forecast.model.fund import VERDICTS

from .conftest import ROOT
from .test_registry import EXAMPLE

DOCS = ROOT / "docs"
GLOSSARY = (DOCS / "glossary.md").read_text(encoding="utf-8")
ARCHITECTURE = (DOCS / "architecture.md").read_text(encoding="utf-8")
CONTRIBUTING = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")


def identifiers(text: str) -> set[str]:
    """The names written as code (between backticks) in ``text``."""
    return {name for span in re.findall(r"`([^`]+)`", text) for name in re.split(r"[^\w./]+", span) if name}


def test_the_glossary_names_every_declared_word():
    named = identifiers(GLOSSARY)
    declared = {
        "pools": [p.name for p in registry.POOL_ENTRIES],
        "items": list(registry.ITEMS),
        "claim types": [c.name for c in registry.CLAIM_TYPE_ENTRIES],
        "statuses": [*vocabulary.STATUSES, *vocabulary.INSURED_STATUSES],
        "accounts": vocabulary.ACCOUNTS,
        "services": vocabulary.SERVICES,
        "levels of care": vocabulary.CARE_LEVELS,
        "assistance groups": vocabulary.ASSISTANCE_GROUPS,
        "care modes": vocabulary.CARE_MODES,
        "LTCI payers": vocabulary.LTCI_PAYERS,
        "retirement tracks": vocabulary.RETIREMENT_TRACKS,
        "bundle levels": vocabulary.LEVELS,
        "utilisation indicators": list(vocabulary.UTILISATION_INDICATORS),
        "claim parameters": list(vocabulary.CLAIM_PARAMETERS),
        "verdicts": list(VERDICTS),
        "units": units.UNITS,
    }
    absent = {kind: [n for n in names if n not in named] for kind, names in declared.items()}
    assert {kind: names for kind, names in absent.items() if names} == {}


@pytest.mark.slow
def test_the_glossary_names_every_variable_of_a_run():
    named = identifiers(GLOSSARY)
    ds = forecast.run("baseline", draws=3, seed=1)
    assert [name for name in ds.data_vars if name not in named and not name.endswith("_quantile")] == []


def test_each_pool_has_the_module_the_glossary_names():
    for pool in registry.POOL_ENTRIES:
        assert f"`pools/{pool.name}.py`" in GLOSSARY
        assert (ROOT / "forecast" / "model" / "pools" / f"{pool.name}.py").is_file(), pool.name


def _code_blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.S)


def _calls(tree: ast.AST, name: str) -> list[ast.Call]:
    """Calls of ``name`` or ``something.name`` in ``tree``."""
    return [
        n
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and (getattr(n.func, "id", None) == name or getattr(n.func, "attr", None) == name)
    ]


def _function(tree: ast.AST, name: str) -> ast.FunctionDef:
    return next(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == name)


def _without_docstring(function: ast.FunctionDef) -> list[ast.stmt]:
    body = function.body
    return body[1:] if isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) else body


def test_the_worked_example_is_the_one_the_registry_test_runs():
    documented = ast.parse("\n".join(_code_blocks(ARCHITECTURE, "python")))
    run = ast.parse(EXAMPLE)
    (doc_item,), (run_item,) = _calls(documented, "Item"), _calls(run, "Item")
    assert [ast.dump(a) for a in doc_item.args] == [ast.dump(a) for a in run_item.args]
    assert [ast.dump(k) for k in doc_item.keywords] == [ast.dump(k) for k in run_item.keywords]
    doc_formula, run_formula = _function(documented, "family_doctor_spending"), _function(run, "family_doctor_spending")
    assert ast.dump(doc_formula.decorator_list[0]) == ast.dump(run_formula.decorator_list[0])
    assert [ast.dump(s) for s in _without_docstring(doc_formula)] == [ast.dump(s) for s in run_formula.body]
    scenario = _code_blocks(ARCHITECTURE, "yaml")[0]
    assert "family_doctor: {fee: 120, signed_share: 0.4}" in scenario
    assert "family_doctor: {fee: 120, signed_share: 0.4}" in (ROOT / "tests" / "test_registry.py").read_text(
        encoding="utf-8"
    )


@pytest.mark.parametrize("document", ["docs/architecture.md", "docs/glossary.md", "CONTRIBUTING.md"])
def test_every_path_a_document_names_exists(document):
    text = (ROOT / document).read_text(encoding="utf-8")
    paths = {
        p.rstrip("/")
        for p in re.findall(r"`((?:forecast|tests|docs|data|scenarios|benchmarks|notebooks)/[\w./<>-]*)`", text)
        if "<" not in p
    }
    paths |= {f"forecast/model/{p}" for p in re.findall(r"`(pools/\w+\.py)`", text)}
    assert paths, document
    assert sorted(p for p in paths if not (ROOT / p).exists()) == []
