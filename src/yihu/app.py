"""create_app(): routers, middleware, error handlers, /api/v1, /fhir and the web app."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import structlog
from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from yihu import __version__
from yihu.config import Settings, get_settings
from yihu.db import Database
from yihu.errors import (
    BAD_JSON,
    CONFLICT,
    INTERNAL,
    METHOD_NOT_ALLOWED,
    ROUTE_NOT_FOUND,
    VALIDATION,
    DomainError,
    ErrorCode,
    pick_language,
)
from yihu.fhir.outcome import outcome_response
from yihu.kit.request_context import RequestContext
from yihu.logging import configure

log = structlog.get_logger("yihu.http")


def _is_fhir(request: Request) -> bool:
    return request.url.path.startswith("/fhir")


def _error_response(request: Request, error: ErrorCode, params: dict[str, Any], extra: dict[str, Any] | None = None,
                    headers: dict[str, str] | None = None) -> Response:
    lang = pick_language(request.headers.get("accept-language"))
    message = error.render(lang, params)
    if _is_fhir(request):
        return outcome_response(error.status, error.code, message, headers)
    body: dict[str, Any] = {"code": error.code, "message": message}
    if extra:
        body.update(extra)
    return JSONResponse(body, status_code=error.status, headers=headers)


def _validation_detail(exc: RequestValidationError, lang: str) -> tuple[str, list[dict[str, str]]]:
    fields = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "header")]
        # The offending input is never echoed: it may be an ID number or a phone.
        fields.append({"field": ".".join(loc) or "body", "type": str(err.get("type", "invalid"))})
    names = ", ".join(f["field"] for f in fields[:5])
    detail = (f"请检查这些字段：{names}" if lang != "en" else f"check these fields: {names}")
    return detail, fields


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> Response:
        return _error_response(request, exc.error, exc.params)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        if any(e.get("type") == "json_invalid" for e in exc.errors()):
            return _error_response(request, BAD_JSON, {})
        lang = pick_language(request.headers.get("accept-language"))
        detail, fields = _validation_detail(exc, lang)
        return _error_response(request, VALIDATION, {"detail": detail}, {"errors": fields})

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:
            return _error_response(request, ROUTE_NOT_FOUND, {})
        if exc.status_code == 405:
            return _error_response(request, METHOD_NOT_ALLOWED, {})
        if exc.status_code == 400 and exc.detail == "There was an error parsing the body":  # FastAPI's words
            return _error_response(request, BAD_JSON, {})  # e.g. JSON nested past Python's recursion limit
        err = ErrorCode(f"http.{exc.status_code}", exc.status_code, str(exc.detail), str(exc.detail))
        return _error_response(request, err, {}, headers=getattr(exc, "headers", None))

    @app.exception_handler(IntegrityError)
    async def _integrity(request: Request, exc: IntegrityError) -> Response:
        log.warning("db.integrity_conflict", path=request.url.path, error=type(exc.orig).__name__)
        return _error_response(request, CONFLICT, {})

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.error("http.unhandled", path=request.url.path, error=type(exc).__name__)
        return _error_response(request, INTERNAL, {})


def install_middleware(app: FastAPI) -> None:
    from yihu.scheduling.fastlane import BookingFastLane

    app.add_middleware(BookingFastLane)  # added first, so it runs inside the request context
    app.add_middleware(RequestContext)


def mount_web(app: FastAPI, dist: Path) -> None:
    index = dist / "index.html"
    if (dist / "assets").is_dir():
        app.mount("/assets", StaticFiles(directory=dist / "assets"), name="assets")

    @app.get("/{path:path}", include_in_schema=False)
    async def spa(path: str) -> Response:
        if path.startswith(("api/", "fhir/")) or path in ("api", "fhir"):
            raise StarletteHTTPException(404)
        candidate = (dist / path).resolve()
        if path and candidate.is_file() and dist.resolve() in candidate.parents:
            return FileResponse(candidate)
        if index.is_file():
            return FileResponse(index, headers={"Cache-Control": "no-cache"})
        return JSONResponse({"code": "web.not_built", "message": "网页尚未构建：请运行 make web。"}, status_code=503)


def create_served_app() -> FastAPI:
    """The app as ``yihu serve`` runs it (one per worker process)."""
    app = create_app()
    app.state.freeze_gc = True
    return app


def create_app(settings: Settings | None = None, db: Database | None = None) -> FastAPI:
    settings = settings or get_settings()
    if settings.env == "production" and settings.uses_development_secrets():
        raise RuntimeError("YIHU_ENV=production needs its own YIHU_DATA_KEYS, YIHU_BLIND_INDEX_KEY and YIHU_JWT_SECRET")
    configure(json=settings.log_json)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own = app.state.db is None
        if own:
            app.state.db = Database(settings)
        if getattr(app.state, "freeze_gc", False):
            # Everything built at start-up (routes, models, compiled statements) lives as long as the process:
            # moved out of the collector's reach, a full collection no longer walks it while thousands of live
            # streams are open (such a pass had taken 680 ms with 5,000 watchers; see bench/queue_push.py).
            gc.collect()
            gc.freeze()
        try:
            yield
        finally:
            if own:
                await app.state.db.dispose()
                app.state.db = None

    app = FastAPI(title="Yihu 医护", version=__version__, lifespan=lifespan, docs_url="/api/docs",
                  redoc_url=None, openapi_url="/openapi.json")
    app.state.db = db
    app.state.settings = settings
    install_error_handlers(app)
    install_middleware(app)

    from yihu.auth.api import router as auth_router
    from yihu.billing.admissions_api import router as admissions_router
    from yihu.billing.api import router as billing_router
    from yihu.cockpit.api import router as cockpit_router
    from yihu.fhir.api import router as fhir_router
    from yihu.notify.api import router as notify_router
    from yihu.nursing.routes import routers as nursing_routers
    from yihu.queueing.api import router as queue_router
    from yihu.queueing.sse_api import router as queue_sse_router
    from yihu.registry.api import router as registry_router
    from yihu.registry.patients_api import router as patients_router
    from yihu.reports.api import router as reports_router
    from yihu.scheduling.api import router as scheduling_router
    from yihu.scheduling.waitlist_api import router as waitlist_router
    from yihu.triage.api import router as triage_router

    for r in (auth_router, registry_router, patients_router, notify_router, scheduling_router,
              waitlist_router, queue_router, queue_sse_router, reports_router, triage_router, billing_router,
              admissions_router, cockpit_router, *nursing_routers()):
        app.include_router(r, prefix="/api/v1")
    app.include_router(fhir_router, prefix="/fhir")
    from yihu.queueing.fastpath import install as install_queue_streams

    install_queue_streams(app)  # live queue streams skip the per-chunk HTTP middleware

    @app.get("/healthz", tags=["ops"])
    async def healthz(request: Request) -> JSONResponse:
        database = request.app.state.db
        try:
            async with database.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            ok = True
        except Exception as exc:  # report, never raise
            log.warning("healthz.database_unreachable", error=type(exc).__name__)
            ok = False
        body = {"status": "ok" if ok else "degraded", "database": "ok" if ok else "unreachable",
                "backend": database.engine.dialect.name, "version": __version__}
        return JSONResponse(body, status_code=200 if ok else 503)

    mount_web(app, settings.web_dist)
    return app
