"""What a command imports (issue 25): ``forecast --version`` and a deterministic run load nothing from
statsmodels, scipy or dask, and the numpy stand-ins that make this so (the normal distribution
function, the monotone spline that graduates age groups, Brent's bounded search) give scipy's
answers."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecast.model.benefits.normal import ndtr
from forecast.model.fitting.level import bounded_minimum
from forecast.model.population.graduation import pchip

from .conftest import ROOT

HEAVY = ("statsmodels", "scipy", "dask")


def _loaded(code: str) -> list[str]:
    """The heavy modules a fresh interpreter has loaded after ``code``."""
    probe = (
        f"{code}\nimport json, sys\nprint(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r})))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_version_imports_no_heavy_module():
    assert (
        _loaded(
            "import sys\nfrom forecast.cli.main import main\n"
            "try:\n    main(['--version'])\nexcept SystemExit:\n    pass"
        )
        == []
    )


@pytest.mark.slow
def test_a_deterministic_run_imports_no_statsmodels_scipy_or_dask():
    assert (
        _loaded(
            "import forecast\nds = forecast.run('baseline')\n"
            "assert ds['reserve'].sizes['pool'] == 5 and 'draw' not in ds.dims"
        )
        == []
    )


def test_dask_still_works_after_its_import_is_deferred():
    """The deferral only answers "not dask" while dask is absent: dask arrays made later are dask arrays."""
    code = "import forecast.inputs, numpy as np, xarray as xr, sys\nxr.DataArray(np.ones(2))\n"
    code += "assert 'dask' not in sys.modules\n"
    code += "import dask.array as da\nx = xr.DataArray(da.ones(4, chunks=2), dims='x') * 2\n"
    code += "assert x.chunks == ((2, 2),) and float(x.sum().compute()) == 8.0\n"
    code += "assert xr.DataArray(np.ones(4), dims='x').chunk(2).chunks == ((2, 2),)"
    assert "dask" in _loaded(code)


def test_ndtr_is_scipys():
    from scipy.special import ndtr as scipy_ndtr

    x = np.concatenate([np.linspace(-40, 40, 4001), [np.inf, -np.inf, 0.0]])  # few: the numpy path
    np.testing.assert_allclose(ndtr(x), scipy_ndtr(x), rtol=1e-12, atol=1e-300)
    assert np.isnan(ndtr(np.nan)) and ndtr(np.zeros((2, 3))).shape == (2, 3)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 6), min_size=1, max_size=15), st.integers(0, 2**32 - 1), st.booleans())
def test_pchip_is_scipys(widths, seed, monotone):
    from scipy.interpolate import PchipInterpolator

    knots = np.concatenate([[0.0], np.cumsum(widths)]).astype(float)
    y = np.random.default_rng(seed).normal(size=(2, len(knots)))
    y = np.cumsum(np.abs(y), axis=-1) if monotone else y
    at = np.linspace(knots[0], knots[-1], 41)
    np.testing.assert_allclose(pchip(knots, y, at), PchipInterpolator(knots, y, axis=-1)(at), rtol=1e-12, atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(st.floats(0.5, 20), st.floats(-3, 3), st.floats(1e-8, 1e-3))
def test_bounded_minimum_is_scipys_search(frequency, phase, xatol):
    from scipy.optimize import minimize_scalar

    def f(x):
        return float(np.cos(frequency * x + phase) + 0.1 * x * x)

    expected = minimize_scalar(f, bounds=(0.0, 1.0), method="bounded", options={"xatol": xatol}).x
    assert bounded_minimum(f, 0.0, 1.0, xatol) == float(expected)
