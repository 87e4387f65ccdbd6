"""The tight reference kernel: the engine's arithmetic of a stochastic run, in fused numpy, no labels.

For D draws (the inputs of benchmarks/kernel_inputs.py, made from the engine itself for the same
scenario, draws and seed), block by block of draws and one pass per year:

1. population: each draw's death rates m × exp(b_x · Δk) (its Lee–Carter deviation), its TFR path
   (clipped at 0.1) × the fertility pattern, the life tables (Andreev–Kingkade a0, the projection's
   L_x and open-group T), the cohort step (the fractional first step from the census date, then
   annual steps with births, infants and migration) — :mod:`forecast.model.population.engine`;
2. enrollment in the same pass: the mid-year population of each fund year, the base year's coverage
   calibration per draw, the four insured statuses and their sums weighted by the age–sex curves
   (one matrix product per status) — :func:`forecast.model.enrollment.members.insured_summary`;
3. the fund stage over (year, draw) arrays (benchmarks/kernel_funds.py): the base year's calibration
   per draw, claims, the payments per claim whose mean the base-year population divides (lognormal
   limited expected values), the five pools' income and expenditure, the ledger's transfers and the
   reserve roll-forward with interest and deficits.

What the engine does beyond it (work the ratio includes): the individual accounts' roll-forward, the
resident ``required_standard`` beside the run, the indicators (benefit use, cost indices, life
expectancy, deaths), the financing rules' levers (the baseline has none), the labelled Dataset, the
draws' summary (percentiles, probabilities), the checks and the provenance. tests/test_kernel.py
checks the kernel against ``forecast.run`` to 1e-9.

    python benchmarks/kernel.py INPUTS.npz   # loads the inputs, runs the kernel, prints its time
"""

from __future__ import annotations

import ctypes
import os
import sys
import time

# one BLAS thread, as the engine's chunk work has (threadpoolctl): set before numpy loads its BLAS
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")
# ordinary memory pages for large arrays, as the engine's runs have (forecast/engine/pages.py): the
# kernel is faster so too on this machine (5.1 s against 5.6 s median at 10,000 draws), so the ratio
# is to the kernel at its best
os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")


def _tight_allocator() -> None:
    """glibc's allocator keeps the kernel's large temporaries (arrays over every draw, 3-30 MB) on its heap
    when they are freed, instead of mapping fresh pages for each: 1.4 s less system time at 10,000 draws
    (5.3 s -> 3.8 s median). The engine was measured the same way and gains nothing (7.2 s either way), so
    the kernel has it and the ratio is to the kernel at its best."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-3, 256 * 2**20)  # M_MMAP_THRESHOLD
        libc.mallopt(-1, 2**30)  # M_TRIM_THRESHOLD
    except (OSError, AttributeError):  # not glibc: its default allocator
        pass


_tight_allocator()

import numpy as np  # noqa: E402
from kernel_funds import POOLS, fund_stage  # noqa: E402

__all__ = ["kernel", "BLOCK", "POOLS"]

#: draws rolled at once (the arrays of a block stay small: years × 1000 × 202 for the population)
BLOCK = 1000


def _life_table(mx: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(S, S_open, L0) of mx (draw, sex, age): L(x+1)/L(x), T(ω)/T(ω-1) and L(0)."""
    m0 = mx[..., 0]
    a0 = np.empty_like(m0)
    male, female = m0[:, 0], m0[:, 1]
    a0[:, 0] = np.where(
        male < 0.02300, 0.14929 - 1.99545 * male, np.where(male < 0.08307, 0.02832 + 3.26201 * male, 0.29915)
    )
    a0[:, 1] = np.where(
        female < 0.01724, 0.14903 - 2.05527 * female, np.where(female < 0.06891, 0.04667 + 3.88089 * female, 0.31411)
    )
    px = mx / (1.0 + 0.5 * mx)
    px[..., 0] = m0 / (1.0 + (1.0 - a0) * m0)
    np.minimum(px, 1.0, out=px)
    np.subtract(1.0, px, out=px)
    lx = np.empty_like(mx)
    lx[..., 0] = 1.0
    np.cumprod(px[..., :-1], axis=-1, out=lx[..., 1:])
    big_l = px
    big_l[..., 1:-1] = 0.5 * (lx[..., 1:-1] + lx[..., 2:])
    big_l[..., 0] = lx[..., 1] + a0 * (lx[..., 0] - lx[..., 1])
    big_l[..., -1] = lx[..., -1] / mx[..., -1]
    t_open, t_before = big_l[..., -1], big_l[..., -2] + big_l[..., -1]
    return _ratio(big_l[..., 1:-1], big_l[..., :-2]), _ratio(t_open, t_before), big_l[..., 0]


