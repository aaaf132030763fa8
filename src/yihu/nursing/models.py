"""Home nursing: the region-wide catalogue, orders and their trail, series, blacklist, shifts and dispatch plans.

An order is one home visit. A series (recurring care) is a group of orders for the same item, patient and address;
it is assessed and accepted once, and each visit is dispatched on its own. Catalogue items are versioned: an order
points at the version it was placed under, so a later price change never alters it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from yihu.db import Base, IdMixin, TimestampMixin

ORDER_STATUSES = ("requested", "first_visit", "assessed", "accepted", "assigned", "consented", "en_route",
                  "in_service", "recorded", "completed", "paid", "rated", "rejected", "cancelled")
RISK_LEVELS = ("low", "medium", "high")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class NursingItem(IdMixin, TimestampMixin, Base):
    """A catalogue entry's stable identity; what it is and costs lives in its versions."""

    __tablename__ = "nursing_item"

    code: Mapped[str] = mapped_column(String(16), unique=True)
    category: Mapped[str] = mapped_column(String(32), index=True)
    populations: Mapped[list[str]] = mapped_column(JSON, default=list)
    current_version: Mapped[int] = mapped_column(Integer, default=1)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class NursingItemVersion(IdMixin, Base):
    __tablename__ = "nursing_item_version"
    __table_args__ = (
        UniqueConstraint("item_id", "version"),
        CheckConstraint("price_fen >= 0 AND visit_fee_fen >= 0", name="prices_not_negative"),
        CheckConstraint("nurses_required IN (1, 2)", name="nurses_one_or_two"),
        CheckConstraint(_in("risk_level", RISK_LEVELS), name="risk_known"),
        CheckConstraint("duration_min > 0", name="duration_positive"),
    )

    item_id: Mapped[str] = mapped_column(ForeignKey("nursing_item.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(128))
    description: Mapped[str] = mapped_column(Text, default="")
    duration_min: Mapped[int] = mapped_column(Integer)
    price_fen: Mapped[int] = mapped_column(Integer)
    visit_fee_fen: Mapped[int] = mapped_column(Integer)
    credentials: Mapped[list[str]] = mapped_column(JSON, default=list)
    nurses_required: Mapped[int] = mapped_column(Integer, default=1)
    risk_level: Mapped[str] = mapped_column(String(8))
    kit: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    risks: Mapped[str] = mapped_column(Text, default="")
    waste_kinds: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime]
    created_by: Mapped[str | None] = mapped_column(ForeignKey("account.id"))


class NursingConsumable(IdMixin, TimestampMixin, Base):
    __tablename__ = "nursing_consumable"
    __table_args__ = (CheckConstraint("price_fen >= 0", name="price_not_negative"),)

    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(128))
    unit: Mapped[str] = mapped_column(String(8))
    price_fen: Mapped[int] = mapped_column(Integer)


