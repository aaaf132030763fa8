"""Booking and cancelling. The slot's place is taken by one conditional UPDATE, so concurrent requests in any
number of API processes can never overbook; the slot's check constraint backs it."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, bindparam, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from yihu.billing import service as billing
from yihu.config import get_settings
from yihu.errors import DomainError
from yihu.kit import clock
from yihu.registry import service as registry
from yihu.scheduling import errors, exams
from yihu.scheduling.models import Appointment, Schedule, Slot, SlotRelease

ACTIVE = ("booked", "checked_in")


@dataclass(frozen=True)
class BookingRequest:
    slot_id: str
    patient_id: str
    account_id: str | None
    channel: str = "online"  # online | kiosk | onsite
    exam_order_id: str | None = None


def day_guard(practitioner_id: str | None, schedule_id: str, day: date) -> str:
    """``<doctor or schedule>:<day>``: one active booking per patient per guard (a unique constraint)."""
    return f"{practitioner_id or schedule_id}:{day.isoformat()}"


def _day_guard(sched: Schedule, slot: Slot) -> str:
    return day_guard(sched.practitioner_id, sched.id, slot.day)


def check_slot(*, status: str, start_at: datetime, release_at: datetime, kind: str, direct_booking: bool,
               channel: str, exam_order_id: str | None, now: datetime) -> None:
    """May this slot be booked now through this channel? (Both booking paths: the ORM one and the fast lane.)"""
    if status != "open":
        raise DomainError(errors.SLOT_STOPPED)
    if start_at <= now:
        raise DomainError(errors.SLOT_PAST)
    if channel == "online" and release_at > now:
        raise DomainError(errors.NOT_RELEASED)
    if kind == "exam" and not direct_booking and not exam_order_id:
        raise DomainError(errors.EXAM_NEEDS_ORDER)


def noshow_since(now: datetime) -> datetime:
    return now - timedelta(days=get_settings().noshow_window_days)


def judge_patient_rules(*, same_day: int, noshows: int, last_noshow: datetime | None, open_count: int,
                        now: datetime) -> None:
    """The per-patient rules from their counts: same doctor that day, no-show bar, open bookings."""
    s = get_settings()
    if same_day:
        raise DomainError(errors.ONE_PER_DAY)
    if noshows >= s.noshow_limit and last_noshow is not None:
        until = last_noshow + timedelta(days=s.noshow_bar_days)
        if until > now:
            raise DomainError(errors.BARRED, count=noshows, until=clock.local_date(until).isoformat())
    if open_count >= s.booking_max_open:
        raise DomainError(errors.TOO_MANY_OPEN, limit=s.booking_max_open)


_NOSHOW = and_(Appointment.status == "noshow", Appointment.start_at >= bindparam("b_since"))
# Built once with bound parameters (building a statement costs more than running it): the three per-patient rules
# (same doctor that day, no-show bar, open bookings) in one query.
_PATIENT_RULES = select(
    func.count().filter(Appointment.day_guard == bindparam("b_guard")), func.count().filter(_NOSHOW),
    func.max(Appointment.start_at).filter(_NOSHOW),
    func.count().filter(and_(Appointment.status.in_(ACTIVE), Appointment.start_at > bindparam("b_now"))),
).where(Appointment.patient_id == bindparam("b_patient"))
_SLOT_AND_SCHEDULE = select(Slot, Schedule).join(Schedule, Schedule.id == Slot.schedule_id).where(
    Slot.id == bindparam("b_slot"))
_TAKE_PLACE = update(Slot).where(and_(Slot.id == bindparam("b_slot"), Slot.status == "open",
                                      Slot.booked < Slot.capacity - bindparam("b_reserve"))).values(
    booked=Slot.booked + 1).execution_options(synchronize_session=False)
_TAKE_PLACE_ONLINE = update(Slot).where(and_(Slot.id == bindparam("b_slot"), Slot.status == "open",
                                             Slot.booked < Slot.capacity - Slot.onsite)).values(
    booked=Slot.booked + 1).execution_options(synchronize_session=False)


async def _check_patient_rules(session: AsyncSession, patient_id: str, guard: str, now: datetime) -> None:
    """One query for the three per-patient rules: same doctor that day, no-show bar, open bookings."""
    same_day, noshows, last_noshow, open_count = (await session.execute(_PATIENT_RULES, {
        "b_guard": guard, "b_since": noshow_since(now), "b_now": now, "b_patient": patient_id})).one()
    judge_patient_rules(same_day=same_day, noshows=noshows, last_noshow=last_noshow, open_count=open_count, now=now)


async def _bill(session: AsyncSession, appt: Appointment, sched: Schedule) -> None:
    """The booking's fee becomes a bill (none when it is free)."""
    await billing.bill_for_appointment(session, appointment_id=appt.id, patient_id=appt.patient_id,
                                       institution_id=appt.institution_id, account_id=appt.account_id,
                                       fee_fen=appt.fee_fen, kind="exam" if sched.kind == "exam" else "registration",
                                       description=sched.name)


