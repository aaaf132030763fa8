"""Procedure: the care given at a home visit, from its signed nursing record (one per recorded visit).

``completed`` (a record marked entered-in-error is ``entered-in-error`` with the reason), the item as the code, the
nurse(s) on behalf of the institution, performed from check-in to check-out, the actions and the wound or tube
assessment as notes, the advice and the next visit date as follow-up.
"""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B.procedure import Procedure

from yihu.fhir.mappers.common import reference, without_none
from yihu.fhir.mappers.nursing import (
    OrderRows,
    category_concept,
    encounter_id,
    home,
    home_reference,
    institution_reference,
    item_concept,
    nurse_ids,
    nurse_reference,
    period,
    request_reference,
)
from yihu.fhir.mappers.nursing_encounter import ended_at
from yihu.fhir.mappers.schedule import local_instant
from yihu.nursing.visit_models import NursingRecord

STATUS_SYSTEM = "http://hl7.org/fhir/event-status"
ERROR = "entered-in-error"
FHIR_STATUSES = ("completed", ERROR)
ASSESSMENT: dict[str, str] = {"wound": "伤口", "tube": "管道", "text": "说明"}


def status(record_status: str) -> str:
    return ERROR if record_status == ERROR else "completed"


def _value(v: Any) -> str:
    """A structured assessment (wound, tube) as readable text: ``site=骶尾部，size_cm=length=3，width=2``."""
    if isinstance(v, dict):
        return "，".join(f"{k}={_value(x)}" for k, x in v.items() if x not in (None, "", [], {}))
    if isinstance(v, list):
        return "、".join(_value(x) for x in v)
    return str(v)


def _notes(rows: OrderRows, r: NursingRecord) -> list[dict[str, Any]]:
    by = nurse_reference(rows, r.nurse_id)
    at = local_instant(r.signed_at)
    out = [{"authorReference": by, "time": at, "text": f"护理措施：{r.actions}"}] if r.actions.strip() else []
    lines = [f"{ASSESSMENT.get(k, k)}：{_value(v)}" for k, v in (r.assessment or {}).items() if v not in (None, "", [], {})]
    if lines:
        out.append({"authorReference": by, "time": at, "text": "护理评估：" + "；".join(lines)})
    return out


def _follow_up(r: NursingRecord) -> list[dict[str, str]]:
    out = [{"text": r.advice}] if r.advice.strip() else []
    if r.next_visit_on is not None:
        out.append({"text": f"下次访视：{r.next_visit_on.isoformat()}"})
    return out


def to_fhir(rows: OrderRows) -> Procedure:
    r = rows.record
    if r is None:
        raise ValueError("an order without a record has no Procedure")
    o = rows.order
    current = status(r.status)
    body: dict[str, Any] = without_none({
        "resourceType": "Procedure",
        "id": r.id,
        "meta": {"lastUpdated": r.signed_at.isoformat()},
        "contained": [home(o)],
        "basedOn": [request_reference(o)],
        "status": current,
        "statusReason": {"text": r.error_reason} if current == ERROR and r.error_reason else None,
        "category": category_concept(rows.item.category),
        "code": item_concept(rows.item, rows.version),
        "subject": reference("Patient", o.patient_id),
        "encounter": reference("Encounter", encounter_id(o.id)) if o.checked_in_at is not None else None,
        "performedPeriod": period(o.checked_in_at or r.signed_at, ended_at(o) or r.signed_at),
        "recorder": nurse_reference(rows, r.nurse_id),
        "performer": [{"actor": nurse_reference(rows, n), "onBehalfOf": institution_reference(rows)}
                      for n in (nurse_ids(o) or [r.nurse_id])],
        "location": home_reference(o),
        "note": _notes(rows, r),
        "followUp": _follow_up(r),
    })
    return Procedure.model_validate(body)
