"""Every draw written as the draws are made (``forecast run --keep draws``, ``forecast.run(every_draw=)``):
a Zarr store that holds what the run holds of each draw, to the bit, renamed into place only once
the run is whole and checked; a run that stops leaves nothing of it."""

from __future__ import annotations

import importlib
import warnings

import numpy as np
import pytest
import xarray as xr

import forecast
from forecast.errors import InputError, Problem

store_module = importlib.import_module("forecast.engine.store")
engine_run = importlib.import_module("forecast.engine.run")


def _left(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_the_store_holds_every_draw_of_every_variable_the_run_holds_per_draw(tmp_path):
    path = tmp_path / "out" / "draws.zarr"
    ds = forecast.run("baseline", draws=40, seed=5, every_draw=path)
    assert _left(tmp_path / "out") == ["draws.zarr"]  # no staging folder left
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # consolidated, format 2: read without a warning
        saved = xr.open_zarr(path)
    per_draw = [name for name, var in ds.data_vars.items() if "draw" in var.dims]
    assert set(per_draw) <= set(saved.data_vars)
    for name in per_draw:
        assert np.array_equal(saved[name].transpose(*ds[name].dims).values, ds[name].values, equal_nan=True), name
    assert list(saved["draw"].values) == list(range(40))
    assert int(saved.attrs["seed"]) == ds.attrs["seed"] and saved.attrs["scenario_title"] == ds.attrs["scenario_title"]


def test_a_streamed_run_keeps_the_means_and_the_store_every_draw(tmp_path, monkeypatch):
    """Past STREAM_DRAWS a run keeps only the headline variables per draw and the means of the
    others; the store has every draw of all of them, their means the run's."""
    monkeypatch.setattr(store_module, "STREAM_DRAWS", 20)
    monkeypatch.setattr(engine_run, "FUND_DRAWS", 30)  # the store is filled in parts
    path = tmp_path / "draws.zarr"
    ds = forecast.run("baseline", draws=70, seed=2, every_draw=path)
    saved = xr.open_zarr(path)
    assert saved.sizes["draw"] == 70 and ds.sizes["draw"] == 70
    means = [name for name, var in ds.data_vars.items() if var.attrs.get("over_draws") == "mean"]
    assert "expenditure_items" in means
    for name in means:
        expected = saved[name].mean("draw").transpose(*ds[name].dims).values
        assert np.allclose(expected, ds[name].values, rtol=1e-12, atol=0), name
    for name in ("reserve", "income", "verdict"):
        assert np.array_equal(saved[name].transpose(*ds[name].dims).values, ds[name].values), name


def test_a_run_that_stops_leaves_no_store_and_a_previous_store_is_replaced_only_whole(tmp_path, monkeypatch):
    path = tmp_path / "draws.zarr"
    forecast.run("baseline", draws=20, seed=1, every_draw=path)
    before = xr.open_zarr(path)["reserve"].values

    def refused(ds, files, bundle):
        raise InputError(Problem("scenarios/baseline.yaml", "a value is not finite", "a test"))

    monkeypatch.setattr(engine_run, "check_finite", refused)
    with pytest.raises(InputError, match="not finite"):
        forecast.run("baseline", draws=30, seed=9, every_draw=path)
    assert _left(tmp_path) == ["draws.zarr"]
    assert np.array_equal(xr.open_zarr(path)["reserve"].values, before)  # the earlier store, untouched
    monkeypatch.undo()
    forecast.run("baseline", draws=30, seed=9, every_draw=path)
    assert xr.open_zarr(path).sizes["draw"] == 30 and _left(tmp_path) == ["draws.zarr"]


def test_the_command_refuses_before_the_run_what_it_cannot_write(tmp_path, capsys):
    from forecast.cli import main

    out = tmp_path / "out"
    assert main(["run", "baseline", "--keep", "draws", "--out", str(out), "-q"]) == 2
    assert "add --draws N" in capsys.readouterr().err
    assert main(["run", "baseline", "--draws", "10", "--keep", "draws", "-q"]) == 2
    assert "add --out DIR" in capsys.readouterr().err
    (out / "draws.zarr").mkdir(parents=True)
    (out / "draws.zarr" / "notes.txt").write_text("mine", encoding="utf-8")
    assert main(["run", "baseline", "--draws", "10", "--keep", "draws", "--out", str(out), "-q"]) == 2
    assert "not a Zarr store" in capsys.readouterr().err
    assert _left(out) == ["draws.zarr"] and _left(out / "draws.zarr") == ["notes.txt"]


def test_a_store_that_cannot_be_written_is_a_located_refusal(tmp_path):
    (tmp_path / "afile").write_text("mine", encoding="utf-8")
    with pytest.raises(InputError, match="cannot write draws.zarr"):
        forecast.run("baseline", draws=10, seed=1, every_draw=tmp_path / "afile" / "draws.zarr")
    assert (tmp_path / "afile").read_text(encoding="utf-8") == "mine"
    with pytest.raises(InputError, match="a run with draws"):
        forecast.run("baseline", every_draw=tmp_path / "draws.zarr")
    assert _left(tmp_path) == ["afile"]


def test_the_command_writes_the_store_beside_the_results(tmp_path, capsys):
    from forecast.cli import main

    out = tmp_path / "out"
    assert main(["run", "baseline", "--draws", "12", "--seed", "3", "--keep", "draws", "--out", str(out), "-q"]) == 0
    assert "draws.zarr" in capsys.readouterr().out.splitlines()[-1]  # the files written, named
    names = _left(out)
    assert "draws.zarr" in names and "results.nc" in names and not [n for n in names if n.startswith(".draws")]
    with xr.open_dataset(out / "results.nc") as results, xr.open_zarr(out / "draws.zarr") as saved:
        assert np.array_equal(saved["reserve"].transpose(*results["reserve"].dims).values, results["reserve"].values)
