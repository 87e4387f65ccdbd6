"""Peak memory of ``forecast run baseline --draws N`` against the estimate of forecast/limits.py.

Each run is a new process; its peak resident set (ru_maxrss) is read when it ends. The estimate,
:func:`forecast.limits.draws_memory`, refuses draw counts that would not fit before any work starts,
so it must predict the measured peak within 25% (issue 21); run this after a change to the engine
(e.g. when it streams draws) and refit the constants in limits.py from its output.

    python benchmarks/memory.py              # 100, 1,000, 3,000 and 10,000 draws
    python benchmarks/memory.py 500 20000    # other draw counts
    python benchmarks/memory.py --keep       # with --keep population
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from forecast.limits import draws_memory  # noqa: E402

DEFAULT_DRAWS = (100, 1_000, 3_000, 10_000)


def peak_rss(argv: list[str]) -> int:
    """Peak resident memory (bytes) of ``forecast ARGV`` run in a new process (Linux: ru_maxrss in KiB)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    subprocess.run(
        [sys.executable, "-m", "forecast", *argv],
        check=True,
        stdout=subprocess.DEVNULL,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if after <= before:
        raise SystemExit(
            "this run's peak is hidden by an earlier, larger child: "
            "measure each draw count in its own process (python benchmarks/memory.py N)"
        )
    return after * 1024


def horizon_years() -> int:
    from forecast.scenario.load import load_scenario

    return load_scenario("baseline").horizon - 2000 + 1


def main(args: list[str]) -> None:
    keep = "--keep" in args
    counts = [int(a) for a in args if a.isdigit()] or list(DEFAULT_DRAWS)
    years = horizon_years()
    print(
        f"forecast run baseline --draws N{' --keep population' if keep else ''}: "
        f"peak resident memory against the estimate (limits.draws_memory, {years} years)"
    )
    print(f"{'draws':>8} {'measured MiB':>13} {'estimate MiB':>13} {'estimate/measured':>18}")
    for draws in sorted(counts):
        measured = peak_rss(
            ["run", "baseline", "--draws", str(draws), "--seed", "1", "-q", *(["--keep", "population"] if keep else [])]
        )
        estimate = draws_memory(draws, years, keep)
        print(f"{draws:>8,} {measured / 2**20:>13,.0f} {estimate / 2**20:>13,.0f} {estimate / measured:>18.2f}")


if __name__ == "__main__":
    main(sys.argv[1:])
