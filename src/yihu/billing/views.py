"""Bills, payments and admissions as the API shows them."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from yihu.billing import payments, schemas
from yihu.billing.models import Admission, AdmissionCharge, Bill, Payment, Refund
from yihu.billing.providers import Checkout
from yihu.registry import service as registry


def refund_out(r: Refund) -> schemas.RefundOut:
    return schemas.RefundOut(id=r.id, payment_id=r.payment_id, request_id=r.request_id, amount_fen=r.amount_fen,
                             insurance_fen=r.insurance_fen, status=r.status, reason=r.reason,
                             created_at=r.created_at, succeeded_at=r.succeeded_at)


def payment_out(p: Payment, refunds: list[Refund] | None = None,
                checkout: Checkout | None = None) -> schemas.PaymentOut:
    return schemas.PaymentOut(
        id=p.id, bill_id=p.bill_id, channel=p.channel, provider=p.provider, amount_fen=p.amount_fen,
        insurance_fen=p.insurance_fen, self_fen=p.self_fen, status=p.status, provider_payment_id=p.provider_payment_id,
        refunded_fen=p.refunded_fen, created_at=p.created_at, expires_at=p.expires_at, paid_at=p.paid_at,
        checkout=schemas.CheckoutOut(provider_payment_id=checkout.provider_payment_id, pay_url=checkout.pay_url,
                                     token=checkout.token) if checkout else None,
        refunds=[refund_out(r) for r in refunds or []])


async def bills_out(session: AsyncSession, bills: list[Bill]) -> list[schemas.BillOut]:
    pays = await payments.payments_of(session, [b.id for b in bills])
    refunds = await payments.refunds_of(session, [p.id for p in pays])
    out = []
    for b in bills:
        patient = await registry.get_patient(session, b.patient_id)
        mine = [payment_out(p, [r for r in refunds if r.payment_id == p.id]) for p in pays if p.bill_id == b.id]
        out.append(schemas.BillOut(
            id=b.id, kind=b.kind, patient_id=b.patient_id, patient_name=patient.name, institution_id=b.institution_id,
            reference=b.reference, description=b.description, amount_fen=b.amount_fen, paid_fen=b.paid_fen,
            refunded_fen=b.refunded_fen, status=b.status, created_at=b.created_at, paid_at=b.paid_at,
            payments=mine))
    return out


async def admission_out(session: AsyncSession, a: Admission) -> schemas.AdmissionOut:
    patient = await registry.get_patient(session, a.patient_id)
    return schemas.AdmissionOut(id=a.id, patient_id=a.patient_id, patient_name=patient.name,
                                institution_id=a.institution_id, department_id=a.department_id, ward=a.ward,
                                bed=a.bed, admitted_at=a.admitted_at, discharged_at=a.discharged_at)


def charge_out(c: AdmissionCharge) -> schemas.ChargeOut:
    return schemas.ChargeOut(id=c.id, item=c.item, quantity=c.quantity, unit_fen=c.unit_fen, amount_fen=c.amount_fen,
                             charged_at=c.charged_at)
