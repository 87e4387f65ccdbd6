"""The JSON API, described by the generated OpenAPI document (``/openapi.json``): regions and
scenarios by name, the parameter schema, runs (with a reform), comparisons, solutions, and each job's
status. A run request waits for its job (at most ``WAIT_SECONDS``) and answers 200 with the result,
or 202 with the job's address to poll; money in yuan, every quantity with its unit, every result with
its provenance and permalink."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from ...errors import InputError, Problem
from .settings import WAIT_SECONDS

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["api"])

Value = str | float | int | bool
Reform = dict[str, Value | dict[str, Value]]


class ScenarioPart(BaseModel):
    model_config = ConfigDict(extra="forbid")
    scenario: str = Field("baseline", max_length=100, description="a shipped scenario's name (GET /api/scenarios)")
    reform: Reform = Field(
        default_factory=dict,
        description=(
            'parameter path -> value (400000, "40万", 0.65, "65%", true) or {year: value}; GET /api/parameters lists '
            "the paths"
        ),
    )
    title: str | None = Field(None, max_length=200)


class RunRequest(ScenarioPart):
    region: str | None = Field(
        None, max_length=100, description="a region's name (GET /api/regions); default: the server's"
    )
    draws: int | None = Field(
        None, ge=1, description="draws of every driver (bands over draws); none: the central projection"
    )
    seed: int | None = Field(None, ge=0, lt=2**32, description="seed of the draws (default 0)")


class CompareRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    region: str | None = Field(None, max_length=100)
    base: ScenarioPart = Field(default_factory=ScenarioPart)
    alt: ScenarioPart
    draws: int | None = Field(None, ge=1)
    seed: int | None = Field(None, ge=0, lt=2**32)


class SolveRequest(RunRequest):
    pool: Literal["employee", "resident", "ltci"]
    lever: str = Field(
        "financing",
        max_length=200,
        description=(
            "financing, financing.individual, financing.subsidy (resident; ltci: financing); rate, rate.employer, "
            "rate.employee (employee); benefit:PATH"
        ),
    )
    target: str = Field("months:6-9", max_length=40, description="months:LO-HI, no_deficit or no_exhaustion")
    start: int | None = Field(None, ge=1900, le=2300, description="first year the lever moves")
    until: int | None = Field(None, ge=1900, le=2300, description="last year the target must hold")
    level: bool = Field(False, description="one value from the first year (else a path year by year)")


def _settings(request: Request):
    return request.app.state.settings


def _prepare(settings, kind, region, scenario, reform, title, draws, seed, base=None, extra=None):
    """The job's request (checked) and the worker's task (blocking: run in the thread pool)."""
    from .work import run_request, task_for

    job_request = run_request(settings, region, scenario, reform, title, draws, seed, base)
    if extra:
        job_request.update(extra, base=None)
    return job_request, task_for(settings, kind, job_request)


async def answer(request: Request, kind: str, job_request: dict, task: dict, wait: bool = True):
    """Submit a job and answer: 200 with the result, 202 while it runs, 422 with its messages."""
    from .work import permalink

    runner = request.app.state.runner
    job, cached = runner.submit(kind, job_request, task)
    if wait:
        await runner.wait(job, WAIT_SECONDS)
    body = {
        **job.status(),
        "cached": cached,
        "request": job_request,
        "permalink": permalink(kind, job_request),
        "links": {"status": f"/api/runs/{job.id}", "page": f"/runs/{job.id}"},
    }
    if job.state == "done":
        return JSONResponse({**body, "result": job.result()})
    if job.state == "failed":
        return JSONResponse(
            {**body, "errors": [{"field": "", "message": m} for m in job.messages]},
            status_code=500 if job.internal else 422,
        )
    return JSONResponse(body, status_code=202, headers={"Location": f"/api/runs/{job.id}", "Retry-After": "1"})


@router.get("/regions", summary="The region bundles offered (shipped and local), by name")
def regions(request: Request) -> list[dict]:
    from .catalog import base_year_of

    settings = _settings(request)
    return [
        {
            "name": name,
            "local": name in settings.local,
            "fund_base_year": base_year_of(path),
            "default": name == settings.default_region,
        }
        for name, path in settings.regions.items()
    ]


@router.get("/regions/{name}", summary="A bundle's summary with the source of each figure (persons, yuan, ratios)")
def region(request: Request, name: str) -> dict:
    from .catalog import region_facts, region_path

    settings = _settings(request)
    return region_facts(name, region_path(settings.regions, name, settings.default_region))


@router.get("/scenarios", summary="The shipped scenarios: name, title, description, sources")
def scenarios() -> list[dict]:
    from .catalog import scenario_list

    return list(scenario_list())


@router.get("/parameters", summary="Every parameter a reform may set: path, unit, range, choices, meaning, default")
def parameters() -> list[dict]:
    from .reform import PARAMS

    return [
        {
            "path": path,
            "unit": p.unit,
            "low": p.low,
            "high": p.high,
            "choices": list(p.choices),
            "dated": p.dated,
            "default": p.default,
            "description": p.description,
            "reference": p.reference,
        }
        for path, p in PARAMS.items()
    ]


@router.post(
    "/run", summary="Run a scenario (with a reform) on a region; compared with the scenario without the reform"
)
async def run(request: Request, body: RunRequest, wait: bool = True):
    job_request, task = await run_in_threadpool(
        _prepare, _settings(request), "run", body.region, body.scenario, body.reform, body.title, body.draws, body.seed
    )
    return await answer(request, "run", job_request, task, wait)


@router.post(
    "/compare", summary="Compare two scenarios (each with its reform) on a region: ALT − BASE by year and pool"
)
async def compare(request: Request, body: CompareRequest, wait: bool = True):
    job_request, task = await run_in_threadpool(
        _prepare,
        _settings(request),
        "run",
        body.region,
        body.alt.scenario,
        body.alt.reform,
        body.alt.title,
        body.draws,
        body.seed,
        body.base.model_dump(),
    )
    return await answer(request, "run", job_request, task, wait)


@router.post("/solve", summary="The financing (or benefit) that keeps a pool on target; solved.yaml among the files")
async def solve(request: Request, body: SolveRequest, wait: bool = True):
    solve = {
        "pool": body.pool,
        "lever": body.lever,
        "target": body.target,
        "start": body.start,
        "until": body.until,
        "level": body.level,
    }
    job_request, task = await run_in_threadpool(
        _prepare,
        _settings(request),
        "solve",
        body.region,
        body.scenario,
        body.reform,
        body.title,
        None,
        None,
        None,
        {"solve": solve},
    )
    return await answer(request, "solve", job_request, task, wait)


@router.get("/runs/{id}", summary="A job's status, and its result when done")
def status(request: Request, id: str):
    from .work import permalink

    job = request.app.state.runner.get(id)
    if job is None:
        raise InputError(
            Problem("id", f"no run '{id}' on this server", "use the id a POST /api/run answered", field="id")
        )
    body = {**job.status(), "request": job.request, "permalink": permalink(job.kind, job.request)}
    if job.state == "done":
        body["result"] = job.result()
    return JSONResponse(body, status_code=200 if job.state in ("done", "failed") else 202)


@router.get("/status", summary="The queue: workers, jobs in flight, jobs computed and answered from the cache, memory")
def queue(request: Request) -> dict:
    return request.app.state.runner.status()
