"""Shapes of the shift and dispatch-plan endpoints."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import AwareDatetime, BaseModel, Field

HHMM = r"^([01]\d|2[0-3]):[0-5]\d$"


class ShiftIn(BaseModel):
    start: str = Field(pattern=HHMM, examples=["08:00"])
    end: str = Field(pattern=HHMM, examples=["17:00"])
    start_latitude: float | None = Field(default=None, ge=-90, le=90)
    start_longitude: float | None = Field(default=None, ge=-180, le=180)


class ShiftOut(BaseModel):
    id: str
    practitioner_id: str
    nurse_name: str
    nurse_title: str
    day: date
    start: str
    end: str
    start_at: datetime
    end_at: datetime
    start_latitude: float
    start_longitude: float


class ProposeIn(BaseModel):
    day: date
    replan_assigned: bool = Field(default=False, description="also re-plan visits assigned but not yet consented")


class MoveIn(BaseModel):
    order_id: str = Field(min_length=1, max_length=36)
    nurse_id: str = Field(min_length=1, max_length=36)
    second_nurse_id: str | None = Field(default=None, max_length=36)
    start: AwareDatetime


class StopOut(BaseModel):
    order_id: str
    order_number: str
    order_status: str
    task_index: int
    item_name: str
    patient_name: str  # masked: 张*明
    address: str
    latitude: float
    longitude: float
    start_at: datetime
    end_at: datetime
    travel_min: int
    window_start_at: datetime
    window_end_at: datetime
    late_min: int
    nurses_required: int
    partner_nurse_id: str | None
    partner_nurse_name: str | None
    continuity: bool  # the same nurse as the series' previous visit
    unchanged: bool  # already assigned exactly so: confirming leaves it as it is


class RouteOut(BaseModel):
    nurse_id: str
    nurse_name: str
    nurse_title: str
    shift_start_at: datetime | None
    shift_end_at: datetime | None
    start_latitude: float | None
    start_longitude: float | None
    visits: int
    service_min: int
    travel_min: int  # every leg, the way back to the start point included
    return_travel_min: int
    stops: list[StopOut]


class UnassignedOut(BaseModel):
    order_id: str
    order_number: str
    item_name: str
    patient_name: str
    address: str
    window_start_at: datetime
    window_end_at: datetime
    nurses_required: int
    reason: str  # no_eligible_nurse | no_shift | could_not_fit
    reason_text: str


class PlanOut(BaseModel):
    id: str
    institution_id: str
    day: date
    status: str  # proposed | confirmed | superseded
    created_at: datetime
    confirmed_at: datetime | None
    seconds: float
    visits: int
    travel_min: int
    tardiness_min: int
    max_tardiness_min: int
    routes: list[RouteOut]
    unassigned: list[UnassignedOut]
