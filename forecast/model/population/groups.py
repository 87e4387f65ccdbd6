"""Chunks of draws of the population projection: each chunk of draws its own random stream, chunks
projected together in groups (their inputs joined, a few numbers per draw and year, rather than
their results, the population of every draw), and made one ahead in a background thread."""

from __future__ import annotations

import threading
from collections import deque
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import xarray as xr

from ..uncertainty.streams import stream
from .mortality import DrawnRates

__all__ = ["chunk_streams", "drawn_apart", "projected_group", "prefetched"]


def chunk_streams(entropy, draws: int, size: int, draw_range, by_position: bool):
    """(first draw, draws, random stream) of each chunk of ``size`` draws (``by_position``:
    the chunk's draws as a slice instead, for paths at given z-scores); ``draw_range``: only the
    chunks holding those draws, each with the stream it has in the whole run."""
    starts = list(range(0, draws, size))
    for start, chunk_stream in zip(starts, stream(entropy, "population").spawn(len(starts))):
        n = min(size, draws - start)
        if draw_range is not None and not (start < draw_range[1] and start + n > draw_range[0]):
            continue
        yield start, n, slice(start, start + n) if by_position else np.random.default_rng(chunk_stream)


def drawn_apart(part) -> bool:
    """Whether a chunk's rates or TFR path differ by draw (else it is one path, projected alone)."""
    _, _, mx, path, _ = part
    return isinstance(mx, DrawnRates) or "draw" in path.dims


def projected_group(parts: list, projected, entropy, draws: int, each_year=None) -> xr.Dataset:
    """The projection of the chunks ``parts`` ((start, size, rates, TFR path, notes) each) at once,
    their draws one after another: the inputs are joined (a few numbers per draw and year), not the
    results (the population of every draw), and each draw's numbers are those of its chunk alone.
    ``each_year(draw)``: given the group's draw numbers, the function the projection calls with
    each year's population (:func:`~.project.project`'s ``each_year``; the result then has none)."""
    starts, sizes, rates, paths, notes = zip(*parts)
    if len(parts) == 1:
        mx, path = rates[0], paths[0]
    else:
        mx = DrawnRates.joined(list(rates)) if isinstance(rates[0], DrawnRates) else rates[0]
        path = xr.concat(paths, dim="draw") if "draw" in paths[0].dims else paths[0]
    draw = np.concatenate([np.arange(n) + s for s, n in zip(starts, sizes)])
    ds = projected(mx, path, notes[0], sum(sizes), None if each_year is None else each_year(draw))
    ds = ds.assign_coords(draw=draw[: ds.sizes["draw"]])
    ds.attrs.update(seed=entropy, draws=draws)
    return ds


class prefetched:
    """The generator ``chunks`` made up to ``ahead`` chunks ahead in the background, on ``workers``
    threads, from the moment this is made (``with prefetched(chunks) as ahead: ...; for chunk in
    ahead: ...``): numpy releases the GIL, so the population of the next chunks of draws and the
    caller's work (the plan, the enrollment and fund stages of earlier chunks) share the machine's
    cores. A chunk given as a function (``population_chunks(deferred=True)``: its random numbers
    drawn in order) is made outside the generator, so several workers make chunks at once; the
    chunks come out in order. Each chunk has its own random stream, so the results do not depend on
    the order work is done in. Leaving the block stops after the chunks under way; an error in a
    chunk is raised where the caller takes it. ``workers=0``: each chunk made in the caller as it is
    taken, no thread (a process on one core, a batch task on its worker's thread)."""

    def __init__(self, chunks, ahead: int = 1, workers: int = 1):
        self.chunks, self._stop, self._lock = chunks, False, threading.Lock()
        self.pool = None if workers < 1 else ThreadPoolExecutor(workers, thread_name_prefix="forecast-population")
        self.upcoming = deque(self.pool.submit(self._next) for _ in range(max(ahead, 1))) if self.pool else deque()

    def _next(self):
        with self._lock:  # the generator draws each chunk's random numbers in order, one at a time
            chunk = None if self._stop else next(self.chunks, None)
        return chunk() if callable(chunk) else chunk

    def __iter__(self):
        if self.pool is None:  # made here, as taken
            while (chunk := self._next()) is not None:
                yield chunk
            return
        while (chunk := self.upcoming.popleft().result()) is not None:
            self.upcoming.append(self.pool.submit(self._next))
            yield chunk

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self._stop = True
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
