"""The reference kernel beside the engine in one process (benchmarks/run.py's in-process row).

    python benchmarks/kernel_timing.py INPUTS.npz DRAWS SEED REPEAT

times ``kernel.kernel`` on the inputs (already loaded) and the engine's ``forecast.engine.project``
for the same scenario, draws and seed (the plan, the population chunks, the fund stages, the draws'
summary: what ``forecast run`` does between reading the scenario and writing its files), alternately
``REPEAT`` times each, both with one BLAS thread; prints the seconds of each as JSON."""

from __future__ import annotations

import json
import resource
import sys
import time

import kernel
import numpy as np
from threadpoolctl import threadpool_limits


def main(path: str, draws: int, seed: int, repeat: int) -> dict:
    from forecast.engine import project
    from forecast.inputs.region import load_region
    from forecast.scenario.load import load_scenario

    with np.load(path) as npz:
        data = {k: npz[k] for k in npz.files}
    scenario = load_scenario("baseline")
    region = load_region(scenario.region_path)
    out = {"kernel": [], "engine": []}
    for _ in range(repeat):
        with threadpool_limits(limits=1, user_api="blas"):
            start = time.perf_counter()
            kernel.kernel(data)
            out["kernel"].append(time.perf_counter() - start)
        start = time.perf_counter()
        params, root = dict(scenario.params), dict(scenario.root_params)
        project(scenario, region, params, root, scenario.horizon, draws=draws, seed=seed)
        out["engine"].append(time.perf_counter() - start)
    out["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))))
