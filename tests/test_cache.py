"""The cache of what a run derives from a bundle's bytes (forecast.inputs.cache): a run that reads it
equals one that computes everything (1e-9), an edited bundle file or a damaged entry is never read
back, FORECAST_CACHE=off writes nothing, and the folder stays private and bounded."""

from __future__ import annotations

import os
import pickle
import stat
import sys

import numpy as np
import pytest

import forecast
from forecast.inputs import cache
from forecast.inputs.region import load_region
from forecast.model.fitting import fitted
from forecast.model.uncertainty import intervals

from .conftest import CHINA

region_module = sys.modules["forecast.inputs.region"]  # forecast.inputs.region names the function too


def forget():
    """Clear the in-process memories, so that the next run reads the disk cache (or computes)."""
    for memo in (region_module._CACHE, intervals._RECORDS, fitted._FITS):
        memo.clear()


@pytest.fixture
def folder(tmp_path, monkeypatch):
    target = tmp_path / "cache"
    monkeypatch.setenv("FORECAST_CACHE_DIR", str(target))
    monkeypatch.delenv("FORECAST_CACHE", raising=False)
    forget()
    yield target
    forget()


def entries(folder):
    return sorted(p.name for p in folder.glob("*.pickle")) if folder.exists() else []


def assert_same(a, b):
    """Every numeric variable of two runs equal to 1e-9 (relative to the variable's largest value)."""
    assert set(a.data_vars) == set(b.data_vars)
    for name in a.data_vars:
        x, y = a[name], b[name]
        if x.dtype.kind in "fiub":
            scale = float(np.nanmax(np.abs(y.values))) if y.size else 0.0
            np.testing.assert_allclose(x.values, y.values, rtol=1e-9, atol=1e-9 * scale, err_msg=name)
        else:
            assert (x.values == y.values).all(), name


def test_a_cached_run_equals_an_uncached_one(folder, monkeypatch):
    monkeypatch.setenv("FORECAST_CACHE", "off")
    uncached = forecast.run("baseline")
    assert entries(folder) == []
    monkeypatch.delenv("FORECAST_CACHE")
    forget()
    cold = forecast.run("baseline")
    names = entries(folder)
    assert {n.split("-")[0] for n in names} == {"region", "record", "fits", "age_index", "yaml"}
    forget()
    warm = forecast.run("baseline")  # everything the cache holds read back from disk
    assert entries(folder) == names
    assert_same(cold, uncached)
    assert_same(warm, uncached)
    assert warm.attrs == uncached.attrs and cold.attrs == uncached.attrs


def test_a_yaml_document_read_back_is_the_parsed_one_lines_and_all(folder, tmp_path, monkeypatch):
    from forecast.inputs.yamlfile import read_yaml

    path = tmp_path / "s.yaml"
    path.write_text("title: t\nassumptions:\n  economy:\n    wage_growth: 0.05\n", encoding="utf-8")
    first = read_yaml(path)
    assert [n.split("-")[0] for n in entries(folder)] == ["yaml"]
    again = read_yaml(path)
    assert again == first and again["assumptions"].line_of("economy") == 3 == first["assumptions"].line_of("economy")
    path.write_text("title: [unclosed\n", encoding="utf-8")  # a bad file is never served from the cache
    with pytest.raises(forecast.InputError):
        read_yaml(path)


def test_the_folder_is_private(folder):
    load_region(CHINA)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert entries(folder)


def test_an_edited_bundle_file_is_read_again(folder, bundle):
    first = load_region(bundle)
    path = bundle / "fund_history.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    header = lines[0].strip().split(",")
    row = next(i for i, line in enumerate(lines[1:], 1) if ",resident," in line and ",income," in line)
    fields = lines[row].rstrip("\n").split(",")
    year, old = int(fields[header.index("year")]), float(fields[header.index("value")])
    fields[header.index("value")] = repr(old * 1.01)
    lines[row] = ",".join(fields) + "\n"
    path.write_text("".join(lines), encoding="utf-8")
    forget()
    second = load_region(bundle)
    assert second.content_hash != first.content_hash
    before = first.fund("resident", "income")[year]  # yuan (the file may be in 亿元)
    assert second.fund("resident", "income")[year] == pytest.approx(before * 1.01, rel=1e-12)
    forget()
    assert load_region(bundle).content_hash == second.content_hash  # the entry now holds the edited bundle


def test_a_bundle_file_gone_since_is_a_located_error_not_a_stale_region(folder, bundle):
    load_region(bundle)
    (bundle / "fund_history.csv").unlink()
    forget()
    with pytest.raises(forecast.InputError) as err:
        load_region(bundle)
    assert "fund_history.csv" in str(err.value)


@pytest.mark.parametrize("damage", [b"", b"not a pickle", pickle.dumps(("another name", 42))])
def test_a_damaged_entry_is_made_again(folder, damage):
    expected = forecast.run("baseline")
    for path in folder.glob("*.pickle"):
        path.write_bytes(damage)
    forget()
    assert_same(forecast.run("baseline"), expected)
    for path in folder.glob("*.pickle"):  # rewritten whole
        name, _ = pickle.loads(path.read_bytes())
        assert path.name.endswith(f"-{name[:40]}.pickle")


def test_off_writes_nothing(folder, monkeypatch):
    monkeypatch.setenv("FORECAST_CACHE", "off")
    forecast.run("baseline")
    assert not folder.exists()


def test_a_folder_others_may_write_to_is_not_used(folder):
    folder.mkdir()
    folder.chmod(0o777)
    made = []
    for _ in range(2):
        assert cache.cached("test", "key", lambda: made.append(1) or "value") == "value"
    assert made == [1, 1] and entries(folder) == []


def test_a_refused_entry_is_made_again(folder):
    made = []
    assert cache.cached("test", "key", lambda: made.append(1) or "old") == "old"
    assert cache.cached("test", "key", lambda: "new", valid=lambda v: v != "old") == "new"
    assert cache.cached("test", "key", lambda: "newer") == "new"  # stored in its place
    assert cache.cached("test", "key", lambda: "error", valid=lambda v: 1 / 0) == "error"  # a failing check refuses


def test_the_folder_is_bounded_least_recently_used_first(folder):
    for i in range(4):
        cache.cached("test", f"key {i}", lambda: bytes(1000))
        for path in folder.glob("*.pickle"):  # older and older: key 0 the oldest
            os.utime(path, ns=(path.stat().st_mtime_ns - 10**9,) * 2)
    assert len(entries(folder)) == 4
    cache.cached("test", "key 0", lambda: bytes(1000))  # read: now the most recently used
    cache._evict(folder, limit=2500)
    assert len(entries(folder)) == 2
    made = []
    cache.cached("test", "key 0", lambda: made.append(1) or bytes(1000))
    assert made == []  # kept


def test_the_home_folder_is_the_default(monkeypatch, tmp_path):
    monkeypatch.delenv("FORECAST_CACHE_DIR")
    monkeypatch.delenv("FORECAST_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache.cache_dir() == tmp_path / "forecast"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert cache.cache_dir() == tmp_path / ".cache" / "forecast"
    monkeypatch.setenv("FORECAST_CACHE", "off")
    assert cache.cache_dir() is None


def test_a_region_made_in_memory_is_not_cached(folder):
    """A Region not read from files has no content hash to name its entries by: nothing derived from it is kept."""
    import dataclasses

    made = dataclasses.replace(load_region(CHINA), content_hash="")
    before = entries(folder)
    assert intervals.record(made, made.base_year)
    assert entries(folder) == before
