"""DiagnosticReport: one version of a report, its results as Observation references, or its imaging conclusion.

A superseded version keeps its own status and points to its replacement (``replaced-by``); a new version is
``amended`` and points back (``replaces``); ``meta.versionId`` is the version number within the report.
"""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B.diagnosticreport import DiagnosticReport

from yihu.fhir import systems
from yihu.fhir.mappers.common import coding, reference, without_none
from yihu.fhir.mappers.schedule import local_instant
from yihu.reports import codes
from yihu.reports.models import Report

LOINC = "http://loinc.org"
LOCAL_TEST = f"{systems.BASE}/CodeSystem/local-test"
V2_0074 = "http://terminology.hl7.org/CodeSystem/v2-0074"
DICOM = "http://dicom.nema.org/resources/ontology/DCM"
BODY_SITE = f"{systems.BASE}/StructureDefinition/body-site"
APPOINTMENT = f"{systems.BASE}/StructureDefinition/appointment"
REPLACES = f"{systems.BASE}/StructureDefinition/replaces"
REPLACED_BY = f"{systems.BASE}/StructureDefinition/replaced-by"
STATUS_REASON = f"{systems.BASE}/StructureDefinition/status-reason"

CATEGORIES: dict[str, tuple[str, str, str]] = {"lab": ("LAB", "Laboratory", "检验"),
                                               "imaging": ("RAD", "Radiology", "检查")}
KIND_OF_CATEGORY = {code: kind for kind, (code, _en, _zh) in CATEGORIES.items()}


def test_system(code_system: str) -> str:
    return LOINC if code_system == "loinc" else LOCAL_TEST


def concept_of(code_system: str, code: str, display: str) -> dict[str, Any]:
    return {"coding": [coding(test_system(code_system), code, display)], "text": display}


def _meta(r: Report) -> dict[str, str]:
    return {"versionId": str(r.version), "lastUpdated": r.updated_at.isoformat()}


def _extensions(r: Report) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if r.body_site:
        out.append({"url": BODY_SITE, "valueString": r.body_site})
    if r.appointment_id:
        out.append({"url": APPOINTMENT, "valueReference": reference("Appointment", r.appointment_id)})
    if r.replaces_id:
        out.append({"url": REPLACES, "valueReference": reference("DiagnosticReport", r.replaces_id)})
    if r.superseded_by_id:
        out.append({"url": REPLACED_BY, "valueReference": reference("DiagnosticReport", r.superseded_by_id)})
    if r.status == "entered-in-error" and r.error_reason:
        out.append({"url": STATUS_REASON, "valueString": r.error_reason})
    return out


def _categories(r: Report) -> list[dict[str, Any]]:
    code, en, zh = CATEGORIES[r.kind]
    out: list[dict[str, Any]] = [{"coding": [coding(V2_0074, code, en)], "text": zh}]
    if r.modality:
        zh_mod, en_mod = codes.MODALITIES[r.modality]
        out.append({"coding": [coding(DICOM, r.modality, en_mod)], "text": zh_mod})
    return out


def to_fhir(r: Report, observation_ids: list[str]) -> DiagnosticReport:
    """The patient is referred to by id only; the name stays behind the Patient resource and its policy."""
    body: dict[str, Any] = without_none({
        "resourceType": "DiagnosticReport",
        "id": r.id,
        "meta": _meta(r),
        "extension": _extensions(r),
        "status": r.status,
        "category": _categories(r),
        "code": concept_of(r.code_system, r.code, r.title),
        "subject": reference("Patient", r.patient_id),
        "effectiveDateTime": local_instant(r.effective_at),
        "issued": local_instant(r.published_at),
        "performer": [reference("Organization", r.institution_id)],
        "result": [reference("Observation", i) for i in observation_ids],
        "conclusion": r.conclusion or None,
    })
    return DiagnosticReport.model_validate(body)
