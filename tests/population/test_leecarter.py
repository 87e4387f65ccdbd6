"""Lee–Carter: exact recovery without noise; drift within its standard error with noise."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from forecast.model.population import LeeCarter


def synthetic(a, b, k, noise=0.0, seed=0):
    rng = np.random.default_rng(seed)
    log_m = a + np.outer(k, b) + noise * rng.standard_normal((len(k), len(a)))
    return xr.DataArray(
        np.exp(log_m), dims=("year", "age"), coords={"year": np.arange(1990, 1990 + len(k)), "age": np.arange(len(a))}
    )


def known_parameters(years=30, ages=20, seed=1):
    rng = np.random.default_rng(seed)
    a = np.linspace(-8, -1, ages)
    b = rng.uniform(0.5, 1.5, ages)
    b /= b.sum()
    k = np.cumsum(rng.normal(-1.5, 0.7, years))
    k -= k.mean()
    return a, b, k


def test_recovers_known_parameters_without_noise():
    a, b, k = known_parameters()
    model = LeeCarter().fit(synthetic(a, b, k))
    assert np.max(np.abs(model.ax_ - a)) < 1e-8
    assert np.max(np.abs(model.bx_ - b)) < 1e-8
    assert np.max(np.abs(model.kt_ - k)) < 1e-8
    assert model.bx_.sum() == pytest.approx(1.0, abs=1e-12)
    assert model.kt_.sum() == pytest.approx(0.0, abs=1e-9)


def test_recovers_the_drift_with_noise():
    """One noisy series: the estimate lies within two standard errors of the true drift (a single
    draw lies within one s.e. only 68% of the time; the next test checks exactly that rate)."""
    a, b, _ = known_parameters()
    rng = np.random.default_rng(2026)
    k = np.cumsum(rng.normal(-1.5, 0.7, 40))
    model = LeeCarter().fit(synthetic(a, b, k - k.mean(), noise=0.01, seed=3))
    assert abs(model.drift_ - (-1.5)) < 2 * model.drift_se_


def test_standard_error_is_calibrated():
    """The drift is recovered within its standard error at the nominal rate: over 300 simulated
    series the true drift lies within one s.e. of the estimate in 60-76% of them (68% expected)."""
    a, b, _ = known_parameters(ages=8)
    hits = 0
    for seed in range(300):
        rng = np.random.default_rng(seed)
        k = np.cumsum(rng.normal(-1.0, 0.5, 25))
        model = LeeCarter().fit(synthetic(a, b, k - k.mean(), noise=0.002, seed=seed + 1000))
        hits += abs(model.drift_ + 1.0) < model.drift_se_
    assert 0.60 < hits / 300 < 0.76


def test_unequal_steps_give_annual_parameters():
    """Five-year periods: the drift is per year, not per period."""
    a, b, _ = known_parameters(years=7)
    k = -2.0 * 5 * np.arange(7.0)
    times = 1952.5 + 5 * np.arange(7)
    model = LeeCarter().fit(synthetic(a, b, k - k.mean()), time=times)
    assert model.drift_ == pytest.approx(-2.0, abs=1e-9)


def test_simulation_is_reproducible_and_centred():
    a, b, k = known_parameters()
    model = LeeCarter().fit(synthetic(a, b, k, noise=0.01))
    years = np.arange(2020, 2061)
    first = model.k_path(years, draws=4000, rng=np.random.default_rng(11))
    again = model.k_path(years, draws=4000, rng=np.random.default_rng(11))
    assert np.array_equal(first, again)
    assert first.mean(axis=0)[-1] == pytest.approx(
        model.k_path(years)[-1], abs=4 * first.std(axis=0)[-1] / np.sqrt(4000)
    )
