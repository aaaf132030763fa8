"""Server-Sent Events endpoints. They hold no database session while streaming: each read opens a short one."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import StreamingResponse

from yihu.auth import policy
from yihu.auth.deps import MaybeActor
from yihu.db import Database
from yihu.errors import DomainError
from yihu.queueing import errors, queues, stream, views

router = APIRouter(tags=["queue"])
SSE_HEADERS = {"Cache-Control": "no-store", "X-Accel-Buffering": "no", "Connection": "keep-alive"}
Token = Annotated[str | None, Query(max_length=2048, description="a stream token from …/stream-token")]
LastIdHeader = Annotated[str | None, Header(alias="Last-Event-ID")]
LastIdQuery = Annotated[str | None, Query(max_length=20, description="for clients that cannot send the header")]


def _sse(body: AsyncIterator[bytes]) -> StreamingResponse:
    return StreamingResponse(body, media_type="text/event-stream", headers=SSE_HEADERS)


@router.get("/queues/{queue_id}/events", summary="Live events of a queue (SSE; staff; replay after Last-Event-ID)")
async def queue_events(queue_id: str, request: Request, actor: MaybeActor, token: Token = None,
                       last_event_id: LastIdHeader = None, last_id: LastIdQuery = None) -> StreamingResponse:
    db: Database = request.app.state.db
    async with db.sessionmaker() as s:
        q = await queues.get(s, queue_id)
        if token is None or not stream.token_allows(token, f"queue:{q.id}"):
            if token is not None:
                raise DomainError(errors.STREAM_TOKEN)
            policy.require_institution_staff(actor, q.institution_id, "doctor", "nurse", "institution_admin")
    since = stream.parse_last_id(last_event_id if last_event_id is not None else last_id)
    gen = stream.queue_events(db, stream.broker_of(request.app), q, since, stream.queue_frame)
    await gen.__anext__()  # refusals (too many watchers) surface as errors, not as a broken stream
    return _sse(_prepend(b"retry: 3000\n\n", gen))


@router.get("/queue-entries/{entry_id}/events",
            summary="Live position of one queue entry (SSE; the resident's view; replay after Last-Event-ID)")
async def entry_events(entry_id: str, request: Request, actor: MaybeActor, token: Token = None,
                       last_event_id: LastIdHeader = None, last_id: LastIdQuery = None) -> StreamingResponse:
    db: Database = request.app.state.db
    async with db.sessionmaker() as s:
        e = await queues.get_entry(s, entry_id)
        q = await queues.get(s, e.queue_id)
        if token is None or not stream.token_allows(token, f"entry:{e.id}"):
            if token is not None:
                raise DomainError(errors.STREAM_TOKEN)
            a = policy.require_actor(actor)
            if a.role == "resident":
                await policy.require_patient(s, a, e.patient_id, "read")
            else:
                policy.require_institution_staff(a, q.institution_id, "doctor", "nurse", "institution_admin")
    since = stream.parse_last_id(last_event_id if last_event_id is not None else last_id)
    gen = stream.queue_events(db, stream.broker_of(request.app), q, since,
                              stream.entry_renderer(e.id, e.number, e.status))
    await gen.__anext__()
    return _sse(_prepend(b"retry: 3000\n\n", gen))


@router.get("/departments/{department_id}/screen/events",
            summary="Live waiting-room screen of a department (SSE; public; names masked)")
async def screen_events(department_id: str, request: Request) -> StreamingResponse:
    db: Database = request.app.state.db
    async with db.sessionmaker() as s:
        opening = (await views.screen(s, department_id)).model_dump(mode="json")
    gen = stream.department_events(db, stream.broker_of(request.app), department_id, opening)
    await gen.__anext__()
    return _sse(_prepend(b"retry: 3000\n\n", gen))


async def _prepend(first: bytes, rest: AsyncGenerator[bytes, None]) -> AsyncIterator[bytes]:
    """The opening line already taken from ``rest``, then the rest; a disconnect closes ``rest`` (unsubscribes)."""
    try:
        yield first
        async for chunk in rest:
            yield chunk
    finally:
        await rest.aclose()
