"""Scenario files: extends, overlays, and located errors (exit 2 from the CLI, no traceback)."""

from __future__ import annotations

import pytest

from forecast.cli import main
from forecast.errors import InputError
from forecast.scenario import load_scenario

from .conftest import ROOT

SCENARIOS = ROOT / "scenarios"


def test_every_shipped_scenario_loads():
    for path in sorted(SCENARIOS.glob("*.yaml")):
        scenario = load_scenario(path)
        assert scenario.title and (scenario.region_path / "region.yaml").is_file()


def test_extends_and_overlays_combine():
    lc = load_scenario(SCENARIOS / "lee_carter.yaml")
    assert lc.population.mortality_method == "lee_carter" and lc.population.fit_years == (1990, 2019)
    both = load_scenario(f"{SCENARIOS / 'lee_carter.yaml'}+{SCENARIOS / 'low_fertility.yaml'}")
    assert both.population.mortality_method == "lee_carter"
    assert both.population.tfr == {2024: 1.0, 2035: 0.9}
    assert [p.name for p in both.files] == ["baseline.yaml", "lee_carter.yaml", "low_fertility.yaml"]


def write(tmp_path, text):
    path = tmp_path / "s.yaml"
    path.write_text(f"extends: {SCENARIOS / 'baseline.yaml'}\ntitle: test\n" + text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ("assumptions:\n  demography:\n    mortality:\n      method: lee_carte\n", ["line 6", "assumptions.demography.mortality.method", "did you mean 'lee_carter'"]),
        ("assumptions:\n  demography:\n    fertilty:\n      tfr: bundle\n", ["line 5", "unknown key 'fertilty'", "did you mean 'fertility'"]),
        ("assumptions:\n  demography:\n    fertility:\n      tfr: {2030: 13}\n", ["assumptions.demography.fertility.tfr.2030", "[0.0, 10.0]"]),
        ("assumptions:\n  demography:\n    sex_ratio_at_birth: 106\n", ["assumptions.demography.sex_ratio_at_birth", "[0.9, 1.3]"]),
        ("assumptions:\n  demography:\n    mortality:\n      method: improvement\n      improvement_rate: 2\n", ["improvement_rate", "write 0.02"]),
        ("assumptions:\n  demography:\n    mortality:\n      method: e0_target\n", ["e0_target method needs dated targets"]),
        ("assumptions:\n  demography:\n    mortality:\n      method: improvement\n      improvement_rate: {male: {0-59: 0.02, 65+: 0.01}, female: 0.01}\n", ["improvement_rate.male", "cover ages 0"]),
        ("horizon: 1999\n", ["horizon", "[2021, 2300]"]),
        ("assumptions:\n  demography:\n    mortality:\n      method: schedule\n      method: lee_carter\n", ["duplicate key 'method'"]),
    ],
)
def test_bad_scenarios_name_the_place_and_the_fix(tmp_path, capsys, text, fragments):
    path = write(tmp_path, text)
    with pytest.raises(InputError):
        load_scenario(path)
    assert main(["validate", str(path)]) == 2
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    for fragment in fragments:
        assert fragment in out.err, (fragment, out.err)
    assert str(path) in out.err


def test_missing_scenario_file(tmp_path, capsys):
    assert main(["population", str(tmp_path / "nope.yaml")]) == 2
    assert "scenario file not found" in capsys.readouterr().err


def test_population_command_prints_the_headline_and_writes_atomically(tmp_path, capsys):
    out = tmp_path / "result"
    assert main(["population", str(SCENARIOS / "baseline.yaml"), "--until", "2030", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "Population projection" in text and "2030" in text and "65+ share" in text
    assert (out / "population_indicators.csv").read_text().startswith("year,population_total")
    import xarray as xr

    with xr.open_dataset(out / "population.nc", engine="scipy") as saved:
        assert saved["population"].attrs["units"] == "persons"
        assert saved.attrs["forecast_version"] and len(saved.attrs["scenario_hash"]) == 64
        assert int(saved["year"].values[-1]) == 2030
    assert [p.name for p in tmp_path.iterdir()] == ["result"]  # no staging folders left


def test_stochastic_population_command(capsys):
    assert main(["population", str(SCENARIOS / "lee_carter.yaml"), "--until", "2030", "--draws", "50", "--seed", "3"]) == 0
    out = capsys.readouterr().out
    assert "50 draws" in out and "drift" in out and "s.e." in out and "TFR random walk" in out


def test_stochastic_run_without_lee_carter_is_a_clear_error(capsys):
    assert main(["population", str(SCENARIOS / "baseline.yaml"), "--until", "2030", "--draws", "5"]) == 2
    assert "lee_carter" in capsys.readouterr().err


def test_improvement_rates_by_sex_and_age_band(tmp_path):
    path = write(tmp_path, "assumptions:\n  demography:\n    mortality:\n      method: improvement\n      improvement_rate: {male: {0-64: 0.02, 65+: 0.01}, female: 0.015}\n")
    rates = load_scenario(path).population.improvement_rate
    assert rates == {"male": ((0, 64, 0.02), (65, None, 0.01)), "female": ((0, None, 0.015),)}


def test_a_failed_write_leaves_the_previous_results_untouched(tmp_path):
    from forecast.outputs import write_atomically

    out = tmp_path / "result"
    write_atomically(out, {"a.csv": "old\n"})

    def broken(path):
        path.write_text("half", encoding="utf-8")
        raise OSError("disk full")

    with pytest.raises(OSError):
        write_atomically(out, {"a.csv": "new\n", "b.nc": broken})
    assert (out / "a.csv").read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["result"]


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        (["--until", "2010"], "end year 2010 is before the first projected year 2020"),
        (["--draws", "0"], "at least 1"),
    ],
)
def test_bad_population_options(capsys, extra, fragment):
    assert main(["population", str(SCENARIOS / "baseline.yaml"), *extra]) == 2
    err = capsys.readouterr().err
    assert fragment in err and "Traceback" not in err


def test_unwritable_output_folder(tmp_path, capsys):
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    assert main(["population", str(SCENARIOS / "baseline.yaml"), "--until", "2022", "--out", str(blocker / "out")]) == 2
    err = capsys.readouterr().err
    assert "--out" in err and "cannot write the results" in err
    assert blocker.read_text() == "x"
