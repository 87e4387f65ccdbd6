"""The documentation (issue 24): the README stays short (at most 300 lines), the site builds with
``mkdocs build --strict`` (no warning passes), its generated pages are there, and every command shown
in the README and the docs is run, page by page in document order, in a temporary folder (holding a copy
of examples/, as a user's folder would) with the installed ``forecast``: each ends with exit code 0 and no
traceback. ``make`` lines are set-up, not run here (``make test`` would run this suite again): each must
name a target of the Makefile."""

from __future__ import annotations

import importlib.util
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT, missing

pytestmark = pytest.mark.slow  # builds the site and runs every command shown

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
FENCE = re.compile(r"^```([\w-]*)\n(.*?)^```", re.S | re.M)
#: languages whose blocks hold no commands (data and code shown, not run)
NOT_COMMANDS = {"yaml", "python", "text", "csv", "json"}


def shown_lines(page: Path, start: str) -> list[str]:
    """The lines of ``page``'s fenced blocks (other than data and code) that begin with ``start``,
    without their trailing comments, in document order."""
    out = []
    for lang, body in FENCE.findall(page.read_text(encoding="utf-8")):
        if lang in NOT_COMMANDS:
            continue
        for line in body.splitlines():
            line = line.strip()
            if line.startswith(start):
                out.append(re.split(r"\s+#\s", line, maxsplit=1)[0].strip())
    return out


def test_the_readme_is_under_300_lines():
    assert len((ROOT / "README.md").read_text(encoding="utf-8").splitlines()) <= 300


COMMAND_PAGES = [p for p in PAGES if shown_lines(p, "forecast ")]


def test_the_pages_show_commands():
    assert {p.name for p in COMMAND_PAGES} >= {
        "README.md",
        "budget.md",
        "execution.md",
        "valuation.md",
        "policy.md",
        "local-data.md",
    }


@pytest.mark.parametrize("page", COMMAND_PAGES, ids=[str(p.relative_to(ROOT)) for p in COMMAND_PAGES])
def test_every_command_shown_runs(page, tmp_path):
    """Each page's commands in order, in one folder (a later command may read what an earlier wrote)."""
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    env = {**os.environ, "COLUMNS": "120"}
    env.pop("FORECAST_REGION", None)
    for line in shown_lines(page, "forecast "):
        words = shlex.split(line)
        done = subprocess.run(
            [sys.executable, "-m", "forecast", *words[1:]],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=900,
            env=env,
        )
        assert done.returncode == 0, f"{page.name}: {line}\n{done.stdout[-1500:]}\n{done.stderr[-3000:]}"
        assert "Traceback" not in done.stderr, line


def test_make_lines_name_targets_of_the_makefile():
    targets = set(re.findall(r"^([\w-]+):", (ROOT / "Makefile").read_text(encoding="utf-8"), re.M))
    shown = {shlex.split(line)[1] for page in PAGES for line in shown_lines(page, "make ")}
    assert shown and shown <= targets, shown - targets


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    if importlib.util.find_spec("mkdocs") is None or importlib.util.find_spec("material") is None:
        missing("mkdocs and mkdocs-material", "pip install -e '.[docs]' (make test installs them)", "slow")
    target = tmp_path_factory.mktemp("site")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "--config-file",
            str(ROOT / "mkdocs.yml"),
            "--site-dir",
            str(target),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert done.returncode == 0, done.stderr[-4000:]
    assert not re.search(r"^WARNING", done.stderr, re.M), done.stderr[-4000:]
    return target


def test_the_site_builds_strict_with_the_user_guide_in_chinese(site):
    for page in ("guide/budget", "guide/execution", "guide/valuation", "guide/policy", "guide/local-data"):
        html = (site / page / "index.html").read_text(encoding="utf-8")
        assert len(re.findall(r"[\u4e00-\u9fff]", html)) > 300, page


def test_the_reference_is_generated_from_the_parser_and_the_schema(site):
    from forecast.cli.args import EXAMPLES
    from forecast.scenario.parameters import iter_params

    cli = (site / "reference" / "cli" / "index.html").read_text(encoding="utf-8")
    for command in EXAMPLES:
        assert f"forecast {command}" in cli, command
    parameters = (site / "reference" / "parameters" / "index.html").read_text(encoding="utf-8")
    paths = [path for path, _ in iter_params()]
    assert len(paths) > 100 and all(path in parameters for path in paths)


def test_the_notebooks_are_rendered_executed_with_their_figures(site):
    for name in ("actuarial_review", "policy_impact", "budget_compilation"):
        html = (site / "notebooks" / name / "index.html").read_text(encoding="utf-8")
        assert "data:image/png;base64," in html, name
