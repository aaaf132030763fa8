"""Slot: a bookable time of a schedule, with the FHIR status a resident booking online would meet.

``busy-unavailable`` when the session was stopped (停诊); ``busy`` when it cannot be booked online now (not yet
released, already started, or every online place taken — the on-site share stays for kiosks and windows);
otherwise ``free``. :func:`status_condition` is the same rule as SQL, for searching by status.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fhir.resources.R4B.slot import Slot as FhirSlot
from sqlalchemy import ColumnElement, and_, not_

from yihu.fhir import systems
from yihu.fhir.mappers.common import reference, without_none
from yihu.fhir.mappers.schedule import ScheduleRows, local_instant, service_category, service_type, specialty
from yihu.scheduling.models import Slot

SlotStatus = Literal["free", "busy", "busy-unavailable"]
STATUSES: tuple[SlotStatus, ...] = ("free", "busy", "busy-unavailable")


def free_places(slot: Slot, now: datetime) -> int:
    """Places a resident can book online at ``now``."""
    if slot.status != "open" or slot.release_at > now or slot.start_at <= now:
        return 0
    return max(0, slot.capacity - slot.onsite - slot.booked)


def status_of(slot: Slot, now: datetime) -> SlotStatus:
    if slot.status != "open":
        return "busy-unavailable"
    return "free" if free_places(slot, now) > 0 else "busy"


def _bookable(now: datetime) -> ColumnElement[bool]:
    return and_(Slot.release_at <= now, Slot.start_at > now, Slot.booked < Slot.capacity - Slot.onsite)


def status_condition(status: SlotStatus, now: datetime) -> ColumnElement[bool]:
    if status == "busy-unavailable":
        return Slot.status != "open"
    if status == "free":
        return and_(Slot.status == "open", _bookable(now))
    return and_(Slot.status == "open", not_(_bookable(now)))


def to_fhir(slot: Slot, rows: ScheduleRows, now: datetime) -> FhirSlot:
    body: dict[str, Any] = without_none({
        "resourceType": "Slot",
        "id": slot.id,
        "extension": [{"url": systems.FREE_PLACES, "valueUnsignedInt": free_places(slot, now)}],
        "serviceCategory": service_category(rows),
        "serviceType": service_type(rows),
        "specialty": specialty(rows),
        "schedule": reference("Schedule", rows.schedule.id, rows.schedule.name),
        "status": status_of(slot, now),
        "start": local_instant(slot.start_at),
        "end": local_instant(slot.end_at),
        "overbooked": False,
    })
    return FhirSlot.model_validate(body)
