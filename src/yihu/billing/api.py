"""Bills and payments: residents pay the bills of patients bound to their account; institution staff see their
institution's bills; the institution admin refunds; providers post signed notifications; the cockpit figure."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import JSONResponse

from yihu.auth import policy
from yihu.auth.deps import CurrentActor, CurrentResident
from yihu.billing import errors, notifications, payments, repository, sandbox, schemas, stats, views
from yihu.billing.models import Bill
from yihu.config import get_settings
from yihu.errors import DomainError
from yihu.kit import audit, idempotency
from yihu.kit.context import current_lang
from yihu.kit.routing import CommittingRoute, SessionDep

router = APIRouter(tags=["billing"], route_class=CommittingRoute)
BillStatus = Literal["unpaid", "paid", "partially_refunded", "refunded", "cancelled"]
STAFF = ("doctor", "nurse", "pharmacist", "institution_admin")


def _audit_bills(session: SessionDep, actor: CurrentActor, bills: list[Bill], action: str) -> None:
    for b in bills:
        audit.record(session, actor, action, patient_id=b.patient_id, resource_type="Bill", resource_id=b.id,
                     institution_id=b.institution_id)


@router.get("/me/bills", response_model=list[schemas.BillOut],
            summary="Bills of every patient bound to my account")
async def my_bills(session: SessionDep, actor: CurrentResident, status: BillStatus | None = None,
                   offset: Annotated[int, Query(ge=0)] = 0,
                   limit: Annotated[int, Query(ge=1, le=200)] = 50) -> list[schemas.BillOut]:
    scope = policy.record_scope(actor, Bill.patient_id, Bill.institution_id)
    bills = await repository.list_bills(session, scope, status=status, offset=offset, limit=limit)
    _audit_bills(session, actor, bills, "bill.read")
    return await views.bills_out(session, bills)


@router.get("/institutions/{institution_id}/bills", response_model=list[schemas.BillOut],
            summary="An institution's bills (its staff)")
async def institution_bills(institution_id: str, session: SessionDep, actor: CurrentActor,
                            status: BillStatus | None = None, offset: Annotated[int, Query(ge=0)] = 0,
                            limit: Annotated[int, Query(ge=1, le=200)] = 50) -> list[schemas.BillOut]:
    policy.require_institution_staff(actor, institution_id, *STAFF)
    bills = await repository.list_bills(session, None, status=status, institution_id=institution_id,
                                        offset=offset, limit=limit)
    _audit_bills(session, actor, bills, "bill.read")
    return await views.bills_out(session, bills)


@router.get("/bills/{bill_id}", response_model=schemas.BillOut)
async def get_bill(bill_id: str, session: SessionDep, actor: CurrentActor) -> schemas.BillOut:
    bill = await payments.get_bill(session, bill_id)
    await policy.require_record(session, actor, patient_id=bill.patient_id, institution_id=bill.institution_id)
    _audit_bills(session, actor, [bill], "bill.read")
    return (await views.bills_out(session, [bill]))[0]


@router.post("/bills/{bill_id}/payments", response_model=schemas.PaymentOut, status_code=201,
             summary="Start paying a bill (Idempotency-Key required); pay with the returned checkout")
async def pay_bill(bill_id: str, body: schemas.PayIn, request: Request, session: SessionDep, actor: CurrentResident,
                   idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None) -> Any:
    async def action() -> tuple[int, Any]:
        bill = await payments.get_bill(session, bill_id)
        await policy.require_record(session, actor, patient_id=bill.patient_id, institution_id=bill.institution_id,
                                    action="change")
        payment, checkout = await payments.create_payment(session, bill, channel=body.channel,
                                                          account_id=actor.account_id, card_id=body.card_id)
        audit.record(session, actor, "payment.create", patient_id=bill.patient_id, resource_type="Payment",
                     resource_id=payment.id, institution_id=bill.institution_id, detail={"channel": body.channel})
        return 201, views.payment_out(payment, checkout=checkout).model_dump(mode="json")

    code_, out, replayed = await idempotency.run(
        request.app.state.db, session, scope=f"acct:{actor.account_id}", key=idempotency_key,
        fp=idempotency.fingerprint("POST", f"/bills/{bill_id}/payments", body.model_dump()), lang=current_lang(),
        action=action)
    return JSONResponse(out, status_code=code_, headers={"Idempotent-Replayed": "true"} if replayed else None)


@router.get("/payments/{payment_id}", response_model=schemas.PaymentOut, summary="Payment status")
async def get_payment(payment_id: str, session: SessionDep, actor: CurrentActor) -> schemas.PaymentOut:
    p = await payments.get_payment(session, payment_id)
    await policy.require_record(session, actor, patient_id=p.patient_id, institution_id=p.institution_id)
    audit.record(session, actor, "payment.read", patient_id=p.patient_id, resource_type="Payment", resource_id=p.id,
                 institution_id=p.institution_id)
    return views.payment_out(p, await payments.refunds_of(session, [p.id]))


@router.post("/payments/{payment_id}/refunds", response_model=schemas.RefundOut, status_code=201,
             summary="Refund all or part of a payment (the institution admin; Idempotency-Key required)")
async def refund(payment_id: str, body: schemas.RefundIn, request: Request, session: SessionDep,
                 actor: CurrentActor,
                 idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None) -> Any:
    p = await payments.get_payment(session, payment_id)
    if actor.role != "institution_admin" or actor.institution_id != p.institution_id:
        raise DomainError(errors.REFUND_FORBIDDEN)

    async def action() -> tuple[int, Any]:
        fresh = await payments.get_payment(session, payment_id)
        amount = body.amount_fen if body.amount_fen is not None else fresh.amount_fen - fresh.refund_reserved_fen
        r = await payments.request_refund(session, fresh, amount_fen=amount, request_id=body.refund_request_id,
                                          reason=body.reason, requested_by=actor.account_id)
        audit.record(session, actor, "refund.request", patient_id=fresh.patient_id, resource_type="Refund",
                     resource_id=r.id, institution_id=fresh.institution_id, detail={"amount_fen": r.amount_fen})
        return 201, views.refund_out(r).model_dump(mode="json")

    code_, out, replayed = await idempotency.run(
        request.app.state.db, session, scope=f"acct:{actor.account_id}", key=idempotency_key,
        fp=idempotency.fingerprint("POST", f"/payments/{payment_id}/refunds", body.model_dump()),
        lang=current_lang(), action=action)
    return JSONResponse(out, status_code=code_, headers={"Idempotent-Replayed": "true"} if replayed else None)


@router.post("/payments/notify/{provider}", response_model=schemas.NotifyAck,
             summary="A provider's signed notification (payment or refund); duplicates are acknowledged")
async def notify(provider: str, request: Request, session: SessionDep) -> schemas.NotifyAck:
    body = await request.body()
    result = await notifications.receive(session, provider[:32], request.headers, body)
    return schemas.NotifyAck(result=result)


@router.post("/sandbox/pay/{provider_payment_id}", response_model=schemas.SandboxPayOut,
             summary="The sandbox cashier: pay (or decline) an order; its signed notification follows")
async def sandbox_pay(provider_payment_id: str, body: schemas.SandboxPayIn,
                      session: SessionDep) -> schemas.SandboxPayOut:
    if get_settings().env == "production":
        raise DomainError(errors.SANDBOX_DISABLED)
    order = await sandbox.pay(session, provider_payment_id[:64], body.token, succeed=body.outcome == "paid")
    return schemas.SandboxPayOut(provider_payment_id=order.id, status=order.status)


@router.get("/billing/stats", response_model=schemas.StatsOut,
            summary="Online settlements and the time they saved (5 minutes each): region or own institution")
async def billing_stats(session: SessionDep, actor: CurrentActor, institution_id: str | None = None,
                        since: datetime | None = None) -> schemas.StatsOut:
    if actor.role == "regulator":
        scope = institution_id
    elif actor.is_staff and actor.institution_id:
        if institution_id not in (None, actor.institution_id):
            raise DomainError(errors.STATS_SCOPE)
        scope = actor.institution_id
    else:
        raise DomainError(errors.STATS_SCOPE)
    if since is not None and since.tzinfo is None:
        raise DomainError(errors.STATS_SINCE)
    t = await stats.time_saved(session, institution_id=scope, since=since)
    return schemas.StatsOut(institution_id=scope, since=since, settlements=t.settlements,
                            minutes_per_settlement=t.minutes_per_settlement, minutes_saved=t.minutes_saved,
                            hours_saved=round(t.minutes_saved / 60, 1), by_channel=t.by_channel)
