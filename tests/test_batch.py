"""forecast batch (issue 15): regions × scenarios × draw chunks on dask equal the runs one by one;
the regions' total is their sum; the command refuses bad bundles before starting a cluster."""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import forecast
from forecast.apps.batch import batch

from .conftest import CHINA, ROOT

pytestmark = pytest.mark.slow

SCENARIOS = ("baseline", "high_cost_growth")


@pytest.fixture(scope="module")
def regions(tmp_path_factory):
    import sys

    sys.path.insert(0, str(ROOT / "benchmarks"))
    import synthetic_regions

    return [str(p) for p in synthetic_regions.make(tmp_path_factory.mktemp("synthetic"), 3, seed=2)]


def one_by_one(region: str, scenario: str, draws=None, seed=None) -> xr.Dataset:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return forecast.run(scenario, regions=[region], draws=draws, seed=seed).isel(region=0, drop=True)


def test_deterministic_batch_equals_the_runs_one_by_one_and_the_total_is_their_sum(regions):
    ds = batch(regions[:2], SCENARIOS)
    for region in regions[:2]:
        for scenario in SCENARIOS:
            alone = one_by_one(region, scenario)
            got = ds.sel(region=region, scenario=scenario)
            for name in (
                "income",
                "expenditure",
                "reserve",
                "months_covered",
                "insured_by_status",
                "individual_account_reserve",
            ):
                assert np.allclose(got[name].values, alone[name].values, rtol=1e-12), (region, scenario, name)
            assert np.array_equal(got["verdict"].values, alone["verdict"].values)
    for name in ("income", "expenditure", "balance", "reserve"):
        assert np.allclose(ds[f"total_{name}"].values, ds[name].sum("region").values, rtol=1e-12), name
    months = ds["total_reserve"] / (ds["total_expenditure"] / 12)
    both = ds["total_expenditure"] > 0
    assert np.allclose(ds["total_months_covered"].where(both).values, months.where(both).values, equal_nan=True)


def test_draw_chunks_give_the_draws_of_the_whole_run(regions, monkeypatch):
    """With chunks of 8 draws, 20 draws are three tasks; they equal one run of 20 draws."""
    import importlib

    project = importlib.import_module("forecast.model.population.project")  # the module, not the function of that name
    monkeypatch.setattr(project, "DRAW_CHUNK", 8)
    ds = batch(regions[:1], ("baseline",), draws=20, seed=4, total=False)
    alone = one_by_one(regions[0], "baseline", draws=20, seed=4)
    got = ds.isel(region=0, scenario=0)
    for name in ("reserve_quantile", "months_covered_quantile", "p_exhausted", "p_current_deficit"):
        assert np.allclose(got[name].values, alone[name].values, rtol=1e-12), name
    assert np.array_equal(got["exhaustion_year"].values, alone["exhaustion_year"].values, equal_nan=True)


def test_a_task_makes_its_population_on_its_workers_thread(regions, monkeypatch):
    """A batch task starts no population threads of its own (the workers are the parallelism); a
    run outside a task on two cores does."""
    from forecast.apps.batch import run_task
    from forecast.limits import usable_cores
    from forecast.model.population import groups

    pools, real = [], groups.ThreadPoolExecutor
    monkeypatch.setattr(groups, "ThreadPoolExecutor", lambda *a, **k: pools.append(k) or real(*a, **k))
    task = run_task(regions[0], "baseline", 20, 4, (0, 20))
    assert pools == [] and task.sizes["draw"] == 20
    if usable_cores() > 1:
        one_by_one(regions[0], "baseline", draws=20, seed=4)
        assert pools, "a run on two cores projects its population on threads"


def test_a_local_cluster_runs_three_regions_two_scenarios_twenty_draws_like_one_by_one(regions):
    """The issue's acceptance: 2 worker processes, 3 regions × 2 scenarios × 20 draws."""
    from distributed import Client, LocalCluster

    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):
        calls = []
        ds = batch(
            regions,
            SCENARIOS,
            draws=20,
            seed=9,
            client=client,
            progress=lambda done, total: calls.append((done, total)),
        )
    assert calls == [(k, 8) for k in range(1, 9)]  # 3 regions x 2 scenarios and the 2 totals, each when ready
    for region in regions:
        for scenario in SCENARIOS:
            alone = one_by_one(region, scenario, draws=20, seed=9)
            got = ds.sel(region=region, scenario=scenario)
            for name in ("reserve_quantile", "income_quantile", "p_exhausted"):
                assert np.allclose(got[name].values, alone[name].values, rtol=1e-12), (region, scenario, name)
    assert ds["total_p_exhausted"].dims == ("scenario", "year", "pool")


