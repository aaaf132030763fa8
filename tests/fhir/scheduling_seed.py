"""Schedules on top of the FHIR test region: a doctor's clinic tomorrow, a CT exam in two days, a clinic whose
slots are not released yet, and a clinic that was stopped (停诊)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from tests import builders as b
from tests.fhir.seed import Region, seed
from yihu.kit import clock
from yihu.scheduling import flows, schedules
from yihu.scheduling.models import Schedule, Slot


@dataclass
class Clinics:
    region: Region
    cardiology: Schedule  # 欧阳明辉, tomorrow 08:00-09:00, four 15-minute slots of one place, released
    ct: Schedule  # CT一室, in two days 14:00-15:00, two 30-minute slots of three places (one kept on site)
    later: Schedule  # in ten days, released two days ahead: not yet
    stopped: Schedule  # tomorrow afternoon, stopped
    day: date  # tomorrow (local)
    cardiology_slots: list[str] = field(default_factory=list)  # ids, in time order

    async def slots(self, session: AsyncSession, sched: Schedule) -> list[Slot]:
        rows, _ = await schedules.search_slots(session, schedules.SlotQuery(schedule_id=sched.id, limit=200))
        return [s for s, _ in rows]


async def seed_clinics(session: AsyncSession, **kw: int) -> Clinics:
    r = await seed(session, **kw)
    day = clock.local_date(clock.now()) + timedelta(days=1)
    cardiology = await b.doctor_schedule(session, r.hospital, doctor=r.doctor, days_ahead=1, slots=4, fee_fen=2500)
    ct_day = day + timedelta(days=1)
    ct = await schedules.create(session, r.hospital.id, schedules.ScheduleInput(
        kind="exam", name="CT平扫预约", fee_fen=18000, slot_minutes=30, slot_class="general", room_id=r.ct_room.id,
        capacity_per_slot=3, onsite_per_slot=1, preparation="检查前4小时禁食。",
        sessions=[schedules.SessionInput(weekday=ct_day.weekday(), period="afternoon", start="14:00", end="15:00")]))
    await schedules.generate(session, ct, ct_day, ct_day)
    later = await b.doctor_schedule(session, r.hospital, doctor=r.doctor, days_ahead=10, slots=2,
                                    release_days_ahead=2, slot_class="general")
    stopped = await b.doctor_schedule(session, r.clinic, days_ahead=1, slots=2, slot_class="general",
                                      period_start="13:30")
    await flows.stop_session(session, stopped, day, "morning", "医生外出会诊")
    await b.done(session)
    clinics = Clinics(r, cardiology, ct, later, stopped, day)
    clinics.cardiology_slots = [s.id for s in await clinics.slots(session, cardiology)]
    return clinics
