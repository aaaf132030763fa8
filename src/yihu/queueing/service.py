"""Check-in, walk-ins and the doctor's console: the queue's rules. Services never commit.

Each change locks its queue row first (a conditional UPDATE taking the next event number), so numbers are
unique and gap-free and the order of changes is the order of their events, with any number of API processes.
Each returns the stored event's payload; the caller publishes it after commit.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from yihu.errors import DomainError
from yihu.kit import clock
from yihu.kit.crypto import mask_name
from yihu.notify import service as notify
from yihu.queueing import errors, events, queues
from yihu.queueing.config import queue_settings
from yihu.queueing.models import Queue, QueueEntry
from yihu.registry import service as registry
from yihu.scheduling import booking, schedules
from yihu.scheduling.models import Appointment

ELDERLY, BOOKED, WALKIN = 0, 1, 2


@dataclass(frozen=True)
class Change:
    queue: Queue
    entry: QueueEntry | None
    event: dict[str, Any]


def rank(group: int, at: datetime, day: date, number: int) -> float:
    """Elderly first, then booked patients by slot time, then walk-ins by arrival; the number breaks ties."""
    seconds = max(0.0, (at - clock.at_local(day, time(0, 0))).total_seconds())
    return group * 1e6 + seconds + number * 1e-4


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def is_elderly(born: date, day: date) -> bool:
    limit = queue_settings().elderly_age
    return limit > 0 and age_on(born, day) >= limit


def check_window(appt: Appointment, now: datetime) -> None:
    s = queue_settings()
    if now < appt.start_at - timedelta(minutes=s.checkin_open_minutes):
        raise DomainError(errors.CHECKIN_TOO_EARLY, minutes=s.checkin_open_minutes)
    if now > appt.start_at - timedelta(minutes=s.checkin_close_minutes):
        raise DomainError(errors.CHECKIN_TOO_LATE)


async def _after_change(session: AsyncSession, q: Queue, *, seq: int, kind: str, number: int | None,
                        now: datetime, waiting: list[QueueEntry] | None = None) -> dict[str, Any]:
    """Record the event. ``waiting``: the waiting entries after the change, in order, when the caller has them
    (calling the next patient only takes the first one off the list it read)."""
    await session.refresh(q)
    if waiting is None:
        waiting = await queues.waiting(session, q.id)
    data = await events.record(session, q, seq=seq, kind=kind, number=number, now=now, waiting=waiting)
    await _notify_near(session, q, now, waiting)
    return data


async def _notify_near(session: AsyncSession, q: Queue, now: datetime, waiting: list[QueueEntry]) -> None:
    """The "N ahead" notice, once per entry whatever way the queue moves afterwards."""
    n = queue_settings().notify_ahead
    if n < 0:
        return
    for ahead, e in enumerate(waiting[: n + 1]):
        if e.near_notified_at is not None or not await queues.mark_near_notified(session, e.id, now):
            continue
        params = {"queue": q.name, "number": e.number, "ahead": ahead, "link": f"/resident/queue/{e.id}"}
        if e.account_id:
            notify.enqueue_inapp(session, account_id=e.account_id, template="queue_near", params=params)
        phone = registry.phone_of(await registry.get_patient(session, e.patient_id))
        if phone:
            notify.enqueue_sms(session, phone=phone, template="queue_near", params=params, account_id=e.account_id)


async def _add_entry(session: AsyncSession, q: Queue, entry: QueueEntry) -> None:
    session.add(entry)
    try:
        await session.flush()
    except IntegrityError:
        raise DomainError(errors.ALREADY_QUEUED) from None


async def check_in(session: AsyncSession, appt: Appointment, *, channel: str, now: datetime | None = None) -> Change:
    """Check a booking in (the caller has applied the access policy): a number in its schedule's queue of the day."""
    now = now or clock.now()
    if appt.status == "checked_in":
        raise DomainError(errors.ALREADY_QUEUED)
    if appt.status != "booked":
        raise DomainError(errors.CHECKIN_STATE, status=appt.status)
    check_window(appt, now)
    sched = await schedules.get(session, appt.schedule_id)
    patient = await registry.get_patient(session, appt.patient_id)
    q = await queues.get_or_create(session, sched, appt.day, now)
    number, seq = await queues.take_number(session, q.id)
    if not await booking.set_status(session, appt.id, from_status="booked", to_status="checked_in"):
        raise DomainError(errors.CHECKIN_STATE, status="changed")
    elderly = is_elderly(patient.birth_date, appt.day)
    entry = QueueEntry(queue_id=q.id, number=number, kind="booked", appointment_id=appt.id, patient_id=patient.id,
                       account_id=appt.account_id, masked_name=mask_name(patient.name), status="waiting",
                       elderly=elderly, rank=rank(ELDERLY if elderly else BOOKED, appt.start_at, appt.day, number),
                       slot_start_at=appt.start_at, checked_in_at=now, channel=channel, calls=0, passes=0)
    await _add_entry(session, q, entry)
    await session.refresh(appt)
    data = await _after_change(session, q, seq=seq, kind="checked_in", number=number, now=now)
    return Change(q, entry, data)


