"""Scale of ``forecast batch`` on this machine (run: .venv/bin/python benchmarks/batch.py [--full] [--regions N]).

Synthetic prefecture bundles (benchmarks/synthetic_regions.py) in a temporary folder; the baseline
with 1,000 draws of every driver to 2060, on a dask LocalCluster of 1 and 2 worker processes:
the wall time (cluster start included), and each worker's peak resident memory. The default measures
10 regions (``--regions N``: N) and the draws' scaling; ``--full`` adds 100 and 333 regions (about ten
minutes). The speed-up of two workers over one (the issue's goal: at least 1.6x for 50 regions x 1,000
draws, ``--regions 50``) is added to benchmarks/results.csv (benchmarks/run.py).
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))


def _peak_rss_mib() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(regions: list[Path], draws: int | None, workers: int) -> tuple[float, float]:
    """(seconds, the largest worker's peak memory in MiB) of one batch on a new LocalCluster, its workers on an
    empty cache of their own (forecast/inputs/cache.py): each measurement pays for the fits of every region, so a
    measurement never reads what an earlier one left."""
    from distributed import Client, LocalCluster

    from forecast.apps.batch import batch

    start = time.perf_counter()
    with (
        tempfile.TemporaryDirectory(prefix="forecast-batch-cache-") as cache,
        _environment(FORECAST_CACHE_DIR=cache),  # the workers inherit it
        LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):
        batch([str(r) for r in regions], ["baseline"], draws, seed=1, client=client)
        peak = max(client.run(_peak_rss_mib).values())
    return time.perf_counter() - start, peak


@contextlib.contextmanager
def _environment(**values):
    """``values`` set in the environment while the block runs, the previous values restored after."""
    before = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in before.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def main() -> None:
    import synthetic_regions
    from run import show, write

    full = "--full" in sys.argv
    k = int(sys.argv[sys.argv.index("--regions") + 1]) if "--regions" in sys.argv else 10
    with tempfile.TemporaryDirectory() as tmp:
        folders = synthetic_regions.make(Path(tmp), max(333 if full else 10, k), seed=1)
        print("forecast batch: the baseline to 2060 on synthetic prefectures (LocalCluster, 1 thread per worker)")
        times = {}
        for n, draws, workers in [(k, 1000, 1), (k, 1000, 2), (k, 100, 2), (k, None, 2)] + (
            [(100, 1000, 2), (333, 1000, 2)] if full else []
        ):
            load = os.getloadavg()[0]
            seconds, peak = measure(folders[:n], draws, workers)
            times[n, draws, workers] = (seconds, peak, load)
            print(
                f"   {n:>4} regions x {draws or 'no':>5} draws, {workers} worker(s): {seconds:7.1f} s "
                f"({seconds / n:.2f} s a region); peak worker memory {peak:,.0f} MiB"
            )
        (one, _, load1), (two, peak, load2) = times[k, 1000, 1], times[k, 1000, 2]
        row = {
            "figure": f"forecast batch, {k} regions x 1,000 draws, 2 workers",
            "runs": 1,
            "min_s": two,
            "median_s": two,
            "peak_mib": peak,
            "goal": "ratio at most 0.625: 1.6x faster than 1 worker (50 regions)",
            "reference": "the same on 1 worker",
            "reference_min_s": one,
            "reference_median_s": one,
            "ratio": two / one,
            "load": (load1 + load2) / 2,
        }
        write([show(row)])


if __name__ == "__main__":
    main()
