"""Synthetic prefecture bundles for scale tests: N perturbed copies of data/china, written to a
folder (nothing shipped). Each copy is the nation scaled to a prefecture's size (a share of the
population drawn from 1/500 to 1/150, about 3 to 9 million people) with every count and money
figure scaled alike and perturbed by a few per cent (one factor per table and year, so a year's
rows still add up; per row where a table has no years), so each bundle has its own content, fits
and calibration; rates and ratios untouched.

    .venv/bin/python benchmarks/synthetic_regions.py OUT N [--seed S]

These are not data about any place: they measure the batch engine (benchmarks/batch.py).
"""

from __future__ import annotations

import csv
import shutil
import sys
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
CHINA = ROOT / "data" / "china"
#: units of counts and money (scaled); every other unit is a rate or a ratio (kept)
SCALED = {"persons", "万人", "亿元", "亿人次", "万人次"}
NOISE = 0.03


def _scale_table(path: Path, share: float, rng: np.random.Generator, integers: bool) -> None:
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        fields, rows = reader.fieldnames, list(reader)
    by_year: dict = {}  # one factor per table and year keeps a year's rows adding up (statuses, pooled + accounts)
    for row in rows:
        if row.get("unit") in SCALED and row["value"] not in ("", None):
            key = row.get("year") or id(row)
            factor = by_year.setdefault(key, 1 + NOISE * rng.uniform(-1, 1))
            value = float(row["value"]) * share * factor
            row["value"] = str(int(round(value))) if integers and row["unit"] == "persons" else f"{value:.6g}"
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def make(out: Path, n: int, seed: int = 0) -> list[Path]:
    """Write ``n`` bundles into ``out`` (region_000, ...) and return their folders."""
    rng = np.random.default_rng(seed)
    out.mkdir(parents=True, exist_ok=True)
    folders = []
    for i in range(n):
        folder = out / f"region_{i:03d}"
        if folder.exists():
            shutil.rmtree(folder)
        shutil.copytree(CHINA, folder)
        share = float(np.exp(rng.uniform(np.log(1 / 500), np.log(1 / 150))))
        for table in folder.glob("*.csv"):
            _scale_table(table, share, rng, integers=True)
        meta = yaml.safe_load((folder / "region.yaml").read_text(encoding="utf-8"))
        meta.update(
            name=f"合成地区 {i:03d}", name_en=f"Synthetic region {i:03d}", level="prefecture", illustration=True
        )
        meta["description"] = (
            f"SYNTHETIC (benchmarks/synthetic_regions.py, seed {seed}): data/china scaled by {share:.5f} "
            f"with {NOISE:.0%} row noise; not data about any place."
        )
        (folder / "region.yaml").write_text(yaml.safe_dump(meta, allow_unicode=True, sort_keys=False), encoding="utf-8")
        folders.append(folder)
    return folders


if __name__ == "__main__":
    target, count = Path(sys.argv[1]), int(sys.argv[2])
    seed_value = int(sys.argv[sys.argv.index("--seed") + 1]) if "--seed" in sys.argv else 0
    for path in make(target, count, seed_value):
        print(path)