async def walk_in(session: AsyncSession, sched_id: str, patient_id: str, *, now: datetime | None = None) -> Change:
    """Register a walk-in (a registered patient without a booking) in today's queue of a schedule."""
    now = now or clock.now()
    sched = await schedules.get(session, sched_id)
    today = clock.local_date(now)
    if not await queues.has_session_on(session, sched.id, today):
        raise DomainError(errors.NOT_TODAY)
    patient = await registry.get_patient(session, patient_id)
    q = await queues.get_or_create(session, sched, today, now)
    number, seq = await queues.take_number(session, q.id)
    if await queues.active_entry_of(session, q.id, patient.id) is not None:
        raise DomainError(errors.ALREADY_QUEUED)
    elderly = is_elderly(patient.birth_date, today)
    entry = QueueEntry(queue_id=q.id, number=number, kind="walkin", appointment_id=None, patient_id=patient.id,
                       account_id=await queues.account_of_patient(session, patient.id),
                       masked_name=mask_name(patient.name), status="waiting", elderly=elderly,
                       rank=rank(ELDERLY if elderly else WALKIN, now, today, number), slot_start_at=None,
                       checked_in_at=now, channel="desk", calls=0, passes=0)
    await _add_entry(session, q, entry)
    await registry.link(session, patient.id, sched.institution_id, "walkin")
    data = await _after_change(session, q, seq=seq, kind="walked_in", number=number, now=now)
    return Change(q, entry, data)


async def _current(session: AsyncSession, q: Queue) -> tuple[int, QueueEntry]:
    locked = await queues.lock_for_change(session, q.id, has_current=True)
    if locked is None or locked[1] is None:
        raise DomainError(errors.NOBODY_CALLED)
    return locked[0], await queues.get_entry(session, locked[1])


async def call_next(session: AsyncSession, q: Queue, *, now: datetime | None = None) -> Change:
    now = now or clock.now()
    locked = await queues.lock_for_change(session, q.id, has_current=False)
    if locked is None:
        await session.refresh(q)
        current = await queues.get_entry(session, q.current_entry_id) if q.current_entry_id else None
        raise DomainError(errors.CURRENT_OPEN, number=current.number if current else "?")
    waiting = await queues.waiting(session, q.id)
    if not waiting:
        raise DomainError(errors.NOBODY_WAITING)
    e = waiting[0]
    e.status, e.called_at, e.calls = "called", now, e.calls + 1
    await session.flush()
    await queues.set_current(session, q.id, e.id)
    data = await _after_change(session, q, seq=locked[0], kind="called", number=e.number, now=now,
                               waiting=waiting[1:])
    return Change(q, e, data)


async def recall(session: AsyncSession, q: Queue, *, now: datetime | None = None) -> Change:
    now = now or clock.now()
    seq, e = await _current(session, q)
    e.calls += 1
    e.called_at = now
    await session.flush()
    data = await _after_change(session, q, seq=seq, kind="recalled", number=e.number, now=now)
    return Change(q, e, data)


def requeue_rank(waiting: list[QueueEntry], offset: int, own: float) -> float:
    """The rank that puts a passed patient behind ``offset`` of those waiting (at the end if fewer wait)."""
    if not waiting:
        return own
    if offset <= 0:
        return waiting[0].rank - 1.0
    if len(waiting) <= offset:
        return waiting[-1].rank + 1.0
    return (waiting[offset - 1].rank + waiting[offset].rank) / 2


async def pass_current(session: AsyncSession, q: Queue, *, now: datetime | None = None) -> Change:
    """过号: the patient being called did not come; they wait again behind the configured number of patients."""
    now = now or clock.now()
    seq, e = await _current(session, q)
    waiting = await queues.waiting(session, q.id)
    e.rank = requeue_rank(waiting, queue_settings().pass_offset, e.rank)
    e.status, e.passes = "waiting", e.passes + 1
    await session.flush()
    await queues.set_current(session, q.id, None)
    data = await _after_change(session, q, seq=seq, kind="passed", number=e.number, now=now)
    return Change(q, e, data)


async def finish(session: AsyncSession, q: Queue, *, now: datetime | None = None) -> Change:
    """The visit is over: the entry is done, a booking becomes fulfilled, the service time feeds the estimate."""
    now = now or clock.now()
    seq, e = await _current(session, q)
    e.status, e.finished_at = "done", now
    await session.flush()
    served = int((now - e.called_at).total_seconds()) if e.called_at else 0
    await queues.set_current(session, q.id, None, served_seconds=max(0, served))
    if e.appointment_id:
        await booking.set_status(session, e.appointment_id, from_status="checked_in", to_status="fulfilled")
    data = await _after_change(session, q, seq=seq, kind="finished", number=e.number, now=now)
    return Change(q, e, data)


async def current_picture(session: AsyncSession, q: Queue, now: datetime | None = None) -> dict[str, Any]:
    """The queue as it stands (the last event's picture, or an empty one)."""
    last = await queues.last_event(session, q.id)
    if last is not None:
        data: dict[str, Any] = json.loads(last.payload)
        return data
    return await events.picture(session, q, seq=0, kind="snapshot", number=None, now=now or clock.now())
