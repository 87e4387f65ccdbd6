"""The pages: 地区 (regions), 情景 (the scenarios and the reform form), 结果 (a run: verdicts, warnings,
charts with fans, the comparison, its files); and what every page shares: rendering a template in the
reader's language, reading a run's request from a query or form, saving an upload, submitting a task.
The pages that start a budget, execution, solve or report task are in :mod:`.task_pages`. Plain forms
and links: every page works without script; a page whose job is still working reloads itself every
second and shows its progress. A run's address (its query) is its permalink."""

from __future__ import annotations

import mimetypes

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, PlainTextResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from ..._version import __version__
from ...errors import InputError, Problem
from .i18n import LANGS, translator
from .reform import PARAMS, ReformError, parse_field
from .settings import MAX_UPLOAD_BYTES, WAIT_SECONDS

__all__ = ["router", "message_page", "render", "checked_request", "submit", "form_upload"]

router = APIRouter(include_in_schema=False)
CHARTS = ("reserve.png", "income_expenditure.png", "fan.png", "probability.png")
INLINE = (".png", ".html")


def _lang(request: Request) -> str:
    lang = request.query_params.get("lang") or request.cookies.get("lang") or "zh"
    return lang if lang in LANGS else "zh"


def render(request: Request, name: str, status: int = 200, headers=None, **context) -> HTMLResponse:
    from .format import FILTERS

    lang = _lang(request)
    env = request.app.state.templates
    env.filters.update(FILTERS)
    page = env.get_template(name).render(
        t=translator(lang), lang=lang, version=__version__, path=request.url.path, q=context.pop("q", {}), **context
    )
    response = HTMLResponse(page, status_code=status, headers=headers)
    if request.query_params.get("lang") in LANGS:
        response.set_cookie("lang", lang, samesite="strict")
    return response


def message_page(request: Request, messages: list[str], status: int, headers=None) -> HTMLResponse:
    return render(request, "message.html.j2", status, headers, messages=messages)


def _reform(params) -> tuple[dict, dict]:
    """The reform in a query or form: parameter path -> value, and the fields that could not be read."""
    reform, fields = {}, {}
    for path in PARAMS:
        text = params.get(path)
        if text is None:
            continue
        try:
            value = parse_field(path, str(text))
        except ReformError as error:
            fields[path] = [p.render() for p in error.problems]
            continue
        if value is not None:
            reform[path] = value
    return reform, fields


def checked_request(settings, params) -> dict:
    """A run's request from a page's query or form (checked; a ReformError by field)."""
    from .work import run_request

    reform, fields = _reform(params)
    if fields:
        raise ReformError([], fields)
    return run_request(
        settings,
        params.get("region") or None,
        params.get("scenario") or None,
        reform,
        params.get("title"),
        params.get("draws") or None,
        params.get("seed") or None,
    )


def _values(params) -> dict:
    return {
        k: str(v) for k, v in params.items() if k in PARAMS or k in ("region", "scenario", "title", "draws", "seed")
    }


@router.get("/", response_class=HTMLResponse)
async def regions_page(request: Request):
    from .catalog import region_facts, region_path

    settings = request.app.state.settings
    name = request.query_params.get("region") or settings.default_region
    facts = await run_in_threadpool(region_facts, name, region_path(settings.regions, name, settings.default_region))
    return render(
        request, "regions.html.j2", facts=facts, names=list(settings.regions), local=settings.local, q={"region": name}
    )


async def _scenario_page(request: Request, values: dict, fields: dict | None = None, status: int = 200):
    from .catalog import LOCK, form_sections, scenario_list, scenario_path
    from .work import problems_error

    settings = request.app.state.settings
    name = values.get("scenario") or "baseline"
    try:
        path = scenario_path(name)
    except InputError as error:
        raise problems_error(error.problems) from None

    def sections():
        from ...scenario.load import load_scenario

        with LOCK:
            return form_sections(load_scenario(path))

    region = values.get("region") or settings.default_region
    return render(
        request,
        "scenarios.html.j2",
        status,
        scenarios=scenario_list(),
        sections=await run_in_threadpool(sections),
        values=values,
        errors=fields or {},
        region=region,
        names=list(settings.regions),
        max_draws=settings.max_draws,
        q={"region": region, "scenario": name},
    )


@router.get("/scenarios", response_class=HTMLResponse)
async def scenarios_page(request: Request):
    return await _scenario_page(request, _values(request.query_params))


async def submit(request: Request, kind: str, job_request: dict):
    from .work import task_for

    settings, runner = request.app.state.settings, request.app.state.runner
    task = await run_in_threadpool(task_for, settings, kind, job_request)
    job, _ = runner.submit(kind, job_request, task)
    return RedirectResponse(f"/runs/{job.id}", status_code=303)


