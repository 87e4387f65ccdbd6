"""forecast — projections of China's medical-insurance funds (医保基金收支预测).

Public API (pinned by tests/test_public_api.py):

- :func:`load_region` — read and validate a region data bundle.
- :class:`Region` — the validated bundle.
- :class:`InputError`, :class:`Problem` — bad input, with file, line, field and fix.
- :func:`default_region_path` — the embedded default bundle (data/china, shipped as package data).
- :func:`load_scenario`, :class:`Scenario` — scenario files (extends, overlays a.yaml+b.yaml).
- :mod:`forecast.model.population` — the population stage (``project_region``, ``LeeCarter``, ...).
- :func:`run` — project every pool of a scenario (an :class:`xarray.Dataset`).
- :func:`compare` — differences and impact indicators between two runs.

The names are imported on first use (PEP 562), so ``import forecast`` and the ``forecast``
command start without loading numpy, pandas or xarray until they are needed.
"""

from __future__ import annotations

import importlib

from ._version import __version__ as __version__

#: public name -> the module that defines it
_EXPORTS = {
    "InputError": "errors",
    "Problem": "errors",
    "POOLS": "vocabulary",
    "SEXES": "vocabulary",
    "Region": "inputs.region",
    "load_region": "inputs.region",
    "Scenario": "scenario.load",
    "load_scenario": "scenario.load",
    "run": "engine",
    "compare": "apps.compare",
    "default_region_path": "library",
}

__all__ = sorted([*_EXPORTS, "__version__"])


def __getattr__(name: str):
    if name in _EXPORTS:
        value = getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'forecast' has no attribute {name!r}")


def __dir__():
    return sorted({*globals(), *_EXPORTS})