def test_the_command_refuses_a_bad_bundle_before_starting_and_writes_its_files(regions, tmp_path, capsys, monkeypatch):
    from forecast.cli import main

    broken = tmp_path / "broken"
    shutil.copytree(CHINA, broken)
    (broken / "insured.csv").write_text("year,pool,status,value,unit\n", encoding="utf-8")
    assert main(["batch", "--regions", regions[0], str(broken)]) == 2
    err = capsys.readouterr().err
    assert "insured.csv" in err and "Traceback" not in err
    out = tmp_path / "out"
    monkeypatch.chdir(Path(regions[0]).parent)  # regions named as a user types them, relative
    names = [Path(r).name for r in regions[:2]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert (
            main(["batch", "--regions", *names, "--scenarios", "places/shaoxing", "--workers", "1", "--out", str(out)])
            == 0
        )
    captured = capsys.readouterr()
    assert "total" in captured.out and (out / "batch.nc").stat().st_size > 10_000
    assert "note: places/shaoxing names its own region" in captured.out + captured.err  # and runs on the regions given
    with xr.open_dataset(out / "batch.nc", engine="scipy") as saved:
        assert list(saved["region"].values) == names and "total_reserve" in saved
    assert main(["batch", "--regions", names[0], names[0]]) == 2
    assert "a bundle is given twice" in capsys.readouterr().err


def test_a_large_result_is_a_zarr_store_that_replaces_only_a_previous_store(regions, tmp_path, monkeypatch, capsys):
    from forecast.cli import batch, main

    monkeypatch.setattr(batch, "ZARR_ABOVE", 0)
    out = tmp_path / "out"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(2):  # the second run replaces the first run's store
            assert main(["batch", "--regions", *regions[:2], "--workers", "1", "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == [".forecast-manifest.json", "batch.zarr", "batch_summary.csv"]
    with xr.open_zarr(out / "batch.zarr") as saved:
        assert saved.sizes["region"] == 2 and "total_reserve" in saved
    (out / "batch.zarr").rename(tmp_path / "kept")
    (out / "batch.zarr").mkdir()
    (out / "batch.zarr" / "notes.txt").write_text("mine", encoding="utf-8")
    capsys.readouterr()
    assert main(["batch", "--regions", regions[0], "--workers", "1", "--out", str(out)]) == 2
    assert "not a Zarr store" in capsys.readouterr().err
    assert (out / "batch.zarr" / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_the_process_memories_stay_bounded_over_many_regions(tmp_path, monkeypatch):
    """Issue 22: the drivers' parameters were remembered per bundle without bound, so a batch over
    many regions grew in memory; every in-process memory now keeps at most its size."""
    import sys

    from forecast.inputs import region as region_module
    from forecast.model.fitting import fitted
    from forecast.model.uncertainty import intervals, shocks

    sys.path.insert(0, str(ROOT / "benchmarks"))
    import synthetic_regions

    memos = [region_module._CACHE, fitted._FITS, intervals._RECORDS, shocks._SHOCKS]
    for memo in memos:
        monkeypatch.setattr(memo, "size", 3)
    for folder in synthetic_regions.make(tmp_path, 5, seed=4):
        forecast.run("baseline", regions=[str(folder)], draws=2, seed=1)
    assert [len(m) for m in memos] == [3, 3, 3, 3]


def test_regions_with_different_base_years_are_aligned_and_the_total_covers_their_common_years():
    """data/lhasa's fund base year is 2023 (the bureau's Jan-May figures), data/china's 2024 (issue 21:
    this was an AlignmentError, exit 70)."""
    from forecast.apps.batch import summary_table
    from forecast.model.fund import CODES

    lhasa, china = str(ROOT / "data" / "lhasa"), str(CHINA)
    ds = batch([lhasa, china], ["baseline"])
    assert ds.attrs["base_years"] == {lhasa: 2023, china: 2024}
    assert int(ds["year"].values[0]) == 2023
    before = ds.sel(region=china, year=2023, scenario="baseline")
    assert (before["verdict"] == CODES["not_projected"]).all() and before["income"].isnull().all()
    for name in ("income", "reserve"):
        assert ds[f"total_{name}"].sel(year=2023).isnull().all()  # not a sum with a missing region
        summed = ds[name].sel(year=slice(2024, None)).sum("region")
        xr.testing.assert_allclose(ds[f"total_{name}"].sel(year=slice(2024, None)), summed)
    table = summary_table(ds)
    own = forecast.run("baseline").fund.first_deficit_year().sel(pool="resident")
    assert table.loc[("baseline", china, "resident"), "first_deficit_year"] == int(own)
