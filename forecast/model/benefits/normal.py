"""The standard normal distribution function Φ, which the lognormal's limited expected values
(:mod:`.layers`) evaluate: computed here for the few values of a deterministic run, so that it does not
import scipy.special, and by scipy for the many of a run with draws."""

from __future__ import annotations

import math

import numpy as np

__all__ = ["ndtr", "vectorised_ndtr", "FEW"]

_erf, _erfc = np.frompyfunc(math.erf, 1, 1), np.frompyfunc(math.erfc, 1, 1)
#: up to this many values, :func:`ndtr` computes them itself; more, with scipy's
FEW = 4096


def ndtr(x) -> np.ndarray:
    """The standard normal distribution function, as ``scipy.special.ndtr`` computes it (erf near
    zero, erfc in the tails, so neither loses precision) without importing scipy.special (0.25 s
    of a deterministic run's start) for the few values of a deterministic run; scipy's, faster,
    for the many of a run with draws (which imports scipy for its drivers anyway)."""
    if np.size(x) > FEW:
        return vectorised_ndtr()(x)
    x = np.asarray(x, dtype=float) * math.sqrt(0.5)
    z = np.abs(x)
    tail = 0.5 * np.asarray(_erfc(z), dtype=float)
    return np.where(z < math.sqrt(0.5), 0.5 + 0.5 * np.asarray(_erf(x), dtype=float), np.where(x > 0, 1.0 - tail, tail))


def vectorised_ndtr():
    """scipy.special's ``ndtr``, imported on first use (0.25-0.45 s): a run with draws calls this
    while it waits for its first population groups, so that the import is not on the fund stages' path."""
    from scipy.special import ndtr

    return ndtr
