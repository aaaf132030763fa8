from __future__ import annotations

from datetime import date, datetime
from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, Field


class InstitutionOut(BaseModel):
    id: str
    code: str
    name: str
    kind: str
    kind_label: str
    address: str
    latitude: float | None
    longitude: float | None
    phone: str
    group_id: str | None


class InstitutionIn(BaseModel):
    code: str = Field(min_length=2, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")
    name: str = Field(min_length=2, max_length=128)
    kind: str
    address: str = Field(default="", max_length=256)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    phone: str = Field(default="", max_length=32)
    group_id: str | None = None


class GroupOut(BaseModel):
    id: str
    code: str
    name: str
    kind: str
    lead_institution_id: str | None
    member_ids: list[str]


class DepartmentOut(BaseModel):
    id: str
    institution_id: str
    code: str
    name: str
    description: str


class DepartmentIn(BaseModel):
    code: str = Field(max_length=16)
    name: str | None = Field(default=None, max_length=64)
    description: str = Field(default="", max_length=2000)


class RoomOut(BaseModel):
    id: str
    institution_id: str
    department_id: str | None
    code: str
    name: str
    kind: str


class RoomIn(BaseModel):
    code: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=1, max_length=64)
    kind: str
    department_id: str | None = None


class CredentialOut(BaseModel):
    id: str
    kind: str
    kind_label: str
    number: str
    issuer: str
    issued_on: date
    expires_on: date | None
    valid_today: bool


class CredentialIn(BaseModel):
    kind: str
    number: str = Field(min_length=1, max_length=64)
    issuer: str = Field(default="", max_length=128)
    issued_on: date
    expires_on: date | None = None


class PractitionerRoleOut(BaseModel):
    id: str
    institution_id: str
    department_id: str | None
    role: str


class PractitionerOut(BaseModel):
    id: str
    name: str
    sex: str
    kind: str
    title: str
    title_label: str
    registered_institution_id: str
    practice_start: date
    years_of_practice: int
    roles: list[PractitionerRoleOut]
    # Only for staff of the registered institution and regulators:
    licence_no: str | None = None
    licence_valid_until: date | None = None
    suspended: bool | None = None
    suspended_reason: str | None = None
    credentials: list[CredentialOut] | None = None


class PractitionerIn(BaseModel):
    name: str = Field(min_length=2, max_length=64)
    sex: Literal["male", "female"]
    kind: str
    licence_no: str = Field(min_length=4, max_length=32)
    title: str
    practice_start: date
    licence_valid_until: date | None = None
    department_id: str | None = None


class SuspensionIn(BaseModel):
    suspended: bool
    reason: str | None = Field(default=None, max_length=256)


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    offset: int
    limit: int


class InstitutionStats(BaseModel):
    institution: InstitutionOut
    departments: int
    doctors: int
    nurses: int
    pharmacists: int
    suspended: int
    patients: int


class Overview(BaseModel):
    generated_at: datetime
    institutions: list[InstitutionStats]
    totals: dict[str, int]
