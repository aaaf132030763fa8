from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field


class WalkInIn(BaseModel):
    schedule_id: str = Field(max_length=36)
    patient_id: str = Field(max_length=36)


class EntryOut(BaseModel):
    """A patient's place in a queue, as the resident (or the kiosk's ticket) sees it."""

    id: str
    queue_id: str
    queue_name: str
    number: int
    kind: str
    status: str
    patient_id: str
    patient_name: str
    appointment_id: str | None
    slot_start_at: datetime | None
    checked_in_at: datetime
    position: int
    ahead: int
    estimated_wait_minutes: int
    calling_number: int | None
    near: bool


class EntryRow(BaseModel):
    id: str
    number: int
    patient_name: str
    kind: str
    status: str
    elderly: bool
    slot_start_at: datetime | None
    checked_in_at: datetime
    calls: int
    passes: int


class QueueOut(BaseModel):
    """The doctor's console: who is being called, who waits (in calling order), how many are done."""

    id: str
    name: str
    day: date
    institution_id: str
    department_id: str | None
    practitioner_id: str | None
    calling: EntryRow | None
    waiting: list[EntryRow]
    done: int
    avg_service_minutes: float
    last_event_id: int


class ActionOut(BaseModel):
    """What a console action did: the patient it concerned; the console re-reads the queue (GET) or follows the
    stream."""

    queue_id: str
    action: str
    entry: EntryRow
    waiting: int
    last_event_id: int


class QueueBrief(BaseModel):
    id: str
    name: str
    day: date
    practitioner_id: str | None
    department_id: str | None
    waiting: int
    calling_number: int | None


class StreamTokenOut(BaseModel):
    token: str
    expires_in: int
    url: str


class ScreenNumber(BaseModel):
    number: int
    name: str


class ScreenQueue(BaseModel):
    queue_id: str
    name: str
    seq: int
    calling: ScreenNumber | None
    next: list[ScreenNumber]
    waiting: int


class ScreenOut(BaseModel):
    department_id: str
    department_name: str
    institution_name: str
    day: date
    queues: list[ScreenQueue]
