"""Request and response bodies of the online nursing consultation."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field


class PhotoIn(BaseModel):
    filename: str = Field(default="", max_length=128)
    data_base64: str = Field(min_length=4, max_length=2_900_000, description="JPEG or PNG, at most 2 MB decoded")


class HomeIn(BaseModel):
    address: str = Field(min_length=1, max_length=256)
    latitude: float
    longitude: float


class ConsultIn(BaseModel):
    patient_id: str = Field(max_length=36)
    institution_id: str = Field(max_length=36)
    subject: str = Field(min_length=1, max_length=128)
    text: str = Field(min_length=1, max_length=2000)
    photos: list[PhotoIn] = Field(default_factory=list, max_length=4)
    home: HomeIn | None = Field(default=None, description="where a visit would take place (optional)")


class MessageIn(BaseModel):
    text: str = Field(min_length=1, max_length=2000)
    photos: list[PhotoIn] = Field(default_factory=list, max_length=4)


class ProposalIn(BaseModel):
    item_id: str = Field(max_length=36)
    day: date
    window_start: datetime
    window_end: datetime
    home: HomeIn | None = Field(default=None, description="default: the address the resident gave when asking")
    note: str = Field(default="", max_length=500)


class DeclineIn(BaseModel):
    reason: str = Field(default="", max_length=256)


class PhotoOut(BaseModel):
    id: str
    content_type: str
    size_bytes: int
    url: str


class MessageOut(BaseModel):
    id: str
    kind: str = Field(description="text, home, proposal or decision")
    author_role: str
    text: str
    data: dict[str, Any] | None = None
    state: str | None = Field(default=None, description="a proposal's state: pending, confirmed, declined, "
                                                        "superseded")
    photos: list[PhotoOut] = []
    at: datetime


class ConsultOut(BaseModel):
    id: str
    patient_id: str
    patient_name: str
    institution_id: str
    institution_name: str
    nurse_id: str | None
    nurse_name: str | None
    subject: str
    status: str
    created_at: datetime
    updated_at: datetime
    proposed_order_id: str | None
    proposal: MessageOut | None = Field(default=None, description="the latest proposal, with its state")


class ConsultDetail(ConsultOut):
    home: dict[str, Any] | None = None
    messages: list[MessageOut]


class DecisionOut(BaseModel):
    consult: ConsultDetail
    order_id: str | None
