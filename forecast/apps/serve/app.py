"""The ASGI application: the JSON API (:mod:`.api`), the pages (:mod:`.pages`), static files from the
package (no CDN, no build step), the guard (:mod:`.guard`), and errors answered as messages — located
ones for bad input (422), 404 for an unknown name, 503 with Retry-After when the queue is full, and
one line for a bug (the traceback to the server's log, never to the browser)."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager

from ...errors import InputError
from .runner import Busy, Runner
from .settings import LOCAL_HOSTS, Settings, is_local

__all__ = ["create_app"]

log = logging.getLogger("forecast.serve")


def _templates():
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    return Environment(
        loader=PackageLoader("forecast.apps.serve", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def create_app(settings: Settings):
    """The application for ``settings`` (the worker pool starts with it and stops with it)."""
    from fastapi import FastAPI, Request
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import JSONResponse
    from starlette.exceptions import HTTPException
    from starlette.middleware.trustedhost import TrustedHostMiddleware
    from starlette.staticfiles import StaticFiles

    from ..._version import __version__
    from . import api, pages, task_pages
    from .guard import Guard
    from .work import input_error

    @asynccontextmanager
    async def lifespan(app):
        settings.cache.mkdir(parents=True, exist_ok=True, mode=0o700)
        app.state.runner = Runner(settings.cache, settings.workers, settings.max_jobs)
        try:
            yield
        finally:
            app.state.runner.close()

    app = FastAPI(
        title="forecast serve — 医保基金收支预测",
        version=__version__,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        description=(
            "The model behind a JSON API: regions and scenarios by name, runs with a reform, comparisons and "
            "solutions, results as JSON with units (money in yuan) and provenance. Bad input answers 4xx with located "
            "messages."
        ),
    )
    app.state.settings, app.state.templates = settings, _templates()
    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(task_pages.router)
    app.mount("/static", StaticFiles(packages=[("forecast.apps.serve", "static")]), name="static")

    def wants_json(request) -> bool:
        return request.url.path.startswith("/api/")

    @app.exception_handler(InputError)
    async def bad_input(request: Request, error: InputError):
        if wants_json(request):
            unknown = any(
                p.field in ("region", "scenario", "id") and p.message.startswith(("unknown", "no run"))
                for p in error.problems
            )
            return JSONResponse(input_error(error), status_code=404 if unknown else 422)
        return pages.message_page(request, [p.render() for p in error.problems], 422)

    @app.exception_handler(Busy)
    async def busy(request: Request, error: Busy):
        text = f"busy: {settings.max_jobs} jobs are queued or running. Fix: try again in a few seconds"
        if wants_json(request):
            return JSONResponse(
                {"errors": [{"field": "", "message": text}]}, status_code=503, headers={"Retry-After": "5"}
            )
        return pages.message_page(request, [text], 503, headers={"Retry-After": "5"})

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError):
        errors = [
            {
                "field": ".".join(str(p) for p in e.get("loc", ()) if p != "body"),
                "message": f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', 'invalid')}",
            }
            for e in error.errors()
        ]
        return JSONResponse({"errors": errors}, status_code=422)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException):
        text = error.detail if isinstance(error.detail, str) else "not found"
        if wants_json(request):
            return JSONResponse({"errors": [{"field": "", "message": text}]}, status_code=error.status_code)
        return pages.message_page(request, [text], error.status_code)

    @app.exception_handler(Exception)
    async def bug(request: Request, error: Exception):
        log.exception("forecast serve: internal error on %s", request.url.path)
        text = (
            f"internal error: {type(error).__name__}. This is a bug in forecast, not in your input: please report it "
            "with the page's address and 'forecast --version'"
        )
        if wants_json(request):
            return JSONResponse({"errors": [{"field": "", "message": text}]}, status_code=500)
        return pages.message_page(request, [text], 500)

    hosts = list(LOCAL_HOSTS) if is_local(settings.host) else ["*"]
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=hosts)
    app.add_middleware(Guard, token=settings.token)
    return app
