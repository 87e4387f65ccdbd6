"""Speed and memory against the issue's goals (run: make benchmark, or .venv/bin/python benchmarks/run.py [--quick]).

Each figure is timed as a whole command in a new process (interpreter start and imports included),
several times, interleaved with its reference so that both see the same load on this shared machine;
it reports the minimum and the median, the ratio of the medians to the reference's, the peak resident
memory, the goal, and the load average when it was measured. The rows are written to
benchmarks/results.csv (the README's table is made from it):

1. ``forecast --version``;
2. the deterministic baseline, ``forecast run baseline -q``, against ``python -c "import xarray, pandas"``:
   its first run (an empty cache, emptied before each run) and the runs after it (the cache of what a run
   derives from the bundle's bytes filled: forecast/inputs/cache.py); the benchmark keeps its cache in a
   temporary folder of its own, never the user's;
3. ``forecast run baseline --draws 10000 --seed 1`` against the tight reference kernel of
   benchmarks/kernel.py for the same draws and seed (the engine's exact arithmetic: population,
   enrollment, the five pools' income, expenditure and reserves, checked to 1e-9 by
   tests/test_kernel.py; see its docstring for what the engine does beyond it), both as whole commands
   (the kernel's: interpreter start, numpy, loading its inputs from an .npz made beforehand by
   benchmarks/kernel_inputs.py, the kernel), and with 1,000 draws; then the two in one process, the
   kernel alone against the engine's ``project`` alone (benchmarks/kernel_timing.py);
4. ``--draws 100000``: time against the 10,000-draw run's, and peak memory;
5. ``forecast sensitivity baseline`` (every group low and high) against one deterministic run;
6. a probability solve (ten trials of 200 draws) against one 200-draw run;
7. the population stage alone (in-process).

``--quick`` leaves out the 100,000-draw run and repeats less. benchmarks/batch.py measures batch's
scaling on one and two workers and adds its rows to the same CSV.

benchmarks/versus.py times this checkout against another (``--versus`` here before), interleaved.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FORECAST = Path(sys.executable).parent / "forecast"
RESULTS = ROOT / "benchmarks" / "results.csv"
COLUMNS = [
    "figure",
    "runs",
    "min_s",
    "median_s",
    "reference",
    "reference_min_s",
    "reference_median_s",
    "ratio",
    "peak_mib",
    "goal",
    "load",
]
sys.path.insert(0, str(ROOT))

#: a command in a new process: its wall time, peak resident memory (MiB) and CPU time (user and system,
#: all its threads), printed as JSON
TIMED = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
seconds = time.perf_counter() - start
used = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"seconds": seconds, "peak_mib": used.ru_maxrss / 1024, "cpu_s": used.ru_utime + used.ru_stime}))
"""

#: the reference's name in the table
KERNEL_NAME = "tight numpy kernel (the engine's arithmetic, to 1e-9)"


#: a probability solve: ten trials of 200 draws that share the population and, the lever being financing, the
#: plan's benefit layers (forecast.engine.reuse)
SOLVE = ("solve", "baseline", "--pool", "resident", "--lever", "financing", "--target", "no_deficit")
SOLVE += ("--until", "2035", "--probability", "0.8", "--draws", "200", "--seed", "0")


def kernel_command(draws: int, folder: Path) -> list[str]:
    """The kernel as a whole command on the inputs of ``draws`` draws (seed 1), made first (untimed)."""
    path = folder / f"inputs_{draws}.npz"
    if not path.exists():
        subprocess.run(python(str(ROOT / "benchmarks" / "kernel_inputs.py"), str(draws), "1", str(path)), check=True)
    return python(str(ROOT / "benchmarks" / "kernel.py"), str(path))


