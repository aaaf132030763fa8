"""Task: the fulfilment of one home-nursing order (its workflow state), ``focus`` and ``basedOn`` its
ServiceRequest.

``status`` is FHIR's task state, mapped from the order's: requested → requested; first visit required and assessed
(the institution has the order and is still deciding) → received; accepted → accepted; a nurse assigned and consent
signed (nothing done yet) → ready; the nurse on the way, in service and the record written → in-progress;
completed, paid and rated → completed; rejected → rejected; cancelled → cancelled. ``businessStatus`` carries our
exact state. The owner is the assigned nurse, or the institution while none is. The trail (全程留痕) is shown as
notes, one per step with its time and role; what the visit produced (consent, encounter, procedure) as outputs.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fhir.resources.R4B.task import Task

from yihu.fhir.mappers.common import coding, meta, reference, without_none
from yihu.fhir.mappers.nursing import (
    ORDER_NUMBER,
    OrderRows,
    encounter_id,
    institution_reference,
    nurse_reference,
    period,
    request_reference,
    status_concept,
    window,
)
from yihu.fhir.mappers.schedule import local_instant
from yihu.nursing import lifecycle
from yihu.nursing.models import NursingOrder

TASK_CODE = "http://hl7.org/fhir/CodeSystem/task-code"
STATUS_SYSTEM = "http://hl7.org/fhir/task-status"
STATUS: dict[str, str] = {
    "requested": "requested", "first_visit": "received", "assessed": "received", "accepted": "accepted",
    "assigned": "ready", "consented": "ready", "en_route": "in-progress", "in_service": "in-progress",
    "recorded": "in-progress", "completed": "completed", "paid": "completed", "rated": "completed",
    "rejected": "rejected", "cancelled": "cancelled",
}
FHIR_STATUSES = tuple(dict.fromkeys(STATUS.values()))
ROLE_TEXT: dict[str, str] = {"resident": "居民", "institution_admin": "机构管理员", "nurse": "护士",
                             "regulator": "卫健委", "system": "系统"}


def our_statuses(fhir_status: str) -> tuple[str, ...]:
    return tuple(s for s, t in STATUS.items() if t == fhir_status)


def owner(rows: OrderRows) -> dict[str, str]:
    o = rows.order
    return nurse_reference(rows, o.nurse_id) if o.nurse_id else institution_reference(rows)


def _ended_at(o: NursingOrder) -> datetime | None:
    if o.status in ("completed", "paid", "rated"):
        return o.completed_at or o.checked_out_at
    if o.status == "cancelled":
        return o.cancelled_at
    if o.status == "rejected":
        return o.assessed_at
    return None


def _reason(o: NursingOrder) -> dict[str, str] | None:
    text = o.reject_reason if o.status == "rejected" else o.cancel_reason if o.status == "cancelled" else None
    return {"text": text} if text else None


def _notes(rows: OrderRows) -> list[dict[str, Any]]:
    out = []
    for e in rows.events:
        action = lifecycle.ACTION_TEXT.get(e.action, (e.action, e.action))[0]
        before = lifecycle.status_text(e.from_status) + " → " if e.from_status else ""
        text = f"{action}：{before}{lifecycle.status_text(e.to_status)}"
        if e.note:
            text += f"（{e.note}）"
        out.append({"authorString": ROLE_TEXT.get(e.actor_role, e.actor_role), "time": local_instant(e.at),
                    "text": text})
    return out


def _output(label: str, ref: dict[str, str]) -> dict[str, Any]:
    return {"type": {"text": label}, "valueReference": ref}


def _outputs(rows: OrderRows) -> list[dict[str, Any]]:
    o = rows.order
    out = []
    if rows.consent is not None:
        out.append(_output("知情同意", reference("Consent", rows.consent.id)))
    if o.checked_in_at is not None:
        out.append(_output("上门服务", reference("Encounter", encounter_id(o.id))))
    if rows.record is not None:
        out.append(_output("护理记录", reference("Procedure", rows.record.id)))
    return out


def to_fhir(rows: OrderRows) -> Task:
    o = rows.order
    body: dict[str, Any] = without_none({
        "resourceType": "Task",
        "id": o.id,
        "meta": meta(o.updated_at),
        "identifier": [{"use": "official", "system": ORDER_NUMBER, "value": o.number}],
        "basedOn": [request_reference(o)],
        "status": STATUS[o.status],
        "statusReason": _reason(o),
        "businessStatus": status_concept(o.status),
        "intent": "order",
        "priority": "routine",
        "code": {"coding": [coding(TASK_CODE, "fulfill", "Fulfill the focal request")], "text": "上门护理"},
        "focus": request_reference(o),
        "for": reference("Patient", o.patient_id),
        "executionPeriod": period(o.assessed_at or o.accepted_at, _ended_at(o)),
        "authoredOn": local_instant(o.created_at),
        "lastModified": local_instant(o.updated_at),
        "requester": reference("Patient", rows.requester_patient_id) if rows.requester_patient_id else None,
        "owner": owner(rows),
        "note": _notes(rows),
        "restriction": {"period": window(o), "recipient": [reference("Patient", o.patient_id)]},
        "output": _outputs(rows),
    })
    return Task.model_validate(body)
