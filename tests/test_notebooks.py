"""The notebooks run top to bottom and show what they promise, leaving nothing in the repository.

Executed with nbclient (not nbmake): the test keeps the executed notebook in memory, so it can
check each cell's outputs (no error, at least one inline PNG figure, the expected text) and the
repository's ``git status`` around the run; nbmake only reports whether the cells raised, and adds a
pytest plugin for what ten lines do here. Each notebook runs from a copy in a temporary folder (its
working directory), so a stray relative write would land there, not in the repository.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest

from .conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
#: text each notebook must show (a table's or a printed line's)
SHOWS = {
    "actuarial_review": ["employee pooled fund income", "exhaustion_year", "missed years: none"],
    "policy_impact": ["extra_expenditure_yi_10y", "raise_special_disease_caps", "ltci_extension", "extra expenditure 2025-2034 p10"],
    "budget_compilation": ["budget year 2025", "缴费收入", "收支平衡"],
}


def _git_status() -> str | None:
    """``git status --porcelain`` of the repository, or None where there is no git or no repository."""
    if shutil.which("git") is None:
        return None
    done = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=all"], capture_output=True, text=True)
    return done.stdout if done.returncode == 0 else None


def _outputs(nb) -> list:
    return [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path, tmp_path):
    import nbformat
    from nbclient import NotebookClient

    copy = tmp_path / path.name
    shutil.copyfile(path, copy)
    nb = nbformat.read(copy, as_version=4)
    assert not _outputs(nb), f"{path.name} is stored with outputs: clear them (Kernel > Restart & Clear Output) before committing"
    before = _git_status()
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = _outputs(nb)
    errors = [o for o in outputs if o.get("output_type") == "error"]
    assert not errors, f"{path.name}: {errors[0].get('ename')}: {errors[0].get('evalue')}" if errors else ""
    text = "\n".join(str(o.get("data", {}).get("text/plain", "")) + str(o.get("text", "")) for o in outputs)
    assert "Traceback" not in text
    for expected in SHOWS.get(path.stem, []):
        assert expected in text, f"{path.name} does not show {expected!r}"
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert images, f"{path.name} shows no inline figure (use %matplotlib inline and plt.show())"
    assert all(len(o["data"]["image/png"]) > 5_000 for o in images)  # base64 PNGs with something drawn
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name], "the notebook wrote files into its working folder"
    if before is None:
        pytest.skip("no git repository here: could not check that the notebook left the repository unchanged")
    assert _git_status() == before, "the notebook changed files in the repository"


def test_the_notebooks_are_there():
    assert {p.stem for p in NOTEBOOKS} == set(SHOWS)
