"""The booking fast lane: ``POST /api/v1/appointments`` answered by plain ASGI and plain SQL on PostgreSQL.

A booking rush is the one moment thousands of residents press the same button: this lane books without FastAPI's
request machinery and the ORM (``fastbook``). It takes only a well-formed request from a resident: a JSON body with
``slot_id`` and ``patient_id``, a valid access token and an Idempotency-Key. Anything else (a bad body, a missing
key, an exam order, another role, SQLite) goes on, untouched, to the FastAPI route, which answers it as before, so
the two never differ in what they refuse. It runs inside ``RequestContext`` (request id, IP, language, security
headers and the log line are the same) and answers errors as the app does: ``{"code", "message"}`` and the status.
``YIHU_BOOKING_FAST_LANE=false`` turns it off.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import structlog
from sqlalchemy.util import greenlet_spawn
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from yihu.auth import tokens
from yihu.auth.actor import Actor
from yihu.db import Database
from yihu.errors import INTERNAL, DomainError
from yihu.kit import idempotency
from yihu.kit.asgi import send_json
from yihu.kit.context import current_lang
from yihu.scheduling import fastbook
from yihu.scheduling.api import check_booking_rate

PATH = "/api/v1/appointments"
MAX_BODY = 4096
log = structlog.get_logger("yihu.http")


class BookingFastLane:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != PATH:
            await self.app(scope, receive, send)
            return
        db: Database | None = getattr(scope["app"].state, "db", None)
        if db is None or db.engine.dialect.name != "postgresql" or not db.settings.booking_fast_lane:
            await self.app(scope, receive, send)
            return
        messages, body = await _read_body(receive)
        request = _well_formed(scope, body) if body is not None else None
        if request is None:
            await self.app(scope, _replay(messages, receive), send)
            return
        status, body, headers = await _book(db, *request)
        await send_json(send, status, body, headers)


async def _read_body(receive: Receive) -> tuple[list[Message], bytes | None]:
    """The request's body, or None when it is larger than any booking (the route then reads the rest)."""
    messages: list[Message] = []
    size = 0
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            return messages, None
        size += len(message.get("body", b""))
        if size > MAX_BODY:
            return messages, None
        if not message.get("more_body", False):
            return messages, b"".join(m.get("body", b"") for m in messages)


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replay() -> Message:
        return pending.pop(0) if pending else await receive()

    return replay


def _well_formed(scope: Scope, body: bytes) -> tuple[Actor, str, str, str] | None:
    """(actor, key, slot_id, patient_id) of a request the lane may take; None sends it to the route."""
    headers = {k: v for k, v in scope["headers"] if k in (b"authorization", b"idempotency-key", b"content-type")}
    if not headers.get(b"content-type", b"").startswith(b"application/json"):
        return None
    scheme, _, token = headers.get(b"authorization", b"").decode("latin-1").partition(" ")
    raw_key = headers.get(b"idempotency-key")
    if scheme.lower() != "bearer" or not token.strip() or raw_key is None:
        return None
    try:
        actor = tokens.actor_from_access(token.strip())
        key = idempotency.check_key(raw_key.decode("latin-1"))
        data = json.loads(body)
    except (DomainError, ValueError, RecursionError):  # the route answers these as it always has
        return None
    if actor.role != "resident" or not isinstance(data, dict) or not set(data) <= {"slot_id", "patient_id",
                                                                                    "exam_order_id"}:
        return None
    slot_id, patient_id = data.get("slot_id"), data.get("patient_id")
    if data.get("exam_order_id") is not None or not all(isinstance(v, str) and len(v) <= 36
                                                        for v in (slot_id, patient_id)):
        return None
    return actor, key, str(slot_id), str(patient_id)


async def _book(db: Database, actor: Actor, key: str, slot_id: str, patient_id: str
                ) -> tuple[int, Any, list[tuple[bytes, bytes]]]:
    structlog.contextvars.bind_contextvars(actor_id=actor.account_id, actor_role=actor.role)
    lang = current_lang()
    try:
        await check_booking_rate(actor)
        async with pooled(db) as conn:
            for logger in fastbook.QUERY_LOGGERS:
                conn.add_query_logger(logger)
            try:
                out = await fastbook.book(conn, actor, slot_id=slot_id, patient_id=patient_id, key=key,
                                          lang=lang)
            finally:
                for logger in fastbook.QUERY_LOGGERS:
                    conn.remove_query_logger(logger)
    except DomainError as exc:
        return exc.status, exc.body(lang), []
    except Exception as exc:  # answered as the app's own handler would: never a bare 500 page
        log.error("http.unhandled", path=PATH, error=type(exc).__name__)
        return INTERNAL.status, DomainError(INTERNAL).body(lang), []
    return out.status, out.body, [(b"idempotent-replayed", b"true")] if out.replayed else []


@asynccontextmanager
async def pooled(db: Database) -> AsyncIterator[asyncpg.Connection]:
    """One asyncpg connection of the app's own pool, taken straight from the pool (an AsyncConnection around it
    cost 27 µs more a request). After anything but a refusal (a dropped connection, a server shutting it down, a
    protocol error, a cancelled request), or when it is closed or still inside a transaction, the connection is
    discarded instead of being handed to the next request."""
    fairy = await greenlet_spawn(db.engine.sync_engine.raw_connection)
    conn: asyncpg.Connection = fairy.driver_connection
    healthy = False
    try:
        yield conn
        healthy = True
    except DomainError:
        healthy = True
        raise
    finally:
        if not healthy or conn.is_closed() or conn.is_in_transaction():
            await greenlet_spawn(fairy.invalidate)
        await greenlet_spawn(fairy.close)

