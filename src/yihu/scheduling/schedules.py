"""Schedules, their weekly sessions, and slots generated ahead for a rolling window."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from yihu.errors import NOT_FOUND, DomainError
from yihu.kit import clock
from yihu.registry import service as registry
from yihu.scheduling import errors
from yihu.scheduling.models import PERIODS, SCHEDULE_KINDS, SLOT_CLASSES, Schedule, ScheduleSession, Slot

EXAM_ROOM_KINDS = ("ct", "mr", "ultrasound", "xray", "ecg")


@dataclass(frozen=True)
class SessionInput:
    weekday: int
    period: str
    start: str
    end: str


@dataclass(frozen=True)
class ScheduleInput:
    kind: str
    name: str
    fee_fen: int
    slot_minutes: int
    slot_class: str = "general"
    department_id: str | None = None
    practitioner_id: str | None = None
    room_id: str | None = None
    capacity_per_slot: int = 1
    onsite_per_slot: int = 0
    release_days_ahead: int = 7
    release_time: str = "08:00"
    window_days: int = 14
    direct_booking: bool = True
    preparation: str = ""
    sessions: list[SessionInput] = field(default_factory=list)


def _hhmm(value: str) -> None:
    try:
        t = clock.parse_hhmm(value)
    except ValueError:
        raise DomainError(errors.SCHEDULE_TIME) from None
    if len(value) != 5 or t.second:
        raise DomainError(errors.SCHEDULE_TIME)


async def _check_target(session: AsyncSession, institution_id: str, data: ScheduleInput) -> None:
    if data.kind not in SCHEDULE_KINDS:
        raise DomainError(errors.SCHEDULE_KIND)
    if data.slot_class not in SLOT_CLASSES:
        raise DomainError(errors.SCHEDULE_CLASS)
    if data.department_id:
        dep = await registry.get_department(session, data.department_id)
        if dep.institution_id != institution_id:
            raise DomainError(errors.SCHEDULE_TARGET)
    if data.kind == "doctor":
        if not data.practitioner_id or not data.department_id:
            raise DomainError(errors.SCHEDULE_TARGET)
        roles, _ = await registry.list_roles(session, institution_id=institution_id,
                                             practitioner_id=data.practitioner_id)
        p = await registry.get_practitioner(session, data.practitioner_id)
        if not roles or p.kind != "doctor":
            raise DomainError(errors.SCHEDULE_TARGET)
    elif data.kind == "department":
        if not data.department_id or data.practitioner_id:
            raise DomainError(errors.SCHEDULE_TARGET)
    else:
        rooms = {r.id: r for r in await registry.rooms(session, institution_id)}
        room = rooms.get(data.room_id or "")
        if room is None or room.kind not in EXAM_ROOM_KINDS:
            raise DomainError(errors.SCHEDULE_TARGET)
    _hhmm(data.release_time)


def _check_sessions(sessions: list[SessionInput]) -> None:
    seen = set()
    for s in sessions:
        _hhmm(s.start)
        _hhmm(s.end)
        if not 0 <= s.weekday <= 6 or s.period not in PERIODS or s.start >= s.end or (s.weekday, s.period) in seen:
            raise DomainError(errors.SCHEDULE_SESSION)
        seen.add((s.weekday, s.period))


async def create(session: AsyncSession, institution_id: str, data: ScheduleInput) -> Schedule:
    await registry.get_institution(session, institution_id)
    await _check_target(session, institution_id, data)
    _check_sessions(data.sessions)
    values = {k: v for k, v in data.__dict__.items() if k != "sessions"}
    sched = Schedule(institution_id=institution_id, active=True, **values)
    session.add(sched)
    await session.flush()
    for s in data.sessions:
        session.add(ScheduleSession(schedule_id=sched.id, **s.__dict__))
    await session.flush()
    return sched


async def get(session: AsyncSession, schedule_id: str) -> Schedule:
    s = await session.get(Schedule, schedule_id)
    if s is None:
        raise DomainError(NOT_FOUND, what="排班")
    return s


async def sessions_of(session: AsyncSession, schedule_id: str) -> list[ScheduleSession]:
    return list((await session.scalars(select(ScheduleSession).where(ScheduleSession.schedule_id == schedule_id)
                                       .order_by(ScheduleSession.weekday, ScheduleSession.start))).all())


async def replace_sessions(session: AsyncSession, sched: Schedule, sessions: list[SessionInput]) -> None:
    """New weekly sessions apply to slots not yet generated; existing slots stay as booked."""
    _check_sessions(sessions)
    await session.execute(delete(ScheduleSession).where(ScheduleSession.schedule_id == sched.id))
    for s in sessions:
        session.add(ScheduleSession(schedule_id=sched.id, **s.__dict__))
    await session.flush()


def release_instant(sched: Schedule, day: date) -> datetime:
    return clock.at_local(day - timedelta(days=sched.release_days_ahead), clock.parse_hhmm(sched.release_time))


async def generate(session: AsyncSession, sched: Schedule, start: date, end: date) -> int:
    """Create the slots of ``start``..``end`` (local dates) that do not exist yet. Idempotent."""
    by_weekday: dict[int, list[ScheduleSession]] = {}
    for s in await sessions_of(session, sched.id):
        by_weekday.setdefault(s.weekday, []).append(s)
    lo, hi = clock.at_local(start, clock.parse_hhmm("00:00")), clock.at_local(end + timedelta(days=1),
                                                                              clock.parse_hhmm("00:00"))
    existing = set((await session.scalars(select(Slot.start_at).where(
        Slot.schedule_id == sched.id, Slot.start_at >= lo, Slot.start_at < hi))).all())
    step = timedelta(minutes=sched.slot_minutes)
    new = []
    for day in clock.days(start, end):
        for s in by_weekday.get(day.weekday(), []):
            at = clock.at_local(day, clock.parse_hhmm(s.start))
            stop = clock.at_local(day, clock.parse_hhmm(s.end))
            while at + step <= stop:
                if at not in existing:
                    new.append(Slot(schedule_id=sched.id, institution_id=sched.institution_id, day=day,
                                    period=s.period, start_at=at, end_at=at + step,
                                    release_at=release_instant(sched, day), capacity=sched.capacity_per_slot,
                                    onsite=sched.onsite_per_slot, booked=0, status="open"))
                at += step
    session.add_all(new)
    await session.flush()
    return len(new)


async def generate_window(session: AsyncSession, today: date | None = None) -> int:
    """Roll every active schedule's window forward (the worker runs this daily)."""
    today = today or clock.local_date(clock.now())
    total = 0
    for sched in (await session.scalars(select(Schedule).where(Schedule.active.is_(True)))).all():
        total += await generate(session, sched, today, today + timedelta(days=sched.window_days))
    return total


