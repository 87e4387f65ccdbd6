"""The input template (issue 24): ``forecast template --out 本地数据.xlsx`` writes a workbook a bureau
fills instead of FIGURES.yaml; ``init-region --from`` reads it back with the same checks, every
problem located by sheet and row. And init-region refuses figures of another province."""

from __future__ import annotations

import filecmp

import pytest
from openpyxl import load_workbook

from forecast.apps.regions.template import FIELDS, TABLES
from forecast.cli import main

from .conftest import ROOT

EXAMPLE = ROOT / "examples" / "figures.yaml"


def test_the_empty_template_has_its_sheets_labels_and_no_formula(tmp_path, capsys):
    assert main(["template", "--out", str(tmp_path / "本地数据.xlsx")]) == 0
    assert "init-region" in capsys.readouterr().out
    book = load_workbook(tmp_path / "本地数据.xlsx")
    assert book.sheetnames == ["填写说明", *FIELDS, *TABLES]
    labels = [row[0] for row in book["参保"].iter_rows(min_row=2, values_only=True)]
    assert labels == [label for _, label, _ in FIELDS["参保"]]
    assert [c.value for c in book["基金"][1]] == [h for _, h in TABLES["基金"][1]]
    assert not [c for ws in book.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"]


def test_a_template_filled_from_the_example_builds_the_same_bundle(tmp_path, capsys):
    """examples/figures.yaml (拉萨市) through the template: every table of the bundle is byte for byte
    the one the YAML builds."""
    assert main(["template", "--from", str(EXAMPLE), "--out", str(tmp_path / "lhasa.xlsx")]) == 0
    assert (
        main(["init-region", str(tmp_path / "from_xlsx"), "--province", "西藏", "--from", str(tmp_path / "lhasa.xlsx")])
        == 0
    )
    assert main(["init-region", str(tmp_path / "from_yaml"), "--province", "西藏", "--from", str(EXAMPLE)]) == 0
    capsys.readouterr()
    tables = sorted(p.name for p in (tmp_path / "from_yaml").glob("*.csv"))
    assert len(tables) > 8
    _, mismatch, errors = filecmp.cmpfiles(tmp_path / "from_xlsx", tmp_path / "from_yaml", tables, shallow=False)
    assert mismatch == [] and errors == []


def _filled(tmp_path, sheet: str, label: str, value):
    assert main(["template", "--from", str(EXAMPLE), "--out", str(tmp_path / "t.xlsx")]) == 0
    book = load_workbook(tmp_path / "t.xlsx")
    ws = book[sheet]
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == label)
    ws.cell(row, 2).value = value
    book.save(tmp_path / "t.xlsx")
    return row


@pytest.mark.parametrize(
    ("sheet", "label", "value", "fragment"),
    [
        ("参保", "统计年份", "二〇二三", "field 'insured.year'"),
        ("参保", "城乡居民医保参保人数", "38万", "field 'insured.resident': must be a plain number"),
        ("人口", "常住人口（2020年普查，人）", None, "field 'population.total'"),
        ("参保", "单位", "万户", "unknown unit '万户'"),
    ],
)
def test_a_bad_cell_is_refused_with_its_sheet_and_row(tmp_path, capsys, sheet, label, value, fragment):
    row = _filled(tmp_path, sheet, label, value)
    capsys.readouterr()
    assert main(["init-region", str(tmp_path / "x"), "--province", "西藏", "--from", str(tmp_path / "t.xlsx")]) == 2
    err = capsys.readouterr().err
    assert fragment in err and f"sheet {sheet}" in err and "Traceback" not in err
    if value is not None:
        assert f"row {row}" in err
    assert not (tmp_path / "x").exists()


def test_a_workbook_that_is_not_the_template_is_refused(tmp_path, capsys):
    from openpyxl import Workbook

    Workbook().save(tmp_path / "other.xlsx")
    assert main(["init-region", str(tmp_path / "x"), "--province", "西藏", "--from", str(tmp_path / "other.xlsx")]) == 2
    assert "not the input template" in capsys.readouterr().err


def test_template_out_must_name_a_workbook(tmp_path, capsys):
    assert main(["template", "--out", str(tmp_path / "data.csv")]) == 2
    assert "not an .xlsx file name" in capsys.readouterr().err


def test_figures_of_another_province_are_refused(tmp_path, capsys):
    """拉萨市's figures (its e0 is 西藏's, its census bulletin 拉萨市's) with --province 贵州."""
    assert main(["init-region", str(tmp_path / "x"), "--province", "贵州", "--from", str(EXAMPLE)]) == 2
    err = capsys.readouterr().err
    assert "西藏's" in err and "--province 西藏" in err
    assert not (tmp_path / "x").exists()
