"""Analysis of change (issue 23): how each change of the long-run conventions moved the baseline's
headline, one step at a time, from the previous release's conventions to today's.

Each step is the commit that made the change (they change results only in commits of their own);
the script checks each one out in a temporary worktree, runs the baseline there with this
project's environment, and prints the table of headline years per pool as Markdown
(docs/analysis_of_change.md holds its output; tests/fund/test_headline.py checks that its last row
is what the code gives today).

    .venv/bin/python benchmarks/analysis_of_change.py > docs/analysis_of_change.table.md
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: (commit, the change, 中文) — the previous release first
STEPS = (
    (
        "aa79e54",
        "previous release: limits frozen in yuan, unreformed account flows, the population's ageing removed, "
        "drift growth, fits on the first draw, no interest on deficits",
        "上一版本的口径",
    ),
    (
        "7fe45ce",
        "benefit limits indexed (wages / disposable income, one year behind; LTCI unit costs with wages)",
        "待遇限额随工资、收入指数化",
    ),
    (
        "e1e855b",
        "individual accounts after the 2021 reform (phased retiree credits; accounts spend a share of what they hold)",
        "个人账户按2021年改革测算",
    ),
    ("6b43e43", "one ageing measure (each pool's own age-sex cost index, removed and applied)", "统一的人口老龄化口径"),
    ("2d0762f", "drivers start from the latest outturn (damped back to the mean)", "驱动因素从最新年份出发"),
    (
        "8e2c4a5",
        "deficits after exhaustion carried as debt with interest (and calibrated fans, seed-free centre)",
        "耗尽后的赤字计息",
    ),
)

PROBE = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
import forecast
ds = forecast.run(sys.argv[1] + "/scenarios/baseline.yaml")
out = {}
for pool in ("employee", "resident", "ltci"):
    deficit, gone = (f().sel(pool=pool).item() for f in (ds.fund.first_deficit_year, ds.fund.exhaustion_year))
    months = [float(ds["months_covered"].sel(pool=pool, year=y)) for y in (2030, 2040, 2050)]
    out[pool] = {"first_deficit": None if deficit != deficit else int(deficit),
                 "exhausted": None if gone != gone else int(gone), "months": months}
print(json.dumps(out))
"""


def headline(commit: str) -> dict:
    """The baseline's headline at ``commit``: first deficit and exhaustion years, months covered in
    2030/2040/2050, for the employee, resident and LTCI pools."""
    with tempfile.TemporaryDirectory(prefix="aoc.") as folder:
        tree = Path(folder) / "tree"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(tree), commit], check=True)
        try:
            done = subprocess.run(
                [sys.executable, "-c", PROBE, str(tree)], capture_output=True, text=True, check=True, cwd=folder
            )
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _years(row: dict) -> str:
    return f"{row['first_deficit'] or '—'} / {row['exhausted'] or '—'}"


def table(results: list[tuple[str, str, str, dict]]) -> str:
    lines = [
        "| step | 变化 | employee deficit / exhausted | resident deficit / exhausted | LTCI deficit / exhausted "
        "| employee months 2030 / 2040 / 2050 |",
        "|---|---|---|---|---|---|",
    ]
    for commit, change, zh, h in results:
        months = " / ".join(f"{m:.1f}" for m in h["employee"]["months"])
        lines.append(
            f"| {change} (`{commit}`) | {zh} | {_years(h['employee'])} | {_years(h['resident'])} "
            f"| {_years(h['ltci'])} | {months} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    print(table([(c, change, zh, headline(c)) for c, change, zh in STEPS]))
