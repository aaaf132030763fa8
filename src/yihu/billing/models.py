"""Bills, payments, refunds, admissions, and the sandbox provider's own records.

Money is integer fen, guarded by check constraints. A payment and a refund change state by conditional updates
only (see ``payments.py`` and ``notifications.py``); provider ids are unique, so a replayed notification can never
make a second record.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from yihu.db import Base, IdMixin, TimestampMixin

BILL_KINDS = ("registration", "exam", "outpatient", "deposit", "nursing")
BILL_STATUSES = ("unpaid", "paid", "partially_refunded", "refunded", "cancelled")
PAYMENT_STATUSES = ("created", "paid", "failed", "closed")
REFUND_STATUSES = ("requested", "succeeded", "failed")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Bill(IdMixin, TimestampMixin, Base):
    """What is owed for one thing (``reference``: ``appointment:<id>``, ``admission:<id>`` ...)."""

    __tablename__ = "bill"
    __table_args__ = (
        CheckConstraint("amount_fen > 0", name="amount_positive"),
        CheckConstraint("paid_fen = 0 OR paid_fen = amount_fen", name="paid_whole"),
        CheckConstraint("refunded_fen >= 0 AND refunded_fen <= paid_fen", name="refund_within_paid"),
        CheckConstraint(_in("status", BILL_STATUSES), name="status_valid"),
        CheckConstraint(_in("kind", BILL_KINDS), name="kind_valid"),
        # One bill per appointment / order; deposits of one admission are many bills.
        Index("uq_bill_reference_once", "reference", unique=True, sqlite_where=text("kind <> 'deposit'"),
              postgresql_where=text("kind <> 'deposit'")),
        Index("ix_bill_patient_status", "patient_id", "status"),
    )

    kind: Mapped[str] = mapped_column(String(16))
    patient_id: Mapped[str] = mapped_column(ForeignKey("patient.id"))
    institution_id: Mapped[str] = mapped_column(ForeignKey("institution.id"), index=True)
    account_id: Mapped[str | None] = mapped_column(ForeignKey("account.id"))
    reference: Mapped[str] = mapped_column(String(80), index=True)
    description: Mapped[str] = mapped_column(String(128), default="")
    amount_fen: Mapped[int] = mapped_column(Integer)
    paid_fen: Mapped[int] = mapped_column(Integer, default=0)
    refunded_fen: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(24), default="unpaid")
    paid_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]


class Payment(IdMixin, Base):
    """One attempt to pay a bill through a channel. created → paid | failed | closed, once."""

    __tablename__ = "payment"
    __table_args__ = (
        CheckConstraint("amount_fen > 0", name="amount_positive"),
        CheckConstraint("insurance_fen >= 0 AND self_fen >= 0 AND insurance_fen + self_fen = amount_fen",
                        name="split_sums"),
        CheckConstraint("refunded_fen >= 0 AND refunded_fen <= refund_reserved_fen "
                        "AND refund_reserved_fen <= amount_fen", name="refund_within_amount"),
        CheckConstraint(_in("status", PAYMENT_STATUSES), name="status_valid"),
        Index("ix_payment_provider_paid_at", "provider", "paid_at"),
    )

    bill_id: Mapped[str] = mapped_column(ForeignKey("bill.id"), index=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patient.id"))
    institution_id: Mapped[str] = mapped_column(ForeignKey("institution.id"), index=True)
    account_id: Mapped[str | None] = mapped_column(ForeignKey("account.id"))
    channel: Mapped[str] = mapped_column(String(16))
    provider: Mapped[str] = mapped_column(String(32))
    card_id: Mapped[str | None] = mapped_column(ForeignKey("card.id"))
    amount_fen: Mapped[int] = mapped_column(Integer)
    insurance_fen: Mapped[int] = mapped_column(Integer, default=0)
    self_fen: Mapped[int] = mapped_column(Integer)
    provider_payment_id: Mapped[str] = mapped_column(String(64), unique=True)
    provider_txn_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="created")
    refund_reserved_fen: Mapped[int] = mapped_column(Integer, default=0)
    refunded_fen: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    paid_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]


class Refund(IdMixin, Base):
    """Money going back on a payment. ``request_id`` makes a refund request idempotent per payment."""

    __tablename__ = "refund"
    __table_args__ = (
        UniqueConstraint("payment_id", "request_id"),
        CheckConstraint("amount_fen > 0", name="amount_positive"),
        CheckConstraint("insurance_fen >= 0 AND insurance_fen <= amount_fen", name="insurance_within"),
        CheckConstraint(_in("status", REFUND_STATUSES), name="status_valid"),
    )

    payment_id: Mapped[str] = mapped_column(ForeignKey("payment.id"), index=True)
    bill_id: Mapped[str] = mapped_column(ForeignKey("bill.id"), index=True)
    request_id: Mapped[str] = mapped_column(String(80))
    provider_refund_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    amount_fen: Mapped[int] = mapped_column(Integer)
    insurance_fen: Mapped[int] = mapped_column(Integer, default=0)
    reason: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="requested")
    requested_by: Mapped[str | None] = mapped_column(ForeignKey("account.id"))
    created_at: Mapped[datetime]
    succeeded_at: Mapped[datetime | None]


class Admission(IdMixin, TimestampMixin, Base):
    """An inpatient stay: deposits are bills (kind ``deposit``, reference ``admission:<id>``), costs are charges."""

    __tablename__ = "admission"
    __table_args__ = (CheckConstraint("discharged_at IS NULL OR discharged_at >= admitted_at",
                                      name="discharge_after_admission"),)

    patient_id: Mapped[str] = mapped_column(ForeignKey("patient.id"), index=True)
    institution_id: Mapped[str] = mapped_column(ForeignKey("institution.id"), index=True)
    department_id: Mapped[str | None] = mapped_column(ForeignKey("department.id"))
    ward: Mapped[str] = mapped_column(String(64))
    bed: Mapped[str] = mapped_column(String(16), default="")
    admitted_at: Mapped[datetime]
    discharged_at: Mapped[datetime | None]


class AdmissionCharge(IdMixin, Base):
    """One line of inpatient cost (drugs, tests, bed-days). Corrections are new lines, never edits."""

    __tablename__ = "admission_charge"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_fen > 0", name="unit_positive"),
        CheckConstraint("amount_fen = quantity * unit_fen", name="amount_is_product"),
    )

    admission_id: Mapped[str] = mapped_column(ForeignKey("admission.id"), index=True)
    item: Mapped[str] = mapped_column(String(128))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_fen: Mapped[int] = mapped_column(Integer)
    amount_fen: Mapped[int] = mapped_column(Integer)
    charged_at: Mapped[datetime]
    recorded_by: Mapped[str | None] = mapped_column(ForeignKey("account.id"))


# ---- the sandbox provider's own books (a real provider keeps these on its side) ----

class SandboxOrder(Base):
    __tablename__ = "sandbox_order"
    __table_args__ = (CheckConstraint("amount_fen > 0", name="amount_positive"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    merchant_reference: Mapped[str] = mapped_column(String(64), unique=True)
    channel: Mapped[str] = mapped_column(String(16))
    amount_fen: Mapped[int] = mapped_column(Integer)
    insurance_fen: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default="created")
    transaction_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    paid_at: Mapped[datetime | None] = mapped_column(index=True)


class SandboxRefund(Base):
    __tablename__ = "sandbox_refund"
    __table_args__ = (CheckConstraint("amount_fen > 0", name="amount_positive"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("sandbox_order.id"), index=True)
    out_refund_no: Mapped[str] = mapped_column(String(64), unique=True)
    amount_fen: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    refunded_at: Mapped[datetime] = mapped_column(index=True)


class SandboxNotification(Base):
    """The sandbox's outbox of signed notifications to our notify endpoint."""

    __tablename__ = "sandbox_notification"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    deliveries: Mapped[int] = mapped_column(Integer, default=0)
    last_status: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime]
