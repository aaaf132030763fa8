from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from yihu.db import Base, IdMixin


class OutboxMessage(IdMixin, Base):
    """A message to send. Recipient and parameters are encrypted: they may be personal data."""

    __tablename__ = "outbox_message"

    channel: Mapped[str] = mapped_column(String(16))  # sms | inapp
    account_id: Mapped[str | None] = mapped_column(ForeignKey("account.id"), index=True)
    recipient_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    template: Mapped[str] = mapped_column(String(64))
    params_enc: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(256))


class SentSms(IdMixin, Base):
    """What the recording SMS gateway would have sent (the demo and tests read it)."""

    __tablename__ = "sent_sms"

    outbox_id: Mapped[str] = mapped_column(ForeignKey("outbox_message.id"), unique=True)
    recipient_bidx: Mapped[str] = mapped_column(String(64), index=True)
    recipient_enc: Mapped[bytes] = mapped_column(LargeBinary)
    text_enc: Mapped[bytes] = mapped_column(LargeBinary)
    sent_at: Mapped[datetime]


class InAppMessage(IdMixin, Base):
    __tablename__ = "inapp_message"

    outbox_id: Mapped[str] = mapped_column(ForeignKey("outbox_message.id"), unique=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("account.id"), index=True)
    text_enc: Mapped[bytes] = mapped_column(LargeBinary)
    template: Mapped[str] = mapped_column(String(64))
    link: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
    read_at: Mapped[datetime | None]
