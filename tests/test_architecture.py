"""The package's architecture, checked (docs/architecture.md, "The layers").

- The import-linter contracts of pyproject.toml hold: the layers import only downward, no two siblings
  (the model's stage packages, the modules of any package) import each other, the apps never import the
  command line; and each contract breaks on a copy of the package with one planted import.
- No module is over 350 lines; no function of the engine or the pools is over 60 lines.
- The command line starts on the standard library alone: building the parser (what ``forecast
  --version`` and ``--help`` do) loads no third-party package, so the guard is in place before numpy
  loads and Ctrl-C while it loads is handled like any other.
"""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from .conftest import ROOT

PACKAGE = ROOT / "forecast"
MAX_MODULE_LINES = 350
MAX_FUNCTION_LINES = 60
#: where functions are held to MAX_FUNCTION_LINES (the issue's acceptance: the wiring and the pools)
SHORT_FUNCTIONS = (PACKAGE / "engine", PACKAGE / "model" / "pools")
#: contract id -> its name, as lint-imports prints it (pyproject.toml, [tool.importlinter])
CONTRACTS = {
    c["id"]: " ".join(c["name"].split())
    for c in tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]["contracts"]
}


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    """import-linter's contracts (``root``/pyproject.toml) on the package ``root``/forecast, without a cache
    (nothing is written into the checkout)."""
    code = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"
    return subprocess.run(
        [sys.executable, "-c", code, "--no-cache", "--no-logo"], cwd=root, capture_output=True, text=True, timeout=300
    )


def broken(done: subprocess.CompletedProcess) -> set[str]:
    """The ids of the contracts a run of lint-imports reports broken."""
    text = " ".join(done.stdout.split())
    return {cid for cid, name in CONTRACTS.items() if f"{name} BROKEN" in text}


def test_the_import_contracts_hold():
    done = lint_imports(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert set(CONTRACTS) == {"layers", "no-cycles", "apps-not-cli"}
    assert f"Contracts: {len(CONTRACTS)} kept, 0 broken." in done.stdout


@pytest.mark.parametrize(
    ("module", "planted", "expected"),
    [
        # the model (layer 4) reaching up into the engine (layer 6) that wires it
        ("model/fund/verdict.py", "from ...engine import plan as _planted", {"layers", "no-cycles"}),
        # two stage packages of the model importing each other (pools already imports benefits)
        ("model/benefits/curves.py", "from ..pools import base as _planted", {"no-cycles"}),
        # an app importing the command line's helpers
        ("apps/compare.py", "from ..cli import args as _planted", {"layers", "no-cycles", "apps-not-cli"}),
    ],
    ids=["upward", "stage-cycle", "app-imports-cli"],
)
def test_a_planted_import_breaks_its_contracts(tmp_path, module, planted, expected):
    shutil.copytree(PACKAGE, tmp_path / "forecast", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    assert lint_imports(tmp_path).returncode == 0  # the copy, as it is, keeps them
    with open(tmp_path / "forecast" / module, "a", encoding="utf-8") as f:
        f.write(f"\n{planted}  # noqa\n")
    done = lint_imports(tmp_path)
    assert done.returncode == 1
    assert broken(done) == expected, done.stdout


def long_modules(root: Path) -> dict[str, int]:
    """Modules under ``root`` over MAX_MODULE_LINES lines: path -> lines."""
    counts = {
        str(p.relative_to(root.parent)): len(p.read_text(encoding="utf-8").splitlines())
        for p in sorted(root.rglob("*.py"))
    }
    return {path: n for path, n in counts.items() if n > MAX_MODULE_LINES}


def long_functions(root: Path) -> dict[str, int]:
    """Functions (and methods) under ``root`` over MAX_FUNCTION_LINES lines, from ``def`` to their last
    line: 'path:name' -> lines."""
    out = {}
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
                and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
            ):
                out[f"{path.relative_to(root.parent)}:{node.name}"] = node.end_lineno - node.lineno + 1
    return out


def test_no_module_is_over_350_lines():
    assert long_modules(PACKAGE) == {}


def test_no_function_of_the_engine_or_the_pools_is_over_60_lines():
    assert {name: n for folder in SHORT_FUNCTIONS for name, n in long_functions(folder).items()} == {}


def test_the_size_checks_see_a_long_module_and_a_long_function(tmp_path):
    package = tmp_path / "package"
    package.mkdir()
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_FUNCTION_LINES))
    (package / "long.py").write_text(
        f"def f():\n{body}\n" + "\n" * (MAX_MODULE_LINES - MAX_FUNCTION_LINES), encoding="utf-8"
    )
    (package / "short.py").write_text("def g():\n    return 1\n", encoding="utf-8")
    assert long_functions(package) == {"package/long.py:f": MAX_FUNCTION_LINES + 1}
    assert long_modules(package) == {"package/long.py": MAX_MODULE_LINES + 1}


#: what may load at start-up besides the standard library: the package's own modules, and what the
#: interpreter's site setup itself loads (editable installs' finders, setuptools' distutils hack)
START_UP_ALLOWED = ("forecast", "__editable__", "_distutils_hack", "__main__")


def test_the_command_line_starts_on_the_standard_library():
    code = (
        "import importlib, json, sys\n"
        "main = importlib.import_module('forecast.cli.main')\n"
        "main.build_parser()\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    loaded = json.loads(done.stdout)
    outside = sorted({m.split(".")[0] for m in loaded} - set(sys.stdlib_module_names) - {""})
    assert [m for m in outside if not m.startswith(START_UP_ALLOWED)] == []
    package = [m for m in loaded if m.startswith("forecast.")]
    assert "forecast.cli.commands" not in package and "forecast.results" not in package, package
    assert {"forecast.cli.main", "forecast.cli.args", "forecast.errors"} <= set(package)
