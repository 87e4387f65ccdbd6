"""The README's speed table from benchmarks/results.csv (run: .venv/bin/python benchmarks/table.py).

One row per figure: its minimum and median, its reference's, the ratio of the medians, the peak
memory, the goal, and the machine's load average while it was measured (2 cores: above 2, other
work shared them)."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results.csv"


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
    return "\n".join(lines)


if __name__ == "__main__":
    print(table(Path(sys.argv[1]) if len(sys.argv) > 1 else RESULTS))
