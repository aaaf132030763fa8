"""Bills, payments and refunds. Every state change is a conditional update, so retries and concurrent requests
change a record once; provider ids are unique."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from yihu.billing import errors, insurance
from yihu.billing.models import BILL_KINDS, Bill, Payment, Refund
from yihu.billing.providers import Checkout, for_channel, provider
from yihu.billing.settings import billing_settings
from yihu.db import new_id, utcnow
from yihu.errors import DomainError
from yihu.registry import service as registry


@dataclass(frozen=True)
class BillInput:
    kind: str
    patient_id: str
    institution_id: str
    amount_fen: int
    reference: str
    description: str = ""
    account_id: str | None = None


async def open_bill(session: AsyncSession, data: BillInput) -> Bill:
    if data.kind not in BILL_KINDS:
        raise ValueError(f"unknown bill kind {data.kind!r}")
    if data.amount_fen <= 0:
        raise DomainError(errors.AMOUNT_INVALID)
    bill = Bill(id=new_id(), kind=data.kind, patient_id=data.patient_id, institution_id=data.institution_id,
                account_id=data.account_id, reference=data.reference, description=data.description[:128],
                amount_fen=data.amount_fen, paid_fen=0, refunded_fen=0, status="unpaid")
    session.add(bill)
    await session.flush()
    return bill


async def get_bill(session: AsyncSession, bill_id: str) -> Bill:
    bill = await session.get(Bill, bill_id)
    if bill is None:
        raise DomainError(errors.BILL_NOT_FOUND)
    return bill


async def bill_by_reference(session: AsyncSession, reference: str) -> Bill | None:
    bill: Bill | None = await session.scalar(select(Bill).where(Bill.reference == reference, Bill.kind != "deposit"))
    return bill


async def get_payment(session: AsyncSession, payment_id: str) -> Payment:
    p = await session.get(Payment, payment_id)
    if p is None:
        raise DomainError(errors.PAYMENT_NOT_FOUND)
    return p


async def payments_of(session: AsyncSession, bill_ids: list[str]) -> list[Payment]:
    if not bill_ids:
        return []
    return list((await session.scalars(select(Payment).where(Payment.bill_id.in_(bill_ids))
                                       .order_by(Payment.created_at))).all())


async def refunds_of(session: AsyncSession, payment_ids: list[str]) -> list[Refund]:
    if not payment_ids:
        return []
    return list((await session.scalars(select(Refund).where(Refund.payment_id.in_(payment_ids))
                                       .order_by(Refund.created_at))).all())


async def _insurance_card(session: AsyncSession, account_id: str | None, card_id: str | None, patient_id: str) -> str:
    if account_id is None or card_id is None:
        raise DomainError(errors.INSURANCE_CARD_REQUIRED)
    for card, patient in await registry.list_for(session, account_id):
        if card.id == card_id and card.card_type == "insurance" and patient.id == patient_id:
            return card.id
    raise DomainError(errors.INSURANCE_CARD_REQUIRED)


async def _close_open_payments(session: AsyncSession, bill_id: str, *, strict: bool) -> None:
    """Close the bill's unpaid orders (a payer switching channel). ``strict``: refuse when one is paid already."""
    now = utcnow()
    for p in (await session.scalars(select(Payment).where(Payment.bill_id == bill_id,
                                                          Payment.status == "created"))).all():
        closed = await provider(p.provider).close(session, p.provider_payment_id)
        if not closed:
            if strict:
                raise DomainError(errors.PAYMENT_IN_PROGRESS)
            continue  # its notification will arrive and the money go back (see notifications.py)
        await session.execute(update(Payment).where(Payment.id == p.id, Payment.status == "created")
                              .values(status="closed", closed_at=now).execution_options(synchronize_session=False))


async def create_payment(session: AsyncSession, bill: Bill, *, channel: str, account_id: str | None,
                         card_id: str | None = None, now: datetime | None = None) -> tuple[Payment, Checkout]:
    now = now or utcnow()
    if bill.status != "unpaid":
        raise DomainError(errors.BILL_NOT_PAYABLE, status=bill.status)
    prov = for_channel(channel)
    if channel == "insurance_card":
        card = await _insurance_card(session, account_id, card_id, bill.patient_id)
        share = insurance.split(bill.kind, bill.amount_fen)
    else:
        card, share = None, insurance.Split(insurance_fen=0, self_fen=bill.amount_fen)
    await _close_open_payments(session, bill.id, strict=True)
    payment = Payment(id=new_id(), bill_id=bill.id, patient_id=bill.patient_id, institution_id=bill.institution_id,
                      account_id=account_id, channel=channel, provider=prov.name, card_id=card,
                      amount_fen=bill.amount_fen, insurance_fen=share.insurance_fen, self_fen=share.self_fen,
                      status="created", refund_reserved_fen=0, refunded_fen=0, created_at=now,
                      expires_at=now + timedelta(minutes=billing_settings().payment_expiry_minutes))
    checkout = await prov.create(session, payment)
    payment.provider_payment_id = checkout.provider_payment_id
    session.add(payment)
    await session.flush()
    return payment, checkout