async def book(session: AsyncSession, req: BookingRequest, now: datetime | None = None) -> Appointment:
    return (await book_with_slot(session, req, now))[0]


async def book_with_slot(session: AsyncSession, req: BookingRequest,
                         now: datetime | None = None) -> tuple[Appointment, Slot, Schedule]:
    """Book, and return the slot and schedule read on the way (the answer needs them: no second read)."""
    now = now or clock.now()
    row = (await session.execute(_SLOT_AND_SCHEDULE, {"b_slot": req.slot_id})).tuples().one_or_none()
    if row is None:
        raise DomainError(errors.SLOT_NOT_FOUND)
    slot, sched = row
    check_slot(status=slot.status, start_at=slot.start_at, release_at=slot.release_at, kind=sched.kind,
               direct_booking=sched.direct_booking, channel=req.channel, exam_order_id=req.exam_order_id, now=now)
    guard = _day_guard(sched, slot)
    await _check_patient_rules(session, req.patient_id, guard, now)

    appt = Appointment(slot_id=slot.id, schedule_id=sched.id, institution_id=sched.institution_id,
                       patient_id=req.patient_id, account_id=req.account_id, status="booked", channel=req.channel,
                       fee_fen=sched.fee_fen, day=slot.day, start_at=slot.start_at, day_guard=guard, booked_at=now)
    session.add(appt)
    try:
        await session.flush()
    except IntegrityError:
        # A concurrent booking of the same patient with the same doctor that day won the unique guard.
        raise DomainError(errors.ONE_PER_DAY) from None
    if req.exam_order_id:
        room = await registry.get_room(session, sched.room_id) if sched.room_id else None
        await exams.take(session, req.exam_order_id, patient_id=req.patient_id, institution_id=sched.institution_id,
                         room_kind=room.kind if room else None, appointment_id=appt.id)
    await registry.link(session, req.patient_id, sched.institution_id, "appointment")
    await _bill(session, appt, sched)
    # Take the place last: the slot's row lock is then held only for the few statements before commit, so a rush
    # on one slot queues behind short transactions. The on-site share stays for kiosks and windows.
    if req.channel == "online":
        taken = await session.execute(_TAKE_PLACE_ONLINE, {"b_slot": slot.id})
    else:
        taken = await session.execute(_TAKE_PLACE, {"b_slot": slot.id, "b_reserve": 0})
    if getattr(taken, "rowcount", 0) != 1:
        raise DomainError(errors.SLOT_TAKEN)  # everything above rolls back with the request
    return appt, slot, sched


async def book_held(session: AsyncSession, slot_id: str, *, patient_id: str, account_id: str | None,
                    now: datetime | None = None) -> Appointment:
    """Book a place already held for this patient (a waitlist offer): the slot's count is not touched."""
    now = now or clock.now()
    row = (await session.execute(select(Slot, Schedule).join(Schedule, Schedule.id == Slot.schedule_id)
                                 .where(Slot.id == slot_id))).tuples().one()
    slot, sched = row
    if slot.status != "open":
        raise DomainError(errors.SLOT_STOPPED)
    guard = _day_guard(sched, slot)
    await _check_patient_rules(session, patient_id, guard, now)
    appt = Appointment(slot_id=slot.id, schedule_id=sched.id, institution_id=sched.institution_id,
                       patient_id=patient_id, account_id=account_id, status="booked", channel="waitlist",
                       fee_fen=sched.fee_fen, day=slot.day, start_at=slot.start_at, day_guard=guard, booked_at=now)
    session.add(appt)
    try:
        await session.flush()
    except IntegrityError:
        raise DomainError(errors.ONE_PER_DAY) from None
    await registry.link(session, patient_id, sched.institution_id, "appointment")
    await _bill(session, appt, sched)
    return appt