class NursingOffering(IdMixin, TimestampMixin, Base):
    """An institution offers a catalogue item (at the catalogue's public price)."""

    __tablename__ = "nursing_offering"
    __table_args__ = (UniqueConstraint("institution_id", "item_id"),)

    institution_id: Mapped[str] = mapped_column(ForeignKey("institution.id"), index=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("nursing_item.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class NursingSeries(IdMixin, TimestampMixin, Base):
    """Recurring care: phases like [{"every_days": 1, "count": 7}, {"every_days": 2, "count": 4}]."""

    __tablename__ = "nursing_series"

    pattern: Mapped[list[dict[str, int]]] = mapped_column(JSON)
    visits: Mapped[int] = mapped_column(Integer)


class NursingOrder(IdMixin, TimestampMixin, Base):
    __tablename__ = "nursing_order"
    __table_args__ = (
        CheckConstraint(_in("status", ORDER_STATUSES), name="status_known"),
        CheckConstraint("window_end_at > window_start_at", name="window_ordered"),
        CheckConstraint("second_nurse_id IS NULL OR second_nurse_id <> nurse_id", name="two_different_nurses"),
        UniqueConstraint("series_id", "sequence"),
        Index("ix_nursing_order_institution_day", "institution_id", "service_day", "status"),
        Index("ix_nursing_order_nurse_day", "nurse_id", "service_day"),
        Index("ix_nursing_order_created", "created_at"),
        # the cockpit's (migration 0009): each figure is counted by its own time column
        Index("ix_nursing_order_status_institution", "status", "institution_id"),
        Index("ix_nursing_order_institution_id", "institution_id", "id"),
        Index("ix_nursing_order_checked_in", "checked_in_at"),
        Index("ix_nursing_order_completed", "completed_at"),
        Index("ix_nursing_order_paid", "paid_at"),
        Index("ix_nursing_order_rated", "rated_at"),
    )

    number: Mapped[str] = mapped_column(String(24), unique=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("account.id"), index=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patient.id"), index=True)
    institution_id: Mapped[str] = mapped_column(ForeignKey("institution.id"))
    item_id: Mapped[str] = mapped_column(ForeignKey("nursing_item.id"), index=True)
    item_version_id: Mapped[str] = mapped_column(ForeignKey("nursing_item_version.id"))
    series_id: Mapped[str | None] = mapped_column(ForeignKey("nursing_series.id"), index=True)
    sequence: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(16), default="requested")
    address: Mapped[str] = mapped_column(String(256))
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    service_day: Mapped[date] = mapped_column(Date)
    window_start_at: Mapped[datetime]
    window_end_at: Mapped[datetime]
    condition: Mapped[str] = mapped_column(Text, default="")
    price_fen: Mapped[int] = mapped_column(Integer)
    visit_fee_fen: Mapped[int] = mapped_column(Integer)
    nurses_required: Mapped[int] = mapped_column(Integer, default=1)
    # assessment (评估)
    assessment: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    assessed_by: Mapped[str | None] = mapped_column(ForeignKey("account.id"))
    assessed_at: Mapped[datetime | None]
    reject_reason: Mapped[str | None] = mapped_column(String(256))
    accepted_at: Mapped[datetime | None]
    # dispatch
    nurse_id: Mapped[str | None] = mapped_column(ForeignKey("practitioner.id"))
    second_nurse_id: Mapped[str | None] = mapped_column(ForeignKey("practitioner.id"))
    planned_start_at: Mapped[datetime | None]
    planned_end_at: Mapped[datetime | None]
    assigned_at: Mapped[datetime | None]
    # the visit
    departed_at: Mapped[datetime | None]
    checked_in_at: Mapped[datetime | None]
    checkin_distance_m: Mapped[int | None] = mapped_column(Integer)
    checked_out_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    # money
    bill_id: Mapped[str | None] = mapped_column(String(36), index=True)
    consumables_fen: Mapped[int] = mapped_column(Integer, default=0)
    paid_at: Mapped[datetime | None]
    rated_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str | None] = mapped_column(String(256))
    cancelled_by_role: Mapped[str | None] = mapped_column(String(24))
    # from an online nursing consultation (the closed loop)
    consult_id: Mapped[str | None] = mapped_column(String(36), index=True)
    proposed_by_nurse_id: Mapped[str | None] = mapped_column(ForeignKey("practitioner.id"))


class NursingOrderEvent(IdMixin, Base):
    """Every state change of an order: who, in which role, when, from what to what (全程留痕)."""

    __tablename__ = "nursing_order_event"
    __table_args__ = (Index("ix_nursing_order_event_order", "order_id", "at"), Index("ix_nursing_order_event_at", "at"),
                      Index("ix_nursing_order_event_institution_at", "institution_id", "at"))

    order_id: Mapped[str] = mapped_column(ForeignKey("nursing_order.id"))
    institution_id: Mapped[str] = mapped_column(String(36), index=True)
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(32))
    actor_account_id: Mapped[str | None] = mapped_column(ForeignKey("account.id"))
    actor_role: Mapped[str] = mapped_column(String(24))
    note: Mapped[str] = mapped_column(String(256), default="")
    at: Mapped[datetime]


