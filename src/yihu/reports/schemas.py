from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import AwareDatetime, BaseModel, Field

CODE = r"^[A-Za-z0-9][A-Za-z0-9.\-_]{0,31}$"
Num = Decimal


class ObservationIn(BaseModel):
    code: str = Field(pattern=CODE, description="LOINC code (code_system loinc) or the lab's local code")
    code_system: Literal["loinc", "local"] = "local"
    display: str = Field(min_length=1, max_length=128, description="Chinese name of the test, e.g. 白细胞计数")
    value: Num | None = Field(default=None, max_digits=18, decimal_places=6, description="numeric result")
    unit: str = Field(default="", max_length=32, description="as printed, e.g. 10^9/L, mmol/L")
    value_text: str | None = Field(default=None, max_length=256, description="text result, e.g. 阴性")
    low: Num | None = Field(default=None, max_digits=18, decimal_places=6)
    high: Num | None = Field(default=None, max_digits=18, decimal_places=6)
    reference_text: str | None = Field(default=None, max_length=64)
    abnormal: bool | None = Field(default=None, description="text results only: the lab judged it abnormal")


class ContentIn(BaseModel):
    code: str = Field(pattern=CODE)
    code_system: Literal["loinc", "local"] = "local"
    title: str = Field(min_length=1, max_length=128, description="e.g. 血常规, 胸部CT平扫")
    effective_at: AwareDatetime = Field(description="specimen collected / exam performed")
    conclusion: str = Field(default="", max_length=4000)
    modality: Literal["CT", "MR", "US", "DX", "ECG", "ES"] | None = None
    body_site: str | None = Field(default=None, max_length=64)
    appointment_id: str | None = Field(default=None, max_length=36)
    observations: list[ObservationIn] = Field(default_factory=list, max_length=200)


class PublishIn(ContentIn):
    patient_id: str = Field(max_length=36)
    kind: Literal["lab", "imaging"]


class AmendIn(ContentIn):
    reason: str = Field(min_length=2, max_length=256)


class ErrorIn(BaseModel):
    reason: str = Field(min_length=2, max_length=256)


class ObservationOut(BaseModel):
    id: str
    code: str
    code_system: str
    display: str
    value: str | None
    unit: str
    value_text: str | None
    low: str | None
    high: str | None
    reference_text: str | None
    flag: str | None
    flag_label: str | None


class VersionOut(BaseModel):
    id: str
    version: int
    status: str
    published_at: datetime
    superseded: bool
    amend_reason: str | None


class ReportSummary(BaseModel):
    id: str
    version: int
    kind: str
    code: str
    code_system: str
    title: str
    status: str
    patient_id: str
    patient_name: str
    institution_id: str
    institution_name: str
    effective_at: datetime
    published_at: datetime
    abnormal_count: int
    superseded: bool


class ReportOut(ReportSummary):
    appointment_id: str | None
    modality: str | None
    body_site: str | None
    conclusion: str
    amend_reason: str | None
    error_reason: str | None
    error_at: datetime | None
    superseded_by_id: str | None
    observations: list[ObservationOut]
    versions: list[VersionOut]


class ReportPage(BaseModel):
    items: list[ReportSummary]
    total: int
    offset: int
    limit: int
