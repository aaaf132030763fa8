"""Appointment: our booking with its FHIR status, the patient, the doctor and place, the slot and its times."""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B.appointment import Appointment as FhirAppointment

from yihu.fhir import systems
from yihu.fhir.mappers.common import coding, meta, reference, without_none
from yihu.fhir.mappers.schedule import (
    ScheduleRows,
    actors,
    fee,
    local_instant,
    service_category,
    service_type,
    specialty,
)
from yihu.scheduling.models import Appointment, Slot

STATUS: dict[str, str] = {"booked": "booked", "checked_in": "arrived", "fulfilled": "fulfilled",
                          "cancelled": "cancelled", "stopped": "cancelled", "noshow": "noshow"}
# FHIR status -> our statuses, for searching.
OUR_STATUSES: dict[str, tuple[str, ...]] = {}
for _ours, _theirs in STATUS.items():
    OUR_STATUSES[_theirs] = (*OUR_STATUSES.get(_theirs, ()), _ours)

_STOPPED = "clinic_stopped:"


def cancelation_reason(reason: str | None) -> dict[str, Any] | None:
    """``by_patient`` / ``by_institution`` / ``clinic_stopped:<why>`` as HL7 codes with a readable text."""
    if not reason:
        return None
    if reason == "by_patient":
        return {"coding": [coding(systems.HL7_CANCELLATION_REASON, "pat", "Patient")], "text": "患者取消"}
    if reason == "by_institution":
        return {"coding": [coding(systems.HL7_CANCELLATION_REASON, "prov", "Provider")], "text": "医院取消"}
    if reason.startswith(_STOPPED):
        return {"coding": [coding(systems.HL7_CANCELLATION_REASON, "prov", "Provider")],
                "text": f"停诊：{reason[len(_STOPPED):]}"}
    return {"coding": [coding(systems.CANCEL_REASON, reason)], "text": reason}


def _participant(ref: dict[str, str]) -> dict[str, Any]:
    return {"actor": ref, "required": "required", "status": "accepted"}


def to_fhir(appt: Appointment, slot: Slot, rows: ScheduleRows) -> FhirAppointment:
    """The patient is referred to by id only: the name stays behind the Patient resource and its access policy."""
    participants = [_participant(reference("Patient", appt.patient_id))] + [_participant(a) for a in actors(rows)]
    body: dict[str, Any] = without_none({
        "resourceType": "Appointment",
        "id": appt.id,
        "meta": meta(appt.updated_at),
        "extension": [fee(appt.fee_fen)],
        "status": STATUS[appt.status],
        "cancelationReason": cancelation_reason(appt.cancel_reason) if STATUS[appt.status] == "cancelled" else None,
        "serviceCategory": service_category(rows),
        "serviceType": service_type(rows),
        "specialty": specialty(rows),
        "description": rows.schedule.name,
        "start": local_instant(appt.start_at),
        "end": local_instant(slot.end_at),
        "slot": [reference("Slot", slot.id)],
        "created": local_instant(appt.booked_at),
        "patientInstruction": rows.schedule.preparation or None,
        "participant": participants,
    })
    return FhirAppointment.model_validate(body)
