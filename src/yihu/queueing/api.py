"""Check-in, walk-ins, the doctor's console and the public waiting-room screen (REST)."""

from __future__ import annotations

import json
from typing import Any

import structlog
from fastapi import APIRouter, Request, status
from sqlalchemy.ext.asyncio import AsyncSession

from yihu.auth import policy
from yihu.auth.actor import Actor
from yihu.auth.deps import CurrentActor, CurrentResident
from yihu.db import after_commit
from yihu.kit import audit, clock
from yihu.kit.routing import CommittingRoute, SessionDep
from yihu.queueing import events, queues, schemas, service, views
from yihu.queueing.models import Queue, QueueEntry
from yihu.queueing.stream import broker_of, department_channel, queue_channel, stream_token
from yihu.registry import service as registry
from yihu.scheduling import booking, schedules

router = APIRouter(tags=["queue"], route_class=CommittingRoute)
log = structlog.get_logger(__name__)
CONSOLE_ROLES = ("doctor", "nurse")
STAFF_ROLES = ("doctor", "nurse", "institution_admin")


def publish_after_commit(request: Request, session: AsyncSession, data: dict[str, Any]) -> None:
    """Push the change to every watcher once it is committed (never before: a rollback would un-say it)."""
    broker = broker_of(request.app)
    message = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    screen = json.dumps(events.screen_part(data), ensure_ascii=False, separators=(",", ":"))

    async def push() -> None:
        try:
            await broker.publish(queue_channel(data["queue_id"]), message)
            if data.get("department_id"):
                await broker.publish(department_channel(data["department_id"]), screen)
        except Exception as exc:  # watchers catch up from the database on their next event or reconnect
            log.warning("queue.publish_failed", error=type(exc).__name__)

    after_commit(session, push)


def _audit(session: AsyncSession, actor: Actor, action: str, e: QueueEntry, q: Queue) -> None:
    audit.record(session, actor, action, patient_id=e.patient_id, resource_type="QueueEntry", resource_id=e.id,
                 institution_id=q.institution_id, detail={"number": e.number})


@router.post("/appointments/{appointment_id}/check-in", response_model=schemas.EntryOut,
             status_code=status.HTTP_201_CREATED,
             summary="Check in (resident for a bound patient, or a kiosk of the institution): a queue number")
async def check_in(appointment_id: str, request: Request, session: SessionDep, actor: CurrentActor
                   ) -> schemas.EntryOut:
    appt = await booking.get(session, appointment_id)
    a = await policy.require_check_in(session, actor, patient_id=appt.patient_id, institution_id=appt.institution_id)
    change = await service.check_in(session, appt, channel="kiosk" if a.role == "kiosk" else "online")
    assert change.entry is not None  # noqa: S101 - a check-in makes an entry
    _audit(session, a, "queue.check_in", change.entry, change.queue)
    publish_after_commit(request, session, change.event)
    return await views.entry_out(session, change.entry, change.queue)


@router.post("/queues/walk-ins", response_model=schemas.EntryOut, status_code=status.HTTP_201_CREATED,
             summary="Register a walk-in (a registered patient without a booking) in today's queue")
async def walk_in(body: schemas.WalkInIn, request: Request, session: SessionDep, actor: CurrentActor
                  ) -> schemas.EntryOut:
    sched = await schedules.get(session, body.schedule_id)
    policy.require_institution_staff(actor, sched.institution_id, *STAFF_ROLES)
    change = await service.walk_in(session, sched.id, body.patient_id)
    assert change.entry is not None  # noqa: S101 - a walk-in makes an entry
    _audit(session, actor, "queue.walk_in", change.entry, change.queue)
    publish_after_commit(request, session, change.event)
    return await views.entry_out(session, change.entry, change.queue)


async def _entry_for(session: AsyncSession, actor: Actor | None, entry_id: str) -> tuple[QueueEntry, Queue]:
    e = await queues.get_entry(session, entry_id)
    q = await queues.get(session, e.queue_id)
    a = policy.require_actor(actor)
    if a.role == "resident":
        await policy.require_patient(session, a, e.patient_id, "read")
    else:
        policy.require_institution_staff(a, q.institution_id, *STAFF_ROLES)
    return e, q


@router.get("/me/queue-entries", response_model=list[schemas.EntryOut],
            summary="Today's queue entries of every patient bound to my account")
async def my_entries(session: SessionDep, actor: CurrentResident) -> list[schemas.EntryOut]:
    ids = [i for i in await registry.bound_patient_ids(session, actor.account_id) | {actor.patient_id or ""} if i]
    out = []
    for e, q in await queues.entries_of_patients(session, ids, clock.local_date(clock.now())):
        _audit(session, actor, "queue_entry.read", e, q)
        out.append(await views.entry_out(session, e, q))
    return out


@router.get("/queue-entries/{entry_id}", response_model=schemas.EntryOut)
async def get_entry(entry_id: str, session: SessionDep, actor: CurrentActor) -> schemas.EntryOut:
    e, q = await _entry_for(session, actor, entry_id)
    _audit(session, actor, "queue_entry.read", e, q)
    return await views.entry_out(session, e, q)


