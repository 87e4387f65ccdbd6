"""Shared fixtures and paths."""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHINA = ROOT / "data" / "china"
#: the official tables the tests compare with: copies of ../shared's files, shipped in tests/shared
#: (its README.md cites each); data/build reads them too when a test rebuilds a bundle
SHARED = Path(__file__).resolve().parent / "shared"
REFERENCE = SHARED / "reference-data"
RESEARCH = SHARED / "research-data"
os.environ["FORECAST_SHARED"] = str(SHARED)
#: the cache of what runs derive from a bundle (forecast.inputs.cache) goes to a folder of this test
#: process's own, never the user's home, removed at exit (subprocesses of the tests inherit it)
CACHE = Path(tempfile.mkdtemp(prefix="forecast-test-cache-"))
os.environ["FORECAST_CACHE_DIR"] = str(CACHE)
atexit.register(shutil.rmtree, CACHE, True)


def as_from_a_shell() -> None:
    """``preexec_fn`` of a process a test sends Ctrl-C or SIGTERM: it starts as a shell starts it, with
    those signals unblocked and not ignored, whatever the test process's own state (a blocked mask and
    an ignored signal are inherited across exec; once, on a loaded machine, a test worker's children
    ignored Ctrl-C for minutes)."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
    for number in (signal.SIGINT, signal.SIGTERM):
        if signal.getsignal(number) == signal.SIG_IGN:
            signal.signal(number, signal.SIG_DFL)


@pytest.fixture(scope="session")
def china():
    import forecast

    return forecast.load_region(CHINA)


@pytest.fixture
def bundle(tmp_path) -> Path:
    """A writable copy of data/china to break in tests."""
    target = tmp_path / "bundle"
    shutil.copytree(CHINA, target)
    return target


def assert_build_reproduces(script: str, folder: Path, tmp_path: Path) -> None:
    """Run data/build/<script> into tmp_path; the committed bundle must be identical, byte for byte."""
    import filecmp
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"build_{script}", ROOT / "data" / "build" / f"{script}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.build(tmp_path)
    names = sorted(p.name for p in folder.iterdir() if p.suffix in (".csv", ".yaml"))
    _, mismatch, errors = filecmp.cmpfiles(folder, tmp_path, names, shallow=False)
    assert mismatch == [] and errors == [], (mismatch, errors)


def missing(what: str, install: str, marker: str):
    """Fail a test whose program or font the machine lacks, saying how to install it (.ci/run installs
    them all) or how to leave the test out knowingly: a test is never skipped for want of it."""
    pytest.fail(
        f"{what} is not installed: {install} (.ci/run installs it). To run the other tests without it: pytest -m 'not "
        f"{marker}' (make test-fast leaves it out)",
        pytrace=False,
    )


def without_fits(params: dict, growth: float = 0.03) -> dict:
    """Scenario parameters with every 'fitted' value replaced by a number (for stage-level tests
    that call the fund stages directly): coverage indices 1.0, growth rates ``growth``."""
    from forecast.scenario.dated import DatedValue

    out = {}
    for key, value in params.items():
        if isinstance(value, DatedValue) and value.needs_fit:
            value = DatedValue.constant(1.0) if key.endswith("coverage") else value.fill(growth)
        out[key] = value
    return out
