"""Benefit layers applied to claim-size distributions: limited expected values, in closed form.

A claim X (the policy-scope cost of one use: an admission, or a patient's year of outpatient
care) is lognormal with mean ``m`` and coefficient of variation ``cv``. What each layer pays
is a continuous, non-decreasing, piecewise-linear function of X:

- the basic pool pays ``c·min((X − d)+, u/c)`` for deductible d, reimbursement ratio c and
  annual cap u, i.e. ``c·(min(X, d + u/c) − min(X, d))``;
- critical illness pays, above a threshold T of what the basic pool leaves the patient,
  a ratio per band up to a cap;
- medical assistance pays a share of what is still left, up to an annual limit.

Any such function g with g(0) = 0 is ``Σ_k s_k·(min(X, b_{k+1}) − min(X, b_k))`` (slopes s_k
between breakpoints b_k), so ``E[g(X)] = Σ_k s_k·(LEV(b_{k+1}) − LEV(b_k))`` where
``LEV(b) = E[min(X, b)]`` is the limited expected value, closed form for the lognormal
(Klugman, Panjer & Willmot, *Loss Models*, appendix A). Raising a cap moves a breakpoint
outwards and so can only raise the expected payment; a cap at infinity gives the uncapped
payment exactly. Composing layers composes their piecewise-linear functions exactly.

Everything is vectorised: ``m`` may be an array (one mean per age, sex, year ...).
"""

from __future__ import annotations

import bisect
import functools
import math
import operator
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .normal import FEW, ndtr

__all__ = [
    "Layer",
    "lognormal_sigma",
    "lognormal_lev",
    "expected_layer",
    "basic_layer",
    "band_layer",
    "compose_oop",
    "expected_layers",
    "padded_layers",
    "padded_expectation",
    "SharedEdges",
    "shared_edges",
    "shared_expectation",
]


def lognormal_sigma(cv):
    """σ of the lognormal with coefficient of variation ``cv``: σ² = ln(1 + cv²)."""
    return np.sqrt(np.log1p(np.square(cv)))


