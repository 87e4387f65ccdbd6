"""The pages that start a task from a form: 预算 (the budget of a year and its interval), this year's
execution from uploaded actuals (and the approved budget, read at once so that a bad file is answered
on the page), 求解 (the financing or benefit that keeps a pool in its band) and 报告 (the valuation
report). Each checks its form and submits the task; the run's page (:mod:`.pages`) shows its progress."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from ...errors import InputError, Problem
from .pages import checked_request, form_upload, render, submit
from .settings import MAX_UPLOAD_BYTES

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


@router.get("/budget", response_class=HTMLResponse)
async def budget_page(request: Request):
    from .catalog import base_year_of, region_path
    from .work import query

    settings = request.app.state.settings
    job_request = await run_in_threadpool(checked_request, settings, request.query_params)
    base = await run_in_threadpool(
        base_year_of, region_path(settings.regions, job_request["region"], settings.default_region)
    )
    return render(request, "budget.html.j2", base_year=base, q=query(job_request), hidden=query(job_request))


@router.get("/budget/run")
async def budget_run(request: Request):
    job_request = await run_in_threadpool(checked_request, request.app.state.settings, request.query_params)
    try:
        year, level = int(request.query_params.get("year", "")), float(request.query_params.get("level", "0.8"))
    except ValueError:
        raise InputError(
            Problem("year", "the budget year is a year and the level a share", "choose them in the form", field="year")
        ) from None
    if not 0 < level < 1:
        raise InputError(
            Problem(
                "level", "the interval level must be between 0 and 1", "choose e.g. 0.8", field="level", value=level
            )
        )
    return await submit(request, "budget", {**job_request, "base": None, "year": year, "level": level})


@router.post("/execution")
async def execution_run(request: Request):
    settings = request.app.state.settings
    form = await request.form(max_files=2, max_fields=400, max_part_size=MAX_UPLOAD_BYTES)
    actuals = await form_upload(form, "actuals", "actuals", (".csv",), settings, True)
    approved = await form_upload(form, "approved", "approved", (".xlsx", ".csv"), settings, False)
    job_request = await run_in_threadpool(
        checked_request, settings, {k: v for k, v in form.items() if isinstance(v, str)}
    )
    await run_in_threadpool(_read_uploads, settings, actuals, approved)
    return await submit(
        request,
        "execution",
        {
            **job_request,
            "base": None,
            "draws": None,
            "seed": None,
            "actuals": actuals,
            "approved": approved,
            "level": 0.8,
        },
    )


def _read_uploads(settings, actuals: dict, approved: dict | None) -> None:
    """Read the uploads now (a bad file is answered at once, named as its user named it)."""
    import dataclasses

    from ...apps.approved import read_budget
    from ...apps.execution import read_actuals
    from .work import upload_path

    for upload, read in ((actuals, read_actuals), (approved, read_budget)):
        if upload is None:
            continue
        path = upload_path(settings, upload["sha256"], upload["stored"])
        try:
            read(path)
        except InputError as error:
            raise InputError(
                [dataclasses.replace(p, file=upload["name"]) if str(p.file) == str(path) else p for p in error.problems]
            ) from None


@router.get("/solve", response_class=HTMLResponse)
async def solve_page(request: Request):
    from ...apps.solve import LEVERS
    from .work import query

    job_request = await run_in_threadpool(checked_request, request.app.state.settings, request.query_params)
    return render(
        request,
        "solve.html.j2",
        levers=[f"{p} {lever}" for p, lever in LEVERS],
        q=query(job_request),
        hidden=query(job_request),
    )


@router.get("/solve/run")
async def solve_run(request: Request):
    params = request.query_params
    job_request = await run_in_threadpool(checked_request, request.app.state.settings, params)
    pool, _, lever = (params.get("solve_lever") or "resident financing").partition(" ")
    benefit = (params.get("solve_benefit") or "").strip()[:200]
    if benefit:
        pool, lever = params.get("solve_pool") or pool, f"benefit:{benefit}"
    solve = {
        "pool": pool,
        "lever": lever or "financing",
        "target": (params.get("solve_target") or "months:6-9")[:40],
        "start": None,
        "until": None,
        "level": bool(params.get("solve_level")),
    }
    if solve["pool"] not in ("employee", "resident", "ltci"):
        raise InputError(
            Problem(
                "solve_pool",
                f"no pool '{solve['pool']}' to solve for",
                "choose employee, resident or ltci",
                field="solve_pool",
            )
        )
    return await submit(request, "solve", {**job_request, "base": None, "draws": None, "seed": None, "solve": solve})


@router.get("/report")
async def report_run(request: Request):
    job_request = await run_in_threadpool(checked_request, request.app.state.settings, request.query_params)
    return await submit(request, "report", {**job_request, "base": None})
