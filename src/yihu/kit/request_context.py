"""The request boundary every HTTP request passes: request id, caller's IP and language, security headers and one
log line. A plain ASGI middleware: it adds nothing per request beyond wrapping ``send`` (Starlette's
``BaseHTTPMiddleware`` runs every request through a task group and memory streams, which cost about a millisecond
a request here, measured with bench/booking_rush.py)."""

from __future__ import annotations

import time
import uuid

import structlog
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from yihu.errors import pick_language
from yihu.kit.context import RequestInfo, request_info

log = structlog.get_logger("yihu.app")
SECURITY_HEADERS = ((b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"),
                    (b"x-frame-options", b"DENY"))
NO_STORE = (b"cache-control", b"no-store")
_ALWAYS = frozenset([b"x-request-id", *(name for name, _ in SECURITY_HEADERS)])
_ALWAYS_API = _ALWAYS | {NO_STORE[0]}


def request_id(given: str | None) -> str:
    rid = given or uuid.uuid4().hex
    return rid[:64] if rid.replace("-", "").isalnum() else uuid.uuid4().hex


class RequestContext:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        rid = request_id(headers.get("x-request-id"))
        client = scope.get("client")
        token = request_info.set(RequestInfo(request_id=rid, ip=client[0] if client else "unknown",
                                             lang=pick_language(headers.get("accept-language"))))
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=rid)
        path: str = scope["path"]
        no_store = path.startswith(("/api", "/fhir"))
        started = time.perf_counter()
        status = 0

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                added = [(b"x-request-id", rid.encode()), *SECURITY_HEADERS, *((NO_STORE,) if no_store else ())]
                # These replace any the app set (one pass over the headers, not one per header).
                names = _ALWAYS_API if no_store else _ALWAYS
                message["headers"] = [h for h in message.get("headers", ()) if h[0].lower() not in names] + added
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            request_info.reset(token)
            if status:  # the path only: query strings may carry search terms
                log.info("http.request", method=scope["method"], path=path, status=status,
                         ms=round((time.perf_counter() - started) * 1000, 1))
