"""The ``forecast`` program's exit (forecast.cli.main.console): without the interpreter's teardown, yet
every output whole, stdout flushed into a file or a pipe, the atexit handlers run, the exit code kept,
and a live thread waited for."""

from __future__ import annotations

import subprocess
import sys

import xarray as xr

from forecast.cli.main import YOUNG_GC_THRESHOLD


def _python(code: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120)


def test_a_run_through_the_program_writes_whole_outputs_and_a_flushed_stdout(tmp_path):
    printed = tmp_path / "printed.txt"
    with printed.open("w") as stdout:  # a file: block-buffered, so only a flush puts the table in it
        proc = subprocess.run(
            [sys.executable, "-m", "forecast", "run", "baseline", "-q", "--out", str(tmp_path / "out")],
            stdout=stdout,
            stderr=subprocess.PIPE,
            text=True,
            timeout=300,
        )
    assert proc.returncode == 0, proc.stderr
    table = printed.read_text(encoding="utf-8")
    assert table.endswith("\n")
    assert {"employee", "resident", "ltci"} <= {line.split()[0] for line in table.splitlines()[1:] if line.strip()}
    with xr.open_dataset(tmp_path / "out" / "results.nc") as ds:
        assert ds["reserve"].notnull().all()
        assert int(ds["year"][-1]) == 2060


def test_bad_input_keeps_its_exit_code_through_the_program(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "forecast", "run", str(tmp_path / "missing.yaml")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert "missing.yaml" in proc.stderr


def test_the_exit_runs_the_atexit_handlers_and_keeps_the_code(tmp_path):
    mark = tmp_path / "handled"
    code = (
        "import atexit, sys\n"
        "from pathlib import Path\n"
        "from forecast.cli.main import _exit\n"
        "atexit.register(lambda: Path(sys.argv[1]).write_text('yes'))\n"
        "print('said', end='')\n"
        "_exit(3)\n"
    )
    proc = _python(code, str(mark))
    assert proc.returncode == 3
    assert proc.stdout == "said"
    assert mark.read_text() == "yes"


def test_the_exit_waits_for_a_live_thread(tmp_path):
    mark = tmp_path / "finished"
    code = (
        "import sys, threading, time\n"
        "from pathlib import Path\n"
        "from forecast.cli.main import _exit\n"
        "def late():\n"
        "    time.sleep(0.3)\n"
        "    Path(sys.argv[1]).write_text('done')\n"
        "threading.Thread(target=late).start()\n"
        "_exit(0)\n"
    )
    proc = _python(code, str(mark))
    assert proc.returncode == 0, proc.stderr
    assert mark.read_text() == "done"


def test_the_program_raises_the_young_collection_threshold():
    code = (
        "import gc, importlib\n"
        "cli = importlib.import_module('forecast.cli.main')\n"
        "cli.main = lambda: print(gc.get_threshold()[0]) or 0\n"
        "cli.console()\n"
    )
    proc = _python(code)
    assert proc.returncode == 0, proc.stderr
    assert int(proc.stdout) == YOUNG_GC_THRESHOLD
