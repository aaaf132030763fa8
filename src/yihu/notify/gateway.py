"""SMS gateways behind one interface, chosen by ``YIHU_SMS_GATEWAY``."""

from __future__ import annotations

from abc import ABC, abstractmethod

from sqlalchemy.ext.asyncio import AsyncSession

from yihu.db import new_id, utcnow
from yihu.kit.vault import vault
from yihu.notify.models import SentSms


class SmsGateway(ABC):
    @abstractmethod
    async def send(self, session: AsyncSession, *, outbox_id: str, phone: str, text: str) -> None: ...


class RecordingSmsGateway(SmsGateway):
    """Records what would be sent, encrypted like any personal data. Idempotent per outbox message."""

    async def send(self, session: AsyncSession, *, outbox_id: str, phone: str, text: str) -> None:
        v = vault()
        row_id = new_id()
        session.add(
            SentSms(
                id=row_id,
                outbox_id=outbox_id,
                recipient_bidx=v.index("phone", phone),
                recipient_enc=v.seal(phone, "sent_sms", "recipient", row_id),
                text_enc=v.seal(text, "sent_sms", "text", row_id),
                sent_at=utcnow(),
            )
        )
        await session.flush()


def gateway(name: str) -> SmsGateway:
    if name == "recording":
        return RecordingSmsGateway()
    raise ValueError(f"unknown SMS gateway {name!r}")
