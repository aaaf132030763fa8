"""The sandbox provider: behaves like a real channel. An order is created, the sandbox "pays" it (the demo and
tests call :func:`pay`), then it sends an asynchronous signed notification to ``/api/v1/payments/notify/sandbox``,
the same one ``sandbox_deliveries`` times. Refunds succeed at once and are notified the same way. Its statement
of a day feeds reconciliation."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any

import httpx
import structlog
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from yihu.billing import errors, signing
from yihu.billing.models import Payment, Refund, SandboxNotification, SandboxOrder, SandboxRefund
from yihu.billing.providers import Checkout, PaymentProvider, ProviderEvent, StatementLine
from yihu.billing.settings import billing_settings
from yihu.config import get_settings
from yihu.db import Database, after_commit, utcnow
from yihu.errors import DomainError

NAME = "sandbox"
NOTIFY_PATH = f"/api/v1/payments/notify/{NAME}"
log = structlog.get_logger(__name__)
Poster = Callable[[str, bytes, dict[str, str]], Awaitable[int]]
_tasks: set[asyncio.Task[int]] = set()


def _secret() -> str:
    return billing_settings().provider_secrets[NAME]


def pay_token(order_id: str) -> str:
    return hmac.new(_secret().encode(), f"token:{order_id}".encode(), hashlib.sha256).hexdigest()[:32]


class SandboxProvider(PaymentProvider):
    name = NAME

    def __init__(self, secret: str) -> None:
        self.secret = secret

    async def create(self, session: AsyncSession, payment: Payment) -> Checkout:
        order_id = f"sbx_pay_{uuid.uuid4().hex}"
        session.add(SandboxOrder(id=order_id, merchant_reference=payment.id, channel=payment.channel,
                                 amount_fen=payment.amount_fen, insurance_fen=payment.insurance_fen,
                                 status="created", created_at=utcnow()))
        return Checkout(provider_payment_id=order_id, pay_url=f"/api/v1/sandbox/pay/{order_id}",
                        token=pay_token(order_id))

    async def close(self, session: AsyncSession, provider_payment_id: str) -> bool:
        await session.execute(update(SandboxOrder).where(SandboxOrder.id == provider_payment_id,
                                                         SandboxOrder.status == "created")
                              .values(status="closed").execution_options(synchronize_session=False))
        status = await session.scalar(select(SandboxOrder.status).where(SandboxOrder.id == provider_payment_id))
        return status != "paid"

    async def refund(self, session: AsyncSession, payment: Payment, refund: Refund) -> str:
        existing = await session.scalar(select(SandboxRefund).where(SandboxRefund.out_refund_no == refund.id))
        if existing is not None:
            return existing.id
        order = await session.get(SandboxOrder, payment.provider_payment_id)
        refunded = await session.scalar(select(func.coalesce(func.sum(SandboxRefund.amount_fen), 0))
                                        .where(SandboxRefund.order_id == payment.provider_payment_id))
        if order is None or order.status != "paid" or int(refunded or 0) + refund.amount_fen > order.amount_fen:
            raise DomainError(errors.REFUND_NOT_PAID)
        refund_id = f"sbx_ref_{uuid.uuid4().hex}"
        now = utcnow()
        session.add(SandboxRefund(id=refund_id, order_id=order.id, out_refund_no=refund.id,
                                  amount_fen=refund.amount_fen, status="succeeded", refunded_at=now))
        _enqueue(session, {"type": "refund.succeeded", "provider_payment_id": order.id,
                           "provider_refund_id": refund_id, "out_refund_no": refund.id,
                           "amount_fen": refund.amount_fen, "insurance_fen": refund.insurance_fen,
                           "occurred_at": now.isoformat()})
        return refund_id

    def parse_notification(self, headers: Mapping[str, str], body: bytes) -> ProviderEvent:
        s = billing_settings()
        if not signing.verify(self.secret, body, headers.get(signing.HEADER), int(time.time()),
                              s.notify_tolerance_seconds):
            raise DomainError(errors.NOTIFY_SIGNATURE)
        try:
            data = json.loads(body)
            return ProviderEvent(
                event_id=str(data["id"]), type=str(data["type"]),
                provider_payment_id=str(data["provider_payment_id"]), amount_fen=int(data["amount_fen"]),
                insurance_fen=int(data.get("insurance_fen", 0)),
                occurred_at=datetime.fromisoformat(str(data["occurred_at"])),
                transaction_id=data.get("transaction_id"), provider_refund_id=data.get("provider_refund_id"),
                out_refund_no=data.get("out_refund_no"))
        except (ValueError, KeyError, TypeError):
            raise DomainError(errors.NOTIFY_MALFORMED) from None

    async def statement(self, session: AsyncSession, start: datetime, end: datetime) -> list[StatementLine]:
        orders = (await session.scalars(select(SandboxOrder).where(
            SandboxOrder.status == "paid", SandboxOrder.paid_at >= start, SandboxOrder.paid_at < end))).all()
        refunds = (await session.scalars(select(SandboxRefund).where(
            SandboxRefund.status == "succeeded", SandboxRefund.refunded_at >= start,
            SandboxRefund.refunded_at < end))).all()
        lines = [StatementLine("payment", o.id, o.amount_fen, o.paid_at) for o in orders if o.paid_at]
        lines += [StatementLine("refund", r.id, r.amount_fen, r.refunded_at) for r in refunds]
        return lines


async def pay(session: AsyncSession, order_id: str, token: str, *, succeed: bool = True) -> SandboxOrder:
    """The payer confirms (or the channel declines) in the sandbox cashier; a notification follows."""
    if not hmac.compare_digest(pay_token(order_id), token or ""):
        raise DomainError(errors.SANDBOX_TOKEN)
    now = utcnow()
    values: dict[str, Any] = ({"status": "paid", "paid_at": now, "transaction_id": f"sbx_txn_{uuid.uuid4().hex}"}
                              if succeed else {"status": "failed"})
    done = await session.execute(update(SandboxOrder).where(SandboxOrder.id == order_id,
                                                            SandboxOrder.status == "created")
                                 .values(**values).execution_options(synchronize_session=False))
    if getattr(done, "rowcount", 0) != 1:
        raise DomainError(errors.SANDBOX_NOT_PAYABLE)
    order = await session.get(SandboxOrder, order_id, populate_existing=True)
    assert order is not None  # noqa: S101 - updated above
    _enqueue(session, {"type": "payment.paid" if succeed else "payment.failed", "provider_payment_id": order.id,
                       "transaction_id": order.transaction_id, "amount_fen": order.amount_fen,
                       "insurance_fen": order.insurance_fen, "occurred_at": now.isoformat()})
    await session.flush()
    return order


def _enqueue(session: AsyncSession, event: dict[str, Any]) -> None:
    event_id = f"sbx_evt_{uuid.uuid4().hex}"
    session.add(SandboxNotification(id=event_id, body=json.dumps({"id": event_id, **event}, sort_keys=True),
                                    status="pending", created_at=utcnow()))
    db: Database | None = session.info.get("db")
    if db is not None and get_settings().inline_delivery:
        after_commit(session, lambda: _deliver_soon(db))


async def _deliver_soon(db: Database) -> None:
    task = asyncio.get_running_loop().create_task(deliver_pending(db, default_poster(db)))
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)


def signed_headers(body: bytes, secret: str | None = None, ts: int | None = None) -> dict[str, str]:
    stamp = int(time.time()) if ts is None else ts
    return {signing.HEADER: signing.signature(secret or _secret(), body, stamp),
            "Content-Type": "application/json"}


def direct_poster(db: Database) -> Poster:
    """Into this process's notify handler, without HTTP (the embedded default)."""

    async def post(path: str, body: bytes, headers: dict[str, str]) -> int:
        from yihu.billing import notifications
        from yihu.db import commit

        async with db.sessionmaker() as session:
            session.info["db"] = db
            try:
                await notifications.receive(session, NAME, headers, body)
            except DomainError as exc:
                await session.rollback()
                return exc.status
            await commit(session)
            return 200

    return post


