"""The reference kernel of benchmarks/kernel.py does exactly the engine's arithmetic: on inputs made
from the engine for the same scenario, draws and seed (benchmarks/kernel_inputs.py), its population,
insured persons and every pool's income, expenditure and reserve agree with ``forecast.run`` to 1e-9,
element by element, for 1,100 draws (two population chunks: each chunk's own random stream)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

import forecast

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import kernel  # noqa: E402
import kernel_inputs  # noqa: E402

DRAWS, SEED = 1100, 3
#: relative agreement asked of every element (the two differ only in the order of floating-point
#: operations: measured about 1e-15 for flows and population, 1e-11 for reserves near zero)
RTOL = 1e-9

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    """The engine's run and the kernel's arrays for the same draws, the inputs through an .npz."""
    path = tmp_path_factory.mktemp("kernel") / "inputs.npz"
    kernel_inputs.save(kernel_inputs.kernel_inputs("baseline", DRAWS, SEED), path)
    arrays = kernel.kernel(kernel_inputs.load(path), keep_population=True)
    ds = forecast.run("baseline", draws=DRAWS, seed=SEED, keep=("population",))
    return ds, arrays


def _assert_close(actual: np.ndarray, expected: np.ndarray, what: str) -> None:
    assert actual.shape == expected.shape, what
    assert np.all(np.isfinite(actual)), what
    np.testing.assert_allclose(actual, expected, rtol=RTOL, atol=0, err_msg=what)


def test_population_of_every_draw(both):
    ds, arrays = both
    expected = ds["population"].transpose("year", "draw", "sex", "age").values
    _assert_close(arrays["population"], expected, "population (year, draw, sex, age)")
    _assert_close(arrays["population_total"], expected.sum(axis=(2, 3)), "population totals")


def test_insured_by_status(both):
    ds, arrays = both
    expected = ds["insured_by_status"].transpose("year", "status", "draw").values
    _assert_close(arrays["insured"], expected, "insured by status")


@pytest.mark.parametrize("variable", ["income", "expenditure", "reserve"])
def test_every_pool(both, variable):
    ds, arrays = both
    expected = ds[variable].transpose("year", "pool", "draw").values
    assert list(ds["pool"].values) == list(kernel.POOLS)
    for p, pool in enumerate(kernel.POOLS):
        _assert_close(arrays[variable][:, p], expected[:, p], f"{variable} of {pool}")


def test_draws_differ(both):
    """The comparison is not of one path repeated: draws differ in every pool's flows."""
    _ds, arrays = both
    for variable in ("income", "expenditure"):
        spread = arrays[variable].std(axis=-1) / np.abs(arrays[variable]).mean(axis=-1)
        assert np.all(spread[1:, [0, 1, 4]] > 1e-4), variable
    assert np.all(arrays["population_total"].std(axis=-1)[1:] > 0)
