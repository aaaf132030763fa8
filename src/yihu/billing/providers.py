"""Payment providers behind one interface, chosen per channel by ``YIHU_BILLING_CHANNEL_PROVIDERS``.

A real adapter (WeChat Pay, Alipay, the insurance platform, UnionPay) makes HTTP calls keyed by our ids
(payment id as the merchant order number, refund id as the refund number), so a retried call is idempotent on
the provider's side. Here the sandbox keeps its books in its own tables and answers the same way.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from yihu.billing import errors
from yihu.billing.models import Payment, Refund
from yihu.billing.settings import CHANNELS, DEV_SANDBOX_SECRET, billing_settings
from yihu.config import get_settings
from yihu.errors import DomainError


@dataclass(frozen=True)
class Checkout:
    """What a client uses to pay: the provider's order id, a pay URL and a one-order token."""

    provider_payment_id: str
    pay_url: str
    token: str


@dataclass(frozen=True)
class ProviderEvent:
    event_id: str
    type: str  # payment.paid | payment.failed | refund.succeeded | refund.failed
    provider_payment_id: str
    amount_fen: int
    insurance_fen: int
    occurred_at: datetime
    transaction_id: str | None = None
    provider_refund_id: str | None = None
    out_refund_no: str | None = None


@dataclass(frozen=True)
class StatementLine:
    kind: str  # payment | refund
    provider_id: str
    amount_fen: int
    at: datetime


class PaymentProvider(ABC):
    name: str

    @abstractmethod
    async def create(self, session: AsyncSession, payment: Payment) -> Checkout: ...

    @abstractmethod
    async def close(self, session: AsyncSession, provider_payment_id: str) -> bool:
        """Close an unpaid order. False when the provider has it paid already (its notification will come)."""

    @abstractmethod
    async def refund(self, session: AsyncSession, payment: Payment, refund: Refund) -> str:
        """Ask for a refund (idempotent by ``refund.id``); returns the provider's refund id."""

    @abstractmethod
    def parse_notification(self, headers: Mapping[str, str], body: bytes) -> ProviderEvent:
        """Verify and read a notification; ``DomainError`` for a bad signature or body."""

    @abstractmethod
    async def statement(self, session: AsyncSession, start: datetime, end: datetime) -> list[StatementLine]:
        """The provider's settled payments and refunds in ``[start, end)``."""


def provider(name: str) -> PaymentProvider:
    secret = billing_settings().provider_secrets.get(name)
    if name == "sandbox" and secret:
        if get_settings().env == "production" and secret == DEV_SANDBOX_SECRET:
            raise DomainError(errors.SANDBOX_DISABLED)
        from yihu.billing.sandbox import SandboxProvider

        return SandboxProvider(secret)
    raise DomainError(errors.PROVIDER_UNKNOWN)


def for_channel(channel: str) -> PaymentProvider:
    if channel not in CHANNELS:
        raise DomainError(errors.CHANNEL_INVALID)
    name = billing_settings().channel_providers.get(channel)
    if name is None:
        raise DomainError(errors.CHANNEL_UNAVAILABLE)
    return provider(name)
