"""From a request (a page's query, a form, a JSON body) to a job: the request checked and made
canonical (what the job's id hashes: region and scenario by name, the reform, draws and seed, and what
the kind adds), and the worker's task rebuilt from it (the scenario files and the region's folder), so
a finished job's request alone reproduces it (its permalink)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from urllib.parse import urlencode

from ...errors import InputError, Problem
from ...limits import MEMORY_SHARE, available_memory, draws_memory
from ...results.writers import write_files
from .reform import ReformError, canonical, check, field_text

__all__ = ["run_request", "task_for", "permalink", "save_upload", "problems_error", "UPLOADS"]

UPLOADS = "uploads"
KIND_PATHS = {
    "run": "/run",
    "budget": "/budget/run",
    "solve": "/solve/run",
    "report": "/report",
    "execution": "/budget",
    "charts": "/run",
    "files": "/run",
}


def problems_error(problems: list[Problem]) -> ReformError:
    return ReformError(problems, {p.field or "": [p.render()] for p in problems})


def _draws(settings, draws, seed, horizon: int) -> tuple[int | None, int | None]:
    """Draws within the page's limit and the memory a worker may use (each of the workers may run at once); seed 0 by
    default."""
    if draws in (None, "", 0):
        return None, None
    try:
        draws, seed = int(draws), (0 if seed in (None, "") else int(seed))
    except (TypeError, ValueError):
        raise problems_error(
            [
                Problem(
                    "draws",
                    "the number of draws and the seed are whole numbers",
                    "write e.g. draws 200, seed 1",
                    field="draws",
                    value=draws,
                )
            ]
        ) from None
    years = horizon - 2000 + 1
    fits = settings.max_draws
    while fits > 1 and draws_memory(fits, years) > MEMORY_SHARE * available_memory() / settings.workers:
        fits //= 2
    if not 1 <= draws <= fits:
        raise problems_error(
            [
                Problem(
                    "draws",
                    f"at most {fits:,} draws a run here (each of the {settings.workers} workers may run one at once, "
                    "within this machine's memory)",
                    f"write at most {fits:,}, or leave it empty for the central projection",
                    field="draws",
                    value=draws,
                )
            ]
        )
    if not 0 <= seed < 2**32:
        raise problems_error(
            [
                Problem(
                    "seed", "the seed is a whole number from 0 to 4294967295", "write e.g. 1", field="seed", value=seed
                )
            ]
        )
    return draws, seed


def run_request(
    settings, region=None, scenario=None, reform=None, title=None, draws=None, seed=None, base=None
) -> dict:
    """A run's canonical request, checked: the region, the scenario and its reform (validated with the
    CLI's loader), draws and seed, and the run it is compared with (``base``: by default the scenario
    without the reform, or the baseline for another shipped scenario; none for the baseline itself)."""
    reform, title = canonical(reform or {}), (title or "").strip()[:200] or None
    checked = check(settings, region, scenario, reform, title)
    draws, seed = _draws(settings, draws, seed, checked.scenario.horizon)
    request = {
        "region": region or settings.default_region,
        "scenario": scenario or "baseline",
        "reform": reform,
        "title": title,
        "draws": draws,
        "seed": seed,
    }
    if base is None and (reform or title):
        base = {"scenario": request["scenario"], "reform": {}, "title": None}
    elif base is None and request["scenario"] != "baseline":
        base = {"scenario": "baseline", "reform": {}, "title": None}
    if base is not None:
        base = {
            "scenario": base.get("scenario") or "baseline",
            "reform": canonical(base.get("reform") or {}),
            "title": (base.get("title") or "").strip()[:200] or None,
        }
        check(settings, request["region"], base["scenario"], base["reform"], base["title"])
    request["base"] = base
    return request


def _run_task(settings, request: dict, part: dict | None = None) -> dict:
    part = part or request
    checked = check(settings, request["region"], part["scenario"], part["reform"], part["title"])
    return {
        "files": list(checked.files),
        "region": str(checked.region),
        "draws": request["draws"],
        "seed": request["seed"],
        "overlay": checked.overlay,
    }


def upload_path(settings, digest: str, name: str) -> Path:
    return settings.cache / UPLOADS / digest / name


def task_for(settings, kind: str, request: dict) -> dict:
    """The worker's task for a job's request (scenario files, region folder, uploads' private paths)."""
    run = _run_task(settings, request)
    task = {"run": run, "overlay": run.pop("overlay")}
    if kind == "run" and request.get("base"):
        task["base"] = _run_task(settings, request, request["base"])
        task["base"].pop("overlay")
    task.update({k: request[k] for k in ("year", "level", "solve") if k in request})
    names = {}
    for key in ("actuals", "approved"):
        upload = request.get(key)
        if upload:
            path = upload_path(settings, upload["sha256"], upload["stored"])
            if not path.is_file():
                raise problems_error(
                    [
                        Problem(
                            upload["name"], "the uploaded file is no longer on the server", "upload it again", field=key
                        )
                    ]
                )
            task[key] = str(path)
            names[str(path)] = upload["name"]
    task["names"] = names
    return task


def save_upload(settings, data: bytes, name: str, kind: str, allowed: tuple[str, ...]) -> dict:
    """An upload saved in the private folder under a name of the server's (the user's name is kept
    only to name it in messages): ``{"name", "sha256", "stored"}``."""
    from ...errors import printable

    shown = printable(Path(str(name or "upload").replace("\\", "/")).name, newlines=True)[:100] or "upload"
    suffix = Path(shown).suffix.lower()
    if suffix not in allowed:
        raise problems_error(
            [
                Problem(
                    shown,
                    f"a {' or '.join(allowed)} file is expected here",
                    f"upload the {kind} as {' or '.join(allowed)}",
                    field=kind,
                    value=suffix or None,
                )
            ]
        )
    digest = hashlib.sha256(data).hexdigest()[:32]
    stored = f"{kind}{suffix}"
    path = upload_path(settings, digest, stored)
    if not path.is_file():
        write_files(path.parent, {stored: data}, option="upload")
    return {"name": shown, "sha256": digest, "stored": stored}


def query(request: dict) -> dict:
    """A run's request as the query of a page's address (the reform's fields as the form writes them)."""
    out = {"region": request["region"], "scenario": request["scenario"]}
    if request.get("title"):
        out["title"] = request["title"]
    if request.get("draws"):
        out.update(draws=request["draws"], seed=request["seed"])
    out.update({path: field_text(value) for path, value in request.get("reform", {}).items()})
    return out


def permalink(kind: str, request: dict) -> str:
    """The address that reproduces a job: its page's path and the request, with the package version."""
    from ..._version import __version__

    extra = {k: request[k] for k in ("year", "level") if k in request}
    solve = request.get("solve")
    if solve:  # as the solve form writes it
        lever = solve["lever"]
        extra.update(
            {"solve_pool": solve["pool"], "solve_benefit": lever[len("benefit:") :]}
            if lever.startswith("benefit:")
            else {"solve_lever": f"{solve['pool']} {lever}"}
        )
        extra.update(solve_target=solve["target"], **({"solve_level": 1} if solve.get("level") else {}))
    return f"{KIND_PATHS.get(kind, '/run')}?" + urlencode({**query(request), **extra, "version": __version__})


def input_error(error: InputError) -> dict:
    """An InputError as the API's body: each problem with its field and message."""
    fields = getattr(error, "fields", None)
    if fields:
        return {
            "errors": [
                {"field": field, "message": message} for field, messages in fields.items() for message in messages
            ]
        }
    return {"errors": [{"field": p.field or "", "message": p.render()} for p in error.problems]}
