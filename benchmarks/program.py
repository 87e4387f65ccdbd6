"""What the ``forecast`` program pays around a command, beside what it does (forecast.cli.main.console):

1. the garbage collector: the seconds and collections of ``forecast run baseline -q`` (deterministic, the
   cache filled) under CPython's thresholds and under the program's (``YOUNG_GC_THRESHOLD``), from
   ``gc.callbacks``, in a new process each;
2. the exit: the seconds from the command's return to the end of its process, with the interpreter's
   teardown (``sys.exit``) and with the program's exit (``os._exit`` after the atexit handlers), beside
   ``python -c "import xarray, pandas"``'s own teardown.

Each figure is the min and median over ``--repeat`` runs (default 7), taken in turn.

    python benchmarks/program.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUN = ["run", "baseline", "-q"]

GC = """
import gc, json, sys, time
threshold = json.loads(sys.argv[1])
if threshold:
    gc.set_threshold(threshold, *gc.get_threshold()[1:])
spent, began = [0.0, 0], [0.0]
def watch(phase, info):
    if phase == "start":
        began[0] = time.perf_counter()
    else:
        spent[0] += time.perf_counter() - began[0]
        spent[1] += 1
gc.callbacks.append(watch)
from forecast.cli.main import main
main(sys.argv[2:])
gc.callbacks.remove(watch)
print(json.dumps(spent))
"""

EXIT = """
import sys, time
stamp = sys.argv[1]
if sys.argv[2] == "reference":
    import xarray, pandas
    open(stamp, "w").write(repr(time.time()))
    sys.exit(0)
from forecast.cli.main import _exit, main
code = main(sys.argv[3:])
open(stamp, "w").write(repr(time.time()))
_exit(code) if sys.argv[2] == "program" else sys.exit(code)
"""


def collected(threshold: int | None) -> tuple[float, int]:
    """The seconds spent collecting and the collections of one run, in a new process."""
    argv = [sys.executable, "-c", GC, json.dumps(threshold), *RUN]
    out = subprocess.run(argv, capture_output=True, text=True, check=True, cwd=ROOT)
    seconds, count = json.loads(out.stdout.strip().splitlines()[-1])
    return seconds, count


def teardown(how: str, folder: Path) -> float:
    """The seconds from the command's return (or the reference's imports) to its process's end."""
    stamp = folder / "returned"
    subprocess.run([sys.executable, "-c", EXIT, str(stamp), how, *RUN], capture_output=True, check=True, cwd=ROOT)
    ended = time.time()
    return ended - float(stamp.read_text())


def line(label: str, values: list[float], extra: str = "") -> str:
    return f"{label:<52} min {min(values):.3f} s  median {statistics.median(values):.3f} s{extra}"


def main(repeat: int) -> None:
    from forecast.cli.main import YOUNG_GC_THRESHOLD

    subprocess.run([sys.executable, "-m", "forecast", *RUN], capture_output=True, check=True, cwd=ROOT)  # the cache
    gc_runs = {"CPython's thresholds": [], f"young threshold {YOUNG_GC_THRESHOLD:,}": []}
    exits = {"sys.exit (the interpreter's teardown)": [], "the program's exit (os._exit)": [], "reference": []}
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(repeat):
            for label, threshold in zip(gc_runs, (None, YOUNG_GC_THRESHOLD)):
                gc_runs[label].append(collected(threshold))
            for label, how in zip(exits, ("interpreter", "program", "reference")):
                exits[label].append(teardown(how, Path(folder)))
    print(f"1. garbage collection in `forecast {' '.join(RUN)}` ({repeat} runs each)")
    for label, runs in gc_runs.items():
        collections = statistics.median([n for _, n in runs])
        print(line(f"   {label}", [s for s, _ in runs], f"  ({collections:.0f} collections)"))
    print("2. from the command's return to its process's end")
    for label, values in exits.items():
        name = 'python -c "import xarray, pandas" (the reference)' if label == "reference" else label
        print(line(f"   {name}", values))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    main(parser.parse_args().repeat)
