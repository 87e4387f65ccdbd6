"""What ``forecast serve`` was started with, and the limits of what one request may ask.

Nothing here is taken from a browser: regions are offered by name (the shipped bundles and the
folders given on the command line), the cache is a private folder the server made or was given."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "Settings",
    "LOCAL_HOSTS",
    "is_local",
    "MAX_BODY_BYTES",
    "MAX_UPLOAD_BYTES",
    "MAX_FIELD_CHARS",
    "MAX_JOBS",
    "MAX_WEB_DRAWS",
    "WAIT_SECONDS",
]

#: a request body (a form, a JSON request) other than an upload
MAX_BODY_BYTES = 1_000_000
#: an uploaded file (year-to-date actuals, an approved budget, a scenario to import): a few KB in practice
MAX_UPLOAD_BYTES = 5_000_000
#: one field of the reform form ("2025: 40万, 2027: 45万" is 20 characters)
MAX_FIELD_CHARS = 400
#: jobs queued or running at once; a request beyond them is answered 503 with Retry-After
MAX_JOBS = 64
#: draws a page or API request may ask (a run of 1,000 draws to 2060 peaks at about 0.5 GiB)
MAX_WEB_DRAWS = 1_000
#: how long an API request waits for its job before answering 202 with the run's address
WAIT_SECONDS = 120.0
#: the host names a server bound to the loopback answers to (a page on another site cannot reach it
#: by a DNS name that points at 127.0.0.1)
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")


def is_local(host: str) -> bool:
    """True for a loopback host (``127.0.0.1``, ``localhost``, ``::1``)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Settings:
    """The server's configuration (:func:`forecast.apps.serve.app.create_app`)."""

    #: name -> bundle folder, in the order shown (shipped bundles first)
    regions: dict
    #: the region selected when a request names none
    default_region: str
    #: the private folder of runs, reforms and uploads (created 0700)
    cache: Path
    host: str = "127.0.0.1"
    port: int = 8000
    #: required on every request when the server listens beyond the loopback
    token: str | None = None
    workers: int = 2
    max_draws: int = MAX_WEB_DRAWS
    max_jobs: int = MAX_JOBS
    #: names of the bundles given on the command line (shown as 本地 local)
    local: frozenset = field(default_factory=frozenset)

    @property
    def address(self) -> str:
        host = f"[{self.host}]" if ":" in self.host and not self.host.startswith("[") else self.host
        return f"http://{host}:{self.port}/"
