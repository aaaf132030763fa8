"""Booking through FHIR: a posted Appointment names one Slot and one Patient; the slot decides the rest.

The doctor, place and times come from the slot, so other participants and a start or end in the request are
not used. ``status`` is ``proposed`` or ``booked`` (the created booking is ``booked``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fhir.resources.R4B.appointment import Appointment
from fhir.resources.R4B.reference import Reference

from yihu.errors import DomainError
from yihu.fhir import errors

REQUEST_STATUSES = ("proposed", "booked")
MAX_ID = 36  # our ids are UUIDs
_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")


@dataclass(frozen=True)
class BookingAsk:
    slot_id: str
    patient_id: str


def referenced_id(ref: Reference | None, resource_type: str) -> str | None:
    """The id in ``Type/id`` or ``https://host/fhir/Type/id`` when it refers to ``resource_type``."""
    raw = (ref.reference or "") if ref is not None else ""
    parts = raw.rstrip("/").split("/")
    if len(parts) < 2 or parts[-2] != resource_type:
        return None
    rid = parts[-1]
    return rid if _ID.fullmatch(rid) and len(rid) <= MAX_ID else None


def _one(ids: list[str], element: str, what: str) -> str:
    distinct = sorted(set(ids))
    if not distinct:
        raise DomainError(errors.MISSING_ELEMENT, element=element)
    if len(distinct) > 1:
        raise DomainError(errors.INVALID_ELEMENT, element=element, expected=what)
    return distinct[0]


def booking_ask(appt: Appointment) -> BookingAsk:
    if appt.status not in REQUEST_STATUSES:
        raise DomainError(errors.INVALID_ELEMENT, element="Appointment.status", expected="proposed | booked")
    slots = [referenced_id(ref, "Slot") for ref in appt.slot or []]
    if None in slots:
        raise DomainError(errors.MISSING_ELEMENT, element="Appointment.slot")
    slot_id = _one([s for s in slots if s], "Appointment.slot", "one Slot")
    patients = [referenced_id(p.actor, "Patient") for p in appt.participant or []
                if p.actor is not None and (p.actor.reference or "").rstrip("/").split("/")[-2:-1] == ["Patient"]]
    if None in patients:
        raise DomainError(errors.MISSING_ELEMENT, element="Appointment.participant.actor (Patient)")
    patient_id = _one([p for p in patients if p], "Appointment.participant.actor (Patient)", "one Patient")
    return BookingAsk(slot_id=slot_id, patient_id=patient_id)
