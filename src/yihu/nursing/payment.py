"""The bill of a home visit: item price + home-visit fee + consumables used, through the payment service."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from yihu.billing import service as billing
from yihu.nursing.models import NursingOrder


def reference(order_id: str) -> str:
    return f"nursing:{order_id}"


async def open_cancellation_bill(session: AsyncSession, order: NursingOrder, fee_fen: int) -> None:
    """A resident cancelled after the nurse set off: the home-visit fee is billed."""
    bill = await billing.open_bill(session, billing.BillInput(
        kind="nursing", patient_id=order.patient_id, institution_id=order.institution_id, amount_fen=fee_fen,
        reference=reference(order.id), description=f"上门服务费（取消）{order.number}", account_id=order.account_id))
    order.bill_id = bill.id
    await session.flush()
