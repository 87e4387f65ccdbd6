"""The notebooks run top to bottom (nbclient) and show what they promise."""

from __future__ import annotations

import pytest

from .conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path, tmp_path):
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    text = "\n".join(str(o.get("data", {}).get("text/plain", "")) + str(o.get("text", "")) for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert "Traceback" not in text
    if path.stem == "actuarial_review":
        assert "employee pooled fund income" in text and "exhaustion_year" in text
        assert (tmp_path / "months_covered.png").stat().st_size > 5_000


def test_there_is_an_actuarial_review():
    assert any(p.stem == "actuarial_review" for p in NOTEBOOKS)
