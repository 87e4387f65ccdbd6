"""Scale of ``forecast batch`` on this machine (run: .venv/bin/python benchmarks/batch.py [--full]).

Synthetic prefecture bundles (benchmarks/synthetic_regions.py) in a temporary folder; the baseline
with 1,000 draws of every driver to 2060, on a dask LocalCluster of 1 and 2 worker processes:
the wall time (cluster start included), and each worker's peak resident memory. ``--full`` adds
100 and 333 regions (about ten minutes); the default measures 10 regions and the draws' scaling.
"""

from __future__ import annotations

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
    """(seconds, the largest worker's peak memory in MiB) of one batch on a new LocalCluster."""
    from distributed import Client, LocalCluster

    from forecast.apps.batch import batch

    start = time.perf_counter()
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, Client(cluster) as client:
        batch([str(r) for r in regions], ["baseline"], draws, seed=1, client=client)
        peak = max(client.run(_peak_rss_mib).values())
    return time.perf_counter() - start, peak


def main() -> None:
    import synthetic_regions

    full = "--full" in sys.argv
    with tempfile.TemporaryDirectory() as tmp:
        folders = synthetic_regions.make(Path(tmp), 333 if full else 10, seed=1)
        print("forecast batch: the baseline to 2060 on synthetic prefectures (LocalCluster, 1 thread per worker)")
        for n, draws, workers in [(10, 1000, 1), (10, 1000, 2), (10, 100, 2), (10, None, 2)] + ([(100, 1000, 2), (333, 1000, 2)] if full else []):
            seconds, peak = measure(folders[:n], draws, workers)
            print(f"   {n:>4} regions x {draws or 'no':>5} draws, {workers} worker(s): {seconds:7.1f} s ({seconds / n:.2f} s a region); peak worker memory {peak:,.0f} MiB")


if __name__ == "__main__":
    main()
