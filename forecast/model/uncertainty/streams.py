"""Random streams: one per stochastic driver, each spawned from the run's seed by its own key, so
that switching a driver off, or adding one, leaves every other driver's draws unchanged.

    SeedSequence(entropy, spawn_key=(key,))     key = STREAMS[driver]

(numpy's SeedSequence, O'Neill's PCG64 streams: independent for distinct keys.) The population's
stream is split further into one stream per chunk of draws (:mod:`.population.project`); the fund
drivers draw every draw at once, so their values do not depend on the chunk size.
"""

from __future__ import annotations

import numpy as np

__all__ = ["STREAMS", "stream", "entropy_of"]

#: driver -> its spawn key (never reuse a retired key: it would repeat that driver's draws)
STREAMS = {
    "population": 1,
    "cost_trend": 2,
    "wage_growth": 3,
    "coverage": 4,
    "interest_rate": 5,
    "financing_increment": 6,
    "sensitivity": 7,
}


def entropy_of(seed: int | None) -> int:
    """The run's seed as recorded: the given one, or fresh entropy (recorded so the run repeats)."""
    return int(np.random.SeedSequence(seed).entropy)


def stream(entropy: int, driver: str) -> np.random.SeedSequence:
    """The seed sequence of ``driver``'s draws (``.spawn(n)`` for sub-streams)."""
    return np.random.SeedSequence(entropy, spawn_key=(STREAMS[driver],))
