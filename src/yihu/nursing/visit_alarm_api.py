"""The one-key alarm: the nurse raises it, the institution's console gets it at once (SSE push through the queue
broker: in-process by default, across workers with Redis), acknowledges and closes it; the regulator reads them all.

The stream holds no database session while open: each replay opens a short one. It subscribes first, then replays
(every still-open alarm, or every alarm changed after ``Last-Event-ID``), then forwards live changes; an event id is
the microsecond of the alarm's latest change, and a change already sent is never sent twice.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Annotated, Literal

import structlog
from fastapi import APIRouter, FastAPI, Header, Query, Request, status
from fastapi.responses import StreamingResponse
from sqlalchemy.ext.asyncio import AsyncSession

from yihu.auth import policy
from yihu.auth.actor import Actor
from yihu.auth.deps import CurrentActor, MaybeActor
from yihu.db import Database, after_commit
from yihu.errors import FORBIDDEN, DomainError
from yihu.kit.routing import CommittingRoute, SessionDep
from yihu.nursing import access, alarms, orders
from yihu.nursing import visit_schemas as s
from yihu.nursing.visit_models import NursingAlarm
from yihu.queueing import errors as queue_errors
from yihu.queueing.broker import Broker
from yihu.queueing.config import queue_settings
from yihu.queueing.stream import (
    KEEPALIVE,
    KEEPALIVE_SIGNAL,
    broker_of,
    parse_last_id,
    stream_token,
    token_allows,
)

router = APIRouter(tags=["nursing alarm"], route_class=CommittingRoute)
log = structlog.get_logger(__name__)
SSE_HEADERS = {"Cache-Control": "no-store", "X-Accel-Buffering": "no", "X-Content-Type-Options": "nosniff"}


def _scope(institution_id: str) -> str:
    return f"nursing-alarms:{institution_id}"


def publish_after_commit(request: Request, session: AsyncSession, out: s.AlarmOut) -> None:
    """Push the change to the institution's consoles once committed (never before: a rollback would un-say it)."""
    broker = broker_of(request.app)
    message = out.model_dump_json()

    async def push() -> None:
        try:
            await broker.publish(alarms.channel(out.institution_id), message)
        except Exception as exc:  # consoles catch up from the database on reconnect
            log.warning("nursing.alarm_publish_failed", error=type(exc).__name__)

    after_commit(session, push)


async def _changed(session: AsyncSession, request: Request, row: NursingAlarm) -> s.AlarmOut:
    out = (await alarms.views(session, [row]))[0]
    publish_after_commit(request, session, out)
    return out


# ---- the nurse ----

@router.post("/nursing/orders/{order_id}/alarms", response_model=s.AlarmOut, status_code=status.HTTP_201_CREATED,
             summary="One-key alarm by the assigned nurse while out on the visit; pushed to the console at once")
async def raise_alarm(order_id: str, body: s.AlarmIn, request: Request, session: SessionDep,
                      actor: CurrentActor) -> s.AlarmOut:
    order = await orders.get(session, order_id)
    await access.require_order(session, actor, order, "nurse")
    row = await alarms.raise_alarm(session, actor, order, latitude=body.latitude, longitude=body.longitude,
                                   note=body.note)
    return await _changed(session, request, row)


# ---- the institution's console ----

@router.get("/institutions/{institution_id}/nursing/alarms", response_model=list[s.AlarmOut],
            summary="The institution's alarms (state=open: open and acknowledged; state=all)")
async def institution_alarms(institution_id: str, session: SessionDep, actor: CurrentActor,
                             state: Literal["open", "all"] = "open") -> list[s.AlarmOut]:
    policy.require_institution_staff(actor, institution_id, "institution_admin")
    rows = await alarms.listing(session, institution_id=institution_id, open_only=state == "open")
    return await alarms.views(session, rows)


@router.post("/institutions/{institution_id}/nursing/alarms/{alarm_id}/acknowledge", response_model=s.AlarmOut,
             summary="Acknowledge an open alarm (someone is on it)")
async def acknowledge(institution_id: str, alarm_id: str, request: Request, session: SessionDep,
                      actor: CurrentActor) -> s.AlarmOut:
    policy.require_institution_staff(actor, institution_id, "institution_admin")
    row = await alarms.acknowledge(session, actor, await alarms.get(session, alarm_id, institution_id))
    return await _changed(session, request, row)


@router.post("/institutions/{institution_id}/nursing/alarms/{alarm_id}/close", response_model=s.AlarmOut,
             summary="Close an alarm with what was done")
async def close(institution_id: str, alarm_id: str, body: s.ResolutionIn, request: Request, session: SessionDep,
                actor: CurrentActor) -> s.AlarmOut:
    policy.require_institution_staff(actor, institution_id, "institution_admin")
    row = await alarms.close(session, actor, await alarms.get(session, alarm_id, institution_id), body.resolution)
    return await _changed(session, request, row)


