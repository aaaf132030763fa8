"""Building the API's answers from the domain (reads of patient names are audited by the caller)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from yihu.kit import clock
from yihu.queueing import events, queues, schemas, service
from yihu.queueing.models import Queue, QueueEntry
from yihu.registry import service as registry


async def entry_out(session: AsyncSession, e: QueueEntry, q: Queue) -> schemas.EntryOut:
    data = await service.current_picture(session, q)
    view = events.entry_view(data, e.id, e.number, gone_status=e.status if e.status != "waiting" else "done")
    patient = await registry.get_patient(session, e.patient_id)
    return schemas.EntryOut(
        id=e.id, queue_id=q.id, queue_name=q.name, number=e.number, kind=e.kind, status=view.status,
        patient_id=e.patient_id, patient_name=patient.name, appointment_id=e.appointment_id,
        slot_start_at=e.slot_start_at, checked_in_at=e.checked_in_at, position=view.position, ahead=view.ahead,
        estimated_wait_minutes=view.estimated_wait_minutes, calling_number=view.calling_number, near=view.near)


def row(e: QueueEntry, names: dict[str, str]) -> schemas.EntryRow:
    return schemas.EntryRow(id=e.id, number=e.number, patient_name=names.get(e.patient_id, ""), kind=e.kind,
                            status=e.status, elderly=e.elderly, slot_start_at=e.slot_start_at,
                            checked_in_at=e.checked_in_at, calls=e.calls, passes=e.passes)


async def queue_out(session: AsyncSession, q: Queue) -> tuple[schemas.QueueOut, list[str]]:
    """The console's view and the ids of the patients shown (for the audit)."""
    await session.refresh(q)
    waiting = await queues.waiting(session, q.id)
    current = await queues.get_entry(session, q.current_entry_id) if q.current_entry_id else None
    shown = ([current] if current else []) + waiting
    names = await queues.names(session, [e.patient_id for e in shown])
    out = schemas.QueueOut(
        id=q.id, name=q.name, day=q.day, institution_id=q.institution_id, department_id=q.department_id,
        practitioner_id=q.practitioner_id, calling=row(current, names) if current else None,
        waiting=[row(e, names) for e in waiting], done=await queues.done_count(session, q.id),
        avg_service_minutes=round(events.average_service_seconds(q) / 60, 1), last_event_id=q.event_seq)
    return out, [e.patient_id for e in shown]


def brief(q: Queue, data: dict[str, Any]) -> schemas.QueueBrief:
    return schemas.QueueBrief(id=q.id, name=q.name, day=q.day, practitioner_id=q.practitioner_id,
                              department_id=q.department_id, waiting=len(data["waiting"]),
                              calling_number=data["calling"]["number"] if data["calling"] else None)


async def screen(session: AsyncSession, department_id: str) -> schemas.ScreenOut:
    dep = await registry.get_department(session, department_id)
    inst = await registry.get_institution(session, dep.institution_id)
    today = clock.local_date(clock.now())
    parts = []
    for q in await queues.of_department(session, department_id, today):
        part = events.screen_part(await service.current_picture(session, q))
        parts.append(schemas.ScreenQueue(**{k: part[k] for k in ("queue_id", "name", "seq", "calling", "next",
                                                                   "waiting")}))
    return schemas.ScreenOut(department_id=dep.id, department_name=dep.name, institution_name=inst.name, day=today,
                             queues=parts)