def lognormal_lev(limit, mean, cv):
    """E[min(X, limit)] for X lognormal with the given mean and coefficient of variation.

    With σ² = ln(1+cv²) and μ = ln(mean) − σ²/2:
    ``LEV(b) = mean·Φ((ln b − μ − σ²)/σ) + b·(1 − Φ((ln b − μ)/σ))``; LEV(0) = 0, LEV(∞) = mean.

    >>> round(float(lognormal_lev(np.inf, 1000.0, 1.2)), 6)
    1000.0
    >>> float(lognormal_lev(0.0, 1000.0, 1.2))
    0.0
    """
    mean = np.asarray(mean, dtype=float)
    sigma = lognormal_sigma(cv)
    mu = np.log(mean) - sigma**2 / 2
    limit = np.asarray(limit, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_b = np.log(np.where(limit > 0, limit, 1.0))
        z = (log_b - mu) / sigma
        body = mean * ndtr(z - sigma) + limit * (1 - ndtr(z))
    body = np.where(limit <= 0, 0.0, body)
    return np.where(np.isinf(limit), mean * np.ones_like(body), body)


@dataclass(frozen=True)
class Layer:
    """A continuous non-decreasing piecewise-linear g(x) with g(0) = 0.

    ``breaks`` (increasing, starting at 0, may end at inf) and ``slopes`` (one per interval,
    the last one applies beyond the last break).
    """

    breaks: tuple[float, ...]
    slopes: tuple[float, ...]

    def __post_init__(self):
        if len(self.slopes) != len(self.breaks):
            raise ValueError("one slope per break (the last slope applies beyond the last break)")
        if self.breaks[0] != 0 or any(map(operator.lt, self.breaks[1:], self.breaks)):  # a break below the one before
            raise ValueError("breaks must start at 0 and increase")

    def __call__(self, x):
        """g(x), for checks and plots."""
        x = np.asarray(x, dtype=float)
        out = np.zeros_like(x)
        edges = (*self.breaks, np.inf)
        for s, lo, hi in zip(self.slopes, edges, edges[1:]):
            if s:
                out = out + s * (np.minimum(x, hi) - np.minimum(x, lo))
        return out

    def inverse(self, y: float) -> float:
        """The smallest x with g(x) = y (inf when g never reaches y)."""
        value = 0.0
        edges = (*self.breaks, math.inf)
        for s, lo, hi in zip(self.slopes, edges, edges[1:]):
            rise = s * (hi - lo) if math.isfinite(hi) else (math.inf if s > 0 else 0.0)
            if s > 0 and value + rise >= y:
                return lo + (y - value) / s
            value += 0.0 if not math.isfinite(rise) else rise
        return math.inf

    def then(self, outer: Layer) -> Layer:
        """outer(self(x)) as a Layer in x (both non-decreasing, so the composition is too)."""
        points = set(self.breaks)
        for b in outer.breaks[1:]:
            x = self.inverse(b)
            if math.isfinite(x):
                points.add(x)
        breaks = tuple(sorted(points))
        slopes, inner_slope, inner_value, outer_slope = [], self._slope_at, self._value_at, outer._slope_at
        for lo, hi in zip(breaks, (*breaks[1:], math.inf)):
            probe = lo + (1.0 if not math.isfinite(hi) else (hi - lo) / 2)
            slopes.append(inner_slope(probe) * outer_slope(inner_value(probe)))
        return Layer(breaks, tuple(slopes))

    def minus(self, other: Layer) -> Layer:
        """self(x) − other(x) as a Layer (the caller ensures it stays non-decreasing)."""
        breaks = tuple(sorted(set(self.breaks) | set(other.breaks)))
        slopes = []
        for lo, hi in zip(breaks, (*breaks[1:], math.inf)):
            probe = lo + (1.0 if not math.isfinite(hi) else (hi - lo) / 2)
            slopes.append(self._slope_at(probe) - other._slope_at(probe))
        return Layer(breaks, tuple(slopes))

    def _slope_at(self, x: float) -> float:
        return self.slopes[max(bisect.bisect_right(self.breaks, x) - 1, 0)]

    def _value_at(self, x: float) -> float:
        """g(x) for one number (plain arithmetic: composition calls it often), from g at the break
        below x: the same sum, term by term, as adding the intervals up to x."""
        if x <= 0.0:
            return 0.0
        i = bisect.bisect_left(self.breaks, x) - 1  # the break below x (x on a break: the one before it)
        return self._at_breaks[i] + self.slopes[i] * (x - self.breaks[i])

    @functools.cached_property
    def _at_breaks(self) -> tuple[float, ...]:
        """g at each break, summed interval by interval."""
        values, value = [0.0], 0.0
        for s, lo, hi in zip(self.slopes, self.breaks, self.breaks[1:]):
            value += s * (hi - lo)
            values.append(value)
        return tuple(values)


IDENTITY = Layer((0.0,), (1.0,))


def basic_layer(deductible: float, ratio: float, cap: float = np.inf) -> Layer:
    """What the basic pool pays on a claim x: ratio·(x − deductible)+, at most ``cap``."""
    if ratio <= 0:
        return Layer((0.0,), (0.0,))
    top = deductible + cap / ratio
    if deductible > 0:
        return (
            Layer((0.0, deductible, top), (0.0, ratio, 0.0))
            if np.isfinite(top)
            else Layer((0.0, deductible), (0.0, ratio))
        )
    return Layer((0.0, top), (ratio, 0.0)) if np.isfinite(top) else Layer((0.0,), (ratio,))


def band_layer(threshold: float, bands: list[tuple[float, float]], cap: float = np.inf) -> Layer:
    """Pays on an amount y: from ``threshold`` up, ratio r_k on band k (width w_k, last inf), at most ``cap``.

    ``bands`` is ``[(width, ratio), ..., (inf, ratio)]``.
    """
    breaks, slopes = [0.0], [0.0]
    start, paid = threshold, 0.0
    if threshold == 0:
        breaks, slopes = [], []
    for width, ratio in bands:
        room = cap - paid
        if room <= 0:
            break
        span = min(width, room / ratio) if ratio > 0 else width
        breaks.append(start)
        slopes.append(ratio)
        paid += ratio * span if np.isfinite(span) else 0.0
        start += span
        if not np.isfinite(start):
            break
    if np.isfinite(start):
        breaks.append(start)
        slopes.append(0.0)
    return Layer(tuple(breaks), tuple(slopes))


def compose_oop(basic: Layer) -> Layer:
    """The patient's policy-scope out-of-pocket cost x − basic(x), as a Layer in x."""
    return IDENTITY.minus(basic)


def expected_layer(layer: Layer, mean, cv):
    """E[layer(X)] for lognormal X with the given mean(s) and coefficient of variation."""
    mean = np.asarray(mean, dtype=float)
    total = np.zeros_like(mean)
    edges = (*layer.breaks, np.inf)
    for s, lo, hi in zip(layer.slopes, edges, edges[1:]):
        if s:
            total = total + s * (lognormal_lev(hi, mean, cv) - lognormal_lev(lo, mean, cv))
    return total


def expected_layers(layers: list[Layer], means, cv) -> np.ndarray:
    """E[layer_y(X_y)] for a list of layers (one per year) at once: ``means`` has the years on its
    first axis (any further axes, e.g. draws, broadcast). The layers are padded to a common
    number of segments (:func:`padded_layers`), so one vectorised evaluation of the limited
    expected value at every breakpoint serves them all (:func:`padded_expectation`)."""
    return padded_expectation(*padded_layers(layers), means, cv)


def padded_layers(layers: list[Layer]) -> tuple[np.ndarray, np.ndarray]:
    """The layers of every year padded to a common number of segments: edges (year, width + 1; inf
    beyond a layer's own breaks) and slopes (year, width; 0 beyond a layer's own)."""
    width = max(len(layer.slopes) for layer in layers)
    edges = np.full((len(layers), width + 1), np.inf)
    slopes = np.zeros((len(layers), width))
    for y, layer in enumerate(layers):
        edges[y, : len(layer.breaks)] = layer.breaks
        slopes[y, : len(layer.slopes)] = layer.slopes
    return edges, slopes


def padded_expectation(edges: np.ndarray, slopes: np.ndarray, means, cv) -> np.ndarray:
    """E[layer_y(X_y)] from :func:`padded_layers`' arrays; ``means`` has the years on its first axis."""
    means = np.asarray(means, dtype=float)
    extra = (1,) * (means.ndim - 1)
    lev = lognormal_lev(edges.reshape(edges.shape + extra), means[:, None], cv)  # (year, edge, ...)
    return np.sum(slopes.reshape(slopes.shape + extra) * np.diff(lev, axis=1), axis=1)


@dataclass(frozen=True)
class SharedEdges:
    """Several payers' layers on one claim type, every year, over one table of limited expected
    values (:func:`shared_edges`): ``limits`` (n) the distinct finite positive breakpoints, of the
    years ``year_of`` (n, index); ``index`` (payer, year, width + 1) the row of the table each
    padded breakpoint reads (the n values, then each year's mean for a breakpoint at infinity, then
    0 for a breakpoint at 0); ``slopes`` (payer, year, width)."""

    limits: np.ndarray
    year_of: np.ndarray
    index: np.ndarray
    slopes: np.ndarray


def shared_edges(payers: Sequence[Sequence[Layer]]) -> SharedEdges:
    """The table of :class:`SharedEdges` for ``payers`` (each a list of layers, one per year). The
    basic pool, critical illness and the assistance groups break at many of the same amounts
    (their layers compose the pool's), so a year's distinct breakpoints are a fraction of theirs.
    Remembered (the layers are a run's plan: every chunk of draws asks for the same), read-only."""
    return _shared_edges(tuple(tuple(layers) for layers in payers))


@functools.lru_cache(maxsize=256)
def _shared_edges(payers: tuple[tuple[Layer, ...], ...]) -> SharedEdges:
    padded = [padded_layers(list(layers)) for layers in payers]
    width = max(slopes.shape[1] for _, slopes in padded)
    edges = np.stack([np.pad(e, ((0, 0), (0, width + 1 - e.shape[1])), constant_values=np.inf) for e, _ in padded])
    slopes = np.stack([np.pad(s, ((0, 0), (0, width - s.shape[1]))) for _, s in padded])
    years = edges.shape[1]
    year = np.broadcast_to(np.arange(years)[None, :, None], edges.shape)
    inner = np.isfinite(edges) & (edges > 0)
    values, rank = np.unique(edges[inner], return_inverse=True)
    keys, row = np.unique(year[inner] * len(values) + rank, return_inverse=True)
    index = np.where(np.isinf(edges), len(keys) + year, len(keys) + years)
    index[inner] = row
    out = SharedEdges(values[keys % max(len(values), 1)], keys // max(len(values), 1), index, slopes)
    for array in (out.limits, out.year_of, out.index, out.slopes):
        array.setflags(write=False)
    return out


def shared_expectation(shared: SharedEdges, means, cv) -> np.ndarray:
    """E[layer(X)] of each payer every year (payer, year, ...): :func:`padded_expectation`'s
    arithmetic on the same values, the limited expected value evaluated once per distinct
    breakpoint of a year (not at 0 or infinity, where it is 0 and the mean). ``means`` has the
    years on its first axis."""
    means = np.asarray(means, dtype=float)
    extra = (1,) * (means.ndim - 1)
    table = _lev_table(shared, means, cv)
    slopes = shared.slopes.reshape(shared.slopes.shape + extra)
    # segment by segment, in the order numpy's sum over that axis adds them (to the bit), never making the
    # (payer, year, breakpoint, draw) array whole: 43 MB for the resident outpatient claim at 6,000 draws
    total = slopes[:, :, 0] * (table[shared.index[:, :, 1]] - table[shared.index[:, :, 0]])
    for k in range(1, slopes.shape[2]):
        total = total + slopes[:, :, k] * (table[shared.index[:, :, k + 1]] - table[shared.index[:, :, k]])
    return total


#: numbers in a block of the limited-expected-value table (1 MiB): its temporaries stay in cache and on the
#: allocator's heap, not ten fresh arrays of the whole (185 breakpoints x 6,000 draws, 9 MB, for one claim)
LEV_BLOCK = 2**17


def _lev_table(shared: SharedEdges, means: np.ndarray, cv) -> np.ndarray:
    """The rows :func:`shared_expectation` reads: the limited expected value at each distinct breakpoint,
    each year's mean (a breakpoint at infinity), then 0 (at 0). Made in blocks of rows of about LEV_BLOCK
    numbers, each on the whole table's side of :data:`FEW` (a short last block joins the one before): to
    the bit what one evaluation of the whole gives."""
    n, per_row = len(shared.limits), int(np.prod(means.shape[1:], dtype=int))
    limits = shared.limits.reshape((-1, *(1,) * (means.ndim - 1)))
    table = np.empty((n + len(means) + 1, *means.shape[1:]))
    rows = max(1, LEV_BLOCK // per_row, -(-(FEW + 1) // per_row))
    starts = list(range(0, n, rows))
    if len(starts) > 1 and (n - starts[-1]) * per_row <= FEW:
        starts.pop()
    for start, stop in zip(starts, [*starts[1:], n]):
        table[start:stop] = lognormal_lev(limits[start:stop], means[shared.year_of[start:stop]], cv)
    table[n : n + len(means)] = means
    table[-1] = 0.0
    return table
