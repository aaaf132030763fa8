"""Observation: one result of a lab report, with its value (UCUM units where known), reference range and
interpretation (H/L/N/A from v3-ObservationInterpretation). Its status is its report version's status."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fhir.resources.R4B.observation import Observation

from yihu.fhir.mappers.common import coding, reference, without_none
from yihu.fhir.mappers.diagnostic_report import concept_of
from yihu.fhir.mappers.schedule import local_instant
from yihu.reports import codes
from yihu.reports.models import Report, ReportObservation

UCUM = "http://unitsofmeasure.org"
CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"


def quantity(value: str, unit: str) -> dict[str, Any]:
    out: dict[str, Any] = {"value": Decimal(value)}
    if unit:
        out["unit"] = unit
        ucum = codes.UCUM.get(unit)
        if ucum is not None:
            out["system"] = UCUM
            out["code"] = ucum
    return out


def _range(o: ReportObservation) -> list[dict[str, Any]]:
    if o.low is None and o.high is None and not o.reference_text:
        return []
    return [without_none({
        "low": quantity(o.low, o.unit) if o.low is not None else None,
        "high": quantity(o.high, o.unit) if o.high is not None else None,
        "text": o.reference_text,
    })]


def _interpretation(flag: str | None) -> list[dict[str, Any]]:
    if flag is None:
        return []
    zh, en = codes.FLAGS[flag]
    return [{"coding": [coding(INTERPRETATION, flag, en)], "text": zh}]


def to_fhir(o: ReportObservation, r: Report) -> Observation:
    body: dict[str, Any] = without_none({
        "resourceType": "Observation",
        "id": o.id,
        "meta": {"versionId": str(r.version), "lastUpdated": r.updated_at.isoformat()},
        "status": r.status,
        "category": [{"coding": [coding(CATEGORY, "laboratory", "Laboratory")], "text": "检验"}],
        "code": concept_of(o.code_system, o.code, o.display),
        "subject": reference("Patient", r.patient_id),
        "effectiveDateTime": local_instant(r.effective_at),
        "issued": local_instant(r.published_at),
        "performer": [reference("Organization", r.institution_id)],
        "valueQuantity": quantity(o.value_num, o.unit) if o.value_num is not None else None,
        "valueString": o.value_text,
        "interpretation": _interpretation(o.flag),
        "referenceRange": _range(o),
    })
    return Observation.model_validate(body)
