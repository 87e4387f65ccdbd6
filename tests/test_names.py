"""Names, not paths (issue 24): shipped scenarios and bundles are addressable by name from any
folder (``extends: baseline`` in a user's own file, ``--region wenzhou``, ``--regions wenzhou
qiandongnan``), and a command that must write without --out writes into a new dated folder it
announces, never into a fixed ./out."""

from __future__ import annotations

import re

import pytest

from forecast.cli import main
from forecast.library import dated_folder, extended_file, region_names, resolve_region, scenarios_dir

from .conftest import ROOT


@pytest.fixture
def elsewhere(tmp_path, monkeypatch):
    """An empty folder outside the checkout, as the current folder."""
    folder = tmp_path / "empty"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


def test_extends_a_shipped_name_from_a_users_own_file(elsewhere, capsys):
    (elsewhere / "mine.yaml").write_text(
        "title: 本地测试\nextends: baseline\nassumptions:\n  economy:\n    price_inflation: 0.025\n", encoding="utf-8"
    )
    assert main(["validate", "mine.yaml"]) == 0
    assert "本地测试" in capsys.readouterr().out
    import forecast

    scenario = forecast.load_scenario(elsewhere / "mine.yaml")
    assert scenario.files[0] == scenarios_dir() / "baseline.yaml"
    assert float(scenario.params["assumptions.economy.price_inflation"].path([2030])[0][0]) == 0.025


def test_a_file_beside_the_scenario_wins_over_the_shipped_name(tmp_path):
    (tmp_path / "baseline.yaml").write_text("title: x\n", encoding="utf-8")
    assert extended_file(tmp_path, "baseline.yaml") == tmp_path / "baseline.yaml"
    assert extended_file(tmp_path / "nowhere", "baseline") == scenarios_dir() / "baseline.yaml"
    assert extended_file(tmp_path, "../missing.yaml") == tmp_path / "../missing.yaml", (
        "a path stays a path (the loader reports it)"
    )


def test_extends_an_unknown_name_is_a_located_error(elsewhere, capsys):
    (elsewhere / "mine.yaml").write_text("title: x\nextends: baselin\n", encoding="utf-8")
    assert main(["validate", "mine.yaml"]) == 2
    assert "scenario file not found" in capsys.readouterr().err


def test_region_by_name_from_an_empty_folder(elsewhere, capsys):
    assert {"china", "wenzhou", "qiandongnan", "lhasa"} <= set(region_names())
    assert resolve_region("wenzhou").name == "wenzhou" and (resolve_region("data/wenzhou") / "region.yaml").is_file()
    assert main(["summary", "--region", "wenzhou"]) == 0
    assert "温州市" in capsys.readouterr().out
    assert main(["run", "--region", "wenzhou", "-q"]) == 0
    assert "employee" in capsys.readouterr().out
    assert list(elsewhere.iterdir()) == [], "nothing written without --out"


def test_an_unknown_region_name_lists_the_shipped_ones(elsewhere, capsys):
    assert main(["run", "--region", "wenzou"]) == 2
    err = capsys.readouterr().err
    assert "wenzou" in err and "wenzhou" in err


def test_a_local_folder_of_the_same_name_wins(elsewhere):
    (elsewhere / "wenzhou").mkdir()
    assert resolve_region("wenzhou") == elsewhere.joinpath("wenzhou").relative_to(elsewhere)


def test_without_out_a_command_writes_into_a_dated_folder_it_announces(elsewhere, capsys):
    assert (
        main(["solve", "--pool", "resident", "--lever", "financing", "--target", "months:6-9", "--until", "2025"]) == 0
    )
    out = capsys.readouterr().out
    folder = re.search(r"no --out given: writing into (forecast-solve-\d{8}-\d{6})/", out).group(1)
    assert sorted(p.name for p in (elsewhere / folder).iterdir() if not p.name.startswith(".")) == [
        "solve.csv",
        "solved.yaml",
    ]
    assert not (elsewhere / "out").exists()
    assert re.fullmatch(r"forecast-batch-\d{8}-\d{6}", str(dated_folder("batch")))


def test_bundle_names_are_the_shipped_folders():
    assert set(region_names()) == {p.parent.name for p in (ROOT / "data").glob("*/region.yaml")}