async def mark_no_shows(session: AsyncSession, now: datetime | None = None) -> int:
    """Bookings never checked in by ``noshow_grace_minutes`` after their start become no-shows (the worker runs
    this); three in 90 days bar booking (``_check_patient_rules``)."""
    now = now or clock.now()
    cutoff = now - timedelta(minutes=get_settings().noshow_grace_minutes)
    done = await session.execute(update(Appointment).where(Appointment.status == "booked",
                                                           Appointment.start_at < cutoff)
                                 .values(status="noshow", day_guard=None)
                                 .execution_options(synchronize_session=False))
    return int(getattr(done, "rowcount", 0) or 0)


async def get(session: AsyncSession, appointment_id: str) -> Appointment:
    a = await session.get(Appointment, appointment_id)
    if a is None:
        raise DomainError(errors.APPOINTMENT_NOT_FOUND)
    return a


async def cancel(session: AsyncSession, appt: Appointment, *, reason: str, now: datetime | None = None,
                 by_clinic: bool = False) -> Appointment:
    """Cancel a booking; its place returns to the pool after a short random delay (anti-scalper)."""
    now = now or clock.now()
    s = get_settings()
    if appt.status != "booked":
        raise DomainError(errors.CANCEL_STATE, status=appt.status)
    if not by_clinic and appt.start_at - now < timedelta(minutes=s.cancel_close_minutes):
        raise DomainError(errors.CANCEL_WINDOW, minutes=s.cancel_close_minutes)
    done = await session.execute(update(Appointment).where(Appointment.id == appt.id, Appointment.status == "booked")
                                 .values(status="stopped" if by_clinic else "cancelled", cancelled_at=now,
                                         cancel_reason=reason, day_guard=None)
                                 .execution_options(synchronize_session=False))
    if getattr(done, "rowcount", 0) != 1:
        raise DomainError(errors.CANCEL_STATE, status="changed")
    await session.refresh(appt)
    await exams.reopen_for(session, appt.id)
    # Cancelling within the window (or a stop-clinic) refunds a paid fee in full; an unpaid bill is cancelled.
    await billing.settle_cancelled_appointment(session, appt.id, reason=reason)
    if not by_clinic:
        spread = max(0, s.release_delay_max_seconds - s.release_delay_min_seconds)
        delay = s.release_delay_min_seconds + (secrets.randbelow(spread + 1) if spread else 0)
        session.add(SlotRelease(slot_id=appt.slot_id, due_at=now + timedelta(seconds=delay)))
        await session.flush()
    return appt


async def for_patients(session: AsyncSession, patient_ids: list[str], *, upcoming_only: bool = False,
                       now: datetime | None = None) -> list[tuple[Appointment, Slot, Schedule]]:
    now = now or clock.now()
    stmt = (select(Appointment, Slot, Schedule).join(Slot, Slot.id == Appointment.slot_id)
            .join(Schedule, Schedule.id == Appointment.schedule_id).where(Appointment.patient_id.in_(patient_ids)))
    if upcoming_only:
        stmt = stmt.where(Appointment.start_at > now - timedelta(hours=12))
    rows = (await session.execute(stmt.order_by(Appointment.start_at.desc()).limit(200))).tuples().all()
    return [(a, s, sc) for a, s, sc in rows]


async def set_status(session: AsyncSession, appointment_id: str, *, from_status: str, to_status: str) -> bool:
    """Move an appointment between statuses by one conditional update (check-in, visit finished); False when it
    was not in ``from_status`` any more."""
    done = await session.execute(update(Appointment).where(Appointment.id == appointment_id,
                                                           Appointment.status == from_status)
                                 .values(status=to_status).execution_options(synchronize_session=False))
    return getattr(done, "rowcount", 0) == 1
