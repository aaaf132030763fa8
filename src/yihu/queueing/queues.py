"""Queries and guarded updates of queues and their entries (no rules here)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from yihu.auth import service as accounts
from yihu.db import new_id
from yihu.errors import DomainError
from yihu.queueing import errors
from yihu.queueing.models import Queue, QueueEntry, QueueEvent
from yihu.registry import service as registry
from yihu.scheduling import schedules
from yihu.scheduling.models import Schedule

ACTIVE = ("waiting", "called")


async def get_or_create(session: AsyncSession, sched: Schedule, day: date, now: datetime) -> Queue:
    """The schedule's queue of that day; concurrent first check-ins create it once (INSERT … ON CONFLICT)."""
    values: dict[str, Any] = {
        "id": new_id(), "schedule_id": sched.id, "institution_id": sched.institution_id,
        "department_id": sched.department_id, "practitioner_id": sched.practitioner_id, "room_id": sched.room_id,
        "name": sched.name, "day": day, "last_number": 0, "event_seq": 0, "served": 0, "service_seconds": 0,
        "created_at": now}
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    ins = (postgresql.insert(Queue) if dialect == "postgresql" else sqlite.insert(Queue)).values(**values)
    await session.execute(ins.on_conflict_do_nothing(index_elements=["schedule_id", "day"]))
    q = await session.scalar(select(Queue).where(Queue.schedule_id == sched.id, Queue.day == day)
                             .execution_options(populate_existing=True))
    assert q is not None  # noqa: S101 - inserted or found above
    return q


async def get(session: AsyncSession, queue_id: str) -> Queue:
    q = await session.get(Queue, queue_id, populate_existing=True)
    if q is None:
        raise DomainError(errors.QUEUE_NOT_FOUND)
    return q


async def get_entry(session: AsyncSession, entry_id: str) -> QueueEntry:
    e = await session.get(QueueEntry, entry_id, populate_existing=True)
    if e is None:
        raise DomainError(errors.ENTRY_NOT_FOUND)
    return e


async def take_number(session: AsyncSession, queue_id: str) -> tuple[int, int]:
    """The next number and event sequence, taken by one UPDATE that keeps the queue row locked until commit."""
    row = (await session.execute(
        update(Queue).where(Queue.id == queue_id)
        .values(last_number=Queue.last_number + 1, event_seq=Queue.event_seq + 1)
        .returning(Queue.last_number, Queue.event_seq).execution_options(synchronize_session=False))).one()
    return int(row[0]), int(row[1])


async def lock_for_change(session: AsyncSession, queue_id: str, *, has_current: bool) -> tuple[int, str | None] | None:
    """Take the next event sequence if the queue has (or has not) a patient being called; None otherwise.

    The queue row stays locked until commit, so changes of one queue never interleave, in any number of processes.
    """
    cond = Queue.current_entry_id.is_not(None) if has_current else Queue.current_entry_id.is_(None)
    row = (await session.execute(
        update(Queue).where(Queue.id == queue_id, cond).values(event_seq=Queue.event_seq + 1)
        .returning(Queue.event_seq, Queue.current_entry_id).execution_options(synchronize_session=False))).first()
    return None if row is None else (int(row[0]), row[1])


async def set_current(session: AsyncSession, queue_id: str, entry_id: str | None, *, served_seconds: int | None = None
                      ) -> None:
    values: dict[str, Any] = {"current_entry_id": entry_id}
    if served_seconds is not None:
        values.update(served=Queue.served + 1, service_seconds=Queue.service_seconds + served_seconds)
    await session.execute(update(Queue).where(Queue.id == queue_id).values(**values)
                          .execution_options(synchronize_session=False))


async def waiting(session: AsyncSession, queue_id: str) -> list[QueueEntry]:
    """Waiting entries in calling order."""
    return list((await session.scalars(
        select(QueueEntry).where(QueueEntry.queue_id == queue_id, QueueEntry.status == "waiting")
        .order_by(QueueEntry.rank, QueueEntry.number).execution_options(populate_existing=True))).all())