async def _existing_refund(session: AsyncSession, payment_id: str, request_id: str, amount_fen: int) -> Refund | None:
    r = await session.scalar(select(Refund).where(Refund.payment_id == payment_id, Refund.request_id == request_id)
                             .execution_options(populate_existing=True))
    if r is not None and r.amount_fen != amount_fen:
        raise DomainError(errors.REFUND_REQUEST_REUSED)
    return r


async def request_refund(session: AsyncSession, payment: Payment, *, amount_fen: int, request_id: str, reason: str,
                         requested_by: str | None) -> Refund:
    """Reserve the amount on the payment (conditional update), record the refund, ask the provider.

    The same ``request_id`` returns the first refund; its amount settles when the provider's notification comes.
    """
    if amount_fen <= 0:
        raise DomainError(errors.AMOUNT_INVALID)
    existing = await _existing_refund(session, payment.id, request_id, amount_fen)
    if existing is not None:
        return existing
    reserved = await session.execute(
        update(Payment).where(Payment.id == payment.id, Payment.status == "paid",
                              Payment.refund_reserved_fen + amount_fen <= Payment.amount_fen)
        .values(refund_reserved_fen=Payment.refund_reserved_fen + amount_fen)
        .execution_options(synchronize_session=False))
    if getattr(reserved, "rowcount", 0) != 1:
        existing = await _existing_refund(session, payment.id, request_id, amount_fen)
        if existing is not None:  # a concurrent twin of this request won
            return existing
        fresh = await session.get(Payment, payment.id, populate_existing=True)
        assert fresh is not None  # noqa: S101 - it exists
        if fresh.status != "paid":
            raise DomainError(errors.REFUND_NOT_PAID)
        raise DomainError(errors.REFUND_EXCEEDS, remaining=fresh.amount_fen - fresh.refund_reserved_fen)
    refund = Refund(id=new_id(), payment_id=payment.id, bill_id=payment.bill_id, request_id=request_id,
                    amount_fen=amount_fen, reason=reason[:64], status="requested", requested_by=requested_by,
                    insurance_fen=insurance.refund_share(payment.amount_fen, payment.insurance_fen, amount_fen),
                    created_at=utcnow())
    try:
        async with session.begin_nested():
            session.add(refund)
            await session.flush()
    except IntegrityError:
        await session.execute(update(Payment).where(Payment.id == payment.id)
                              .values(refund_reserved_fen=Payment.refund_reserved_fen - amount_fen)
                              .execution_options(synchronize_session=False))
        twin = await _existing_refund(session, payment.id, request_id, amount_fen)
        if twin is None:
            raise
        return twin
    refund.provider_refund_id = await provider(payment.provider).refund(session, payment, refund)
    await session.flush()
    await session.refresh(payment)
    return refund


async def paid_payment(session: AsyncSession, bill_id: str) -> Payment | None:
    p: Payment | None = await session.scalar(select(Payment).where(Payment.bill_id == bill_id,
                                                                   Payment.status == "paid")
                                             .order_by(Payment.paid_at).limit(1))
    return p


async def settle_cancelled(session: AsyncSession, reference: str, *, reason: str,
                           requested_by: str | None = None) -> int:
    """What a cancellation does to the bill of ``reference``: an unpaid bill is cancelled, a paid one refunded in
    full (idempotent per reference). Returns the fen being refunded."""
    bill = await bill_by_reference(session, reference)
    if bill is None:
        return 0
    if bill.status == "unpaid":
        await session.execute(update(Bill).where(Bill.id == bill.id, Bill.status == "unpaid")
                              .values(status="cancelled", cancelled_at=utcnow())
                              .execution_options(synchronize_session=False))
        await _close_open_payments(session, bill.id, strict=False)
        return 0
    payment = await paid_payment(session, bill.id)
    if payment is None or payment.amount_fen - payment.refund_reserved_fen <= 0:
        return 0
    r = await request_refund(session, payment, amount_fen=payment.amount_fen - payment.refund_reserved_fen,
                             request_id=f"cancel:{reference}", reason=reason, requested_by=requested_by)
    return r.amount_fen


async def refund_fen_for(session: AsyncSession, reference: str) -> int:
    """Refunds requested or made on the bill of ``reference``."""
    total = await session.scalar(select(func.coalesce(func.sum(Refund.amount_fen), 0))
                                 .join(Bill, Bill.id == Refund.bill_id)
                                 .where(Bill.reference == reference, Refund.status != "failed"))
    return int(total or 0)
