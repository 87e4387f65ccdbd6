"""One real server for the serve tests (``forecast serve`` in a subprocess on a free port, with its own
cache folder), started once for the session and stopped at its end; the browser tests drive Debian's
Chromium through Playwright (the browser found on the machine: Playwright's own download is not used)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

WORKERS = 2
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_command(*args: str) -> list[str]:
    return [sys.executable, "-c", "import sys; from forecast.cli import main; sys.exit(main())", "serve", *args]


class Server:
    def __init__(self, url: str, process: subprocess.Popen, cache: Path):
        self.url, self.process, self.cache = url, process, cache

    def client(self, timeout: float = 180.0) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=timeout)


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    cache = tmp_path_factory.mktemp("serve-cache")
    port = free_port()
    log = open(cache.parent / "serve.log", "w")
    process = subprocess.Popen(
        serve_command("--port", str(port), "--cache", str(cache), "--workers", str(WORKERS)),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"forecast serve ended with {process.returncode}: {(cache.parent / 'serve.log').read_text()}"
            )
        try:
            if httpx.get(f"{url}/api/status", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    else:
        process.kill()
        raise RuntimeError("forecast serve did not answer within 90 s")
    yield Server(url, process, cache)
    process.terminate()
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


def chromium() -> str | None:
    """The Chromium of the machine (Debian's chromium or chromium-headless-shell), or FORECAST_CHROMIUM."""
    candidates = (
        os.environ.get("FORECAST_CHROMIUM"),
        shutil.which("chromium"),
        shutil.which("chromium-headless-shell"),
        "/usr/bin/chromium",
        "/usr/bin/chromium-headless-shell",
    )
    return next((c for c in candidates if c and Path(c).exists()), None)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Playwright launches the machine's Chromium (.ci/run installs it from the distribution's packages)."""
    path = chromium()
    if path is None:
        from ..conftest import missing

        missing("Chromium", "apt-get install chromium-headless-shell (or chromium)", "browser")
    return {**browser_type_launch_args, "executable_path": path, "args": CHROMIUM_FLAGS, "headless": True}
