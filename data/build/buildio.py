"""What the build scripts share: the input folders, CSV reading and writing, the age groups.

The shared folder beside the project (``../shared``) holds the official figures the bundles
carry in; set FORECAST_SHARED to read it from elsewhere.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SHARED = Path(os.environ.get("FORECAST_SHARED", ROOT.parent / "shared"))
REF = SHARED / "reference-data"
RESEARCH = SHARED / "research-data"
INPUTS = HERE / "inputs"
#: the census's and WPP's age groups: 0, 1-4, 5-9, ..., 95-99, 100+
GROUPS = ["0", "1-4"] + [f"{a}-{a + 4}" for a in range(5, 100, 5)] + ["100+"]
SEXES = ("male", "female")


def read(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def write(path: Path, header: list[str], rows: list[list]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def wpp_period(label: str) -> str:
    """WPP period '2020-2025' (1 July 2020 to 30 June 2025) -> calendar years '2020-2024'."""
    a, b = label.split("-")
    return f"{a}-{int(b) - 1}"
