"""What a worker process does for one job, through the command line's own entry points
(:mod:`forecast.apps.outputs`), so a page downloads the very files the CLI writes.

A job is ``(kind, task, folder, job_id)``: the task names the scenario files (the shipped one and the
reform's overlay), the region's folder, draws and seed, and what the kind needs; every file goes into
the job's private folder through :func:`forecast.results.writers.write_files` (atomically), with
``result.json`` last. Bad input ends in the CLI's messages (uploaded files named as the user named
them), an unexpected error in one line; the traceback goes to the server's log, never to the browser.
Runs are reused within a worker (:class:`forecast.memo.Memo`): a comparison's baseline, a budget's run.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from pathlib import Path

from ...errors import InputError
from ...memo import Memo

__all__ = ["init_worker", "warm", "execute", "KINDS"]

_state: dict = {"queue": None}
#: runs made in this worker, by what they depend on: (scenario files, region, draws, seed)
_RUNS = Memo(4)


def init_worker(queue) -> None:
    """A worker's start: progress goes to ``queue``; numpy's warnings are for developers (the run checks its
    results)."""
    import warnings

    import matplotlib

    matplotlib.use("Agg")
    warnings.simplefilter("ignore")
    _state["queue"] = queue


def warm() -> int:
    """Import the model and the charts (the first job then starts at once); the worker's pid."""
    from ...results import charts  # noqa: F401
    from .. import outputs  # noqa: F401

    return os.getpid()


def _reporter(job_id: str):
    queue = _state["queue"]

    def report(done: int, total: int) -> None:
        if queue is not None:
            queue.put((job_id, int(done), int(total)))

    return report


def _scenario(run: dict):
    import dataclasses

    from ...scenario.load import load_scenario

    return dataclasses.replace(load_scenario(list(run["files"])), region_path=Path(run["region"]))


def _run(run: dict, progress=None):
    """The run a task names (reused when this worker made it recently)."""
    from ..outputs import run_loaded

    key = (tuple(run["files"]), run["region"], run.get("draws"), run.get("seed"))
    return _RUNS.get(key, lambda: run_loaded(_scenario(run), run.get("draws"), run.get("seed"), progress=progress))


def _write(folder: Path, files: dict) -> list[str]:
    from ...results.writers import write_files

    return [p.name for p in write_files(folder, files, option="serve")]


def job_run(task: dict, folder: Path, progress) -> dict:
    """The run's verdicts, paths and fans; with a ``base``, the comparison (impact.csv, difference.csv,
    difference.nc)."""
    from .payload import comparison_payload, run_payload

    ds = _run(task["run"], progress)
    out = run_payload(ds)
    if task.get("base"):
        from ...apps.compare import compare
        from ..outputs import compare_files

        base = _run(task["base"])
        diff = compare(base, ds)
        out["comparison"] = comparison_payload(base, ds, diff)
        out["files"] = _write(folder, compare_files(diff))
    return out


def job_charts(task: dict, folder: Path, progress) -> dict:
    """The reserve and months-covered chart (with fans over draws) and income against expenditure (PNG)."""
    from ...results.charts import fan_chart, flows_chart, png_bytes, probability_chart, reserve_chart

    ds = _run(task["run"], progress)
    charts = {"reserve.png": reserve_chart(ds), "income_expenditure.png": flows_chart(ds)}
    if "draw" in ds.dims:
        charts.update({"fan.png": fan_chart(ds), "probability.png": probability_chart(ds)})
    return {"files": _write(folder, {name: png_bytes(figure) for name, figure in charts.items()})}


def job_files(task: dict, folder: Path, progress) -> dict:
    """The files ``forecast run --out`` writes (results.nc, the CSV tables, the charts)."""
    from ..outputs import results_files

    return {"files": _write(folder, results_files(_run(task["run"], progress)))}


def job_budget(task: dict, folder: Path, progress) -> dict:
    """Next year's 收支预算表: budget.csv and budget.xlsx as ``forecast budget --out`` writes them."""
    from ..outputs import budget_files, budget_for
    from .payload import provenance, rows

    ds = _run(task["run"], progress)
    approved = None
    if task.get("approved"):
        from ...apps.approved import read_budget

        approved = read_budget(task["approved"])
    table, _ = budget_for(ds, task["year"], task["level"])
    files = budget_files(ds, _scenario(task["run"]), task["year"], task["level"], table, approved)
    return {
        "provenance": provenance(ds),
        "year": task["year"],
        "level": task["level"],
        "lines": rows(table),
        "files": _write(folder, files),
    }


