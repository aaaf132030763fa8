from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

Channel = Literal["wechat", "alipay", "insurance_card", "bank_card", "kiosk"]


class CheckoutOut(BaseModel):
    provider_payment_id: str
    pay_url: str
    token: str


class RefundOut(BaseModel):
    id: str
    payment_id: str
    request_id: str
    amount_fen: int
    insurance_fen: int
    status: str
    reason: str
    created_at: datetime
    succeeded_at: datetime | None


class PaymentOut(BaseModel):
    id: str
    bill_id: str
    channel: str
    provider: str
    amount_fen: int
    insurance_fen: int
    self_fen: int
    status: str
    provider_payment_id: str
    refunded_fen: int
    created_at: datetime
    expires_at: datetime
    paid_at: datetime | None
    checkout: CheckoutOut | None = None
    refunds: list[RefundOut] = []


class BillOut(BaseModel):
    id: str
    kind: str
    patient_id: str
    patient_name: str
    institution_id: str
    reference: str
    description: str
    amount_fen: int
    paid_fen: int
    refunded_fen: int
    status: str
    created_at: datetime
    paid_at: datetime | None
    payments: list[PaymentOut] = []


class PayIn(BaseModel):
    channel: Channel
    card_id: str | None = Field(default=None, max_length=36, description="insurance card, for insurance_card")


class RefundIn(BaseModel):
    refund_request_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")
    amount_fen: int | None = Field(default=None, ge=1, le=100_000_000, description="default: all still refundable")
    reason: str = Field(default="by_institution", min_length=1, max_length=64)


class SandboxPayIn(BaseModel):
    token: str = Field(min_length=1, max_length=64)
    outcome: Literal["paid", "failed"] = "paid"


class SandboxPayOut(BaseModel):
    provider_payment_id: str
    status: str


class NotifyAck(BaseModel):
    code: str = "SUCCESS"
    result: str


class AdmissionIn(BaseModel):
    patient_id: str = Field(max_length=36)
    ward: str = Field(min_length=1, max_length=64)
    bed: str = Field(default="", max_length=16)
    department_id: str | None = Field(default=None, max_length=36)


class AdmissionOut(BaseModel):
    id: str
    patient_id: str
    patient_name: str
    institution_id: str
    department_id: str | None
    ward: str
    bed: str
    admitted_at: datetime
    discharged_at: datetime | None


class ChargeIn(BaseModel):
    item: str = Field(min_length=1, max_length=128)
    quantity: int = Field(ge=1, le=10_000)
    unit_fen: int = Field(ge=1, le=10_000_000)


class ChargeOut(BaseModel):
    id: str
    item: str
    quantity: int
    unit_fen: int
    amount_fen: int
    charged_at: datetime


class DepositIn(BaseModel):
    # The range is checked by the service, which names it in the refusal (billing.deposit_amount).
    amount_fen: int = Field(description="fen, from 100 (¥1.00) to 10,000,000 (¥100,000.00)")
    channel: Channel
    card_id: str | None = Field(default=None, max_length=36)


class DepositOut(BaseModel):
    bill: BillOut
    payment: PaymentOut


class CostsOut(BaseModel):
    admission: AdmissionOut
    deposits_fen: int
    charges_fen: int
    balance_fen: int
    deposits: list[BillOut]
    charges: list[ChargeOut]


class StatsOut(BaseModel):
    institution_id: str | None
    since: datetime | None
    settlements: int
    minutes_per_settlement: int
    minutes_saved: int
    hours_saved: float
    by_channel: dict[str, int]
