"""Home nursing: what happens at and after the visit (consent, alarms, the record, consumables, waste, rating),
and the online nursing consultation."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
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
from yihu.nursing.models import _in

WASTE_KINDS = ("infectious", "sharps", "pathological", "pharmaceutical", "chemical")
SIGNER_RELATIONS = ("self", "guardian", "spouse", "child", "parent", "other_family")


class NursingConsent(IdMixin, Base):
    """Informed consent (知情同意): the exact text shown, who signed it for the recipient, and when."""

    __tablename__ = "nursing_consent"
    __table_args__ = (UniqueConstraint("order_id"), CheckConstraint(_in("signer_relation", SIGNER_RELATIONS),
                                                                     name="relation_known"))

    order_id: Mapped[str] = mapped_column(ForeignKey("nursing_order.id"))
    content: Mapped[str] = mapped_column(Text)
    process: Mapped[str] = mapped_column(Text)
    fee_text: Mapped[str] = mapped_column(Text)
    risks: Mapped[str] = mapped_column(Text)
    text_sha256: Mapped[str] = mapped_column(String(64))
    signer_name: Mapped[str] = mapped_column(String(64))
    signer_relation: Mapped[str] = mapped_column(String(16))
    signature: Mapped[str] = mapped_column(Text)
    nurse_id: Mapped[str] = mapped_column(ForeignKey("practitioner.id"))
    signed_at: Mapped[datetime]


class NursingAlarm(IdMixin, Base):
    """A one-key alarm raised by a nurse during a visit; tracked until the institution closes it."""

    __tablename__ = "nursing_alarm"
    __table_args__ = (CheckConstraint(_in("status", ("open", "acknowledged", "closed")), name="status_known"),
                      Index("ix_nursing_alarm_institution_status", "institution_id", "status"))

    order_id: Mapped[str] = mapped_column(ForeignKey("nursing_order.id"), index=True)
    institution_id: Mapped[str] = mapped_column(ForeignKey("institution.id"))
    nurse_id: Mapped[str] = mapped_column(ForeignKey("practitioner.id"))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str] = mapped_column(String(256), default="")
    status: Mapped[str] = mapped_column(String(16), default="open")
    raised_at: Mapped[datetime]
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by: Mapped[str | None] = mapped_column(ForeignKey("account.id"))
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[str | None] = mapped_column(ForeignKey("account.id"))
    resolution: Mapped[str | None] = mapped_column(String(256))


class NursingLocation(IdMixin, Base):
    """Where the nurse was during a visit (check-in, check-out, alarm, periodic pings)."""

    __tablename__ = "nursing_location"
    __table_args__ = (Index("ix_nursing_location_order", "order_id", "at"),)

    order_id: Mapped[str] = mapped_column(ForeignKey("nursing_order.id"))
    nurse_id: Mapped[str] = mapped_column(ForeignKey("practitioner.id"))
    kind: Mapped[str] = mapped_column(String(16))
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    at: Mapped[datetime]


class NursingRecord(IdMixin, Base):
    """The structured nursing record of a visit, signed by the nurse; filed into the patient's record."""

    __tablename__ = "nursing_record"
    __table_args__ = (UniqueConstraint("order_id"),)

    order_id: Mapped[str] = mapped_column(ForeignKey("nursing_order.id"))
    patient_id: Mapped[str] = mapped_column(ForeignKey("patient.id"), index=True)
    institution_id: Mapped[str] = mapped_column(ForeignKey("institution.id"))
    nurse_id: Mapped[str] = mapped_column(ForeignKey("practitioner.id"))
    vitals: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    assessment: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    actions: Mapped[str] = mapped_column(Text)
    advice: Mapped[str] = mapped_column(Text, default="")
    next_visit_on: Mapped[date | None] = mapped_column(Date)
    signed_at: Mapped[datetime]
    signature_sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(24), default="final")
    error_reason: Mapped[str | None] = mapped_column(String(256))


