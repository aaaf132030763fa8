"""Provider notifications: verified, matched to our record, applied once.

A forged signature, an unknown order or a wrong amount is refused with a 4xx and nothing changes (the request's
transaction rolls back); a duplicate is acknowledged and changes nothing, because every change here is a
conditional update from the expected state. Logs carry ids and codes, never personal data.
"""

from __future__ import annotations

from collections.abc import Mapping

import structlog
from sqlalchemy import case, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from yihu.billing import errors, hooks
from yihu.billing.models import Bill, Payment, Refund
from yihu.billing.payments import request_refund
from yihu.billing.providers import ProviderEvent, provider
from yihu.errors import DomainError
from yihu.kit import audit

log = structlog.get_logger(__name__)


def _changed(result: object) -> bool:
    return getattr(result, "rowcount", 0) == 1


async def receive(session: AsyncSession, provider_name: str, headers: Mapping[str, str], body: bytes) -> str:
    """Apply one notification; returns ``applied`` or ``duplicate``. Raises ``DomainError`` when refused."""
    try:
        prov = provider(provider_name)
        event = prov.parse_notification(headers, body)
        if event.type in ("payment.paid", "payment.failed"):
            return await _payment_event(session, prov.name, event)
        if event.type in ("refund.succeeded", "refund.failed"):
            return await _refund_event(session, prov.name, event)
        raise DomainError(errors.NOTIFY_MALFORMED)
    except DomainError as exc:
        log.warning("billing.notify_refused", provider=provider_name[:32], code=exc.code)
        raise


async def _payment_event(session: AsyncSession, provider_name: str, ev: ProviderEvent) -> str:
    p = await session.scalar(select(Payment).where(Payment.provider == provider_name,
                                                   Payment.provider_payment_id == ev.provider_payment_id))
    if p is None:
        raise DomainError(errors.NOTIFY_UNKNOWN)
    if ev.amount_fen != p.amount_fen or ev.insurance_fen != p.insurance_fen:
        log.warning("billing.notify_amount_mismatch", payment_id=p.id)
        raise DomainError(errors.NOTIFY_AMOUNT)
    if ev.type == "payment.failed":
        done = await session.execute(update(Payment).where(Payment.id == p.id, Payment.status == "created")
                                     .values(status="failed").execution_options(synchronize_session=False))
        return "applied" if _changed(done) else "duplicate"
    if not ev.transaction_id:
        raise DomainError(errors.NOTIFY_MALFORMED)
    # The provider took the money: record it whatever our side thought (closed or failed orders included).
    done = await session.execute(
        update(Payment).where(Payment.id == p.id, Payment.status.in_(("created", "closed", "failed")))
        .values(status="paid", provider_txn_id=ev.transaction_id, paid_at=ev.occurred_at)
        .execution_options(synchronize_session=False))
    await session.refresh(p)
    if not _changed(done):
        if p.provider_txn_id == ev.transaction_id:
            return "duplicate"
        log.warning("billing.notify_txn_conflict", payment_id=p.id)
        raise DomainError(errors.NOTIFY_CONFLICT)
    bill_paid = await session.execute(
        update(Bill).where(Bill.id == p.bill_id, Bill.status == "unpaid")
        .values(status="paid", paid_fen=Bill.amount_fen, paid_at=ev.occurred_at)
        .execution_options(synchronize_session=False))
    if _changed(bill_paid):
        await hooks.bill_paid(session, p.bill_id)  # other domains (a nursing order moves to paid), same transaction
    audit.record(session, audit.SYSTEM, "payment.paid", patient_id=p.patient_id, resource_type="Payment",
                 resource_id=p.id, institution_id=p.institution_id, detail={"channel": p.channel})
    if not _changed(bill_paid):
        # Paid twice, or paid after the bill was cancelled: the money goes straight back.
        await request_refund(session, p, amount_fen=p.amount_fen, request_id=f"auto:{p.id}",
                             reason="bill_not_payable", requested_by=None)
        log.info("billing.auto_refund", payment_id=p.id)
    return "applied"


async def _refund_event(session: AsyncSession, provider_name: str, ev: ProviderEvent) -> str:
    r = await session.scalar(select(Refund).where(Refund.id == (ev.out_refund_no or "")))
    if r is None or r.provider_refund_id != ev.provider_refund_id:
        raise DomainError(errors.NOTIFY_UNKNOWN)
    p = await session.get(Payment, r.payment_id)
    if p is None or p.provider != provider_name or p.provider_payment_id != ev.provider_payment_id:
        raise DomainError(errors.NOTIFY_UNKNOWN)
    if ev.amount_fen != r.amount_fen:
        log.warning("billing.notify_amount_mismatch", refund_id=r.id)
        raise DomainError(errors.NOTIFY_AMOUNT)
    if ev.type == "refund.failed":
        done = await session.execute(update(Refund).where(Refund.id == r.id, Refund.status == "requested")
                                     .values(status="failed").execution_options(synchronize_session=False))
        if not _changed(done):
            return "duplicate"
        await session.execute(update(Payment).where(Payment.id == p.id)
                              .values(refund_reserved_fen=Payment.refund_reserved_fen - r.amount_fen)
                              .execution_options(synchronize_session=False))
        return "applied"
    done = await session.execute(update(Refund).where(Refund.id == r.id, Refund.status == "requested")
                                 .values(status="succeeded", succeeded_at=ev.occurred_at)
                                 .execution_options(synchronize_session=False))
    if not _changed(done):
        return "duplicate"
    await session.execute(update(Payment).where(Payment.id == p.id)
                          .values(refunded_fen=Payment.refunded_fen + r.amount_fen)
                          .execution_options(synchronize_session=False))
    # Only the bill's own settlement counts against it (an auto-refunded double payment leaves it as it was).
    if not r.request_id.startswith("auto:"):
        await session.execute(
            update(Bill).where(Bill.id == r.bill_id, Bill.status.in_(("paid", "partially_refunded")))
            .values(refunded_fen=Bill.refunded_fen + r.amount_fen,
                    status=case((Bill.refunded_fen + r.amount_fen >= Bill.paid_fen, "refunded"),
                                else_="partially_refunded"))
            .execution_options(synchronize_session=False))
    audit.record(session, audit.SYSTEM, "refund.succeeded", patient_id=p.patient_id, resource_type="Refund",
                 resource_id=r.id, institution_id=p.institution_id, detail={"amount_fen": r.amount_fen})
    return "applied"