@router.get("/run")
async def run_page(request: Request):
    settings = request.app.state.settings
    try:
        job_request = await run_in_threadpool(checked_request, settings, request.query_params)
    except ReformError as error:
        return await _scenario_page(request, _values(request.query_params), error.fields, 422)
    return await submit(request, "run", job_request)


@router.get("/reform.yaml")
async def export_reform(request: Request):
    from .reform import check

    settings = request.app.state.settings
    try:
        job_request = await run_in_threadpool(checked_request, settings, request.query_params)
        checked = await run_in_threadpool(
            check,
            settings,
            job_request["region"],
            job_request["scenario"],
            job_request["reform"],
            job_request["title"] or "改革 reform",
        )
    except ReformError as error:
        return await _scenario_page(request, _values(request.query_params), error.fields, 422)
    return PlainTextResponse(
        checked.overlay,
        media_type="application/yaml; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="reform.yaml"'},
    )


async def form_upload(form, key: str, kind: str, allowed: tuple[str, ...], settings, required: bool):
    from .work import problems_error, save_upload

    upload = form.get(key)
    if upload is None or isinstance(upload, str) or not getattr(upload, "filename", ""):
        if required:
            raise problems_error([Problem(key, "no file was chosen", f"choose the {kind} file to upload", field=key)])
        return None
    data = await upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise problems_error(
            [
                Problem(
                    upload.filename,
                    f"the file is larger than {MAX_UPLOAD_BYTES / 1e6:.0f} MB",
                    "upload the year-to-date figures only (a few KB)",
                    field=key,
                )
            ]
        )
    return await run_in_threadpool(save_upload, settings, data, upload.filename, kind, allowed)


@router.post("/scenarios/import")
async def import_reform(request: Request):
    from .importing import reform_query

    settings = request.app.state.settings
    form = await request.form(max_files=1, max_fields=20, max_part_size=MAX_UPLOAD_BYTES)
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    try:
        upload = await form_upload(form, "file", "scenario", (".yaml", ".yml"), settings, True)
        query = await run_in_threadpool(reform_query, settings, upload, fields)
    except ReformError as error:
        return await _scenario_page(request, _values(fields), {"import": [p.render() for p in error.problems]}, 422)
    return RedirectResponse(f"/scenarios?{query}", status_code=303)


def _job(request: Request, id: str):
    job = request.app.state.runner.get(id)
    if job is None:
        raise InputError(
            Problem("id", f"no run '{id}' on this server", "start it again from its permalink", field="id")
        )
    return job


@router.get("/runs/{id}", response_class=HTMLResponse)
async def result_page(request: Request, id: str):
    from .work import permalink, query

    job = _job(request, id)
    result = job.result() if job.state == "done" else None
    version = request.query_params.get("version")
    return render(
        request,
        "result.html.j2",
        200 if job.state != "failed" else 422,
        job=job,
        result=result,
        permalink=permalink(job.kind, job.request),
        q=query(job.request),
        other_version=version not in (None, __version__),
    )


@router.get("/runs/{id}/chart/{name}")
async def chart(request: Request, id: str, name: str):
    from .work import task_for

    job = _job(request, id)
    if name not in CHARTS or job.kind != "run":
        raise InputError(
            Problem("chart", f"no chart '{name}' for this run", f"one of {', '.join(CHARTS)}", field="chart")
        )
    runner = request.app.state.runner
    task = await run_in_threadpool(task_for, request.app.state.settings, "charts", job.request)
    charts, _ = runner.submit("charts", job.request, task)
    await runner.wait(charts, WAIT_SECONDS)
    if charts.state != "done" or not (charts.folder / name).is_file():
        raise InputError(
            Problem(
                "chart",
                f"the chart '{name}' could not be drawn: {' '.join(charts.messages) or 'still working'}",
                "reload the page",
                field="chart",
            )
        )
    return FileResponse(charts.folder / name, media_type="image/png")


@router.get("/runs/{id}/download")
async def download_all(request: Request, id: str):
    job = _job(request, id)
    return await submit(request, "files", {k: v for k, v in job.request.items() if k != "base"})


@router.get("/runs/{id}/files/{name}")
async def job_file(request: Request, id: str, name: str):
    job = _job(request, id)
    files = job.result().get("files", []) if job.state == "done" else []
    if name not in files:
        raise InputError(
            Problem("file", f"this run has no file '{name}'", f"one of {', '.join(files) or 'none yet'}", field="file")
        )
    inline = name.endswith(INLINE) and not request.query_params.get("download")
    kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return FileResponse(
        job.folder / name,
        media_type=kind,
        filename=None if inline else name,
        content_disposition_type="inline" if inline else "attachment",
    )
