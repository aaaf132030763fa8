from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from yihu.db import Base, IdMixin, TimestampMixin

SCHEDULE_KINDS = ("doctor", "department", "exam")
SLOT_CLASSES = ("general", "expert", "special")  # 普通 / 专家 / 特需
PERIODS = ("morning", "afternoon", "evening")


class Schedule(IdMixin, TimestampMixin, Base):
    """What can be booked: a doctor, a department's general clinic or an exam resource, with its release policy."""

    __tablename__ = "schedule"
    __table_args__ = (
        CheckConstraint("fee_fen >= 0", name="fee_not_negative"),
        CheckConstraint("slot_minutes > 0 AND slot_minutes <= 240", name="slot_minutes_range"),
        CheckConstraint("capacity_per_slot > 0", name="capacity_positive"),
        CheckConstraint("onsite_per_slot >= 0 AND onsite_per_slot <= capacity_per_slot", name="onsite_share"),
        CheckConstraint("release_days_ahead >= 0 AND release_days_ahead <= 90", name="release_days_range"),
    )

    institution_id: Mapped[str] = mapped_column(ForeignKey("institution.id"), index=True)
    department_id: Mapped[str | None] = mapped_column(ForeignKey("department.id"), index=True)
    practitioner_id: Mapped[str | None] = mapped_column(ForeignKey("practitioner.id"), index=True)
    room_id: Mapped[str | None] = mapped_column(ForeignKey("room.id"))
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(128))
    slot_class: Mapped[str] = mapped_column(String(16), default="general")
    fee_fen: Mapped[int] = mapped_column(Integer)
    slot_minutes: Mapped[int] = mapped_column(Integer)
    capacity_per_slot: Mapped[int] = mapped_column(Integer, default=1)
    onsite_per_slot: Mapped[int] = mapped_column(Integer, default=0)
    release_days_ahead: Mapped[int] = mapped_column(Integer, default=7)
    release_time: Mapped[str] = mapped_column(String(5), default="08:00")
    window_days: Mapped[int] = mapped_column(Integer, default=14)
    direct_booking: Mapped[bool] = mapped_column(Boolean, default=True)
    preparation: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class ScheduleSession(IdMixin, Base):
    """One weekly session of a schedule: weekday (0 = Monday), period and local start/end times."""

    __tablename__ = "schedule_session"
    __table_args__ = (UniqueConstraint("schedule_id", "weekday", "period"),
                      CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"))

    schedule_id: Mapped[str] = mapped_column(ForeignKey("schedule.id"), index=True)
    weekday: Mapped[int] = mapped_column(Integer)
    period: Mapped[str] = mapped_column(String(16))
    start: Mapped[str] = mapped_column(String(5))
    end: Mapped[str] = mapped_column(String(5))


class Slot(IdMixin, Base):
    """A bookable time slot. ``booked`` never exceeds ``capacity``: a conditional update and a check guard it."""

    __tablename__ = "slot"
    __table_args__ = (
        UniqueConstraint("schedule_id", "start_at"),
        CheckConstraint("booked >= 0 AND booked <= capacity", name="not_overbooked"),
        CheckConstraint("onsite >= 0 AND onsite <= capacity", name="onsite_share"),
        Index("ix_slot_institution_day", "institution_id", "day"),
    )

    schedule_id: Mapped[str] = mapped_column(ForeignKey("schedule.id"), index=True)
    institution_id: Mapped[str] = mapped_column(ForeignKey("institution.id"))
    day: Mapped[date] = mapped_column(Date)
    period: Mapped[str] = mapped_column(String(16))
    start_at: Mapped[datetime]
    end_at: Mapped[datetime]
    release_at: Mapped[datetime]
    capacity: Mapped[int] = mapped_column(Integer)
    onsite: Mapped[int] = mapped_column(Integer, default=0)
    booked: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | stopped


class Appointment(IdMixin, TimestampMixin, Base):
    """A booking of a slot for a registered patient.

    ``day_guard`` is ``<doctor or schedule>:<day>`` while the booking is active and NULL otherwise; the unique
    (patient_id, day_guard) constraint makes "one booking per patient per doctor per day" hold in the database.
    """

    __tablename__ = "appointment"
    __table_args__ = (
        UniqueConstraint("patient_id", "day_guard"),
        Index("ix_appointment_patient_status", "patient_id", "status"),
        CheckConstraint("fee_fen >= 0", name="fee_not_negative"),
    )

    slot_id: Mapped[str] = mapped_column(ForeignKey("slot.id"), index=True)
    schedule_id: Mapped[str] = mapped_column(ForeignKey("schedule.id"), index=True)
    institution_id: Mapped[str] = mapped_column(ForeignKey("institution.id"), index=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patient.id"))
    account_id: Mapped[str | None] = mapped_column(ForeignKey("account.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="booked")
    channel: Mapped[str] = mapped_column(String(16), default="online")
    fee_fen: Mapped[int] = mapped_column(Integer)
    day: Mapped[date] = mapped_column(Date)
    start_at: Mapped[datetime]
    day_guard: Mapped[str | None] = mapped_column(String(64))
    booked_at: Mapped[datetime]
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str | None] = mapped_column(String(64))


class SlotRelease(IdMixin, Base):
    """A place freed by a cancellation, returned to the pool at ``due_at`` (a short random delay, anti-scalper)."""

    __tablename__ = "slot_release"

    slot_id: Mapped[str] = mapped_column(ForeignKey("slot.id"), index=True)
    due_at: Mapped[datetime] = mapped_column(index=True)
