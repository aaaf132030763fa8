"""Server-Sent Events endpoints. They hold no database session while streaming: each read opens a short one.

The openers below check access and subscribe; the FastAPI routes wrap them in a StreamingResponse, and
:mod:`yihu.queueing.fastpath` serves the same openers straight on the ASGI connection in production.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Callable
from typing import Annotated

from fastapi import APIRouter, FastAPI, Header, Query, Request
from fastapi.responses import StreamingResponse

from yihu.auth import policy
from yihu.auth.actor import Actor
from yihu.auth.deps import MaybeActor
from yihu.db import Database
from yihu.errors import DomainError
from yihu.queueing import errors, queues, stream, views
from yihu.queueing.broker import Subscription

router = APIRouter(tags=["queue"])
SSE_HEADERS = {"Cache-Control": "no-store", "X-Accel-Buffering": "no", "X-Content-Type-Options": "nosniff"}
Token = Annotated[str | None, Query(max_length=2048, description="a stream token from …/stream-token")]
LastIdHeader = Annotated[str | None, Header(alias="Last-Event-ID")]
LastIdQuery = Annotated[str | None, Query(max_length=20, description="for clients that cannot send the header")]
OnSub = Callable[[Subscription], None] | None
Opened = tuple[bytes, AsyncGenerator[bytes, None]]
STAFF = ("doctor", "nurse", "institution_admin")


async def _started(gen: AsyncGenerator[bytes, None]) -> Opened:
    """Run the stream up to its first line, so refusals (too many watchers) surface as errors."""
    first = await gen.__anext__()
    return first, gen


async def open_queue(app: FastAPI, queue_id: str, actor: Actor | None, token: str | None, last_id: str | None,
                     on_subscribed: OnSub = None, direct: stream.Write | None = None) -> Opened:
    db: Database = app.state.db
    async with db.sessionmaker() as s:
        q = await queues.get(s, queue_id)
        if token is not None:
            if not stream.token_allows(token, f"queue:{q.id}"):
                raise DomainError(errors.STREAM_TOKEN)
        else:
            policy.require_institution_staff(actor, q.institution_id, *STAFF)
    return await _started(stream.queue_events(db, stream.broker_of(app), q.id, stream.parse_last_id(last_id),
                                              stream.queue_frame, on_subscribed, direct))


async def open_entry(app: FastAPI, entry_id: str, actor: Actor | None, token: str | None, last_id: str | None,
                     on_subscribed: OnSub = None, direct: stream.Write | None = None) -> Opened:
    db: Database = app.state.db
    async with db.sessionmaker() as s:
        e = await queues.get_entry(s, entry_id)
        q = await queues.get(s, e.queue_id)
        if token is not None:
            if not stream.token_allows(token, f"entry:{e.id}"):
                raise DomainError(errors.STREAM_TOKEN)
        else:
            a = policy.require_actor(actor)
            if a.role == "resident":
                await policy.require_patient(s, a, e.patient_id, "read")
            else:
                policy.require_institution_staff(a, q.institution_id, *STAFF)
    return await _started(stream.queue_events(db, stream.broker_of(app), q.id, stream.parse_last_id(last_id),
                                              stream.entry_renderer(e.id, e.number, e.status), on_subscribed,
                                              direct))


async def open_screen(app: FastAPI, department_id: str, on_subscribed: OnSub = None) -> Opened:
    db: Database = app.state.db
    async with db.sessionmaker() as s:
        opening = (await views.screen(s, department_id)).model_dump(mode="json")
    return await _started(stream.department_events(stream.broker_of(app), department_id, opening, on_subscribed))


async def _chain(opened: Opened) -> AsyncIterator[bytes]:
    """The opening line, then the rest; a disconnect closes the stream (unsubscribes)."""
    first, rest = opened
    try:
        yield first
        async for chunk in rest:
            yield chunk
    finally:
        await rest.aclose()


def _sse(opened: Opened) -> StreamingResponse:
    return StreamingResponse(_chain(opened), media_type="text/event-stream", headers=SSE_HEADERS)


@router.get("/queues/{queue_id}/events", summary="Live events of a queue (SSE; staff; replay after Last-Event-ID)")
async def queue_events(queue_id: str, request: Request, actor: MaybeActor, token: Token = None,
                       last_event_id: LastIdHeader = None, last_id: LastIdQuery = None) -> StreamingResponse:
    return _sse(await open_queue(request.app, queue_id, actor, token,
                                 last_event_id if last_event_id is not None else last_id))


@router.get("/queue-entries/{entry_id}/events",
            summary="Live position of one queue entry (SSE; the resident's view; replay after Last-Event-ID)")
async def entry_events(entry_id: str, request: Request, actor: MaybeActor, token: Token = None,
                       last_event_id: LastIdHeader = None, last_id: LastIdQuery = None) -> StreamingResponse:
    return _sse(await open_entry(request.app, entry_id, actor, token,
                                 last_event_id if last_event_id is not None else last_id))


@router.get("/departments/{department_id}/screen/events",
            summary="Live waiting-room screen of a department (SSE; public; names masked)")
async def screen_events(department_id: str, request: Request) -> StreamingResponse:
    return _sse(await open_screen(request.app, department_id))