@dataclass(frozen=True)
class SlotQuery:
    institution_id: str | None = None
    department_id: str | None = None
    practitioner_id: str | None = None
    schedule_id: str | None = None
    kind: str | None = None
    day: date | None = None
    start_from: datetime | None = None
    start_to: datetime | None = None
    status: str | None = None
    free_only: bool = False
    released_only: bool = False
    offset: int = 0
    limit: int = 50


async def search_slots(session: AsyncSession, q: SlotQuery, now: datetime | None = None) -> tuple[
        list[tuple[Slot, Schedule]], int]:
    now = now or clock.now()
    stmt = select(Slot, Schedule).join(Schedule, Schedule.id == Slot.schedule_id).where(Schedule.active.is_(True))
    for col, value in ((Slot.institution_id, q.institution_id), (Schedule.department_id, q.department_id),
                       (Schedule.practitioner_id, q.practitioner_id), (Slot.schedule_id, q.schedule_id),
                       (Schedule.kind, q.kind), (Slot.day, q.day), (Slot.status, q.status)):
        if value is not None:
            stmt = stmt.where(col == value)
    if q.start_from is not None:
        stmt = stmt.where(Slot.start_at >= q.start_from)
    if q.start_to is not None:
        stmt = stmt.where(Slot.start_at < q.start_to)
    if q.free_only:
        stmt = stmt.where(Slot.status == "open", Slot.booked < Slot.capacity - Slot.onsite, Slot.start_at > now,
                          Slot.release_at <= now)
    elif q.released_only:
        stmt = stmt.where(Slot.release_at <= now)
    total = int(await session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
    rows = (await session.execute(stmt.order_by(Slot.start_at, Slot.id).offset(q.offset).limit(q.limit))).tuples()
    return [(s, sc) for s, sc in rows.all()], total


_FULLNESS = select(Slot.booked, Slot.capacity, Slot.onsite, Slot.status, Slot.release_at, Slot.start_at).where(
    Slot.id == bindparam("b_slot"))


async def surely_full(session: AsyncSession, slot_id: str, now: datetime) -> bool:
    """True only when the slot is open, released, still ahead and has no online place left: the booking rush's
    cheap refusal before any write. Anything else is left to the booking itself to judge."""
    row = (await session.execute(_FULLNESS, {"b_slot": slot_id})).one_or_none()
    return row is not None and is_surely_full(*row, now=now)


def is_surely_full(booked: int, capacity: int, onsite: int, status: str, release_at: datetime, start_at: datetime,
                   *, now: datetime) -> bool:
    return bool(status == "open" and release_at <= now < start_at and booked >= capacity - onsite)


async def has_open_slot(session: AsyncSession, schedule_id: str, day: date) -> bool:
    """The schedule sees patients that day: an open slot exists."""
    found = await session.scalar(select(Slot.id).where(Slot.schedule_id == schedule_id, Slot.day == day,
                                                       Slot.status == "open").limit(1))
    return found is not None


async def get_slot(session: AsyncSession, slot_id: str) -> Slot:
    s = await session.get(Slot, slot_id)
    if s is None:
        raise DomainError(errors.SLOT_NOT_FOUND)
    return s


async def list_schedules(session: AsyncSession, *, institution_id: str | None = None,
                         department_id: str | None = None, practitioner_id: str | None = None,
                         kind: str | None = None) -> list[Schedule]:
    stmt = select(Schedule).where(Schedule.active.is_(True))
    for col, value in ((Schedule.institution_id, institution_id), (Schedule.department_id, department_id),
                       (Schedule.practitioner_id, practitioner_id), (Schedule.kind, kind)):
        if value is not None:
            stmt = stmt.where(col == value)
    return list((await session.scalars(stmt.order_by(Schedule.name, Schedule.id))).all())
