"""Encounter for a home-nursing visit: class HH (home health), from the nurse's check-in to the check-out.

Only a visit that reached check-in has an Encounter (as an outpatient visit only has one from check-in); its id is
``nursing-<order id>``. Status: in service or record written → in-progress; completed, paid, rated → finished;
cancelled after check-in → cancelled. The address is a contained Location (``#home``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fhir.resources.R4B.encounter import Encounter

from yihu.fhir.mappers.common import coding, meta, reference, without_none
from yihu.fhir.mappers.encounter import ACT_CODE
from yihu.fhir.mappers.nursing import (
    ORDER_NUMBER,
    PARTICIPATION_TYPE,
    OrderRows,
    category_concept,
    encounter_id,
    home,
    home_reference,
    institution_reference,
    item_concept,
    nurse_reference,
    period,
    request_reference,
)
from yihu.nursing.models import NursingOrder

FINISHED = ("completed", "paid", "rated")
FHIR_STATUSES = ("in-progress", "finished", "cancelled")


def status(our: str) -> str:
    if our in FINISHED:
        return "finished"
    if our == "cancelled":
        return "cancelled"
    return "in-progress"


def our_statuses(fhir_status: str) -> tuple[str, ...]:
    return {"finished": FINISHED, "cancelled": ("cancelled",), "in-progress": ("in_service", "recorded")}.get(
        fhir_status, ())


def ended_at(o: NursingOrder) -> datetime | None:
    if o.status in FINISHED:
        return o.checked_out_at or o.completed_at
    if o.status == "cancelled":
        return o.cancelled_at
    return None


def _history(o: NursingOrder, current: str, start: datetime, end: datetime | None) -> list[dict[str, Any]]:
    out = [{"status": "in-progress", "period": period(start, end)}]
    if end is not None:
        out.append({"status": current, "period": period(end, None)})
    return out


def _participants(rows: OrderRows) -> list[dict[str, Any]]:
    o = rows.order
    out = []
    for code, display, nurse in (("PPRF", "primary performer", o.nurse_id),
                                 ("SPRF", "secondary performer", o.second_nurse_id)):
        if nurse:
            out.append({"type": [{"coding": [coding(PARTICIPATION_TYPE, code, display)]}],
                        "individual": nurse_reference(rows, nurse)})
    return out


def to_fhir(rows: OrderRows) -> Encounter:
    o = rows.order
    if o.checked_in_at is None:
        raise ValueError("a visit without a check-in has no Encounter")
    current = status(o.status)
    end = ended_at(o)
    body: dict[str, Any] = without_none({
        "resourceType": "Encounter",
        "id": encounter_id(o.id),
        "meta": meta(o.updated_at),
        "contained": [home(o)],
        "identifier": [{"system": ORDER_NUMBER, "value": o.number}],
        "status": current,
        "statusHistory": _history(o, current, o.checked_in_at, end),
        "class": coding(ACT_CODE, "HH", "home health"),
        "type": [item_concept(rows.item, rows.version)],
        "serviceType": category_concept(rows.item.category),
        "subject": reference("Patient", o.patient_id),
        "basedOn": [request_reference(o)],
        "participant": _participants(rows),
        "period": period(o.checked_in_at, end),
        "location": [{"location": home_reference(o), "status": "active" if current == "in-progress" else "completed"}],
        "serviceProvider": institution_reference(rows),
    })
    return Encounter.model_validate(body)
