"""Waitlists (候补): when a doctor's day is full, a resident may wait for a place. A freed place is held for the first
in line, who has a few minutes to accept before it passes on to the next, and finally back to the pool."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, and_, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from yihu.config import get_settings
from yihu.db import Base, IdMixin
from yihu.errors import DomainError, code
from yihu.kit import clock
from yihu.notify import service as notify
from yihu.scheduling import booking
from yihu.scheduling.models import Schedule, Slot, SlotRelease

NOT_FULL = code("waitlist.day_not_full", 409, "该日仍有可预约号源，请直接预约。",
                "There are still free slots that day: book one directly.")
ALREADY = code("waitlist.already_waiting", 409, "该就诊人已在此候补队列中。", "This patient is already on this waitlist.")
NOT_FOUND = code("waitlist.not_found", 404, "未找到该候补。", "The waitlist entry was not found.")
NO_OFFER = code("waitlist.no_offer", 409, "当前没有为您保留的号源，或保留已过期。",
                "No place is held for you now, or the hold has expired.")
NO_SESSION = code("waitlist.no_session", 422, "该医生当日没有出诊。", "This schedule has no session that day.")

ACTIVE = ("waiting", "offered")


class WaitlistEntry(IdMixin, Base):
    """One patient waiting for a schedule's day. ``active_key`` is set while waiting or offered: the unique
    (patient_id, active_key) keeps one active entry per patient per schedule and day."""

    __tablename__ = "waitlist_entry"
    __table_args__ = (UniqueConstraint("patient_id", "active_key"),
                      Index("ix_waitlist_queue", "schedule_id", "day", "status", "created_at"))

    schedule_id: Mapped[str] = mapped_column(ForeignKey("schedule.id"))
    day: Mapped[date]
    patient_id: Mapped[str] = mapped_column(ForeignKey("patient.id"))
    account_id: Mapped[str | None] = mapped_column(ForeignKey("account.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="waiting")
    active_key: Mapped[str | None] = mapped_column(String(64))
    offered_slot_id: Mapped[str | None] = mapped_column(ForeignKey("slot.id"))
    offer_expires_at: Mapped[datetime | None]
    appointment_id: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime]


def _key(schedule_id: str, day: date) -> str:
    return f"{schedule_id}:{day.isoformat()}"


async def join(session: AsyncSession, *, schedule_id: str, day: date, patient_id: str, account_id: str | None,
               now: datetime | None = None) -> WaitlistEntry:
    now = now or clock.now()
    slots = (await session.scalars(select(Slot).where(Slot.schedule_id == schedule_id, Slot.day == day,
                                                      Slot.status == "open", Slot.start_at > now))).all()
    if not slots:
        raise DomainError(NO_SESSION)
    if any(s.release_at <= now and s.booked < s.capacity - s.onsite for s in slots):
        raise DomainError(NOT_FULL)
    entry = WaitlistEntry(schedule_id=schedule_id, day=day, patient_id=patient_id, account_id=account_id,
                          status="waiting", active_key=_key(schedule_id, day), created_at=now)
    session.add(entry)
    try:
        await session.flush()
    except IntegrityError:
        raise DomainError(ALREADY) from None
    return entry


async def get(session: AsyncSession, entry_id: str) -> WaitlistEntry:
    e = await session.get(WaitlistEntry, entry_id)
    if e is None:
        raise DomainError(NOT_FOUND)
    return e


async def offer_place(session: AsyncSession, slot_id: str, now: datetime | None = None) -> bool:
    """Hold a freed place of ``slot_id`` for the first in line. False when no one waits (the caller frees it)."""
    now = now or clock.now()
    slot = await session.get(Slot, slot_id)
    if slot is None or slot.status != "open" or slot.start_at <= now:
        return False
    minutes = get_settings().waitlist_offer_minutes
    q = (select(WaitlistEntry).where(WaitlistEntry.schedule_id == slot.schedule_id, WaitlistEntry.day == slot.day,
                                     WaitlistEntry.status == "waiting").order_by(WaitlistEntry.created_at).limit(1))
    if session.bind.dialect.name != "sqlite":
        q = q.with_for_update(skip_locked=True)
    first = await session.scalar(q)
    if first is None:
        return False
    done = await session.execute(update(WaitlistEntry).where(WaitlistEntry.id == first.id,
                                                             WaitlistEntry.status == "waiting")
                                 .values(status="offered", offered_slot_id=slot_id,
                                         offer_expires_at=now + timedelta(minutes=minutes))
                                 .execution_options(synchronize_session=False))
    if getattr(done, "rowcount", 0) != 1:
        return False
    if first.account_id:
        sched = await session.get(Schedule, slot.schedule_id)
        notify.enqueue_inapp(session, account_id=first.account_id, template="waitlist_offer",
                             params={"schedule": sched.name if sched else "", "minutes": minutes,
                                     "time": slot.start_at.astimezone(clock.LOCAL).strftime("%m-%d %H:%M"),
                                     "link": "/resident/waitlist"})
    return True


async def accept(session: AsyncSession, entry: WaitlistEntry, now: datetime | None = None) -> str:
    """Turn the held place into a booking; returns the appointment id."""
    now = now or clock.now()
    if entry.status != "offered" or entry.offered_slot_id is None or (entry.offer_expires_at or now) <= now:
        raise DomainError(NO_OFFER)
    done = await session.execute(update(WaitlistEntry).where(WaitlistEntry.id == entry.id,
                                                             WaitlistEntry.status == "offered")
                                 .values(status="accepted", active_key=None)
                                 .execution_options(synchronize_session=False))
    if getattr(done, "rowcount", 0) != 1:
        raise DomainError(NO_OFFER)
    appt = await booking.book_held(session, entry.offered_slot_id, patient_id=entry.patient_id,
                                   account_id=entry.account_id, now=now)
    await session.execute(update(WaitlistEntry).where(WaitlistEntry.id == entry.id)
                          .values(appointment_id=appt.id).execution_options(synchronize_session=False))
    await session.refresh(entry)
    return appt.id


async def leave(session: AsyncSession, entry: WaitlistEntry, now: datetime | None = None) -> None:
    """Leave the line; a place held for this entry passes to the next in line (or back to the pool)."""
    held = entry.offered_slot_id if entry.status == "offered" else None
    done = await session.execute(update(WaitlistEntry).where(WaitlistEntry.id == entry.id,
                                                             WaitlistEntry.status.in_(ACTIVE))
                                 .values(status="cancelled", active_key=None)
                                 .execution_options(synchronize_session=False))
    if getattr(done, "rowcount", 0) != 1:
        raise DomainError(NOT_FOUND)
    if held:
        await pass_on(session, held, now)
    await session.refresh(entry)


async def pass_on(session: AsyncSession, slot_id: str, now: datetime | None = None) -> None:
    if not await offer_place(session, slot_id, now):
        await session.execute(update(Slot).where(Slot.id == slot_id, Slot.booked > 0)
                              .values(booked=Slot.booked - 1).execution_options(synchronize_session=False))


async def release_due(session: AsyncSession, now: datetime | None = None) -> int:
    """Places freed by cancellations come back when their random delay is over: first to the waitlist of that
    doctor's day, else to the pool (the worker runs this every few seconds)."""
    now = now or clock.now()
    due = (await session.scalars(select(SlotRelease).where(SlotRelease.due_at <= now).order_by(SlotRelease.due_at)
                                 .limit(500))).all()
    released = 0
    for r in due:
        # Claim the release by deleting it: with several workers only one hands the place on.
        gone = await session.execute(delete(SlotRelease).where(SlotRelease.id == r.id)
                                     .execution_options(synchronize_session=False))
        if getattr(gone, "rowcount", 0) != 1:
            continue
        await pass_on(session, r.slot_id, now)
        released += 1
    await session.flush()
    return released


