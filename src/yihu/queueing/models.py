"""A queue per schedule per local day, its entries, and the events that drive the live views.

Numbers come from ``Queue.last_number`` taken by one conditional UPDATE (the row stays locked until commit), and the
unique (queue_id, number) constraint backs it. Every change of a queue also takes ``Queue.event_seq`` the same way,
so a queue's events are numbered 1, 2, 3… in commit order: the replay after ``Last-Event-ID`` reads them back.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from yihu.db import Base, IdMixin

ENTRY_KINDS = ("booked", "walkin")
ENTRY_STATUSES = ("waiting", "called", "done", "left")


class Queue(IdMixin, Base):
    __tablename__ = "queue"
    __table_args__ = (
        UniqueConstraint("schedule_id", "day"),
        Index("ix_queue_department_day", "department_id", "day"),
        CheckConstraint("last_number >= 0", name="last_number_not_negative"),
    )

    schedule_id: Mapped[str] = mapped_column(ForeignKey("schedule.id"))
    institution_id: Mapped[str] = mapped_column(ForeignKey("institution.id"), index=True)
    department_id: Mapped[str | None] = mapped_column(ForeignKey("department.id"))
    practitioner_id: Mapped[str | None] = mapped_column(ForeignKey("practitioner.id"), index=True)
    room_id: Mapped[str | None] = mapped_column(ForeignKey("room.id"))
    name: Mapped[str] = mapped_column(String(128))
    day: Mapped[date] = mapped_column(Date)
    last_number: Mapped[int] = mapped_column(Integer, default=0)
    event_seq: Mapped[int] = mapped_column(Integer, default=0)
    current_entry_id: Mapped[str | None] = mapped_column(String(36))
    served: Mapped[int] = mapped_column(Integer, default=0)
    service_seconds: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]


class QueueEntry(IdMixin, Base):
    """One patient in one queue. ``rank`` orders the waiting (lower first; number breaks ties)."""

    __tablename__ = "queue_entry"
    __table_args__ = (
        UniqueConstraint("queue_id", "number"),
        UniqueConstraint("appointment_id"),
        Index("ix_queue_entry_queue_status", "queue_id", "status"),
        CheckConstraint("number > 0", name="number_positive"),
    )

    queue_id: Mapped[str] = mapped_column(ForeignKey("queue.id"))
    number: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    appointment_id: Mapped[str | None] = mapped_column(ForeignKey("appointment.id"))
    patient_id: Mapped[str] = mapped_column(ForeignKey("patient.id"), index=True)
    account_id: Mapped[str | None] = mapped_column(ForeignKey("account.id"), index=True)
    masked_name: Mapped[str] = mapped_column(String(32))  # 张*明, for screens and other watchers
    status: Mapped[str] = mapped_column(String(16), default="waiting")
    elderly: Mapped[bool] = mapped_column(default=False)
    rank: Mapped[float] = mapped_column(Float)
    slot_start_at: Mapped[datetime | None]
    checked_in_at: Mapped[datetime]
    channel: Mapped[str] = mapped_column(String(16))  # online | kiosk | desk
    called_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    calls: Mapped[int] = mapped_column(Integer, default=0)
    passes: Mapped[int] = mapped_column(Integer, default=0)
    near_notified_at: Mapped[datetime | None]


class QueueEvent(Base):
    """What happened to a queue, numbered per queue; the payload holds numbers and masked names only."""

    __tablename__ = "queue_event"

    queue_id: Mapped[str] = mapped_column(ForeignKey("queue.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
