from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field


class SessionIn(BaseModel):
    weekday: int = Field(ge=0, le=6, description="0 = Monday")
    period: Literal["morning", "afternoon", "evening"]
    start: str = Field(pattern=r"^\d{2}:\d{2}$")
    end: str = Field(pattern=r"^\d{2}:\d{2}$")


class ScheduleIn(BaseModel):
    kind: Literal["doctor", "department", "exam"]
    name: str = Field(min_length=2, max_length=128)
    fee_fen: int = Field(ge=0, le=10_000_00)
    slot_minutes: int = Field(ge=5, le=240)
    slot_class: Literal["general", "expert", "special"] = "general"
    department_id: str | None = None
    practitioner_id: str | None = None
    room_id: str | None = None
    capacity_per_slot: int = Field(default=1, ge=1, le=500)
    onsite_per_slot: int = Field(default=0, ge=0, le=500)
    release_days_ahead: int = Field(default=7, ge=0, le=90)
    release_time: str = Field(default="08:00", pattern=r"^\d{2}:\d{2}$")
    window_days: int = Field(default=14, ge=0, le=90)
    direct_booking: bool = True
    preparation: str = Field(default="", max_length=2000)
    sessions: list[SessionIn] = Field(default_factory=list, max_length=21)


class ScheduleOut(BaseModel):
    id: str
    institution_id: str
    department_id: str | None
    practitioner_id: str | None
    room_id: str | None
    kind: str
    name: str
    slot_class: str
    fee_fen: int
    slot_minutes: int
    capacity_per_slot: int
    onsite_per_slot: int
    release_days_ahead: int
    release_time: str
    window_days: int
    direct_booking: bool
    preparation: str
    sessions: list[SessionIn]


class GenerateIn(BaseModel):
    start: date
    end: date


class SlotOut(BaseModel):
    id: str
    schedule_id: str
    schedule_name: str
    institution_id: str
    department_id: str | None
    practitioner_id: str | None
    kind: str
    slot_class: str
    fee_fen: int
    day: date
    period: str
    start_at: datetime
    end_at: datetime
    release_at: datetime
    capacity: int
    onsite: int
    booked: int
    free_online: int
    status: str
    released: bool


class SlotPage(BaseModel):
    items: list[SlotOut]
    total: int
    offset: int
    limit: int


class BookIn(BaseModel):
    slot_id: str = Field(max_length=36)
    patient_id: str = Field(max_length=36)
    exam_order_id: str | None = Field(default=None, max_length=36)


class ExamOrderIn(BaseModel):
    patient_id: str = Field(max_length=36)
    kind: Literal["ct", "mr", "ultrasound", "xray", "ecg"]
    body_site: str = Field(default="", max_length=64)
    reason: str = Field(default="", max_length=500)


class ExamOrderOut(BaseModel):
    id: str
    patient_id: str
    institution_id: str
    kind: str
    kind_label: str
    body_site: str
    reason: str
    status: str
    appointment_id: str | None
    ordered_at: datetime


class AppointmentOut(BaseModel):
    id: str
    status: str
    patient_id: str
    patient_name: str
    slot_id: str
    schedule_id: str
    schedule_name: str
    institution_id: str
    kind: str
    fee_fen: int
    channel: str
    day: date
    start_at: datetime
    end_at: datetime
    preparation: str
    booked_at: datetime
    cancelled_at: datetime | None
    cancel_reason: str | None


class StopIn(BaseModel):
    day: date
    period: Literal["morning", "afternoon", "evening"]
    reason: str = Field(min_length=2, max_length=64)


class StopOut(BaseModel):
    slots_stopped: int
    appointments_cancelled: int
