"""--out never loses a user's work: files are written one by one, atomically, nothing the command
did not write is touched (the public contract, docs/architecture.md; issue 10), and an existing file forecast did not
write is replaced only with --force, which keeps a copy (issue 21)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forecast.cli import main
from forecast.errors import InputError
from forecast.results import writers as outputs
from forecast.results.ownership import MANIFEST

from .conftest import as_from_a_shell

OLD = {"summary.csv": "old summary\n", "results.nc": b"old netcdf" * 100}
NEW = {"summary.csv": "new summary\n" * 50, "results.nc": b"new netcdf" * 5000}


def snapshot(folder):
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def test_out_keeps_files_it_did_not_write(tmp_path):
    out = tmp_path / "results"
    out.mkdir()
    (out / "draft_budget.xlsx").write_bytes(b"the user's own draft")
    (out / "notes.txt").write_text("notes", encoding="utf-8")
    outputs.write_files(out, {"summary.csv": "a\n"})
    outputs.write_files(out, {"summary.csv": "b\n"})
    files = snapshot(out)
    assert files.pop(MANIFEST)  # what forecast wrote here, so that it may replace it
    assert files == {"draft_budget.xlsx": b"the user's own draft", "notes.txt": b"notes", "summary.csv": b"b\n"}


def test_a_file_forecast_did_not_write_is_refused_and_kept(tmp_path):
    (tmp_path / "summary.csv").write_text("the user's own table\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        outputs.write_files(tmp_path, {"summary.csv": "a\n", "other.csv": "b\n"})
    assert "already holds summary.csv, which forecast did not write there" in err.value.render()
    assert "add --force to replace them (a copy of each is kept as NAME.bak)" in err.value.render()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["summary.csv"]  # nothing written, no temporary file
    assert (tmp_path / "summary.csv").read_text(encoding="utf-8") == "the user's own table\n"


def test_force_replaces_a_file_forecast_did_not_write_and_keeps_a_copy(tmp_path):
    (tmp_path / "summary.csv").write_text("mine\n", encoding="utf-8")
    (tmp_path / "summary.csv.bak").write_text("an older copy of mine\n", encoding="utf-8")
    outputs.write_files(tmp_path, {"summary.csv": "new\n"}, force=True)
    assert (tmp_path / "summary.csv").read_text(encoding="utf-8") == "new\n"
    assert (tmp_path / "summary.csv.bak").read_text(encoding="utf-8") == "an older copy of mine\n"
    assert (tmp_path / "summary.csv.bak.2").read_text(encoding="utf-8") == "mine\n"
    outputs.write_files(tmp_path, {"summary.csv": "newer\n"})  # now forecast's own: no --force, no copy
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [MANIFEST, "summary.csv", "summary.csv.bak", "summary.csv.bak.2"]
    )


def test_a_file_forecast_wrote_and_the_user_edited_is_refused(tmp_path):
    outputs.write_files(tmp_path, {"budget.csv": "as forecast wrote it\n"})
    (tmp_path / "budget.csv").write_text("approved, with the user's changes\n", encoding="utf-8")
    with pytest.raises(InputError, match="changed since it did"):
        outputs.write_files(tmp_path, {"budget.csv": "again\n"})
    assert (tmp_path / "budget.csv").read_text(encoding="utf-8") == "approved, with the user's changes\n"


def test_a_file_already_holding_what_is_written_is_replaced_without_force(tmp_path):
    (tmp_path / "a.csv").write_text("same\n", encoding="utf-8")
    outputs.write_files(tmp_path, {"a.csv": "same\n"})
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([MANIFEST, "a.csv"])


def test_a_killed_runs_temporary_files_are_removed_by_the_next_write(tmp_path):
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True
    )
    stale = tmp_path / f".summary.{dead.stdout.strip()}-0123456789ab.x1y2.csv"
    stale.write_text("half", encoding="utf-8")
    recent = tmp_path / f".accounts.{dead.stdout.strip()}-0123456789ab.x1y2.csv"
    recent.write_text("half", encoding="utf-8")
    os.utime(stale, (time.time() - 3600, time.time() - 3600))
    alive = tmp_path / f".indicators.{os.getpid()}-0123456789ab.x1y2.csv"
    alive.write_text("being written", encoding="utf-8")
    os.utime(alive, (time.time() - 3600, time.time() - 3600))
    outputs.write_files(tmp_path, {"summary.csv": "whole\n"})
    assert not stale.exists()
    assert recent.exists() and alive.exists()  # too recent to judge, or its process still runs


def test_out_creates_the_folder_and_writes_into_dot(tmp_path, monkeypatch):
    outputs.write_files(tmp_path / "a" / "b", {"x.csv": "1\n"})
    assert (tmp_path / "a" / "b" / "x.csv").read_text() == "1\n"
    monkeypatch.chdir(tmp_path)
    outputs.write_files(".", {"y.csv": "2\n"})
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([MANIFEST, "a", "y.csv"])  # no ..old or temporary files


def test_out_naming_a_file_is_refused_and_the_file_kept(tmp_path, capsys):
    target = tmp_path / "budget_draft.xlsx"
    target.write_bytes(b"precious")
    assert main(["run", "baseline", "--out", str(target)]) == 2
    err = capsys.readouterr().err
    assert "--out" in err and "is an existing file, not a folder" in err and "Traceback" not in err
    assert target.read_bytes() == b"precious"
    with pytest.raises(InputError):
        outputs.write_files(target, {"x.csv": "1\n"})
    assert target.read_bytes() == b"precious"


def test_out_under_a_file_is_refused_before_the_run(tmp_path, capsys):
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    assert main(["run", "baseline", "--out", str(blocker / "out")]) == 2
    err = capsys.readouterr().err
    assert "--out" in err and "cannot write the results" in err and "it is a file, not a folder" in err
    assert blocker.read_text() == "x"


def test_a_failed_write_replaces_nothing_and_leaves_no_temporary_file(tmp_path):
    out = tmp_path / "result"
    outputs.write_files(out, {"a.csv": "old\n"})

    def broken(path):
        path.write_text("half", encoding="utf-8")
        raise OSError(28, "No space left on device")

    with pytest.raises(InputError, match="No space left on device"):
        outputs.write_files(out, {"a.csv": "new\n", "b.nc": broken})
    files = snapshot(out)
    assert files.pop(MANIFEST)
    assert files == {"a.csv": b"old\n"}


class Interrupting:
    """Stands in for the ``os`` module inside forecast.results.writers: the ``fail_at``-th file operation
    raises KeyboardInterrupt, as Ctrl-C would at that point."""

    OPERATIONS = ("write", "fsync", "close", "chmod", "replace", "open")

    def __init__(self, fail_at: int):
        self.fail_at, self.calls = fail_at, 0

    def __getattr__(self, name):
        real = getattr(os, name)
        if name not in self.OPERATIONS:
            return real

        def operation(*args, **kwargs):
            self.calls += 1
            if self.calls == self.fail_at:
                raise KeyboardInterrupt
            if name == "write":  # short writes, so an interrupt can fall inside a file
                fd, data = args
                return real(fd, data[:4096])
            return real(*args, **kwargs)

        return operation


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(fail_at=st.integers(min_value=1, max_value=40), writer=st.sampled_from(["text", "callable"]))
def test_an_interrupted_write_leaves_each_file_old_or_new(tmp_path_factory, fail_at, writer):
    out = tmp_path_factory.mktemp("out")
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    outputs.write_files(out, OLD)
    new = dict(NEW)
    if writer == "callable":
        data = new.pop("results.nc")
        new["results.nc"] = lambda path: path.write_bytes(data)
    fake = Interrupting(fail_at)
    try:
        outputs.os = fake
        outputs.write_files(out, new)
    except KeyboardInterrupt:
        pass
    finally:
        outputs.os = os
    files = snapshot(out)
    assert sorted(files) == sorted([MANIFEST, "notes.txt", "results.nc", "summary.csv"]), sorted(
        files
    )  # no temporary file left
    assert files["notes.txt"] == b"mine"
    for name in ("summary.csv", "results.nc"):
        expected_new = NEW[name].encode() if isinstance(NEW[name], str) else NEW[name]
        expected_old = OLD[name].encode() if isinstance(OLD[name], str) else OLD[name]
        assert files[name] in (expected_old, expected_new), (name, fail_at)


WRITER = textwrap.dedent(
    """
    import sys
    from forecast.results.writers import write_files
    big = sys.argv[2] * 2_000_000
    print("ready", flush=True)
    while True:
        write_files(sys.argv[1], {"a.csv": big, "b.csv": big[::-1]})
    """
)


@pytest.mark.slow
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(delay=st.floats(min_value=0.0, max_value=0.3))
def test_ctrl_c_in_a_real_process_leaves_whole_files_and_no_temporary_file(tmp_path_factory, delay):
    out = tmp_path_factory.mktemp("out")
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(out), "x"], stdout=subprocess.PIPE, text=True, preexec_fn=as_from_a_shell
    )
    assert proc.stdout.readline().strip() == "ready"
    time.sleep(delay)
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=30)
    names = sorted(p.name for p in out.iterdir())
    assert set(names) <= {"a.csv", "b.csv", MANIFEST}, names
    for name in set(names) - {MANIFEST}:
        assert (out / name).read_text() == "x" * 2_000_000


@pytest.mark.slow
def test_concurrent_runs_into_one_folder_leave_whole_files(tmp_path):
    script = textwrap.dedent(
        """
        import sys
        from forecast.results.writers import write_files
        for _ in range(40):
            write_files(sys.argv[1], {"a.csv": sys.argv[2] * 200_000, "b.csv": sys.argv[2] * 100_000})
        """
    )
    procs = [subprocess.Popen([sys.executable, "-c", script, str(tmp_path), letter]) for letter in "xy"]
    assert all(p.wait(timeout=120) == 0 for p in procs)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([MANIFEST, "a.csv", "b.csv"])
    assert (tmp_path / "a.csv").read_text() in ("x" * 200_000, "y" * 200_000)
    assert (tmp_path / "b.csv").read_text() in ("x" * 100_000, "y" * 100_000)


@pytest.mark.slow
def test_written_results_hold_no_nan_or_inf(tmp_path, capsys):
    """Every number in every file a command writes is finite; a year that does not occur within
    the horizon is the NetCDF missing value (-1), not NaN."""
    import numpy as np
    import xarray as xr

    assert main(["compare", "baseline", "ltci_extension", "--out", str(tmp_path / "compare")]) == 0
    assert main(["budget", "--year", "2025", "--out", str(tmp_path / "budget")]) == 0
    capsys.readouterr()
    for path in tmp_path.rglob("*.csv"):
        cells = path.read_text(encoding="utf-8").replace(",", "\n").split("\n")
        assert not [c for c in cells if c.strip().lower() in ("nan", "inf", "-inf", "<na>")], path
    for path in tmp_path.rglob("*.nc"):
        with xr.open_dataset(path, mask_and_scale=False) as ds:
            for name, var in ds.data_vars.items():
                if var.dtype.kind == "f":
                    assert np.isfinite(var.values).all(), (path.name, name)