def http_poster(base_url: str) -> Poster:
    async def post(path: str, body: bytes, headers: dict[str, str]) -> int:
        async with httpx.AsyncClient(base_url=base_url, timeout=10) as client:
            return (await client.post(path, content=body, headers=headers)).status_code

    return post


def default_poster(db: Database) -> Poster:
    base = billing_settings().sandbox_notify_base_url
    return http_poster(base) if base else direct_poster(db)


async def deliver_pending(db: Database, post: Poster, limit: int = 100) -> int:
    """Send pending notifications, each ``sandbox_deliveries`` times. No transaction is open while posting."""
    s = billing_settings()
    delivered = 0
    async with db.sessionmaker() as session:
        ids = (await session.scalars(select(SandboxNotification.id).where(SandboxNotification.status == "pending")
                                     .order_by(SandboxNotification.created_at).limit(limit))).all()
        await session.rollback()
        for event_id in ids:
            claim = await session.execute(
                update(SandboxNotification).where(SandboxNotification.id == event_id,
                                                  SandboxNotification.status == "pending")
                .values(status="sending", attempts=SandboxNotification.attempts + 1))
            if getattr(claim, "rowcount", 0) != 1:
                await session.rollback()
                continue
            note = await session.get(SandboxNotification, event_id, populate_existing=True)
            await session.commit()
            assert note is not None  # noqa: S101 - claimed above
            body = note.body.encode()
            statuses = []
            for _ in range(s.sandbox_deliveries):
                try:
                    statuses.append(await post(NOTIFY_PATH, body, signed_headers(body)))
                except httpx.HTTPError as exc:
                    log.warning("sandbox.notify_unreachable", event_id=event_id, error=type(exc).__name__)
                    statuses.append(0)
            ok = sum(1 for st in statuses if 200 <= st < 300)
            status = "delivered" if ok else ("failed" if note.attempts >= s.sandbox_max_attempts else "pending")
            await session.execute(update(SandboxNotification).where(SandboxNotification.id == event_id)
                                  .values(status=status, deliveries=SandboxNotification.deliveries + ok,
                                          last_status=statuses[-1]))
            await session.commit()
            delivered += 1 if ok else 0
    return delivered
