"""The engine's schedule of draws, tried whole (run: .venv/bin/python benchmarks/schedules.py [--runs N]).

``forecast run baseline --draws 10000 --seed 1 -q`` as a whole command, with the population's group size
(``forecast.engine.run.POPULATION_DRAWS``) and the fund stages' draws a call (``FUND_DRAWS``) set to each of
SCHEDULES in turn, interleaved so that every schedule sees the same load; the minimum and median wall time and the
median CPU time (all threads) of each. What the two constants' values rest on: the population is projected on two
threads while the main thread runs the fund stages, and the schedule decides how long the last call runs alone.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from run import TIMED  # noqa: E402

#: (POPULATION_DRAWS, FUND_DRAWS): the engine's own first
SCHEDULES = ((2_000, 6_000), (3_000, 6_000), (1_000, 6_000), (2_000, 8_000), (2_000, 4_000))

#: the command, with the two constants set before it runs
COMMAND = """
import importlib, sys
run = importlib.import_module("forecast.engine.run")
run.POPULATION_DRAWS, run.FUND_DRAWS = int(sys.argv[1]), int(sys.argv[2])
from forecast.cli.main import console
sys.argv = ["forecast", "run", "baseline", "--draws", "10000", "--seed", "1", "-q"]
console()
"""


def timed(population: int, fund: int) -> dict:
    """One whole command's wall and CPU time under the schedule."""
    out = subprocess.run(
        [sys.executable, "-c", TIMED, sys.executable, "-c", COMMAND, str(population), str(fund)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out)


def main(runs: int) -> None:
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)  # compiled modules kept, as on a user's machine
    timed(*SCHEDULES[0])  # the cache of the bundle filled, the modules compiled
    seen = {schedule: [] for schedule in SCHEDULES}
    for _ in range(runs):
        for schedule in SCHEDULES:
            seen[schedule].append(timed(*schedule))
    load = os.getloadavg()[0]
    print(f"forecast run baseline --draws 10000 --seed 1 -q, {runs} runs of each, interleaved (load {load:.1f})")
    for (population, fund), rows in seen.items():
        wall = [r["seconds"] for r in rows]
        cpu = statistics.median(r["cpu_s"] for r in rows)
        print(
            f"   population {population:>5,} draws a group, fund stages {fund:>5,} a call: "
            f"min {min(wall):.2f} s, median {statistics.median(wall):.2f} s, CPU median {cpu:.2f} s"
        )


if __name__ == "__main__":
    main(int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 6)
