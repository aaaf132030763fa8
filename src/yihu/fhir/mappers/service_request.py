"""ServiceRequest: the home-nursing order (one visit) as the resident placed it.

Status. The resident authorises the request when placing it, so from then on it is ``active`` (FHIR's ``draft`` is a
request not yet complete or not yet authorised, which an order in our system never is). The institution's review,
acceptance, dispatch and the visit are the *filler's* side of the workflow and are told by the order's Task
(requested → received → accepted → ready → in-progress → completed, or rejected / cancelled). The request is
``completed`` once the visit is done (completed, paid, rated) and ``revoked`` when it ended without the service
(rejected by the institution or cancelled): no further activity happens on it. We have no ``on-hold`` and never
enter orders in error.

Recurring care: the visits of one series share ``requisition`` (the series' id). The service address is a
contained Location (``#home``); the price and home-visit fee fixed when the order was placed are Money extensions.
"""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B.servicerequest import ServiceRequest

from yihu.fhir.mappers.common import meta, reference, without_none
from yihu.fhir.mappers.nursing import (
    ORDER_NUMBER,
    PRICE,
    SERIES,
    VISIT_FEE,
    OrderRows,
    assessment_lines,
    category_concept,
    home,
    home_reference,
    institution_reference,
    item_concept,
    money,
    nurse_ids,
    nurse_reference,
    window,
)
from yihu.fhir.mappers.schedule import local_instant
from yihu.nursing.models import ORDER_STATUSES

STATUS_SYSTEM = "http://hl7.org/fhir/request-status"
DONE = ("completed", "paid", "rated")
ENDED = ("rejected", "cancelled")
FHIR_STATUSES = ("active", "completed", "revoked")


def status(our: str) -> str:
    if our in DONE:
        return "completed"
    if our in ENDED:
        return "revoked"
    return "active"


def our_statuses(fhir_status: str) -> tuple[str, ...]:
    return tuple(s for s in ORDER_STATUSES if status(s) == fhir_status)


def _notes(rows: OrderRows) -> list[dict[str, Any]]:
    o = rows.order
    out = []
    lines = assessment_lines(o.assessment)
    if lines:
        out.append({"text": "机构评估：" + "；".join(lines),
                    **({"time": local_instant(o.assessed_at)} if o.assessed_at else {})})
    if o.reject_reason:
        out.append({"text": f"驳回原因：{o.reject_reason}"})
    if o.cancel_reason:
        out.append({"text": f"取消原因：{o.cancel_reason}",
                    **({"time": local_instant(o.cancelled_at)} if o.cancelled_at else {})})
    return out


def performers(rows: OrderRows) -> list[dict[str, str]]:
    """The assigned nurse(s), then the institution that carries out the order."""
    return [*(nurse_reference(rows, n) for n in nurse_ids(rows.order)), institution_reference(rows)]


def to_fhir(rows: OrderRows) -> ServiceRequest:
    o = rows.order
    body: dict[str, Any] = without_none({
        "resourceType": "ServiceRequest",
        "id": o.id,
        "meta": meta(o.updated_at),
        "contained": [home(o)],
        "extension": [money(PRICE, o.price_fen), money(VISIT_FEE, o.visit_fee_fen)],
        "identifier": [{"use": "official", "system": ORDER_NUMBER, "value": o.number}],
        "requisition": {"system": SERIES, "value": o.series_id} if o.series_id else None,
        "status": status(o.status),
        "intent": "order",
        "category": [category_concept(rows.item.category)],
        "priority": "routine",
        "code": item_concept(rows.item, rows.version),
        "subject": reference("Patient", o.patient_id),
        "occurrencePeriod": window(o),
        "authoredOn": local_instant(o.created_at),
        "requester": reference("Patient", rows.requester_patient_id) if rows.requester_patient_id else None,
        "performer": performers(rows),
        "locationReference": [home_reference(o)],
        "reasonCode": [{"text": o.condition}] if o.condition.strip() else None,
        "note": _notes(rows),
    })
    return ServiceRequest.model_validate(body)
