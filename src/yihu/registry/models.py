from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from yihu.db import Base, IdMixin, TimestampMixin


class MedicalGroup(IdMixin, TimestampMixin, Base):
    """医联体 / 城市医疗集团: institutions working as one, led by a lead hospital."""

    __tablename__ = "medical_group"

    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(32), default="city_medical_group")
    lead_institution_id: Mapped[str | None] = mapped_column(
        ForeignKey("institution.id", use_alter=True, name="fk_medical_group_lead_institution"), nullable=True
    )


class Institution(IdMixin, TimestampMixin, Base):
    __tablename__ = "institution"

    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(128), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    address: Mapped[str] = mapped_column(String(256), default="")
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    phone: Mapped[str] = mapped_column(String(32), default="")
    group_id: Mapped[str | None] = mapped_column(ForeignKey("medical_group.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Department(IdMixin, TimestampMixin, Base):
    __tablename__ = "department"
    __table_args__ = (UniqueConstraint("institution_id", "code"),)

    institution_id: Mapped[str] = mapped_column(ForeignKey("institution.id"), index=True)
    code: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Room(IdMixin, TimestampMixin, Base):
    """A consulting room or a resource (CT, MR, ultrasound, ward)."""

    __tablename__ = "room"
    __table_args__ = (UniqueConstraint("institution_id", "code"),)

    institution_id: Mapped[str] = mapped_column(ForeignKey("institution.id"), index=True)
    department_id: Mapped[str | None] = mapped_column(ForeignKey("department.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Practitioner(IdMixin, TimestampMixin, Base):
    __tablename__ = "practitioner"

    name: Mapped[str] = mapped_column(String(64), index=True)
    sex: Mapped[str] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(16), index=True)
    licence_no: Mapped[str] = mapped_column(String(32), unique=True)
    licence_valid_until: Mapped[date | None] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(32))
    practice_start: Mapped[date] = mapped_column(Date)
    registered_institution_id: Mapped[str] = mapped_column(ForeignKey("institution.id"), index=True)
    suspended: Mapped[bool] = mapped_column(Boolean, default=False)
    suspended_reason: Mapped[str | None] = mapped_column(String(256))
    suspended_at: Mapped[datetime | None]
    home_latitude: Mapped[float | None] = mapped_column(Float)
    home_longitude: Mapped[float | None] = mapped_column(Float)


class PractitionerRole(IdMixin, TimestampMixin, Base):
    __tablename__ = "practitioner_role"
    __table_args__ = (UniqueConstraint("practitioner_id", "institution_id", "department_id"),)

    practitioner_id: Mapped[str] = mapped_column(ForeignKey("practitioner.id"), index=True)
    institution_id: Mapped[str] = mapped_column(ForeignKey("institution.id"), index=True)
    department_id: Mapped[str | None] = mapped_column(ForeignKey("department.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Credential(IdMixin, TimestampMixin, Base):
    __tablename__ = "credential"

    practitioner_id: Mapped[str] = mapped_column(ForeignKey("practitioner.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    number: Mapped[str] = mapped_column(String(64))
    issuer: Mapped[str] = mapped_column(String(128), default="")
    issued_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class Patient(IdMixin, TimestampMixin, Base):
    """One person, one record across the region; found by the blind index of the ID number."""

    __tablename__ = "patient"

    name: Mapped[str] = mapped_column(String(64), index=True)
    sex: Mapped[str] = mapped_column(String(8))
    birth_date: Mapped[date] = mapped_column(Date)
    id_number_enc: Mapped[bytes] = mapped_column(LargeBinary)
    id_number_bidx: Mapped[str] = mapped_column(String(64), unique=True)
    phone_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    phone_bidx: Mapped[str | None] = mapped_column(String(64), index=True)
    address: Mapped[str] = mapped_column(String(256), default="")
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    deceased: Mapped[bool] = mapped_column(Boolean, default=False)


class PatientLink(IdMixin, Base):
    """A patient's relationship with an institution (visit card, appointment, order): staff scope."""

    __tablename__ = "patient_link"
    __table_args__ = (UniqueConstraint("patient_id", "institution_id"),)

    patient_id: Mapped[str] = mapped_column(ForeignKey("patient.id"), index=True)
    institution_id: Mapped[str] = mapped_column(ForeignKey("institution.id"), index=True)
    reason: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]


class Card(IdMixin, TimestampMixin, Base):
    """A medical-insurance card or an institution's visit card bound to an account, for one patient."""

    __tablename__ = "card"
    __table_args__ = (
        UniqueConstraint("account_id", "slot_no"),
        CheckConstraint("slot_no IS NULL OR (slot_no BETWEEN 1 AND 5)", name="slot_range"),
        CheckConstraint("(status = 'active') = (slot_no IS NOT NULL)", name="slot_when_active"),
        Index("ix_card_account_number", "account_id", "card_no_bidx"),
    )

    account_id: Mapped[str] = mapped_column(ForeignKey("account.id"), index=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patient.id"), index=True)
    card_type: Mapped[str] = mapped_column(String(16))
    card_no_enc: Mapped[bytes] = mapped_column(LargeBinary)
    card_no_bidx: Mapped[str] = mapped_column(String(64))
    institution_id: Mapped[str | None] = mapped_column(ForeignKey("institution.id"))
    relation: Mapped[str] = mapped_column(String(16))
    slot_no: Mapped[int | None] = mapped_column(SmallInteger)
    status: Mapped[str] = mapped_column(String(16), default="active")
    guardian_consent_at: Mapped[datetime | None]
    guardian_consent_text: Mapped[str | None] = mapped_column(String(32))
    unbound_at: Mapped[datetime | None]
