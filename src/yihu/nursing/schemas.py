from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field


class KitLineIn(BaseModel):
    consumable: str = Field(min_length=1, max_length=32)
    count: int = Field(ge=1, le=100)


class ItemContentIn(BaseModel):
    name_zh: str = Field(min_length=2, max_length=64)
    name_en: str = Field(min_length=2, max_length=128)
    description: str = Field(default="", max_length=2000)
    duration_min: int = Field(ge=5, le=480)
    price_fen: int = Field(ge=0, le=10_000_00)
    visit_fee_fen: int = Field(ge=0, le=10_000_00)
    credentials: list[str] = Field(default_factory=list, max_length=6)
    nurses_required: int = Field(default=1, ge=1, le=2)
    risk_level: Literal["low", "medium", "high"]
    kit: list[KitLineIn] = Field(default_factory=list, max_length=30)
    risks: str = Field(default="", max_length=2000)
    waste_kinds: list[Literal["infectious", "sharps", "pathological", "pharmaceutical", "chemical"]] = Field(
        default_factory=list)


class ItemIn(ItemContentIn):
    code: str = Field(pattern=r"^[A-Z]{2}\d{3,6}$")
    category: str = Field(min_length=2, max_length=32, pattern=r"^[a-z_]+$")
    populations: list[str] = Field(min_length=1, max_length=6)


class ItemOut(BaseModel):
    id: str
    code: str
    category: str
    populations: list[str]
    active: bool
    version: int
    version_id: str
    name_zh: str
    name_en: str
    description: str
    duration_min: int
    price_fen: int
    visit_fee_fen: int
    credentials: list[str]
    nurses_required: int
    risk_level: str
    kit: list[dict[str, Any]]
    risks: str
    waste_kinds: list[str]
    offered_by: list[str] = Field(default_factory=list)


class OfferingIn(BaseModel):
    active: bool = True


class PhaseIn(BaseModel):
    every_days: int = Field(ge=1, le=30)
    count: int = Field(ge=1, le=60)


class OrderIn(BaseModel):
    patient_id: str = Field(min_length=1, max_length=36)
    institution_id: str = Field(min_length=1, max_length=36)
    item_id: str = Field(min_length=1, max_length=36)
    address: str = Field(min_length=4, max_length=256)
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    day: date
    window_start: datetime
    window_end: datetime
    condition: str = Field(default="", max_length=2000)
    series: list[PhaseIn] = Field(default_factory=list, max_length=6)


class DocumentIn(BaseModel):
    kind: Literal["discharge_summary", "diagnosis", "prescription", "photo", "other"]
    filename: str = Field(min_length=1, max_length=128)
    content_type: Literal["image/jpeg", "image/png", "application/pdf"]
    data_base64: str = Field(min_length=4, max_length=3_000_000)


class DocumentOut(BaseModel):
    id: str
    kind: str
    filename: str
    content_type: str
    size_bytes: int
    created_at: datetime


class AssessmentIn(BaseModel):
    decision: Literal["approve", "reject", "first_visit"]
    condition: str = Field(default="", max_length=1000)
    need: str = Field(default="", max_length=1000)
    home_environment: str = Field(default="", max_length=1000)
    risk_level: Literal["low", "medium", "high"] = "low"
    reason: str = Field(default="", max_length=256)


class ReasonIn(BaseModel):
    reason: str = Field(min_length=1, max_length=256)


class AssignIn(BaseModel):
    nurse_id: str = Field(min_length=1, max_length=36)
    second_nurse_id: str | None = Field(default=None, max_length=36)
    start: datetime


class EventOut(BaseModel):
    action: str
    action_text: str
    from_status: str | None
    to_status: str
    actor_role: str
    note: str
    at: datetime


class OrderOut(BaseModel):
    id: str
    number: str
    status: str
    status_text: str
    patient_id: str
    patient_name: str
    institution_id: str
    institution_name: str
    item_id: str
    item_code: str
    item_name: str
    item_version: int
    series_id: str | None
    sequence: int
    series_visits: int
    address: str
    latitude: float
    longitude: float
    service_day: date
    window_start_at: datetime
    window_end_at: datetime
    condition: str
    price_fen: int
    visit_fee_fen: int
    consumables_fen: int
    nurses_required: int
    assessment: dict[str, Any] | None
    reject_reason: str | None
    nurse_id: str | None
    nurse_name: str | None
    second_nurse_id: str | None
    second_nurse_name: str | None
    planned_start_at: datetime | None
    planned_end_at: datetime | None
    checked_in_at: datetime | None
    completed_at: datetime | None
    bill_id: str | None
    cancel_reason: str | None
    cancel_fee_fen: int
    created_at: datetime


class OrderDetail(OrderOut):
    events: list[EventOut]
    documents: list[DocumentOut]
    risks: str
    duration_min: int


class CheckOut(BaseModel):
    code: str
    text: str


class NurseEligibilityOut(BaseModel):
    practitioner_id: str
    name: str
    title: str
    eligible: bool
    failures: list[CheckOut]
    busy: bool = False


class BlacklistIn(BaseModel):
    patient_id: str = Field(min_length=1, max_length=36)
    reason: str = Field(min_length=1, max_length=256)
    practitioner_id: str | None = Field(default=None, max_length=36)


class BlacklistOut(BaseModel):
    id: str
    patient_id: str
    patient_name: str
    practitioner_id: str | None
    reason: str
    created_at: datetime
    lifted_at: datetime | None
