"""Billing's face to other domains (scheduling, later nursing): they import this module only."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from yihu.billing.hooks import on_bill_paid
from yihu.billing.models import Bill
from yihu.billing.payments import (
    BillInput,
    bill_by_reference,
    create_payment,
    get_bill,
    open_bill,
    paid_payment,
    refund_fen_for,
    request_refund,
    settle_cancelled,
)
from yihu.billing.stats import time_saved

__all__ = ["Bill", "BillInput", "appointment_reference", "bill_by_reference", "bill_for_appointment",
           "create_payment", "get_bill", "on_bill_paid", "open_bill", "paid_payment", "refund_fen_for", "request_refund",
           "settle_cancelled", "settle_cancelled_appointment", "time_saved"]


def appointment_reference(appointment_id: str) -> str:
    return f"appointment:{appointment_id}"


async def bill_for_appointment(session: AsyncSession, *, appointment_id: str, patient_id: str, institution_id: str,
                               account_id: str | None, fee_fen: int, kind: str = "registration",
                               description: str = "") -> Bill | None:
    """The registration (or exam) fee of a booking; none when the fee is zero."""
    if fee_fen <= 0:
        return None
    return await open_bill(session, BillInput(kind=kind, patient_id=patient_id, institution_id=institution_id,
                                              amount_fen=fee_fen, reference=appointment_reference(appointment_id),
                                              description=description, account_id=account_id))


async def settle_cancelled_appointment(session: AsyncSession, appointment_id: str, *, reason: str,
                                       requested_by: str | None = None) -> int:
    """Cancel the unpaid bill of a cancelled booking, or refund the paid one in full. Returns fen refunded."""
    return await settle_cancelled(session, appointment_reference(appointment_id), reason=reason,
                                  requested_by=requested_by)
