"""The notebooks run top to bottom and show what they promise, leaving nothing in the repository.

Executed with nbclient (not nbmake): the test keeps the executed notebook in memory, so it can
check each cell's outputs (no error, at least one inline PNG figure, the expected text) and every
file of the checkout around the run (sizes and modification times: no git needed); nbmake only reports whether the cells
raised, and adds a pytest plugin for what ten lines do here. Each notebook runs from a copy in a temporary folder (its
working directory), so a stray relative write would land there, not in the repository.
"""

from __future__ import annotations

import os
import shutil

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.notebooks

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
#: text each notebook must show (a table's or a printed line's)
SHOWS = {
    "actuarial_review": ["employee pooled fund income", "exhaustion_year", "missed years: none"],
    "policy_impact": [
        "extra_expenditure_yi_10y",
        "raise_special_disease_caps",
        "ltci_extension",
        "extra expenditure 2025-2034 p10",
    ],
    "budget_compilation": ["budget year 2025", "缴费收入", "收支平衡"],
}


#: what changes in a checkout without anyone writing to it: the virtual environment, git, caches
_NOT_THE_REPOSITORY = {
    ".venv",
    ".git",
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
    ".hypothesis",
    ".benchmarks",
    ".ipynb_checkpoints",
}


def _repository() -> dict[str, tuple[int, int]]:
    """Every file of the checkout (but _NOT_THE_REPOSITORY): path -> (size, modification time in ns)."""
    files = {}
    for folder, subfolders, names in os.walk(ROOT):
        subfolders[:] = [d for d in subfolders if d not in _NOT_THE_REPOSITORY]
        for name in names:
            stat = os.stat(os.path.join(folder, name))
            files[os.path.relpath(os.path.join(folder, name), ROOT)] = (stat.st_size, stat.st_mtime_ns)
    return files


def _outputs(nb) -> list:
    return [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path, tmp_path):
    import nbformat
    from nbclient import NotebookClient

    copy = tmp_path / path.name
    shutil.copyfile(path, copy)
    nb = nbformat.read(copy, as_version=4)
    assert not _outputs(nb), (
        f"{path.name} is stored with outputs: clear them (Kernel > Restart & Clear Output) before committing"
    )
    before = _repository()
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
    after = _repository()
    assert after == before, (
        f"the notebook changed files in the repository: {sorted(set(after.items()) ^ set(before.items()))[:5]}"
    )


def test_the_notebooks_are_there():
    assert {p.stem for p in NOTEBOOKS} == set(SHOWS)
