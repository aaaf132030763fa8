"""Request and response bodies of the visit: consent, locations, alarms, the record, consumables, waste."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal, get_args

from pydantic import BaseModel, Field, model_validator

from yihu.nursing.visit_models import SIGNER_RELATIONS, WASTE_KINDS

Relation = Literal["self", "guardian", "spouse", "child", "parent", "other_family"]
WasteKind = Literal["infectious", "sharps", "pathological", "pharmaceutical", "chemical"]
DISPOSALS = ("sealed_sharps_box", "returned_to_institution", "institution_collection", "licensed_collector")
Disposal = Literal["sealed_sharps_box", "returned_to_institution", "institution_collection", "licensed_collector"]
assert set(SIGNER_RELATIONS) == set(get_args(Relation)) and set(WASTE_KINDS) == set(get_args(WasteKind))  # noqa: S101
assert set(DISPOSALS) == set(get_args(Disposal))  # noqa: S101


# ---- consent ----

class ConsentText(BaseModel):
    order_id: str
    content: str
    process: str
    fee_text: str
    risks: str
    text_sha256: str


class ConsentIn(BaseModel):
    signer_name: str = Field(min_length=2, max_length=64)
    signer_relation: Relation
    signature: str = Field(min_length=1, max_length=300_000,
                           description="the typed name, or a data:image/png|jpeg;base64 URL of a drawn signature")
    text_sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$",
                                    description="the hash of the text shown; refused if the text changed since")


class ConsentOut(ConsentText):
    signed: bool
    signer_name: str | None = None
    signer_relation: str | None = None
    signature_kind: Literal["typed", "drawn"] | None = None
    nurse_id: str | None = None
    signed_at: datetime | None = None
    status: str


# ---- locations ----

class LocationIn(BaseModel):
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)


class DepartIn(BaseModel):
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)


class LocationOut(BaseModel):
    kind: str
    latitude: float
    longitude: float
    at: datetime


# ---- alarms ----

class AlarmIn(BaseModel):
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    note: str = Field(default="", max_length=256)

    @model_validator(mode="after")
    def _both_or_neither(self) -> AlarmIn:
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError("latitude and longitude go together")
        return self


class StreamTokenOut(BaseModel):
    token: str
    expires_in: int
    url: str


class ResolutionIn(BaseModel):
    resolution: str = Field(min_length=2, max_length=256)


class AlarmOut(BaseModel):
    id: str
    event_id: int
    order_id: str
    order_number: str
    institution_id: str
    nurse_id: str
    nurse_name: str
    patient_name: str
    address: str
    latitude: float | None
    longitude: float | None
    note: str
    status: str
    raised_at: datetime
    acknowledged_at: datetime | None
    closed_at: datetime | None
    resolution: str | None


# ---- the record ----

class Vitals(BaseModel):
    """All optional, each range-checked."""

    temperature_c: float | None = Field(default=None, ge=34, le=43)
    pulse_bpm: int | None = Field(default=None, ge=20, le=250)
    respiration_per_min: int | None = Field(default=None, ge=4, le=60)
    systolic_mmhg: int | None = Field(default=None, ge=50, le=260)
    diastolic_mmhg: int | None = Field(default=None, ge=20, le=160)
    spo2_percent: int | None = Field(default=None, ge=50, le=100)
    glucose_mmol_l: float | None = Field(default=None, ge=1, le=35)

    @model_validator(mode="after")
    def _pressure(self) -> Vitals:
        if (self.systolic_mmhg is None) != (self.diastolic_mmhg is None):
            raise ValueError("systolic and diastolic pressure go together")
        if self.systolic_mmhg is not None and self.diastolic_mmhg is not None \
                and self.diastolic_mmhg >= self.systolic_mmhg:
            raise ValueError("diastolic pressure must be below systolic")
        return self


class WoundSize(BaseModel):
    length: float = Field(ge=0, le=100)
    width: float = Field(ge=0, le=100)
    depth: float | None = Field(default=None, ge=0, le=30)


class Wound(BaseModel):
    site: str = Field(min_length=1, max_length=64)
    size_cm: WoundSize | None = None
    exudate: Literal["none", "low", "moderate", "heavy"] | None = None
    granulation: Literal["healthy", "pale", "hypergranulation", "slough", "necrotic", "epithelialising"] | None = None
    infection_signs: list[Literal["redness", "swelling", "heat", "pus", "odour", "fever", "pain"]] = Field(
        default_factory=list, max_length=7)


class Tube(BaseModel):
    kind: Literal["nasogastric", "urinary_catheter", "picc", "implanted_port", "tracheostomy", "gastrostomy",
                  "drainage", "stoma", "other"]
    position_cm: float | None = Field(default=None, ge=0, le=200)
    patency: Literal["patent", "partly_blocked", "blocked"] | None = None
    skin: str = Field(default="", max_length=256)


class Assessment(BaseModel):
    wound: Wound | None = None
    tube: Tube | None = None
    text: str = Field(default="", max_length=2000)


class RecordIn(BaseModel):
    vitals: Vitals = Field(default_factory=Vitals)
    assessment: Assessment = Field(default_factory=Assessment)
    actions: str = Field(min_length=2, max_length=4000)
    advice: str = Field(default="", max_length=2000)
    next_visit_on: date | None = None


class RecordOut(BaseModel):
    id: str
    order_id: str
    order_number: str
    patient_id: str
    institution_id: str
    institution_name: str
    nurse_id: str
    nurse_name: str
    item_name: str
    vitals: Vitals
    assessment: Assessment
    actions: str
    advice: str
    next_visit_on: date | None
    signed_at: datetime
    signature_sha256: str
    status: str
    error_reason: str | None


class ReasonIn(BaseModel):
    reason: str = Field(min_length=2, max_length=256)


# ---- consumables and waste ----

class ConsumableLineIn(BaseModel):
    code: str = Field(min_length=1, max_length=32)
    count: int = Field(ge=1, le=100)


class ConsumablesIn(BaseModel):
    items: list[ConsumableLineIn] = Field(min_length=1, max_length=30)


class ConsumableUseOut(BaseModel):
    code: str
    name_zh: str
    unit: str
    count: int
    unit_fen: int
    amount_fen: int
    recorded_at: datetime


class ConsumablesOut(BaseModel):
    kit: list[dict[str, object]]
    used: list[ConsumableUseOut]
    consumables_fen: int


class WasteIn(BaseModel):
    kind: WasteKind
    count: int | None = Field(default=None, ge=1, le=1000)
    weight_g: int | None = Field(default=None, ge=1, le=50_000)
    disposal: Disposal

    @model_validator(mode="after")
    def _count_or_weight(self) -> WasteIn:
        if self.count is None and self.weight_g is None:
            raise ValueError("a count or a weight is needed")
        return self


class WasteOut(BaseModel):
    id: str
    kind: str
    count: int | None
    weight_g: int | None
    disposal: str
    recorded_at: datetime


# ---- the nurse's day and the visit's answers ----

class VisitOut(BaseModel):
    """One visit on the nurse's phone."""

    order_id: str
    number: str
    status: str
    status_text: str
    next_action: str | None
    consent_signed: bool
    item_name: str
    patient_name: str
    phone_masked: str | None
    address: str
    latitude: float
    longitude: float
    service_day: date
    window_start_at: datetime
    window_end_at: datetime
    planned_start_at: datetime | None
    planned_end_at: datetime | None
    checked_in_at: datetime | None


class StepOut(BaseModel):
    """The order after a visit step."""

    order_id: str
    status: str
    status_text: str
    departed_at: datetime | None = None
    checked_in_at: datetime | None = None
    checkin_distance_m: int | None = None
    checked_out_at: datetime | None = None
    completed_at: datetime | None = None
    consumables_fen: int = 0
    bill_id: str | None = None
    bill_amount_fen: int | None = None