def job_execution(task: dict, folder: Path, progress) -> dict:
    """This year's execution from year-to-date actuals (execution.csv; budget_execution.csv with an
    approved budget) and next year's budget workbook with this year's estimate as the form's 本年预计执行数."""
    from ...apps.execution import read_actuals
    from ..outputs import budget_files, budget_for, execution_outputs
    from .payload import provenance, rows

    table, rates, files = execution_outputs(task["actuals"], task["run"]["region"], None, task.get("approved"))
    ds = _run(task["run"], progress)
    year = int(ds.attrs["base_year"]) + 2
    lines, executed = budget_for(ds, year, task["level"], read_actuals(task["actuals"]))
    files.update(budget_files(ds, _scenario(task["run"]), year, task["level"], lines, None, executed))
    return {
        "provenance": provenance(ds),
        "year": year,
        "estimate": rows(table.reset_index()),
        "rates": rows(rates) if rates is not None else None,
        "files": _write(folder, files),
    }


def job_solve(task: dict, folder: Path, progress) -> dict:
    """The financing (or benefit) that keeps a pool on target: solved.yaml and solve.csv as ``forecast solve`` writes
    them."""
    from ..outputs import solve_outputs
    from .payload import rows

    solve = task["solve"]
    solution, frame, missed, files = solve_outputs(
        _scenario(task["run"]),
        solve["pool"],
        solve["lever"],
        solve["target"],
        solve.get("start"),
        solve.get("until"),
        solve.get("level", False),
    )
    if task.get("overlay"):
        files["reform.yaml"] = task["overlay"]
    return {
        "pool": solution.pool,
        "lever": solution.lever,
        "target": solution.target.describe(),
        "mode": solution.mode,
        "level": solution.level,
        "notes": list(solution.notes),
        "start": solution.start,
        "until": solution.until,
        "missed": missed,
        "table": rows(frame.reset_index()),
        "parameters": list(solution.values),
        "files": _write(folder, files),
    }


def job_report(task: dict, folder: Path, progress) -> dict:
    """The valuation report (精算评估报告) of the run, as ``forecast report --out`` writes it."""
    from ..outputs import valuation_html

    ds = _run(task["run"], progress)
    html, context, _ = valuation_html(_scenario(task["run"]), ds)
    return {
        "title": context["scope"]["title"],
        "conclusion": [c["zh"] for c in context["conclusion"]],
        "files": _write(folder, {"report.html": html}),
    }


KINDS = {
    "run": job_run,
    "charts": job_charts,
    "files": job_files,
    "budget": job_budget,
    "execution": job_execution,
    "solve": job_solve,
    "report": job_report,
}


def _named(error: InputError, names: dict) -> list[str]:
    """The problems' messages, an uploaded file named as its user named it (not by its private path)."""
    import dataclasses

    return [dataclasses.replace(p, file=names.get(str(p.file), p.file)).render() for p in error.problems]


def execute(kind: str, task: dict, folder: str, job_id: str) -> dict:
    """Run one job; ``{"ok": True}`` (its result.json written) or ``{"ok": False, "messages": [...]}``."""
    from ...results.writers import write_files
    from ...terminal import quiet

    report = _reporter(job_id)
    report(0, 0)
    try:
        with quiet(True):
            result = KINDS[kind](task, Path(folder), report)
            write_files(folder, {"result.json": json.dumps(result, ensure_ascii=False)}, option="serve")
        return {"ok": True}
    except InputError as error:
        return {"ok": False, "messages": _named(error, task.get("names", {}))}
    except MemoryError:
        return {
            "ok": False,
            "messages": [
                "out of memory: the run needs more memory than this machine has free. Fix: fewer draws, an earlier "
                "horizon, or fewer requests at once."
            ],
        }
    except RecursionError:
        return {
            "ok": False,
            "messages": ["the input is nested too deeply to read. Fix: check the file's brackets and indentation."],
        }
    except Exception as exc:  # noqa: BLE001 - a worker answers every job; the traceback goes to the server's log
        traceback.print_exc(file=sys.stderr)
        return {
            "ok": False,
            "internal": True,
            "messages": [
                f"internal error: {type(exc).__name__}: {exc}. This is a bug in forecast, not in your input: please "
                "report it with the page's address and 'forecast --version'."
            ],
        }
