"""The FastAPI application: ``create_app(settings)`` wires store, workers, pages and API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import swagger_ui_bundle
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from sqaaas import __version__
from sqaaas.datafiles import data_path
from sqaaas.errors import SqaaasError
from sqaaas.pipelines.spec import SpecError
from sqaaas.web import api, pages
from sqaaas.web.health import metrics_registry
from sqaaas.web.jobs import WorkerPool
from sqaaas.web.netcheck import InvalidField
from sqaaas.web.operations import NotFound, NotReady, Operations, UnverifiedBadge
from sqaaas.web.queue import CeleryDispatch, broker_ok, celery_app
from sqaaas.web.security import BodyLimit, RateLimit, RateLimiter, SecurityHeaders
from sqaaas.web.settings import WebSettings
from sqaaas.web.sharedissuer import SharedIssuer
from sqaaas.web.store import QueueFull, StoreUnavailable, open_store

ERROR_STATUS: tuple[tuple[type[Exception], int], ...] = (
    (NotFound, 404),
    (NotReady, 409),
    (InvalidField, 422),  # a refused URL, profile, certificate...
    (SpecError, 422),
    (QueueFull, 503),
    (UnverifiedBadge, 500),  # the service's own data is at fault, not the request
    (StoreUnavailable, 503),  # the database restarts: try again shortly
    (SqaaasError, 400),
)


RETRY_AFTER_S = 5  # a database restart takes seconds


def status_of(exc: Exception) -> int:
    return next(code for kind, code in ERROR_STATUS if isinstance(exc, kind))


def create_app(settings: WebSettings | None = None, *, start_workers: bool = True) -> FastAPI:
    """The service for ``settings``; workers start with the app and stop with it.

    Scaled out (a broker and a database URL), the app runs no job: it queues them on the
    broker for ``sqaaas worker`` and reads their results from the database.
    """
    settings = settings or WebSettings()
    settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    store = open_store(settings)
    service = Operations(settings=settings, store=store)
    pool: WorkerPool | None = None
    if settings.scaled_out:
        service.shared = SharedIssuer(store, settings)
        service.shared.start_web(service.ensure_keys)
        queue = celery_app(settings)
        service.pool = CeleryDispatch(queue, store)
        service.broker_problem = lambda: broker_ok(queue)
    else:
        service.ensure_keys()
        pool = WorkerPool(store, settings, on_done=service.on_job_done)
        service.pool = pool

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if start_workers and pool is not None:
            pool.start()
        try:
            yield
        finally:
            if pool is not None:
                pool.stop()
            store.close()

    app = FastAPI(
        title="sqaaas",
        version=__version__,
        description="Quality assurance for research software: pipelines, assessments, badges.",
        lifespan=lifespan,
        docs_url=None,  # served below from local Swagger UI assets (offline, CSP-clean)
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    app.state.settings = settings
    app.state.operations = service
    app.state.metrics = metrics_registry(service)
    app.state.templates = Jinja2Templates(directory=str(data_path("web") / "templates"))
    app.add_middleware(BodyLimit)
    app.add_middleware(RateLimit, limiter=RateLimiter(settings.rate_limit_per_minute))
    app.add_middleware(SecurityHeaders)

    @app.exception_handler(SqaaasError)
    async def _sqaaas_error(request: Request, exc: SqaaasError) -> JSONResponse:
        status = status_of(exc)
        headers = {"Retry-After": str(RETRY_AFTER_S)} if status == 503 else None
        return JSONResponse({"detail": str(exc)}, status_code=status, headers=headers)

    @app.exception_handler(QueueFull)
    async def _queue_full(request: Request, exc: QueueFull) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=503, headers={"Retry-After": "60"})

    app.add_exception_handler(RequestValidationError, api.validation_error)
    app.include_router(api.router)
    app.include_router(pages.router)
    _mount_api_docs(app)
    app.mount("/static", StaticFiles(directory=str(data_path("web") / "static")), name="static")
    return app


def _mount_api_docs(app: FastAPI) -> None:
    """Interactive API docs from the swagger-ui-bundle package: no CDN, no inline script."""
    app.mount(
        "/static/swagger-ui",
        StaticFiles(directory=swagger_ui_bundle.swagger_ui_path),
        name="swagger-ui",
    )

    @app.get("/api/v1/docs", include_in_schema=False)
    async def api_docs(request: Request) -> HTMLResponse:
        return request.app.state.templates.TemplateResponse(  # type: ignore[no-any-return]
            request, "api_docs.html", {"openapi_url": app.openapi_url}
        )
