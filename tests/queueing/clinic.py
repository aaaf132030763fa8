"""A doctor's clinic running today, booked patients, and small readers for the queue tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests import builders as b
from yihu.auth.models import Account
from yihu.kit import clock
from yihu.notify.models import OutboxMessage
from yihu.queueing.models import Queue, QueueEntry
from yihu.registry.models import Institution
from yihu.scheduling import booking, schedules
from yihu.scheduling.models import Appointment, Schedule, Slot


@dataclass
class Clinic:
    inst: Institution
    sched: Schedule
    slots: list[Slot]
    doctor: Account
    nurse: Account


async def clinic_today(session: AsyncSession, *, slots: int = 8, capacity: int = 1, first_in_minutes: float = 20,
                       step_minutes: float = 5, inst: Institution | None = None) -> Clinic:
    """A schedule whose slots start ``first_in_minutes`` from now, ``step_minutes`` apart, dated today (local)."""
    inst = inst or await b.institution(session)
    sched = await b.doctor_schedule(session, inst, days_ahead=1, slots=slots, capacity=capacity)
    rows, _ = await schedules.search_slots(session, schedules.SlotQuery(schedule_id=sched.id, limit=200))
    now = clock.now()
    today = clock.local_date(now)
    out = []
    for i, (s, _sc) in enumerate(rows):
        s.start_at = now + timedelta(minutes=first_in_minutes + i * step_minutes)
        s.end_at = s.start_at + timedelta(minutes=step_minutes)
        s.day = today
        s.release_at = now - timedelta(days=1)
        out.append(s)
    await session.flush()
    doctor = await b.staff(session, role="doctor", inst=inst)
    nurse = await b.staff(session, role="nurse", inst=inst)
    return Clinic(inst=inst, sched=sched, slots=out, doctor=doctor, nurse=nurse)


async def booked(session: AsyncSession, slot: Slot, *, name: str = "张三明", born: date = date(1985, 6, 15)
                 ) -> tuple[Account, Appointment]:
    holder = await b.resident(session, name=name, born=born)
    appt = await booking.book(session, booking.BookingRequest(slot_id=slot.id, patient_id=holder.patient_id or "",
                                                              account_id=holder.id))
    return holder, appt


async def checked_in_clinic(url: str, *, slots: int) -> tuple[Account, str]:
    """A clinic today with ``slots`` patients checked in, in a database of its own (for live servers): the doctor
    and the queue's id."""
    from yihu.config import get_settings
    from yihu.db import Database
    from yihu.queueing import service

    db = Database(get_settings(), url)
    try:
        async with db.sessionmaker() as s:
            c = await clinic_today(s, slots=slots)
            for slot in c.slots:
                _h, appt = await booked(s, slot)
                change = await service.check_in(s, await booking.get(s, appt.id), channel="online")
            await b.done(s)
            return c.doctor, change.queue.id
    finally:
        await db.dispose()


async def status_of(session: AsyncSession, appointment_id: str) -> str:
    return str(await session.scalar(select(Appointment.status).where(Appointment.id == appointment_id)
                                    .execution_options(populate_existing=True)))


async def entry_count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(QueueEntry)) or 0)


async def queue_of(session: AsyncSession, sched: Schedule) -> Queue | None:
    q: Queue | None = await session.scalar(select(Queue).where(Queue.schedule_id == sched.id)
                                           .execution_options(populate_existing=True))
    return q


async def near_notices(session: AsyncSession) -> list[tuple[str, str | None]]:
    rows = (await session.execute(select(OutboxMessage.channel, OutboxMessage.account_id)
                                  .where(OutboxMessage.template == "queue_near"))).all()
    return sorted((r[0], r[1]) for r in rows)


def numbers(queue_json: dict[str, Any]) -> list[int]:
    return [e["number"] for e in queue_json["waiting"]]
