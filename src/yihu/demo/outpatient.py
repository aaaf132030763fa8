"""The demo district's outpatient services: every doctor's clinic, the general clinics of community and township
centres, and time-slot exams on CT, MR and ultrasound, with slots for the coming week and a few bookings of the
demo family (seed 001: region-wide booking, time-slot visits and exams)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from yihu.auth.models import Account
from yihu.billing import sandbox
from yihu.billing import service as billing
from yihu.db import Database, commit
from yihu.demo import district
from yihu.demo.keys import uid
from yihu.demo.staff import StaffPlan
from yihu.kit import clock
from yihu.scheduling import booking, schedules
from yihu.scheduling.models import Schedule, ScheduleSession, Slot

WINDOW_DAYS = 7
SENIOR = ("chief_physician", "associate_chief_physician")
WEEKDAYS = range(5)

# Exam resources: slot minutes, fee in fen, whether a doctor's order is needed, preparation shown on booking.
EXAMS: dict[str, tuple[int, int, bool, str]] = {
    "ct": (20, 32000, False, "检查前4小时禁食；携带既往影像资料；孕妇及可能怀孕者请提前告知。"),
    "mr": (30, 68000, False, "去除身上一切金属物品；体内有心脏起搏器、金属植入物者请提前告知医生。"),
    "ultrasound": (15, 12000, True, "腹部超声检查前空腹8小时；盆腔/膀胱超声检查前1小时饮水500–800毫升，憋尿。"),
}


def _schedule(key: str, institution: str, *, kind: str, name: str, fee_fen: int, slot_minutes: int,
              slot_class: str = "general", department: str | None = None, practitioner: str | None = None,
              room: str | None = None, capacity: int = 1, onsite: int = 0, release_days_ahead: int = 7,
              direct_booking: bool = True, preparation: str = "") -> Schedule:
    return Schedule(id=uid(f"schedule:{key}"), institution_id=uid(f"institution:{institution}"),
                    department_id=uid(f"department:{institution}:{department}") if department else None,
                    practitioner_id=practitioner, room_id=room, kind=kind, name=name, slot_class=slot_class,
                    fee_fen=fee_fen, slot_minutes=slot_minutes, capacity_per_slot=capacity, onsite_per_slot=onsite,
                    release_days_ahead=release_days_ahead, release_time="08:00", window_days=WINDOW_DAYS,
                    direct_booking=direct_booking, preparation=preparation, active=True)


def _sessions(sched: Schedule, periods: list[tuple[int, str, str, str]]) -> list[ScheduleSession]:
    return [ScheduleSession(id=uid(f"session:{sched.id}:{d}:{p}"), schedule_id=sched.id, weekday=d, period=p,
                            start=a, end=b) for d, p, a, b in periods]


def plan(staff: list[StaffPlan]) -> tuple[list[Schedule], list[ScheduleSession]]:
    scheds: list[Schedule] = []
    sessions: list[ScheduleSession] = []
    for i, p in enumerate(s for s in staff if s.kind == "doctor" and s.department and not s.suspended_reason):
        senior = p.title in SENIOR
        sc = _schedule(f"doctor:{p.licence_no}", p.institution, kind="doctor", practitioner=p.id,
                       department=p.department, name=f"{p.name}{'专家' if senior else ''}门诊",
                       fee_fen=2500 if senior else 1000, slot_minutes=15 if senior else 10,
                       slot_class="expert" if senior else "general")
        scheds.append(sc)
        days = [d for d in WEEKDAYS if (d + i) % 5 != 4]  # four weekdays each, staggered
        periods = [(d, "morning", "08:00", "11:30") for d in days]
        if senior:
            periods.append((days[0], "afternoon", "13:30", "16:30"))
        sessions += _sessions(sc, periods)
    for spec in district.INSTITUTIONS:
        if spec.kind in ("chc", "township") and "02" in spec.departments:
            sc = _schedule(f"general:{spec.code}", spec.code, kind="department", department="02",
                           name="全科普通门诊", fee_fen=500, slot_minutes=15, capacity=6, onsite=2,
                           release_days_ahead=0)  # same-day registration, a share kept for the kiosk
            scheds.append(sc)
            sessions += _sessions(sc, [(d, p, a, b) for d in range(6)
                                       for p, a, b in (("morning", "08:00", "11:30"), ("afternoon", "13:30", "16:30"))])
        for r in district.rooms_of(spec):
            exam = EXAMS.get(r.kind)
            if exam is None:
                continue
            minutes, fee, direct, prep = exam
            sc = _schedule(f"exam:{spec.code}:{r.code}", spec.code, kind="exam", room=uid(f"room:{spec.code}:{r.code}"),
                           department=r.department, name=f"{r.name}预约", fee_fen=fee, slot_minutes=minutes,
                           capacity=2, direct_booking=direct, preparation=prep)
            scheds.append(sc)
            sessions += _sessions(sc, [(d, p, a, b) for d in range(7)
                                       for p, a, b in (("morning", "08:00", "12:00"), ("afternoon", "13:30", "17:00"))])
    return scheds, sessions


async def load(session: AsyncSession, staff: list[StaffPlan], today: date) -> int:
    """Insert the schedules and generate their slots for the coming week; returns the number of slots."""
    scheds, sessions = plan(staff)
    session.add_all(scheds)
    await session.flush()
    session.add_all(sessions)
    await session.flush()
    total = 0
    for sc in scheds:
        total += await schedules.generate(session, sc, today, today + timedelta(days=WINDOW_DAYS))
    return total


async def bookings_and_settlements(db: Database, *, residents: int = 60) -> int:
    """Some residents book the coming week's clinics and two in three pay online (rotating channels), through the
    same services and sandbox cashier as the app, so the cockpit shows the settlements and the time they saved."""
    channels = ("wechat", "alipay", "bank_card", "kiosk")
    paid = 0
    async with db.sessionmaker() as session:
        session.info["db"] = db
        accounts = (await session.scalars(select(Account).where(Account.role == "resident",
                                                                Account.patient_id.is_not(None))
                                          .order_by(Account.id).limit(residents))).all()
        now = clock.now()
        slots = (await session.scalars(select(Slot).join(Schedule, Schedule.id == Slot.schedule_id).where(
            Schedule.kind == "doctor", Slot.status == "open", Slot.release_at <= now, Slot.start_at > now,
            Slot.booked < Slot.capacity - Slot.onsite).order_by(Slot.start_at, Slot.id).limit(residents * 7))).all()
        for i, acc in enumerate(accounts):
            slot = slots[(i * 7) % len(slots)] if slots else None
            if slot is None or acc.patient_id is None:
                break
            appt = await booking.book(session, booking.BookingRequest(slot.id, acc.patient_id, acc.id), now=now)
            bill = await billing.bill_by_reference(session, billing.appointment_reference(appt.id))
            if bill is None or i % 3 == 2:
                continue
            _payment, checkout = await billing.create_payment(session, bill, channel=channels[i % 4],
                                                              account_id=acc.id)
            await sandbox.pay(session, checkout.provider_payment_id, checkout.token)
            paid += 1
        await commit(session)
    await sandbox.deliver_pending(db, sandbox.direct_poster(db), limit=residents * 2)
    return paid