class NursingDocument(IdMixin, Base):
    """A supporting document of an order (discharge summary, prior diagnosis) or a consultation photo."""

    __tablename__ = "nursing_document"
    __table_args__ = (CheckConstraint("size_bytes > 0", name="not_empty"),)

    order_id: Mapped[str | None] = mapped_column(ForeignKey("nursing_order.id"), index=True)
    consult_id: Mapped[str | None] = mapped_column(String(36), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    filename: Mapped[str] = mapped_column(String(128))
    content_type: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by: Mapped[str | None] = mapped_column(ForeignKey("account.id"))
    created_at: Mapped[datetime]


class NursingBlacklist(IdMixin, Base):
    """An institution bars an abusive recipient (practitioner NULL) or keeps one nurse away from one recipient."""

    __tablename__ = "nursing_blacklist"
    __table_args__ = (Index("ix_nursing_blacklist_lookup", "patient_id", "institution_id"),)

    institution_id: Mapped[str] = mapped_column(ForeignKey("institution.id"))
    patient_id: Mapped[str] = mapped_column(ForeignKey("patient.id"))
    practitioner_id: Mapped[str | None] = mapped_column(ForeignKey("practitioner.id"))
    reason: Mapped[str] = mapped_column(String(256))
    created_by: Mapped[str | None] = mapped_column(ForeignKey("account.id"))
    created_at: Mapped[datetime]
    lifted_at: Mapped[datetime | None]
    lifted_by: Mapped[str | None] = mapped_column(ForeignKey("account.id"))


class NursingShift(IdMixin, TimestampMixin, Base):
    """A nurse's home-care shift on a day: when and where the round starts and ends."""

    __tablename__ = "nursing_shift"
    __table_args__ = (UniqueConstraint("practitioner_id", "day"),
                      CheckConstraint("end_at > start_at", name="shift_ordered"))

    practitioner_id: Mapped[str] = mapped_column(ForeignKey("practitioner.id"))
    institution_id: Mapped[str] = mapped_column(ForeignKey("institution.id"), index=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    start_at: Mapped[datetime]
    end_at: Mapped[datetime]
    start_latitude: Mapped[float] = mapped_column(Float)
    start_longitude: Mapped[float] = mapped_column(Float)
    assigned_version: Mapped[int] = mapped_column(Integer, default=0)


class NursingPlan(IdMixin, Base):
    """A dispatch proposal for one institution and day; confirming it assigns the nurses."""

    __tablename__ = "nursing_plan"
    __table_args__ = (CheckConstraint(_in("status", ("proposed", "confirmed", "superseded")), name="status_known"),
                      Index("ix_nursing_plan_institution_day", "institution_id", "day"))

    institution_id: Mapped[str] = mapped_column(ForeignKey("institution.id"))
    day: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="proposed")
    travel_min: Mapped[int] = mapped_column(Integer)
    tardiness_min: Mapped[int] = mapped_column(Integer)
    max_tardiness_min: Mapped[int] = mapped_column(Integer)
    unassigned: Mapped[list[str]] = mapped_column(JSON, default=list)
    seconds: Mapped[float] = mapped_column(Float)
    created_by: Mapped[str | None] = mapped_column(ForeignKey("account.id"))
    created_at: Mapped[datetime]
    confirmed_at: Mapped[datetime | None]
    confirmed_by: Mapped[str | None] = mapped_column(ForeignKey("account.id"))


class NursingPlanStop(IdMixin, Base):
    __tablename__ = "nursing_plan_stop"
    __table_args__ = (UniqueConstraint("plan_id", "order_id", "task_index"),)

    plan_id: Mapped[str] = mapped_column(ForeignKey("nursing_plan.id"), index=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("nursing_order.id"))
    task_index: Mapped[int] = mapped_column(Integer, default=0)
    practitioner_id: Mapped[str] = mapped_column(ForeignKey("practitioner.id"))
    sequence: Mapped[int] = mapped_column(Integer)
    start_at: Mapped[datetime]
    travel_min: Mapped[int] = mapped_column(Integer)
