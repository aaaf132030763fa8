from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from yihu.db import Base, IdMixin, TimestampMixin

ROLES = ("resident", "doctor", "nurse", "pharmacist", "institution_admin", "regulator", "system_admin", "kiosk")
STAFF_ROLES = ("doctor", "nurse", "pharmacist", "institution_admin")
ROLE_NAMES = {  # what a message calls each role: (zh-CN, English)
    "resident": ("居民", "residents"), "doctor": ("医生", "doctors"), "nurse": ("护士", "nurses"),
    "pharmacist": ("药师", "pharmacists"), "institution_admin": ("机构管理员", "institution admins"),
    "regulator": ("监管人员", "regulators"), "system_admin": ("系统管理员", "system admins"),
    "kiosk": ("自助机", "kiosks"),
}
MFA_ROLES = ("institution_admin", "system_admin", "regulator")


class Account(IdMixin, TimestampMixin, Base):
    __tablename__ = "account"

    phone_enc: Mapped[bytes] = mapped_column(LargeBinary)
    phone_bidx: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(32), index=True)
    display_name: Mapped[str] = mapped_column(String(64))
    institution_id: Mapped[str | None] = mapped_column(ForeignKey("institution.id"), index=True)
    practitioner_id: Mapped[str | None] = mapped_column(ForeignKey("practitioner.id"), unique=True)
    patient_id: Mapped[str | None] = mapped_column(ForeignKey("patient.id"), unique=True)
    totp_secret_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None]
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    lang: Mapped[str] = mapped_column(String(8), default="zh-CN")


class RefreshToken(IdMixin, Base):
    __tablename__ = "refresh_token"

    account_id: Mapped[str] = mapped_column(ForeignKey("account.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    family_id: Mapped[str] = mapped_column(String(36), index=True)
    issued_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class SmsCode(IdMixin, Base):
    __tablename__ = "sms_code"

    phone_bidx: Mapped[str] = mapped_column(String(64), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    purpose: Mapped[str] = mapped_column(String(16), default="login")
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    used_at: Mapped[datetime | None]