def _ratio(later, earlier):
    return np.divide(later, earlier, out=np.zeros(np.broadcast(later, earlier).shape), where=earlier > 0)


def _step(previous, mx, f, mig, S, S_open) -> np.ndarray:
    """The year's survivors (age 0 empty for the births, or the infants not yet 1 in a fractional step)."""
    if f < 1.0:
        moving = f * previous
        inflow = previous - moving
        inflow[..., 1:] += moving[..., :-1]
        inflow[..., -1] += moving[..., -1]
        inflow[..., 1:] += f * mig[:, 1:]
        return inflow * np.exp(-f * mx)
    new = np.zeros_like(previous)
    new[..., 1:-1] = (previous[..., :-2] + mig[:, 1:-1] / 2.0) * S + mig[:, 1:-1] / 2.0
    new[..., -1] = (previous[..., -2] + previous[..., -1] + mig[:, -1] / 2.0) * S_open + mig[:, -1] / 2.0
    return new


class _Members:
    """What the fund stage needs of the insured, filled block by block: ``summed`` (status, year,
    draw, curve), the births and mid-year population totals of the fund years, the population."""

    def __init__(self, d: dict, draws: int, block: int, keep_population: bool):
        n_years, ages = len(d["years"]), d["base"].shape[-1]
        self.summed = np.empty((4, n_years, draws, d["curve_weights"].shape[1]))
        self.births = np.empty((n_years, draws))
        self.totals = np.empty((len(d["pop_years"]), draws))
        self.population = np.empty((n_years, draws, 2, ages)) if keep_population else None
        self.statuses = np.empty((4, min(draws, block), 2, ages))  # one block's insured by status
        self.working = (1 - d["ret"]) * d["adult"]  # (year, sex, age): 1 - retired share from age 18


def _enroll(d: dict, i: int, mid: np.ndarray, calibration: tuple | None, block: slice, out: _Members) -> tuple:
    """Fund year ``i``: the statuses of the mid-year population ``mid`` (draw, sex, age), calibrated
    in the base year (i = 0), computed in place in ``out.statuses`` and reduced by the curves in one
    matrix product."""
    if calibration is None:
        ret = d["ret_root"]
        in_service, retirees, residents = d["published_counts"]
        working = mid * (1 - ret) * d["adult"]
        c_w = in_service / working.sum(axis=(1, 2))
        k_r = retirees / (mid * ret).sum(axis=(1, 2))
        employees = c_w[:, None, None] * working + k_r[:, None, None] * mid * ret
        c_r = residents / (mid - employees).sum(axis=(1, 2))
        calibration = (c_w[:, None, None], k_r[:, None, None], c_r[:, None, None])
    c_w, k_r, c_r = calibration
    coverage = c_w * (d["in_service_index"][i] * d["coverage_index"][0, i, block])[:, None, None]
    resident_rate = c_r * (d["resident_index"][i] * d["coverage_index"][1, i, block])[:, None, None]
    statuses = out.statuses[:, : mid.shape[0]]
    in_service, flexible, retirees, residents = statuses
    np.multiply(mid, out.working[i], out=flexible)  # the working-age population not retired, first
    np.multiply(flexible, coverage, out=in_service)
    np.copyto(retirees, coverage)
    np.copyto(retirees, k_r, where=d["old"][i])
    retirees *= mid
    retirees *= d["ret"][i]
    np.subtract(mid, in_service, out=residents)
    residents -= retirees
    np.maximum(residents, 0.0, out=residents)
    flexible -= in_service
    np.maximum(flexible, 0.0, out=flexible)
    flexible *= d["flexible_share"][i] * c_r
    residents *= resident_rate
    residents -= flexible
    np.maximum(residents, 0.0, out=residents)
    flat = statuses.reshape(4 * mid.shape[0], -1) @ d["curve_weights"]
    out.summed[:, i, block] = flat.reshape(4, mid.shape[0], -1)
    return calibration