class NursingConsumableUse(IdMixin, Base):
    __tablename__ = "nursing_consumable_use"
    __table_args__ = (UniqueConstraint("order_id", "consumable_code"),
                      CheckConstraint("count > 0 AND count <= 100", name="count_sane"),
                      CheckConstraint("amount_fen = count * unit_fen", name="amount_is_count_times_price"),
                      Index("ix_nursing_consumable_use_recorded", "recorded_at"))

    order_id: Mapped[str] = mapped_column(ForeignKey("nursing_order.id"), index=True)
    consumable_code: Mapped[str] = mapped_column(String(32))
    name_zh: Mapped[str] = mapped_column(String(64))
    unit: Mapped[str] = mapped_column(String(8))
    count: Mapped[int] = mapped_column(Integer)
    unit_fen: Mapped[int] = mapped_column(Integer)
    amount_fen: Mapped[int] = mapped_column(Integer)
    recorded_at: Mapped[datetime]


class NursingWaste(IdMixin, Base):
    __tablename__ = "nursing_waste"
    __table_args__ = (CheckConstraint(_in("kind", WASTE_KINDS), name="kind_known"),
                      CheckConstraint("(count IS NOT NULL AND count > 0) OR (weight_g IS NOT NULL AND weight_g > 0)",
                                      name="count_or_weight"),
                      Index("ix_nursing_waste_recorded", "recorded_at"))

    order_id: Mapped[str] = mapped_column(ForeignKey("nursing_order.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    count: Mapped[int | None] = mapped_column(Integer)
    weight_g: Mapped[int | None] = mapped_column(Integer)
    disposal: Mapped[str] = mapped_column(String(32))
    recorded_at: Mapped[datetime]


class NursingRating(IdMixin, Base):
    __tablename__ = "nursing_rating"
    __table_args__ = (UniqueConstraint("order_id"), CheckConstraint("stars BETWEEN 1 AND 5", name="stars_1_to_5"),
                      Index("ix_nursing_rating_rated", "rated_at"))

    order_id: Mapped[str] = mapped_column(ForeignKey("nursing_order.id"))
    institution_id: Mapped[str] = mapped_column(ForeignKey("institution.id"), index=True)
    nurse_id: Mapped[str | None] = mapped_column(ForeignKey("practitioner.id"))
    stars: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(String(500), default="")
    complaint: Mapped[bool] = mapped_column(default=False)
    rated_at: Mapped[datetime]


class NursingFollowUp(IdMixin, Base):
    """Opened for the institution by a low rating or a complaint; closed with what was done."""

    __tablename__ = "nursing_followup"
    __table_args__ = (CheckConstraint(_in("status", ("open", "closed")), name="status_known"),
                      Index("ix_nursing_followup_institution_status", "institution_id", "status"))

    order_id: Mapped[str] = mapped_column(ForeignKey("nursing_order.id"), index=True)
    institution_id: Mapped[str] = mapped_column(ForeignKey("institution.id"))
    reason: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="open")
    opened_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[str | None] = mapped_column(ForeignKey("account.id"))
    outcome: Mapped[str | None] = mapped_column(String(500))


class NursingConsult(IdMixin, Base):
    """An online nursing consultation: a resident's question, a nurse's answers, maybe a proposed visit."""

    __tablename__ = "nursing_consult"
    __table_args__ = (CheckConstraint(_in("status", ("open", "answered", "closed")), name="status_known"),
                      Index("ix_nursing_consult_institution_status", "institution_id", "status"))

    account_id: Mapped[str] = mapped_column(ForeignKey("account.id"), index=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patient.id"))
    institution_id: Mapped[str] = mapped_column(ForeignKey("institution.id"))
    nurse_id: Mapped[str | None] = mapped_column(ForeignKey("practitioner.id"))
    subject: Mapped[str] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    proposed_order_id: Mapped[str | None] = mapped_column(String(36))


class NursingConsultMessage(IdMixin, Base):
    __tablename__ = "nursing_consult_message"
    __table_args__ = (Index("ix_nursing_consult_message_consult", "consult_id", "at"),)

    consult_id: Mapped[str] = mapped_column(ForeignKey("nursing_consult.id"))
    author_account_id: Mapped[str] = mapped_column(ForeignKey("account.id"))
    author_role: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    photo_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    at: Mapped[datetime]
