"""Multi-step workflows of scheduling: stop-clinic (停诊)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from yihu.billing import service as billing
from yihu.kit import clock
from yihu.notify import service as notify
from yihu.registry import service as registry
from yihu.scheduling import booking, waitlist
from yihu.scheduling.models import Appointment, Schedule, Slot
from yihu.scheduling.waitlist import WaitlistEntry

PERIOD_LABELS = {"morning": ("上午", "morning"), "afternoon": ("下午", "afternoon"), "evening": ("晚上", "evening")}


@dataclass(frozen=True)
class StopResult:
    slots_stopped: int
    cancelled: list[Appointment]


async def stop_session(session: AsyncSession, sched: Schedule, day: date, period: str, reason: str) -> StopResult:
    """Stop one session: its slots close, every booking in it is cancelled and its patient notified."""
    slots = (await session.scalars(select(Slot).where(Slot.schedule_id == sched.id, Slot.day == day,
                                                      Slot.period == period, Slot.status == "open"))).all()
    slot_ids = [s.id for s in slots]
    if slot_ids:
        await session.execute(update(Slot).where(Slot.id.in_(slot_ids)).values(status="stopped")
                              .execution_options(synchronize_session=False))
    appts = (await session.scalars(select(Appointment).where(Appointment.slot_id.in_(slot_ids),
                                                             Appointment.status == "booked"))).all() if slot_ids else []
    inst = await registry.get_institution(session, sched.institution_id)
    now = clock.now()
    for a in appts:
        await booking.cancel(session, a, reason=f"clinic_stopped:{reason}"[:64], now=now, by_clinic=True)
        zh, en = PERIOD_LABELS[period]
        params = {"institution": inst.name, "schedule": sched.name, "day": day.isoformat(), "period": zh,
                  "link": "/resident/appointments"}
        refund_fen = await billing.refund_fen_for(session, billing.appointment_reference(a.id))
        template = "clinic_stopped_refund" if refund_fen else "clinic_stopped"
        if refund_fen:
            params["amount"] = f"{refund_fen // 100}.{refund_fen % 100:02d}"
        if a.account_id:
            notify.enqueue_inapp(session, account_id=a.account_id, template=template, params=params)
        patient = await registry.get_patient(session, a.patient_id)
        phone = registry.phone_of(patient)
        if phone:
            notify.enqueue_sms(session, phone=phone, template=template, params=params,
                               account_id=a.account_id)
    still_open = await session.scalar(select(Slot.id).where(Slot.schedule_id == sched.id, Slot.day == day,
                                                           Slot.status == "open").limit(1))
    if still_open is None:  # nothing left that day: the waitlist for it ends too
        await session.execute(update(WaitlistEntry).where(WaitlistEntry.schedule_id == sched.id,
                                                          WaitlistEntry.day == day,
                                                          WaitlistEntry.status.in_(waitlist.ACTIVE))
                              .values(status="stopped", active_key=None).execution_options(synchronize_session=False))
    await session.flush()
    return StopResult(slots_stopped=len(slot_ids), cancelled=list(appts))
