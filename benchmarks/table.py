"""The README's speed table from benchmarks/results.csv (run: .venv/bin/python benchmarks/table.py).

One row per figure: its minimum and median, its reference's, the ratio of the medians, the peak
memory, the goal, and the machine's load average while it was measured (2 cores: above 2, other
work shared them). Under the table, what the tight kernel that the draws' rows are measured against
does and does not do (:data:`KERNEL_SCOPE`)."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results.csv"

#: the note under the table on the rows measured against the kernel (benchmarks/kernel.py)
KERNEL_SCOPE = (
    "The tight numpy kernel (`benchmarks/kernel.py`, on inputs `benchmarks/kernel_inputs.py` makes from the "
    "engine's plan and random streams for the same draws and seed) does the engine's arithmetic of each draw, "
    "checked to 1e-9 by tests/test_kernel.py: the population roll (rates, life tables, cohort step), enrollment "
    "with the base year's calibration, claims and payments per claim, the five pools' income and expenditure, "
    "the transfers and the reserve roll-forward. It does not do what the engine does beyond that arithmetic, "
    "which the ratios include: the individual accounts' roll-forward, the resident required standard beside the "
    "run, the indicators (benefit use, cost indices, life expectancy, deaths), the labelled Dataset, the draws' "
    "percentiles and probabilities, the checks, the provenance and writing the output files."
)


def seconds(value: str) -> str:
    return f"{float(value):.2f} s" if value else ""


def table(path: Path = RESULTS) -> str:
    lines = [
        "| figure | min / median | reference: min / median | ratio | peak | goal | load |",
        "|---|---|---|---|---|---|---|",
    ]
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            reference = (
                f"{row['reference']}: {seconds(row['reference_min_s'])} / {seconds(row['reference_median_s'])}"
                if row["reference"]
                else ""
            )
            ratio = f"{float(row['ratio']):.2f}" if row["ratio"] else ""
            peak = f"{float(row['peak_mib']):,.0f} MiB" if float(row["peak_mib"] or 0) else ""
            lines.append(
                f"| {row['figure']} | {seconds(row['min_s'])} / {seconds(row['median_s'])} | {reference} | {ratio} "
                f"| {peak} | {row['goal']} | {float(row['load']):.1f} |"
            )
    if any("kernel" in line for line in lines[2:]):
        lines += ["", KERNEL_SCOPE]
    return "\n".join(lines)


if __name__ == "__main__":
    print(table(Path(sys.argv[1]) if len(sys.argv) > 1 else RESULTS))
