"""Exam orders (检查单): a doctor orders an exam; the patient books a time slot on an exam resource with it.

Schedules of kind ``exam`` carry the preparation instructions (fasting, a full bladder…) shown with the booking.
A schedule with ``direct_booking`` false is booked only with an open order for that patient at that institution;
booking marks the order ``booked`` (once, by a conditional update) and cancelling the booking reopens it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from yihu.db import Base, IdMixin, TimestampMixin, utcnow
from yihu.errors import DomainError, code
from yihu.registry import service as registry

EXAM_KINDS: dict[str, tuple[str, str]] = {
    "ct": ("CT检查", "CT scan"),
    "mr": ("磁共振检查", "MR scan"),
    "ultrasound": ("超声检查", "Ultrasound"),
    "xray": ("X线检查", "X-ray"),
    "ecg": ("心电图检查", "ECG"),
}

ORDER_NOT_FOUND = code("exam.order_not_found", 404, "未找到该检查单。", "The exam order was not found.")
ORDER_NOT_OPEN = code("exam.order_not_open", 409, "该检查单已预约或已失效。", "This exam order is already booked or closed.")
ORDER_MISMATCH = code("exam.order_mismatch", 422, "检查单与所选检查项目、就诊人或机构不符。",
                      "The exam order does not match this exam, patient or institution.")
KIND_INVALID = code("exam.kind_invalid", 422, "检查类别无效。", "The exam kind is not valid.")


class ExamOrder(IdMixin, TimestampMixin, Base):
    __tablename__ = "exam_order"

    patient_id: Mapped[str] = mapped_column(ForeignKey("patient.id"), index=True)
    institution_id: Mapped[str] = mapped_column(ForeignKey("institution.id"), index=True)
    ordered_by: Mapped[str | None] = mapped_column(ForeignKey("practitioner.id"))
    kind: Mapped[str] = mapped_column(String(16))
    body_site: Mapped[str] = mapped_column(String(64), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="ordered")  # ordered | booked | done | cancelled
    appointment_id: Mapped[str | None] = mapped_column(String(36))
    ordered_at: Mapped[datetime]


async def create(session: AsyncSession, *, patient_id: str, institution_id: str, kind: str,
                 ordered_by: str | None, body_site: str = "", reason: str = "") -> ExamOrder:
    if kind not in EXAM_KINDS:
        raise DomainError(KIND_INVALID)
    await registry.get_patient(session, patient_id)
    order = ExamOrder(patient_id=patient_id, institution_id=institution_id, kind=kind, ordered_by=ordered_by,
                      body_site=body_site.strip(), reason=reason.strip(), status="ordered", ordered_at=utcnow())
    session.add(order)
    await session.flush()
    await registry.link(session, patient_id, institution_id, "exam_order")
    return order


async def get(session: AsyncSession, order_id: str) -> ExamOrder:
    order = await session.get(ExamOrder, order_id)
    if order is None:
        raise DomainError(ORDER_NOT_FOUND)
    return order


async def take(session: AsyncSession, order_id: str, *, patient_id: str, institution_id: str, room_kind: str | None,
               appointment_id: str) -> None:
    """Use an open order for a booking: the order must be this patient's, here, for this kind of exam."""
    order = await get(session, order_id)
    if order.patient_id != patient_id or order.institution_id != institution_id or order.kind != room_kind:
        raise DomainError(ORDER_MISMATCH)
    done = await session.execute(update(ExamOrder).where(ExamOrder.id == order_id, ExamOrder.status == "ordered")
                                 .values(status="booked", appointment_id=appointment_id)
                                 .execution_options(synchronize_session=False))
    if getattr(done, "rowcount", 0) != 1:
        raise DomainError(ORDER_NOT_OPEN)


async def reopen_for(session: AsyncSession, appointment_id: str) -> None:
    """A cancelled exam booking gives its order back, to be booked again."""
    await session.execute(update(ExamOrder).where(ExamOrder.appointment_id == appointment_id,
                                                  ExamOrder.status == "booked")
                          .values(status="ordered", appointment_id=None).execution_options(synchronize_session=False))


async def for_patients(session: AsyncSession, patient_ids: list[str]) -> list[ExamOrder]:
    return list((await session.scalars(select(ExamOrder).where(ExamOrder.patient_id.in_(patient_ids))
                                       .order_by(ExamOrder.ordered_at.desc()).limit(100))).all())