@router.post("/institutions/{institution_id}/nursing/alarms/stream-token", response_model=s.StreamTokenOut,
             summary="A short-lived token for the alarm stream (EventSource sends no headers)")
async def alarm_stream_token(institution_id: str, actor: CurrentActor) -> s.StreamTokenOut:
    policy.require_institution_staff(actor, institution_id, "institution_admin")
    token, ttl = stream_token(_scope(institution_id))
    return s.StreamTokenOut(token=token, expires_in=ttl,
                          url=f"/api/v1/institutions/{institution_id}/nursing/alarms/stream")


# ---- the regulator ----

@router.get("/nursing/alarms", response_model=list[s.AlarmOut],
            summary="Alarms region-wide (regulator, read only); an institution admin sees their own")
async def region_alarms(session: SessionDep, actor: CurrentActor, institution_id: str | None = None,
                        state: Literal["open", "all"] = "all",
                        limit: Annotated[int, Query(ge=1, le=500)] = 200) -> list[s.AlarmOut]:
    if actor.role == "institution_admin":
        if institution_id not in (None, actor.institution_id):
            raise DomainError(FORBIDDEN)
        institution_id = actor.institution_id
    else:
        policy.require_role(actor, "regulator")
    rows = await alarms.listing(session, institution_id=institution_id, open_only=state == "open", limit=limit)
    return await alarms.views(session, rows)


# ---- the push ----

def _frame(event_id: int, message: str) -> bytes:
    return f"id: {event_id}\nevent: alarm\ndata: {message}\n\n".encode()


async def alarm_events(db: Database, broker: Broker, institution_id: str,
                       last_id: int | None) -> AsyncGenerator[bytes, None]:
    if broker.fanout.watchers >= queue_settings().sse_max_watchers:
        raise DomainError(queue_errors.TOO_MANY_WATCHERS)
    sent: dict[str, int] = {}

    async def replay(after: int | None) -> list[bytes]:
        async with db.sessionmaker() as session:
            outs = await alarms.views(session, await alarms.changed_after(session, institution_id, after))
        frames = []
        for a in outs:
            if sent.get(a.id, -1) < a.event_id:
                sent[a.id] = a.event_id
                frames.append(_frame(a.event_id, a.model_dump_json()))
        return frames

    async with broker.subscribe(alarms.channel(institution_id)) as sub:
        yield b"retry: 3000\n\n"
        for f in await replay(last_id):
            yield f
        high = max(sent.values(), default=last_id)
        while True:
            message = await sub.queue.get()
            if sub.closed:
                return
            if message == KEEPALIVE_SIGNAL:
                yield KEEPALIVE
                continue
            if sub.lagged:  # this watcher fell behind: read what changed from the database
                sub.lagged = False
                while not sub.queue.empty():
                    sub.queue.get_nowait()
                for f in await replay(high):
                    yield f
                high = max(sent.values(), default=high)
                continue
            data = json.loads(message)
            eid, aid = int(data["event_id"]), str(data["id"])
            if sent.get(aid, -1) >= eid:
                continue
            sent[aid] = eid
            high = eid if high is None else max(high, eid)
            yield _frame(eid, message)


async def open_stream(app: FastAPI, institution_id: str, actor: Actor | None, token: str | None,
                      last_id: str | None) -> tuple[bytes, AsyncGenerator[bytes, None]]:
    if token is not None:
        if not token_allows(token, _scope(institution_id)):
            raise DomainError(queue_errors.STREAM_TOKEN)
    else:
        policy.require_institution_staff(actor, institution_id, "institution_admin")
    gen = alarm_events(app.state.db, broker_of(app), institution_id, parse_last_id(last_id))
    return await gen.__anext__(), gen


async def _chain(first: bytes, rest: AsyncGenerator[bytes, None]) -> AsyncIterator[bytes]:
    try:
        yield first
        async for chunk in rest:
            yield chunk
    finally:
        with contextlib.suppress(Exception):
            await rest.aclose()


@router.get("/institutions/{institution_id}/nursing/alarms/stream",
            summary="Live alarms of the institution (SSE; its admins; replay after Last-Event-ID)")
async def alarm_stream(institution_id: str, request: Request, actor: MaybeActor,
                       token: Annotated[str | None, Query(max_length=2048)] = None,
                       last_event_id: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
                       last_id: Annotated[str | None, Query(max_length=20)] = None) -> StreamingResponse:
    first, rest = await open_stream(request.app, institution_id, actor, token,
                                    last_event_id if last_event_id is not None else last_id)
    return StreamingResponse(_chain(first, rest), media_type="text/event-stream", headers=SSE_HEADERS)
