"""Encounter: one outpatient visit, from check-in (a queue entry) to the end of the consultation.

A booked visit has the appointment's id; a walk-in has ``walkin-`` and its queue entry's id, so the two kinds can
never share an id. The FHIR status follows the queue entry (waiting → arrived, called → in-progress, done →
finished) unless the visit was cancelled after check-in; the status history holds the periods the stored times
tell (check-in, the last call, the finish, the cancellation).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fhir.resources.R4B.encounter import Encounter

from yihu.fhir import systems
from yihu.fhir.mappers.common import coding, concept, reference, without_none
from yihu.fhir.mappers.schedule import SLOT_CLASSES, ScheduleRows, local_instant, service_category, specialty
from yihu.queueing.models import QueueEntry
from yihu.registry import codes
from yihu.scheduling.models import Appointment

WALKIN_PREFIX = "walkin-"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
PARTICIPATION_TYPE = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
STATUS_SYSTEM = "http://hl7.org/fhir/encounter-status"

# Appointment statuses that end a visit that had been checked in without it taking place.
CANCELLED_APPOINTMENT = ("cancelled", "stopped", "noshow")
CANCELLED_ENTRY = ("left",)
FHIR_STATUSES = ("arrived", "in-progress", "finished", "cancelled")


@dataclass(frozen=True)
class Visit:
    """A queue entry with the appointment it checked in (None for a walk-in) and the schedule's rows."""

    entry: QueueEntry
    appointment: Appointment | None
    rows: ScheduleRows


def encounter_id(entry: QueueEntry) -> str:
    return entry.appointment_id if entry.appointment_id else WALKIN_PREFIX + entry.id


def status(entry: QueueEntry, appointment_status: str | None) -> str:
    if appointment_status in CANCELLED_APPOINTMENT or entry.status in CANCELLED_ENTRY:
        return "cancelled"
    if entry.status == "done" or appointment_status == "fulfilled":
        return "finished"
    if entry.status == "called":
        return "in-progress"
    return "arrived"


def _period(start: datetime, end: datetime | None) -> dict[str, str]:
    out = {"start": local_instant(start)}
    if end is not None:
        out["end"] = local_instant(end)
    return out


def _cancelled_at(v: Visit) -> datetime | None:
    return v.appointment.cancelled_at if v.appointment is not None else None


def status_history(v: Visit, current: str) -> list[dict[str, Any]]:
    """arrived (check-in → call), in-progress (call → finish), then finished or cancelled, as far as known.

    ``called_at`` is the last call: a patient passed (过号) and waiting again shows as arrived since check-in.
    """
    e = v.entry
    called = e.called_at if e.status in ("called", "done") else None
    ended = e.finished_at if current == "finished" else _cancelled_at(v) if current == "cancelled" else None
    out = [{"status": "arrived", "period": _period(e.checked_in_at, called or ended)}]
    if called is not None:
        out.append({"status": "in-progress", "period": _period(called, ended)})
    if ended is not None:
        out.append({"status": current, "period": _period(ended, None)})
    return out


def _participants(rows: ScheduleRows) -> list[dict[str, Any]] | None:
    doctor = rows.practitioner
    if doctor is None:
        return None
    return [{"type": [{"coding": [coding(PARTICIPATION_TYPE, "PPRF", "primary performer")]}],
             "individual": reference("Practitioner", doctor.id, doctor.name)}]


def _service_type(rows: ScheduleRows) -> dict[str, Any] | None:
    """The department's clinical subject (诊疗科目); for an exam room without a department, the room's kind."""
    found = specialty(rows)
    if found:
        return found[0]
    if rows.room is not None:
        return concept(systems.ROOM_KIND, rows.room.kind, codes.ROOM_KINDS)
    return None


def _locations(rows: ScheduleRows, current: str) -> list[dict[str, Any]]:
    state = "active" if current in ("arrived", "in-progress") else "completed"
    inst = rows.institution
    out = [{"location": reference("Location", inst.id, inst.name), "status": state}]
    if rows.room is not None:
        out.append({"location": reference("Location", rows.room.id, rows.room.name), "status": state})
    return out


def to_fhir(v: Visit) -> Encounter:
    e, rows = v.entry, v.rows
    current = status(e, v.appointment.status if v.appointment is not None else None)
    ended = e.finished_at if current == "finished" else _cancelled_at(v) if current == "cancelled" else None
    body: dict[str, Any] = without_none({
        "resourceType": "Encounter",
        "id": encounter_id(e),
        "status": current,
        "statusHistory": status_history(v, current),
        "class": coding(ACT_CODE, "AMB", "ambulatory"),
        "type": [*service_category(rows), concept(systems.SLOT_CLASS, rows.schedule.slot_class, SLOT_CLASSES)],
        "serviceType": _service_type(rows),
        "subject": reference("Patient", e.patient_id),
        "participant": _participants(rows),
        "appointment": [reference("Appointment", e.appointment_id)] if e.appointment_id else None,
        "period": _period(e.checked_in_at, ended),
        "location": _locations(rows, current),
        "serviceProvider": reference("Organization", rows.institution.id, rows.institution.name),
    })
    return Encounter.model_validate(body)
