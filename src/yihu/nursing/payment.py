"""The bill of a home visit: item price + home-visit fee + consumables used, through the payment service.

What is billed (DOMAIN.md: fee = public price of the item + home-visit fee; consumables by what was used):
the item's price and the home-visit fee as fixed when the order was placed (its catalogue version), plus every
consumable line recorded at the visit (count × unit price). Check-out opens one bill, kind ``nursing``, reference
``nursing:<order id>``; the resident pays it through the payment service on any channel (an insurance card splits
it into the insurance part and the self-paid part). When the provider's signed notification makes the bill paid,
:func:`on_paid` (a billing hook, run in the notification's transaction, once per bill) moves the order
completed → paid; a replayed, duplicate or forged notification never reaches it.

Refund rules:

- a resident cancels before the nurse sets off (requested … consented): free, no bill;
- a resident cancels once the nurse is on the way (en_route): the home-visit fee is billed on the order's reference
  (:func:`open_cancellation_bill`); paying it records the payment in the trail and the order stays cancelled;
- the institution cancels at any step before the visit ends: free;
- once paid, the institution admin may refund all or part of the bill with a reason (:func:`refund`), through
  billing's refund: idempotent by the request id, never more than was paid; each new refund is written into the
  order's trail (the order's status does not change).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from yihu.auth.actor import Actor
from yihu.billing import service as billing
from yihu.db import utcnow
from yihu.errors import DomainError
from yihu.nursing import lifecycle, orders, pay_errors
from yihu.nursing.models import NursingOrder
from yihu.nursing.visit_models import NursingConsumableUse

log = structlog.get_logger(__name__)
PREFIX = "nursing:"


def reference(order_id: str) -> str:
    return f"{PREFIX}{order_id}"


def _yuan(fen: int) -> str:
    return f"¥{fen // 100}.{fen % 100:02d}"


async def open_cancellation_bill(session: AsyncSession, order: NursingOrder, fee_fen: int) -> None:
    """A resident cancelled after the nurse set off: the home-visit fee is billed."""
    bill = await billing.open_bill(session, billing.BillInput(
        kind="nursing", patient_id=order.patient_id, institution_id=order.institution_id, amount_fen=fee_fen,
        reference=reference(order.id), description=f"上门服务费（取消）{order.number}", account_id=order.account_id))
    order.bill_id = bill.id
    await session.flush()


async def consumable_lines(session: AsyncSession, order_id: str) -> list[NursingConsumableUse]:
    return list((await session.scalars(select(NursingConsumableUse).where(NursingConsumableUse.order_id == order_id)
                                       .order_by(NursingConsumableUse.recorded_at, NursingConsumableUse.consumable_code))).all())


async def visit_total_fen(session: AsyncSession, order: NursingOrder) -> int:
    return order.price_fen + order.visit_fee_fen + sum(c.amount_fen for c in await consumable_lines(session, order.id))


async def open_visit_bill(session: AsyncSession, order: NursingOrder) -> billing.Bill:
    """The bill of a visit at check-out: price + home-visit fee + consumables used (``order.consumables_fen`` is
    set to the consumables' sum). The caller stores ``bill.id`` on the order with the ``complete`` step."""
    lines = await consumable_lines(session, order.id)
    order.consumables_fen = sum(c.amount_fen for c in lines)
    total = order.price_fen + order.visit_fee_fen + order.consumables_fen
    return await billing.open_bill(session, billing.BillInput(
        kind="nursing", patient_id=order.patient_id, institution_id=order.institution_id, amount_fen=total,
        reference=reference(order.id), description=f"上门护理 {order.number}", account_id=order.account_id))


@dataclass
class Breakdown:
    kind: str  # "visit" | "cancellation"
    price_fen: int
    visit_fee_fen: int
    lines: list[NursingConsumableUse] = field(default_factory=list)
    bill: billing.Bill | None = None

    @property
    def consumables_fen(self) -> int:
        return sum(c.amount_fen for c in self.lines)

    @property
    def total_fen(self) -> int:
        return self.price_fen + self.visit_fee_fen + self.consumables_fen


async def breakdown(session: AsyncSession, order: NursingOrder) -> Breakdown:
    """What the order costs (or cost), line by line, with its bill when one is open."""
    bill = await billing.bill_by_reference(session, reference(order.id))
    if order.status == "cancelled":
        fee = bill.amount_fen if bill is not None else 0
        return Breakdown(kind="cancellation", price_fen=0, visit_fee_fen=fee, bill=bill)
    return Breakdown(kind="visit", price_fen=order.price_fen, visit_fee_fen=order.visit_fee_fen,
                     lines=await consumable_lines(session, order.id), bill=bill)


@billing.on_bill_paid("nursing")
async def on_paid(session: AsyncSession, bill: billing.Bill) -> None:
    """The bill of an order was paid (once): completed → paid, or a trail entry for a cancelled order's fee."""
    if not bill.reference.startswith(PREFIX):
        return
    order = await session.get(NursingOrder, bill.reference.removeprefix(PREFIX), populate_existing=True)
    if order is None:
        log.warning("nursing.paid_bill_without_order", bill_id=bill.id)
        return
    if order.status == "completed":
        await lifecycle.step(session, order, "pay", None, note=_yuan(bill.amount_fen),
                             paid_at=bill.paid_at or utcnow())
    else:  # the late-cancellation fee: the money is recorded, the order keeps its state
        lifecycle.record_event(session, order, action="pay", from_status=order.status, to_status=order.status,
                               actor=None, note=_yuan(bill.amount_fen))
    await orders.tell(session, order, "pay", detail=_yuan(bill.amount_fen))


@dataclass(frozen=True)
class RefundDone:
    id: str
    request_id: str
    amount_fen: int
    status: str
    reason: str
    created_at: datetime
    new: bool  # False when the request id had been used already (the first refund is returned)


async def refund(session: AsyncSession, actor: Actor, order: NursingOrder, *, request_id: str, reason: str,
                 amount_fen: int) -> RefundDone:
    """Refund all or part of the order's paid bill, with a reason. The same ``request_id`` (with the same amount)
    returns the first refund and changes nothing."""
    if not reason.strip():
        from yihu.nursing import errors

        raise DomainError(errors.REASON_REQUIRED)
    ref = reference(order.id)
    bill = await billing.bill_by_reference(session, ref)
    payment = await billing.paid_payment(session, bill.id) if bill is not None else None
    if bill is None or payment is None or bill.status not in ("paid", "partially_refunded", "refunded"):
        raise DomainError(pay_errors.NOT_REFUNDABLE)
    before = await billing.refund_fen_for(session, ref)
    r = await billing.request_refund(session, payment, amount_fen=amount_fen, request_id=f"nursing:{request_id}",
                                     reason=reason.strip()[:64], requested_by=actor.account_id)
    new = await billing.refund_fen_for(session, ref) > before
    if new:
        lifecycle.record_event(session, order, action="refund", from_status=order.status, to_status=order.status,
                               actor=actor, note=f"{_yuan(r.amount_fen)} {reason.strip()}")
        await orders.tell(session, order, "refund", detail=_yuan(r.amount_fen))
    return RefundDone(id=r.id, request_id=request_id, amount_fen=r.amount_fen, status=r.status, reason=r.reason,
                      created_at=r.created_at, new=new)
