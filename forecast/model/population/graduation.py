"""Graduation: from age groups to single years of age, preserving group totals.

Two named methods, both monotone cubic Hermite interpolation (Fritsch–Carlson, scipy's
``PchipInterpolator``) of a cumulative quantity through the group boundaries, so every group
keeps its total exactly and no single-age value is negative:

- :func:`graduate_counts` — counts (population, births): spline on cumulative counts.
- :func:`graduate_rates` — rates (mx, ASFR): spline on the cumulative rate, Σ n·rate, so each
  group's integrated hazard (or fertility) is preserved.

Ages run 0..``open_age`` where the last age is the open group ``open_age+``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["graduate_counts", "graduate_rates", "group_bounds"]


def group_bounds(starts, ends) -> tuple[np.ndarray, np.ndarray]:
    """Lower bounds and widths of closed groups; the open group (end -1 or None) gets width 0."""
    starts = np.asarray(starts, dtype=int)
    ends = np.array([-1 if e is None else e for e in ends], dtype=int)
    widths = np.where(ends < 0, 0, ends - starts + 1)
    return starts, widths


def _pchip_slopes(h: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The slopes at the knots of the monotone piecewise-cubic (Fritsch-Carlson) interpolant, as
    ``scipy.interpolate.PchipInterpolator`` sets them: a weighted harmonic mean of the two sides'
    secants inside (zero where they differ in sign or one is flat), a one-sided three-point
    estimate at the ends kept monotone. ``y``: knots on the last axis."""
    m = np.diff(y, axis=-1) / h
    if y.shape[-1] == 2:
        return np.concatenate([m, m], axis=-1)
    flat = (np.sign(m[..., 1:]) != np.sign(m[..., :-1])) | (m[..., 1:] == 0) | (m[..., :-1] == 0)
    w1, w2 = 2 * h[1:] + h[:-1], h[1:] + 2 * h[:-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        inner = np.where(flat, 0.0, 1.0 / ((w1 / m[..., :-1] + w2 / m[..., 1:]) / (w1 + w2)))
    return np.concatenate(
        [_pchip_end(h[0], h[1], m[..., :1], m[..., 1:2]), inner, _pchip_end(h[-1], h[-2], m[..., -1:], m[..., -2:-1])],
        axis=-1,
    )


def _pchip_end(h0, h1, m0, m1) -> np.ndarray:
    """The slope at an end knot: the three-point estimate, zero if it opposes the first secant,
    three times that secant if it overshoots where the secants change sign."""
    d = ((2 * h0 + h1) * m0 - h0 * m1) / (h0 + h1)
    d = np.where(np.sign(d) != np.sign(m0), 0.0, d)
    return np.where(
        (np.sign(d) == np.sign(m0)) & (np.sign(m0) != np.sign(m1)) & (np.abs(d) > 3.0 * np.abs(m0)), 3.0 * m0, d
    )


def pchip(knots: np.ndarray, y: np.ndarray, at: np.ndarray) -> np.ndarray:
    """The monotone cubic through (``knots``, ``y``) (values on the last axis) at the points ``at``
    within the knots: ``scipy.interpolate.PchipInterpolator(knots, y, axis=-1)(at)`` in numpy, so
    graduating a population does not import scipy.interpolate (half a second of a run's start)."""
    h = np.diff(knots)
    d = _pchip_slopes(h, y)
    i = np.clip(np.searchsorted(knots, at, side="right") - 1, 0, len(h) - 1)
    s, w = at - knots[i], h[i]
    secant = (y[..., i + 1] - y[..., i]) / w
    t = (d[..., i] + d[..., i + 1] - 2 * secant) / w
    c0, c1 = t / w, (secant - d[..., i]) / w - t
    return ((c0 * s + c1) * s + d[..., i]) * s + y[..., i]


def _spline_differences(starts, widths, totals, last_age):
    """Single-age values from a monotone spline through the cumulative totals at boundaries."""
    knots = np.concatenate([starts[:1], starts + widths])
    cumulative = np.concatenate([np.zeros(totals.shape[:-1] + (1,)), np.cumsum(totals, axis=-1)], axis=-1)
    ages = np.arange(starts[0], last_age + 2)  # boundaries of single ages start..last_age
    values = np.diff(pchip(knots.astype(float), cumulative, ages.astype(float)), axis=-1)
    # Re-impose each group's total exactly (the spline passes through the knots; this removes
    # floating-point residue).
    out = np.empty_like(values)
    for s, w, k in zip(starts, widths, range(totals.shape[-1])):
        sl = slice(s - starts[0], s - starts[0] + w)
        part = values[..., sl]
        total = part.sum(axis=-1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[..., sl] = np.where(total > 0, part * (totals[..., k : k + 1] / total), totals[..., k : k + 1] / w)
    return out


def graduate_counts(values, starts, ends, open_age: int = 100) -> np.ndarray:
    """Counts by age group -> counts by single age 0..open_age (last = open group).

    ``values`` has the groups on its last axis. Groups must start at 0 and end with an open
    group starting at ``open_age``.

    >>> graduate_counts([10.0, 40.0, 60.0, 5.0], [0, 1, 5, 10], [0, 4, 9, None], open_age=10).round(2)
    array([10.  ,  9.84,  9.73,  9.95, 10.49, 11.1 , 11.55, 12.  , 12.45,
           12.89,  5.  ])
    """
    values = np.asarray(values, dtype=float)
    starts, widths = group_bounds(starts, ends)
    _check(starts, widths, open_age)
    closed = widths > 0
    inner = _spline_differences(starts[closed], widths[closed], values[..., closed], open_age - 1)
    return np.concatenate([inner, values[..., ~closed]], axis=-1)


def graduate_rates(rates, starts, ends, open_age: int | None = 100) -> np.ndarray:
    """Rates by age group -> single ages, preserving Σ width·rate within each group.

    With an open top group (``open_age`` given) the result covers 0..open_age and the open
    rate is kept; without one (``open_age=None``, e.g. fertility 10-54) it covers the span.

    >>> graduate_rates([0.01, 0.002, 0.001, 0.5], [0, 1, 5, 10], [0, 4, 9, None], open_age=10)[:3].round(5)
    array([0.01   , 0.00316, 0.00209])
    """
    rates = np.asarray(rates, dtype=float)
    starts, widths = group_bounds(starts, ends)
    closed = widths > 0
    if open_age is None:
        last = int(starts[-1] + widths[-1] - 1)
        return _spline_differences(starts, widths, rates * widths, last) / 1.0
    _check(starts, widths, open_age)
    inner = _spline_differences(starts[closed], widths[closed], rates[..., closed] * widths[closed], open_age - 1)
    return np.concatenate([inner, rates[..., ~closed]], axis=-1)


def _check(starts, widths, open_age):
    if starts[0] != 0:
        raise ValueError(f"age groups must start at 0, not {starts[0]}")
    if widths[-1] != 0:
        raise ValueError("the last age group must be open (e.g. 100+)")
    if starts[-1] != open_age:
        raise ValueError(
            f"the open age group starts at {starts[-1]}, but the population stage uses single ages to {open_age}+; "
            f"split the open group (e.g. with a life table's stationary population) before projecting"
        )
