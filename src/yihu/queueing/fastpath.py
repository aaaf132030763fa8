"""The live streams served straight on the ASGI connection.

The app's HTTP middleware (request id, logging, headers) would wrap every chunk of every open stream; this outer
middleware sends the stream paths to the same openers as the routes in :mod:`yihu.queueing.sse_api`, writes the
frames itself and notices a disconnect from ``receive`` (no timer per watcher: keep-alives come from one ticker).

On uvicorn's httptools server the queue streams also go *direct*: while a watcher is caught up, the broker writes
each event's chunk straight to its connection's transport at delivery (see :func:`direct_writer`), instead of
waking one task per watcher; everything else (replay, gaps, a slow connection) takes the ordinary path.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncGenerator
from typing import Any, Final
from urllib.parse import parse_qs

import structlog
from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from yihu.auth import tokens
from yihu.auth.actor import Actor
from yihu.errors import DomainError, pick_language
from yihu.kit.asgi import send_json
from yihu.queueing import sse_api
from yihu.queueing.broker import Subscription
from yihu.queueing.stream import CLOSE_SIGNAL, Write

log = structlog.get_logger(__name__)
PATHS = re.compile(r"^/api/v1/(?:queues/(?P<queue>[^/]+)/events|queue-entries/(?P<entry>[^/]+)/events"
                   r"|departments/(?P<department>[^/]+)/screen/events)$")
HEADERS = [(b"content-type", b"text/event-stream; charset=utf-8"), (b"cache-control", b"no-store"),
           (b"x-accel-buffering", b"no"), (b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer")]


WRITE_BOUND: Final = 64 * 1024  # bytes waiting in a transport beyond which a watcher leaves direct mode
CYCLES = frozenset({"uvicorn.protocols.http.httptools_impl.RequestResponseCycle"})
WRAPPED_SEND = "ServerErrorMiddleware.__call__.<locals>._send"  # Starlette's outermost wrapper: only notes the start


def direct_writer(receive: Receive, send: Send) -> Write | None:
    """A synchronous writer of chunk-encoded bytes to this response's connection, or None where that is not safe.

    Only on uvicorn's httptools cycle (``receive`` is its bound method), with nothing between it and this
    middleware that could change the body (``send`` is the cycle's own or Starlette's error wrapper), once the
    response has started chunked. Each write checks the connection is open and not backed up; a refusal sends the
    watcher back to the ordinary path, whose ``send`` waits for the connection to drain.
    """
    cycle: Any = getattr(receive, "__self__", None)
    kind = type(cycle)
    if f"{kind.__module__}.{kind.__qualname__}" not in CYCLES:
        return None
    if getattr(send, "__self__", None) is not cycle and getattr(send, "__qualname__", "") != WRAPPED_SEND:
        return None
    transport, flow = cycle.transport, cycle.flow

    def write(data: bytes) -> bool:
        if (cycle.disconnected or cycle.response_complete or cycle.chunked_encoding is not True
                or flow.write_paused or transport.is_closing() or transport.get_write_buffer_size() > WRITE_BOUND):
            return False
        transport.write(data)
        return True

    return write


class StreamFastPath:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and (m := PATHS.match(scope["path"])):
            await serve(scope["app"], scope, receive, send, m)
            return
        await self.app(scope, receive, send)


def install(app: FastAPI) -> None:
    app.add_middleware(StreamFastPath)


async def _until_disconnect(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


async def _open(app: FastAPI, scope: Scope, m: re.Match[str], direct: Write | None, send: Send
                ) -> tuple[bytes, AsyncGenerator[bytes, None], Subscription] | None:
    """Check access and open the stream; a refusal is answered here (None). Its locals end with it."""
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    token = query.get("token", [None])[0]
    last_id = headers.get("last-event-id", query.get("last_id", [None])[0])
    subs: list[Subscription] = []
    try:
        actor: Actor | None = None
        scheme, _, bearer = headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and bearer.strip():
            actor = tokens.actor_from_access(bearer.strip())
        if m["queue"]:
            first, gen = await sse_api.open_queue(app, m["queue"], actor, token, last_id, subs.append, direct)
        elif m["entry"]:
            first, gen = await sse_api.open_entry(app, m["entry"], actor, token, last_id, subs.append, direct)
        else:
            first, gen = await sse_api.open_screen(app, m["department"], subs.append)
    except DomainError as exc:
        lang = pick_language(headers.get("accept-language"))
        await send_json(send, exc.status, exc.body(lang), [(b"cache-control", b"no-store")])
        return None
    return first, gen, subs[0]


async def serve(app: FastAPI, scope: Scope, receive: Receive, send: Send, m: re.Match[str]) -> None:
    gone = asyncio.ensure_future(_until_disconnect(receive))
    try:
        opened = await _open(app, scope, m, direct_writer(receive, send), send)
    except BaseException:
        gone.cancel()
        raise
    if opened is None:
        gone.cancel()
        return
    first, gen, sub = opened
    del opened
    gone.add_done_callback(lambda _f: sub.close(CLOSE_SIGNAL))
    try:
        await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
        await send({"type": "http.response.body", "body": first, "more_body": True})
        async for chunk in gen:
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        with contextlib.suppress(OSError):
            await send({"type": "http.response.body", "body": b"", "more_body": False})
    except OSError:
        pass  # the client went away mid-write
    finally:
        await gen.aclose()
        gone.cancel()
