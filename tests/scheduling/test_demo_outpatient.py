from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from yihu.demo.region import load_demo
from yihu.kit import clock
from yihu.registry.models import Practitioner
from yihu.scheduling.models import Schedule, Slot


async def test_the_demo_district_has_clinics_and_exams_to_book(db, session):
    today = clock.local_date(clock.now())
    summary = await load_demo(db, today=today)
    assert summary.counts["schedules"] > 100 and summary.counts["slots"] > 5000
    scheds = (await session.scalars(select(Schedule))).all()
    kinds = {s.kind for s in scheds}
    assert kinds == {"doctor", "department", "exam"}
    doctors = (await session.scalars(select(Practitioner).where(Practitioner.kind == "doctor"))).all()
    with_clinic = {s.practitioner_id for s in scheds if s.kind == "doctor"}
    assert not any(d.suspended for d in doctors if d.id in with_clinic)
    assert {s.slot_class for s in scheds if s.kind == "doctor"} == {"expert", "general"}
    ct = [s for s in scheds if s.kind == "exam" and s.name.startswith("CT")]
    assert ct and all("禁食" in s.preparation and not s.direct_booking for s in ct)
    general = [s for s in scheds if s.kind == "department"]
    assert general and all(s.release_days_ahead == 0 and s.onsite_per_slot == 2 for s in general)
    tomorrow = await session.scalar(select(func.count()).select_from(Slot).where(Slot.day == today + timedelta(days=1)))
    assert tomorrow > 0
    last = await session.scalar(select(func.max(Slot.day)))
    assert last == today + timedelta(days=7)  # exams run every day: the window's last day has slots


async def test_the_demo_has_bookings_and_online_settlements_for_the_cockpit(db, session):
    from yihu.billing import service as billing
    from yihu.billing.models import Bill, Payment
    from yihu.scheduling.models import Appointment

    await load_demo(db, today=clock.local_date(clock.now()))
    booked = await session.scalar(select(func.count()).select_from(Appointment))
    saved = await billing.time_saved(session)
    # the demo's home-nursing visits were paid online too (yihu.demo.nursing); they count as settlements as well
    nursing = await session.scalar(select(func.count()).select_from(Payment).join(Bill, Bill.id == Payment.bill_id)
                                   .where(Bill.kind == "nursing", Payment.status == "paid"))
    assert booked == 60 and nursing > 1000
    assert (saved.settlements - nursing, saved.minutes_saved - 5 * nursing) == (40, 200)
    assert set(saved.by_channel) == {"wechat", "alipay", "bank_card", "kiosk", "insurance_card"}
