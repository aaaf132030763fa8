"""Request and response bodies of a visit's bill, refunds, rating and follow-ups."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class ConsumableLineOut(BaseModel):
    code: str
    name: str
    unit: str
    count: int
    unit_fen: int
    amount_fen: int


class BillStateOut(BaseModel):
    id: str
    status: str
    amount_fen: int
    paid_fen: int
    refunded_fen: int
    paid_at: datetime | None


class BreakdownOut(BaseModel):
    order_id: str
    number: str
    order_status: str
    kind: str = Field(description="visit, or cancellation (the home-visit fee of a late cancellation)")
    item_name: str
    price_fen: int
    visit_fee_fen: int
    consumables: list[ConsumableLineOut]
    consumables_fen: int
    total_fen: int
    bill: BillStateOut | None = Field(description="the bill to pay with POST /bills/{id}/payments; none yet before "
                                                  "check-out")


class RefundIn(BaseModel):
    refund_request_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$",
                                   description="the same id again returns the first refund")
    amount_fen: int = Field(ge=1, le=100_000_000)
    reason: str = Field(min_length=1, max_length=64)


class RefundOut(BaseModel):
    id: str
    refund_request_id: str
    amount_fen: int
    status: str
    reason: str
    created_at: datetime
    replayed: bool


class RatingIn(BaseModel):
    stars: int = Field(ge=1, le=5)
    comment: str = Field(default="", max_length=500)
    complaint: bool = False


class FollowUpBrief(BaseModel):
    id: str
    reason: str
    status: str


class RatingOut(BaseModel):
    order_id: str
    order_number: str
    institution_id: str
    nurse_id: str | None
    nurse_name: str | None
    stars: int
    comment: str
    complaint: bool
    rated_at: datetime
    followup: FollowUpBrief | None = None


class RatingsOut(BaseModel):
    count: int
    average_stars: float | None
    satisfied_share: float | None = Field(description="share of ratings with 4 stars or more")
    items: list[RatingOut]


class FollowUpOut(BaseModel):
    id: str
    order_id: str
    order_number: str
    institution_id: str
    reason: str
    status: str
    stars: int | None
    comment: str
    opened_at: datetime
    closed_at: datetime | None
    outcome: str | None


class CloseIn(BaseModel):
    outcome: str = Field(min_length=1, max_length=500)