def in_process(draws: int, folder: Path, repeat: int) -> dict:
    """The engine's ``project`` and the kernel alone, alternately in one process (benchmarks/kernel_timing.py)."""
    path = Path(kernel_command(draws, folder)[-1])
    script = ROOT / "benchmarks" / "kernel_timing.py"
    loads = [load()]
    out = subprocess.run(
        python(str(script), str(path), str(draws), "1", str(repeat)), capture_output=True, text=True, check=True
    )
    times = json.loads(out.stdout.strip().splitlines()[-1])
    engine, kernel = times["engine"], times["kernel"]
    return show(
        {
            "figure": f"engine project(), {draws:,} draws (in-process)",
            "runs": repeat,
            "min_s": min(engine),
            "median_s": statistics.median(engine),
            "reference": f"{KERNEL_NAME}, alone (in-process)",
            "reference_min_s": min(kernel),
            "reference_median_s": statistics.median(kernel),
            "ratio": statistics.median(engine) / statistics.median(kernel),
            "peak_mib": times["peak_mib"],
            "goal": "",
            "load": statistics.median(loads + [load()]),
        }
    )


def load() -> float:
    return os.getloadavg()[0]


def timed(argv: list[str]) -> dict:
    """One run of ``argv`` in a new process: seconds and peak MiB."""
    out = subprocess.run([sys.executable, "-c", TIMED, *argv], capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def forecast(*args: str) -> list[str]:
    return [str(FORECAST), *args]


def python(*args: str) -> list[str]:
    return [sys.executable, *args]


def compare(
    figure: str,
    argv: list[str],
    repeat: int,
    goal: str = "",
    reference: str = "",
    reference_argv: list[str] | None = None,
    before=None,
) -> dict:
    """``argv`` timed ``repeat`` times, each run followed by one of ``reference_argv``; ``before()``,
    untimed, before each of them when given; a row."""
    runs, refs, loads = [], [], []
    for _ in range(repeat):
        if before is not None:
            before()
        loads.append(load())
        runs.append(timed(argv))
        if reference_argv:
            if before is not None:
                before()
            refs.append(timed(reference_argv))
    seconds = [r["seconds"] for r in runs]
    row = {
        "figure": figure,
        "runs": repeat,
        "min_s": min(seconds),
        "median_s": statistics.median(seconds),
        "peak_mib": max(r["peak_mib"] for r in runs),
        "cpu_median_s": statistics.median(r["cpu_s"] for r in runs),
        "goal": goal,
        "reference": reference,
        "load": statistics.median(loads),
    }
    if refs:
        ref = [r["seconds"] for r in refs]
        row.update(
            reference_min_s=min(ref),
            reference_median_s=statistics.median(ref),
            ratio=statistics.median(seconds) / statistics.median(ref),
            reference_cpu_median_s=statistics.median(r["cpu_s"] for r in refs),
        )
    return show(row)


def show(row: dict) -> dict:
    text = (
        f"{row['figure']}: min {row['min_s']:.2f} s, median {row['median_s']:.2f} s ({row['runs']} runs), "
        f"peak {row['peak_mib']:,.0f} MiB"
        + (f", CPU median {row['cpu_median_s']:.2f} s" if "cpu_median_s" in row else "")
    )
    if row.get("reference"):
        text += (
            f"; {row['reference']}: min {row['reference_min_s']:.2f} s, median {row['reference_median_s']:.2f} s"
            + (f", CPU median {row['reference_cpu_median_s']:.2f} s" if "reference_cpu_median_s" in row else "")
            + f"; ratio {row['ratio']:.2f}"
        )
    print(f"{text} [goal: {row['goal'] or '-'}; load {row['load']:.1f}]", flush=True)
    return row


def population() -> dict:
    """The population stage alone, deterministic 2020-2100, in-process."""
    import forecast as package
    from forecast.model.population import project_region

    china = package.load_region(ROOT / "data" / "china")
    project_region(china, end_year=2100)
    seconds = []
    for _ in range(15):
        start = time.perf_counter()
        project_region(china, end_year=2100)
        seconds.append(time.perf_counter() - start)
    return show(
        {
            "figure": "population stage, deterministic 2020-2100 (in-process)",
            "runs": 15,
            "min_s": min(seconds),
            "median_s": statistics.median(seconds),
            "peak_mib": 0,
            "goal": "",
            "load": load(),
        }
    )


def write(rows: list[dict], path: Path = RESULTS) -> None:
    """``rows`` replace the rows of the same figures in ``path`` (the other rows are kept)."""
    kept = []
    if path.exists():
        with open(path, newline="", encoding="utf-8") as f:
            kept = [r for r in csv.DictReader(f) if r["figure"] not in {row["figure"] for row in rows}]
    with open(path.with_suffix(".tmp"), "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, COLUMNS, extrasaction="ignore")  # the CPU times are printed, not tabled
        writer.writeheader()
        for row in kept + rows:
            writer.writerow({k: (f"{v:.4g}" if isinstance(v, float) else v) for k, v in row.items()})
    os.replace(path.with_suffix(".tmp"), path)


def empty(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


def main(quick: bool) -> None:
    repeat = 3 if quick else 5
    # the deterministic rows take about a second a run, so they are run more often: their medians move with the
    # machine's noise (a tenth of a second here and there) more than the longer rows'
    short = 5 if quick else 11
    folder = Path(tempfile.mkdtemp(prefix="forecast-kernel-"))
    cache = Path(tempfile.mkdtemp(prefix="forecast-benchmark-cache-"))
    os.environ["FORECAST_CACHE_DIR"] = str(cache)  # the commands below inherit it
    # as on a user's machine, Python keeps the compiled modules (some shells and containers turn it off, which makes
    # every command compile the package again: 0.15-0.2 s)
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    rows = [
        compare("forecast --version", forecast("--version"), 7, "under 0.3 s"),
        compare(
            "forecast run baseline -q (deterministic, first run: empty cache)",
            forecast("run", "baseline", "-q"),
            short,
            "at most 2.5x the reference",
            "python -c 'import xarray, pandas'",
            python("-c", "import xarray, pandas"),
            before=lambda: empty(cache),
        ),
        compare(
            "forecast run baseline -q (deterministic)",
            forecast("run", "baseline", "-q"),
            short,
            "at most 2.5x the reference",
            "python -c 'import xarray, pandas'",
            python("-c", "import xarray, pandas"),
        ),
        compare(
            "forecast run baseline --draws 1000",
            forecast("run", "baseline", "--draws", "1000", "--seed", "1", "-q"),
            3,
            "",
            f"{KERNEL_NAME}, 1,000 draws (whole command)",
            kernel_command(1000, folder),
        ),
    ]
    ten = compare(
        "forecast run baseline --draws 10000",
        forecast("run", "baseline", "--draws", "10000", "--seed", "1", "-q"),
        repeat,
        "at most 1.5x the tight kernel",
        f"{KERNEL_NAME}, 10,000 draws (whole command)",
        kernel_command(10000, folder),
    )
    rows += [ten, in_process(10000, folder, 3)]
    if not quick:
        row = compare(
            "forecast run baseline --draws 100000",
            forecast("run", "baseline", "--draws", "100000", "--seed", "1", "-q"),
            1,
            "under 12x the 10,000-draw time; peak under 3 GiB",
        )
        row.update(
            reference="forecast run baseline --draws 10000 (above)",
            reference_min_s=ten["min_s"],
            reference_median_s=ten["median_s"],
            ratio=row["median_s"] / ten["median_s"],
        )
        rows.append(show(row))
    rows.append(
        compare(
            "forecast sensitivity baseline (every group low and high)",
            forecast("sensitivity", "baseline", "-q"),
            3,
            "under 3x one deterministic run",
            "forecast run baseline -q",
            forecast("run", "baseline", "-q"),
        )
    )
    solved = folder / "solved"
    rows.append(
        compare(
            "forecast solve (resident financing, no deficit to 2035 in 80% of 200 draws: 10 trials)",
            forecast(*SOLVE, "--out", str(solved), "--force", "-q"),
            3,
            "",
            "forecast run baseline --draws 200 (one trial alone)",
            forecast("run", "baseline", "--draws", "200", "--seed", "0", "-q"),
        )
    )
    rows.append(population())
    shutil.rmtree(folder)
    empty(cache)
    write(rows)
    print(f"written: {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    if set(sys.argv[1:]) - {"--quick"}:
        sys.exit("usage: benchmarks/run.py [--quick]; two checkouts compared: benchmarks/versus.py CHECKOUT")
    main("--quick" in sys.argv)