async def expire_offers(session: AsyncSession, now: datetime | None = None) -> int:
    """Offers not accepted in time expire; their places go to the next in line (the worker runs this)."""
    now = now or clock.now()
    due = (await session.scalars(select(WaitlistEntry).where(
        and_(WaitlistEntry.status == "offered", WaitlistEntry.offer_expires_at <= now)).limit(500))).all()
    expired = 0
    for e in due:
        done = await session.execute(update(WaitlistEntry).where(WaitlistEntry.id == e.id,
                                                                 WaitlistEntry.status == "offered")
                                     .values(status="expired", active_key=None)
                                     .execution_options(synchronize_session=False))
        if getattr(done, "rowcount", 0) == 1 and e.offered_slot_id:
            await pass_on(session, e.offered_slot_id, now)
            expired += 1
    await session.flush()
    return expired


async def for_patients(session: AsyncSession, patient_ids: list[str]) -> list[WaitlistEntry]:
    return list((await session.scalars(select(WaitlistEntry).where(WaitlistEntry.patient_id.in_(patient_ids))
                                       .order_by(WaitlistEntry.created_at.desc()).limit(100))).all())


async def position(session: AsyncSession, entry: WaitlistEntry) -> int | None:
    if entry.status != "waiting":
        return None
    ahead = await session.scalars(select(WaitlistEntry.id).where(
        WaitlistEntry.schedule_id == entry.schedule_id, WaitlistEntry.day == entry.day,
        WaitlistEntry.status == "waiting", WaitlistEntry.created_at < entry.created_at))
    return len(ahead.all()) + 1