def _block(d: dict, block: slice, out: _Members) -> None:
    """The population and enrollment of one block of draws, one pass per year."""
    deviation, shocks = d["deviation"][block], d["tfr_shocks"][block]
    n = deviation.shape[0]
    pop_years, fund_years = d["pop_years"], d["years"]
    first_fund = int(np.searchsorted(pop_years, fund_years[0]))
    previous = np.broadcast_to(d["base"], (n, *d["base"].shape))
    mx = np.empty((n, *d["base"].shape))
    calibration = None
    for t in range(len(pop_years)):
        np.multiply(deviation[:, t, :, None], d["bx"], out=mx)
        np.exp(mx, out=mx)
        np.multiply(d["mx_central"][t], mx, out=mx)
        S, S_open, L0 = _life_table(mx)
        mig = d["migration"][t]
        f = float(d["fraction"]) if t == 0 else 1.0
        new = _step(previous, mx, f, mig, S, S_open)
        asfr = np.maximum(d["tfr"][t] + shocks[:, t], 0.1)[:, None] * d["pattern"][t]
        births = f * np.sum(asfr * (previous[:, 1, :] + new[:, 1, :]) / 2.0, axis=-1)
        male = d["srb"][t] / (1.0 + d["srb"][t])
        births_sex = births[:, None] * np.array([male, 1 - male])
        infant = L0 if f >= 1.0 else np.exp(-f * mx[..., 0] / 2.0)
        new[..., 0] += (births_sex + f * mig[:, 0] / 2.0) * infant + f * mig[:, 0] / 2.0
        out.totals[t, block] = new.sum(axis=(1, 2))
        i = t - first_fund
        if 0 <= i < len(fund_years):
            mid = (previous + new) / 2 if t > 0 else new
            calibration = _enroll(d, i, mid, calibration, block, out)
            out.births[i, block] = births_sex.sum(axis=-1)
            if out.population is not None:
                out.population[i, block] = new
        previous = new


def kernel(d: dict, block: int = BLOCK, keep_population: bool = False) -> dict:
    """The run's arithmetic for every draw of the inputs ``d``; returns plain arrays: ``income``,
    ``expenditure`` and ``reserve`` (year, pool, draw; yuan), ``insured`` by status (year, status,
    draw), ``population_total`` (year, draw) and, with ``keep_population``, ``population`` (year,
    draw, sex, age) of the fund years."""
    draws = d["deviation"].shape[0]
    out = _Members(d, draws, block, keep_population)
    for start in range(0, draws, block):
        _block(d, slice(start, min(start + block, draws)), out)
    pop_years, fund_years = d["pop_years"], d["years"]
    first = int(np.searchsorted(pop_years, fund_years[0]))
    if pop_years[0] == fund_years[0]:
        out.births[0] /= float(d["fraction"])
    totals = out.totals[first : first + len(fund_years)]
    if first > 0:
        population = (out.totals[first - 1 : first - 1 + len(fund_years)] + totals) / 2
    else:
        population = np.concatenate([totals[:1], (totals[:-1] + totals[1:]) / 2])
    result = fund_stage(d, out.summed, out.births, population)
    result["insured"] = out.summed[..., 0].transpose(1, 0, 2)
    result["population_total"] = totals
    if keep_population:
        result["population"] = out.population
    return result


if __name__ == "__main__":
    with np.load(sys.argv[1]) as npz:
        data = {k: npz[k] for k in npz.files}
    start = time.perf_counter()
    kernel(data)
    print(f"{time.perf_counter() - start:.3f}")
