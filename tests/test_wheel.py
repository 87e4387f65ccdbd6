"""The package installs like any other: a wheel built from the checkout, installed into a fresh
virtual environment outside it, runs the shipped baseline (issue 10; docs/architecture.md: a bare scenario
name resolves to the shipped library, which is package data)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import venv
import zipfile

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.slow


def sh(*args, cwd):
    result = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    dist = tmp_path_factory.mktemp("dist")
    source = (
        tmp_path_factory.mktemp("source") / "forecast"
    )  # a clean copy: a stale build/ in the checkout would leak old modules into the wheel
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".venv", "build", "dist", "*.egg-info", ".git", "__pycache__", "out", ".hypothesis", ".pytest_cache"
        ),
    )
    sh(sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", dist, source, cwd=dist)
    (built,) = dist.glob("*.whl")
    return built


def test_the_wheel_holds_the_code_the_scenarios_and_data_china(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert "forecast/model/population/engine.py" in names  # subpackages too (was: ModuleNotFoundError)
    assert "forecast/scenarios/baseline.yaml" in names and "forecast/scenarios/ltci_extension.yaml" in names
    assert "forecast/scenarios/places/qiandongnan.yaml" in names and "forecast/scenarios/places/wenzhou.yaml" in names
    assert "forecast/data/china/region.yaml" in names and "forecast/data/china/SOURCES.md" in names
    assert (
        "forecast/data/provinces/census_2010_2020_pop_by_age5_sex_province.csv" in names
        and "forecast/apps/regions/province.py" in names
        and "forecast/cli/init_region.py" in names
    )
    for place in ("qiandongnan", "wenzhou", "shaoxing", "nanchang_county", "lhasa"):  # the place scenarios' bundles
        assert f"forecast/data/{place}/region.yaml" in names and f"forecast/data/{place}/SOURCES.md" in names
    assert not [n for n in names if n.startswith(("tests/", "data/", "scenarios/")) or "/build/" in n]


def test_the_wheel_runs_the_baseline_outside_the_checkout(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    bin_dir = env_dir / "bin"
    sh(bin_dir / "python", "-m", "pip", "install", "--quiet", wheel, cwd=tmp_path)
    where = sh(bin_dir / "python", "-c", "import forecast; print(forecast.__file__)", cwd=tmp_path)
    assert str(env_dir) in where and str(ROOT) not in where
    out = sh(bin_dir / "forecast", "run", "baseline", "--out", tmp_path / "results", cwd=tmp_path)
    assert "Pools" in out and "employee" in out
    assert (tmp_path / "results" / "summary.csv").is_file()
    listing = sh(bin_dir / "python", "-m", "forecast", "scenarios", cwd=tmp_path)
    assert "ltci_extension" in listing and str(env_dir) in listing
    sh(bin_dir / "forecast", "validate", "baseline+ltci_extension", cwd=tmp_path)
    out = sh(bin_dir / "forecast", "run", "places/lhasa", cwd=tmp_path)  # a place scenario on its shipped bundle
    assert "Pools" in out and "拉萨" in out
    shutil.copy(
        ROOT / "examples" / "figures.yaml", tmp_path / "figures.yaml"
    )  # init-region reads the shipped provinces
    out = sh(
        bin_dir / "forecast", "init-region", "mycity", "--province", "西藏", "--from", "figures.yaml", cwd=tmp_path
    )
    assert "the bundle validates" in out and (tmp_path / "mycity" / "region.yaml").is_file()
