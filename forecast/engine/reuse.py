"""What a study's projections of one scenario on one region share (a solver's trials, a
sensitivity's runs): the population's groups, projected once for each set of population inputs,
and the last plan, whose benefit layers and indices the next trial takes when only its financing
differs (:func:`~forecast.engine.plan.make_plan`'s ``like``).

A solver moves a financing or benefit lever and runs the scenario again, ten times or so: none of
the levers changes the population, nor (a financing lever) the plan's benefit layers. Kept groups
are the same objects every trial reads; nothing writes to them. A group is kept only once it is
projected whole, and a projection that stops midway (an error, a refusal) leaves nothing to reuse.
"""

from __future__ import annotations

import functools
import threading

import numpy as np

__all__ = ["Reuse", "REUSE_BYTES"]

#: the population groups kept for reuse, at most (a solver's default 200 draws keep about 13 MB; a
#: study with more draws than fit projects its population again on every trial, as without sharing)
REUSE_BYTES = 256 * 2**20


class Reuse:
    """The population groups and last plan of projections on ``region`` (only projections on that
    bundle, the same object, use them); ``budget``: bytes of population kept at most."""

    def __init__(self, region, budget: int = REUSE_BYTES):
        self.region, self.budget = region, budget
        self._plan, self._kept, self._lock = None, {}, threading.Lock()

    def like(self, region):
        """The last plan made on ``region``, for the next to take its parts from (None: none, or
        another region)."""
        return self._plan if region is self.region else None

    def made(self, region, plan) -> None:
        """``plan`` was made on ``region``."""
        if region is self.region:
            self._plan = plan

    def chunks(self, region, assumptions, key: tuple, make):
        """The population's chunks for ``assumptions`` (the scenario's demography, by identity: kept
        alive with its chunks) and ``key`` (the other inputs, :func:`population_key`): those an
        earlier projection made whole, else ``make()``'s, each kept as it is made (while the kept
        ones fit the budget)."""
        if region is not self.region:
            return make()
        key = (id(assumptions), key)
        with self._lock:
            entry = self._kept.get(key)
            if entry is not None and entry.whole:
                return list(entry.chunks)
            entry = self._kept[key] = _Entry(assumptions)
        return self._keeping(entry, make())

    def _keeping(self, entry: _Entry, chunks):
        for i, chunk in enumerate(chunks):
            entry.chunks.append(None)
            yield functools.partial(self._keep, entry, i, chunk) if callable(chunk) else self._keep(entry, i, chunk)
        entry.listed = True

    def _keep(self, entry: _Entry, i: int, chunk):
        chunk = chunk() if callable(chunk) else chunk
        with self._lock:
            entry.bytes += chunk.nbytes
            if entry.bytes > self.budget:
                entry.over = True
                entry.chunks[:] = [None] * len(entry.chunks)
            else:
                entry.chunks[i] = chunk
        return chunk


class _Entry:
    """The chunks kept for one key: ``whole`` once every one is made and they fit the budget."""

    def __init__(self, assumptions):
        self.assumptions, self.chunks, self.bytes, self.listed, self.over = assumptions, [], 0, False, False

    @property
    def whole(self) -> bool:
        return self.listed and not self.over and all(chunk is not None for chunk in self.chunks)


def population_key(options: dict) -> tuple:
    """``population_chunks``' keyword ``options`` as a key: dicts sorted, arrays by their bytes."""
    return tuple((name, _frozen(value)) for name, value in sorted(options.items()))


def _frozen(value):
    if isinstance(value, dict):
        return tuple((k, _frozen(v)) for k, v in sorted(value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(v) for v in value)
    if isinstance(value, np.ndarray):
        return (value.dtype.str, value.shape, value.tobytes())
    return value
