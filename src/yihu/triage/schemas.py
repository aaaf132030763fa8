from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class TriageIn(BaseModel):
    text: str = Field(min_length=1, max_length=500, description="symptoms in Chinese, e.g. 孩子发烧咳嗽两天")
    patient_id: str | None = Field(default=None, max_length=36,
                                   description="a patient bound to my account: their age and sex refine the advice")
    institution_id: str | None = Field(default=None, max_length=36, description="slots at this institution only")


class MatchOut(BaseModel):
    term: str
    symptom: str


class SlotOut(BaseModel):
    slot_id: str
    schedule_id: str
    schedule_name: str
    institution_id: str
    institution_name: str
    department_id: str
    department_name: str
    slot_class: str
    fee_fen: int
    start_at: datetime
    end_at: datetime
    free_online: int


class DepartmentOut(BaseModel):
    id: str
    name: str
    institution_id: str


class SuggestionOut(BaseModel):
    code: str
    name: str
    score: int
    reasons: list[str]
    emergency: bool
    departments: list[DepartmentOut]
    slots: list[SlotOut]


class TriageOut(BaseModel):
    recognised: bool
    emergency: bool
    advice: str
    hints: list[str]
    matched: list[MatchOut]
    suggestions: list[SuggestionOut]