@router.post("/queue-entries/{entry_id}/stream-token", response_model=schemas.StreamTokenOut,
             summary="A short-lived token for the entry's live stream (EventSource sends no headers)")
async def entry_stream_token(entry_id: str, session: SessionDep, actor: CurrentActor) -> schemas.StreamTokenOut:
    e, q = await _entry_for(session, actor, entry_id)
    _audit(session, actor, "queue_entry.watch", e, q)
    token, ttl = stream_token(f"entry:{e.id}")
    return schemas.StreamTokenOut(token=token, expires_in=ttl, url=f"/api/v1/queue-entries/{e.id}/events")


async def _queue_for_staff(session: AsyncSession, actor: Actor | None, queue_id: str, *roles: str) -> Queue:
    q = await queues.get(session, queue_id)
    policy.require_institution_staff(actor, q.institution_id, *roles)
    return q


@router.get("/queues", response_model=list[schemas.QueueBrief],
            summary="Today's queues of my institution (mine=true: the ones I see patients in)")
async def list_queues(session: SessionDep, actor: CurrentActor, mine: bool = False) -> list[schemas.QueueBrief]:
    a = policy.require_role(actor, *STAFF_ROLES)
    today = clock.local_date(clock.now())
    if mine and a.practitioner_id:
        rows = await queues.of_practitioner(session, a.practitioner_id, today)
    else:
        rows = await queues.of_institution(session, a.institution_id or "", today)
    return [views.brief(q, await service.current_picture(session, q)) for q in rows]


async def _console(session: AsyncSession, actor: Actor, q: Queue) -> schemas.QueueOut:
    out, patient_ids = await views.queue_out(session, q)
    for pid in patient_ids:
        audit.record(session, actor, "queue.read", patient_id=pid, resource_type="Queue", resource_id=q.id,
                     institution_id=q.institution_id)
    return out


@router.get("/queues/{queue_id}", response_model=schemas.QueueOut, summary="The doctor's console view of a queue")
async def get_queue(queue_id: str, session: SessionDep, actor: CurrentActor) -> schemas.QueueOut:
    q = await _queue_for_staff(session, actor, queue_id, *STAFF_ROLES)
    return await _console(session, actor, q)


async def _act(request: Request, session: AsyncSession, actor: Actor, queue_id: str, action: str
               ) -> schemas.ActionOut:
    q = await _queue_for_staff(session, actor, queue_id, *CONSOLE_ROLES)
    step = {"call-next": service.call_next, "recall": service.recall, "pass": service.pass_current,
            "finish": service.finish}[action]
    change = await step(session, q)
    assert change.entry is not None  # noqa: S101 - every console action concerns one patient
    _audit(session, actor, f"queue.{action}", change.entry, q)
    publish_after_commit(request, session, change.event)
    names = await queues.names(session, [change.entry.patient_id])
    return schemas.ActionOut(queue_id=q.id, action=action, entry=views.row(change.entry, names),
                             waiting=len(change.event["waiting"]), last_event_id=int(change.event["seq"]))


@router.post("/queues/{queue_id}/call-next", response_model=schemas.ActionOut, summary="Call the next patient")
async def call_next(queue_id: str, request: Request, session: SessionDep, actor: CurrentActor) -> schemas.ActionOut:
    return await _act(request, session, actor, queue_id, "call-next")


@router.post("/queues/{queue_id}/recall", response_model=schemas.ActionOut, summary="Call the current patient again")
async def recall(queue_id: str, request: Request, session: SessionDep, actor: CurrentActor) -> schemas.ActionOut:
    return await _act(request, session, actor, queue_id, "recall")


@router.post("/queues/{queue_id}/pass", response_model=schemas.ActionOut,
             summary="过号: the current patient did not come and re-queues behind the configured number")
async def pass_current(queue_id: str, request: Request, session: SessionDep, actor: CurrentActor
                       ) -> schemas.ActionOut:
    return await _act(request, session, actor, queue_id, "pass")


@router.post("/queues/{queue_id}/finish", response_model=schemas.ActionOut,
             summary="The current visit is over (a booking becomes fulfilled)")
async def finish(queue_id: str, request: Request, session: SessionDep, actor: CurrentActor) -> schemas.ActionOut:
    return await _act(request, session, actor, queue_id, "finish")


@router.post("/queues/{queue_id}/stream-token", response_model=schemas.StreamTokenOut,
             summary="A short-lived token for the queue's live stream (staff of the institution)")
async def queue_stream_token(queue_id: str, session: SessionDep, actor: CurrentActor) -> schemas.StreamTokenOut:
    q = await _queue_for_staff(session, actor, queue_id, *STAFF_ROLES)
    token, ttl = stream_token(f"queue:{q.id}")
    return schemas.StreamTokenOut(token=token, expires_in=ttl, url=f"/api/v1/queues/{q.id}/events")


@router.get("/departments/{department_id}/screen", response_model=schemas.ScreenOut,
            summary="The waiting-room screen of a department (public): numbers called and next, names masked")
async def screen(department_id: str, session: SessionDep) -> schemas.ScreenOut:
    return await views.screen(session, department_id)
