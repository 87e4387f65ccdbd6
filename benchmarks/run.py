"""Speed and memory (run: make benchmark, or .venv/bin/python benchmarks/run.py [--quick]).

Reports, on this machine, the minimum and the median over repeats (the machine is shared and
noisy: compare ratios within one run, not seconds across machines):

1. the deterministic baseline (all pools, 2024-2060): ``forecast run baseline`` as a command,
   cold (a new process each time), and ``forecast.run`` in-process, first call and warm;
2. stochastic runs of the baseline with 100, 1,000 and 10,000 draws of every driver (population,
   cost growth per pool, wages, coverage, interest, financing increments): the whole command
   (wall time and peak resident memory, in a new process), the engine in-process, and the numpy
   reference kernel (benchmarks/kernel.py) for the same draws, with the engine's time as a ratio
   to the kernel's;
3. regions: the baseline on 1, 2 and 8 copies of data/china in one call (``regions=``);
4. the population stage alone: a deterministic projection 2020-2100 and its engine;
5. ``forecast sensitivity baseline`` (the one-at-a-time tornado), as a command.

``--quick`` skips the 10,000-draw runs.
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FORECAST = Path(sys.executable).parent / "forecast"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def spread(times: list[float]) -> str:
    return f"min {min(times):.3f} s, median {statistics.median(times):.3f} s ({len(times)} runs)"


def timed(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


CHILD = """
import json, resource, sys, time, warnings
warnings.simplefilter("ignore")
start = time.perf_counter()
mode, draws = sys.argv[1], int(sys.argv[2])
if mode == "command":
    import io, contextlib
    from forecast.cli.main import main
    with contextlib.redirect_stdout(io.StringIO()):
        code = main(["run", "baseline", "--draws", str(draws), "--seed", "1"] if draws else ["run", "baseline"])
    assert code == 0
elif mode == "engine":
    import forecast
    forecast.run("baseline", draws=10, seed=2)  # imports and the in-process caches, outside the timing
    start = time.perf_counter()
    forecast.run("baseline", draws=draws, seed=1)
elif mode == "kernel":
    sys.path.insert(0, sys.argv[3])
    import kernel
    data = kernel.inputs(draws)
    kernel.kernel(kernel.inputs(10))
    start = time.perf_counter()
    kernel.kernel(data)
elif mode == "first_run":
    import forecast
    start = time.perf_counter()
    forecast.run("baseline")
print(json.dumps({"seconds": time.perf_counter() - start, "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def child(mode: str, draws: int = 0) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, mode, str(draws), str(ROOT / "benchmarks")], capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def command_wall(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run([str(FORECAST), *args], capture_output=True, check=True, cwd=ROOT)
    return time.perf_counter() - start


def deterministic() -> None:
    import forecast

    print("1. deterministic baseline, 2024-2060")
    print(f"   forecast run baseline (command, cold): {spread([command_wall(['run', 'baseline']) for _ in range(5)])}")
    print(f"   forecast.run, first call in a new process: {spread([child('first_run')['seconds'] for _ in range(3)])}")
    forecast.run("baseline")
    print(f"   forecast.run, warm (bundle and fits remembered): {spread(timed(lambda: forecast.run('baseline'), 7))}")


def stochastic(sizes: tuple[int, ...]) -> None:
    print("2. stochastic runs (baseline, every driver drawn), 2024-2060")
    for draws in sizes:
        repeat = 2 if draws >= 10_000 else 3
        command = [child("command", draws) for _ in range(repeat)]
        engine = [child("engine", draws)["seconds"] for _ in range(repeat)]
        kernel = [child("kernel", draws)["seconds"] for _ in range(repeat)]
        print(f"   {draws:>6,} draws: command {spread([c['seconds'] for c in command])}, peak {max(c['peak_mib'] for c in command):,.0f} MiB")
        print(f"   {'':>6}        engine in-process {spread(engine)}; numpy kernel {spread(kernel)}; ratio (min/min) {min(engine) / min(kernel):.2f}")


def regions() -> None:
    import forecast

    print("3. regions: the baseline on k copies of data/china in one call")
    with tempfile.TemporaryDirectory() as tmp:
        copies = []
        for i in range(8):
            copies.append(Path(tmp) / f"region_{i}")
            shutil.copytree(ROOT / "data" / "china", copies[-1])
        forecast.run("baseline", regions=copies[:1])
        for k in (1, 2, 8):
            print(f"   {k} region(s): {spread(timed(lambda k=k: forecast.run('baseline', regions=copies[:k]), 3))}")


def population() -> None:
    import numpy as np

    import forecast
    from forecast.model.population import project_region
    from forecast.model.population.engine import project_arrays
    from forecast.model.population.mortality import mortality_path
    from forecast.model.population.project import tfr_path
    from forecast.model.population.rates import fertility_pattern
    from forecast.scenario.population import PopulationAssumptions

    print("4. the population stage, deterministic, 2020-2100")
    china = forecast.load_region(ROOT / "data" / "china")
    print(f"   project_region (inputs, engine, indicators): {spread(timed(lambda: project_region(china, end_year=2100), 15))}")
    ds = project_region(china, end_year=2100)
    years = [y for y in ds["year"].values if y >= 2024]
    a = PopulationAssumptions()
    mx = mortality_path(china, a, years)[0].values[:, None]
    asfr = (tfr_path(china, a, years)[0] * fertility_pattern(china.fertility, years)).values[:, None]
    srb = np.full((len(years), 1), 1.1)
    base = ds["population"].sel(year=2023).values[None]
    print(f"   the engine alone, 2024-2100: {spread(timed(lambda: project_arrays(base, 1.0, mx, asfr, srb), 50))}")


def sensitivity() -> None:
    print("5. forecast sensitivity baseline (command, cold)")
    print(f"   {spread([command_wall(['sensitivity', 'baseline']) for _ in range(3)])}")


if __name__ == "__main__":
    quick = "--quick" in sys.argv
    deterministic()
    stochastic((100, 1_000) if quick else (100, 1_000, 10_000))
    regions()
    population()
    sensitivity()