async def entries(session: AsyncSession, queue_id: str) -> list[QueueEntry]:
    return list((await session.scalars(select(QueueEntry).where(QueueEntry.queue_id == queue_id)
                                       .order_by(QueueEntry.number))).all())


async def active_entry_of(session: AsyncSession, queue_id: str, patient_id: str) -> QueueEntry | None:
    found: QueueEntry | None = await session.scalar(select(QueueEntry).where(
        QueueEntry.queue_id == queue_id, QueueEntry.patient_id == patient_id, QueueEntry.status.in_(ACTIVE)))
    return found


async def mark_near_notified(session: AsyncSession, entry_id: str, now: datetime) -> bool:
    """Claim the one "N ahead" notice of an entry; False when it was sent already."""
    done = await session.execute(update(QueueEntry).where(QueueEntry.id == entry_id,
                                                          QueueEntry.near_notified_at.is_(None))
                                 .values(near_notified_at=now).execution_options(synchronize_session=False))
    return getattr(done, "rowcount", 0) == 1


async def account_of_patient(session: AsyncSession, patient_id: str) -> str | None:
    """The patient's own account, if the patient has one (for walk-ins' in-app notices)."""
    return await accounts.own_account_id(session, patient_id)


async def events_after(session: AsyncSession, queue_id: str, after: int, limit: int = 500) -> list[QueueEvent]:
    return list((await session.scalars(select(QueueEvent).where(QueueEvent.queue_id == queue_id,
                                                                QueueEvent.seq > after)
                                       .order_by(QueueEvent.seq).limit(limit))).all())


async def last_event(session: AsyncSession, queue_id: str) -> QueueEvent | None:
    found: QueueEvent | None = await session.scalar(select(QueueEvent).where(QueueEvent.queue_id == queue_id)
                                                    .order_by(QueueEvent.seq.desc()).limit(1))
    return found


async def of_department(session: AsyncSession, department_id: str, day: date) -> list[Queue]:
    return list((await session.scalars(select(Queue).where(Queue.department_id == department_id, Queue.day == day)
                                       .order_by(Queue.name))).all())


async def of_practitioner(session: AsyncSession, practitioner_id: str, day: date) -> list[Queue]:
    return list((await session.scalars(select(Queue).where(Queue.practitioner_id == practitioner_id,
                                                           Queue.day == day).order_by(Queue.name))).all())


async def of_institution(session: AsyncSession, institution_id: str, day: date) -> list[Queue]:
    return list((await session.scalars(select(Queue).where(Queue.institution_id == institution_id,
                                                           Queue.day == day).order_by(Queue.name))).all())


async def entries_of_patients(session: AsyncSession, patient_ids: list[str], day: date) -> list[tuple[QueueEntry,
                                                                                                      Queue]]:
    rows = (await session.execute(select(QueueEntry, Queue).join(Queue, Queue.id == QueueEntry.queue_id)
                                  .where(QueueEntry.patient_id.in_(patient_ids), Queue.day == day)
                                  .order_by(QueueEntry.checked_in_at))).tuples().all()
    return [(e, q) for e, q in rows]


async def has_session_on(session: AsyncSession, schedule_id: str, day: date) -> bool:
    """The schedule sees patients that day (an open slot exists)."""
    return await schedules.has_open_slot(session, schedule_id, day)


async def names(session: AsyncSession, patient_ids: list[str]) -> dict[str, str]:
    """Patients' names in one query (the console shows a whole queue)."""
    return await registry.names_of(session, patient_ids)


async def done_count(session: AsyncSession, queue_id: str) -> int:
    n = await session.scalar(select(func.count()).select_from(QueueEntry).where(QueueEntry.queue_id == queue_id,
                                                                                 QueueEntry.status == "done"))
    return int(n or 0)
