"""The package's architecture, checked (docs/architecture.md, "The layers").

- The command line starts on the standard library alone: building the parser (what ``forecast
  --version`` and ``--help`` do) loads no third-party package, so the guard is in place before numpy
  loads and Ctrl-C while it loads is handled like any other.
"""

from __future__ import annotations

import json
import subprocess
import sys

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
