"""forecast — projections of China's medical-insurance funds (医保基金收支预测).

Public API (pinned by tests/test_public_api.py):

- :func:`load_region` — read and validate a region data bundle.
- :class:`Region` — the validated bundle.
- :class:`InputError`, :class:`Problem` — bad input, with file, line, field and fix.
- :func:`default_region_path` — the embedded default bundle (data/china).
- :func:`load_scenario`, :class:`Scenario` — scenario files (extends, overlays a.yaml+b.yaml).
- :mod:`forecast.population` — the population stage (``project_region``, ``LeeCarter``, ...).
- :func:`run` — project every pool of a scenario (an :class:`xarray.Dataset`).
- :func:`compare` — differences and impact indicators between two runs.
"""

from __future__ import annotations

import os
from pathlib import Path

from .comparison import compare
from .errors import InputError, Problem
from .projection import run
from .region import Region, load_region
from .scenario import Scenario, load_scenario
from .vocabulary import POOLS, SEXES

__version__ = "0.1.0"

__all__ = [
    "InputError",
    "POOLS",
    "Problem",
    "Region",
    "SEXES",
    "Scenario",
    "__version__",
    "compare",
    "default_region_path",
    "load_region",
    "load_scenario",
    "run",
]


def default_region_path() -> Path:
    """The embedded default bundle: ``$FORECAST_REGION`` if set, else the project's data/china."""
    env = os.environ.get("FORECAST_REGION")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent / "data" / "china"
