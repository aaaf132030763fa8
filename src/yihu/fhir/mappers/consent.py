"""Consent: the informed consent (知情同意) signed before a home visit: scope treatment, the exact text shown as a
plain-text attachment (base64, with its SHA-1 hash in base64 as FHIR asks), who signed it and when.

The signer is the Patient when the recipient signed, otherwise a named guardian or family member who has no
resource of their own (a display-only reference). It stays ``active`` unless the order was later cancelled, when
it no longer permits anything (``inactive``). ``provision`` permits the ordered item in the visit's window, by the
nurse who took the signature, for the ServiceRequest it is ``related`` to.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from fhir.resources.R4B.consent import Consent

from yihu.fhir.mappers.common import coding, reference, without_none
from yihu.fhir.mappers.nursing import (
    PARTICIPATION_TYPE,
    OrderRows,
    institution_reference,
    item_concept,
    nurse_reference,
    request_reference,
    window,
)
from yihu.fhir.mappers.schedule import local_instant
from yihu.nursing.visit_models import NursingConsent

SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
LOINC = "http://loinc.org"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
STATUS_SYSTEM = "http://hl7.org/fhir/consent-state-codes"
FHIR_STATUSES = ("active", "inactive")
RELATIONS: dict[str, str] = {"self": "本人", "guardian": "监护人", "spouse": "配偶", "child": "子女",
                             "parent": "父母", "other_family": "其他家属"}


def status(order_status: str) -> str:
    return "inactive" if order_status == "cancelled" else "active"


def text_of(c: NursingConsent) -> str:
    """The consent as the recipient read it: content, process, fee and risks."""
    return (f"服务内容：{c.content}\n服务流程：{c.process}\n服务费用：{c.fee_text}\n风险告知：{c.risks}\n"
            f"签署人：{c.signer_name}（{RELATIONS.get(c.signer_relation, c.signer_relation)}）")


def attachment(c: NursingConsent) -> dict[str, Any]:
    data = text_of(c).encode("utf-8")
    return {"contentType": "text/plain", "language": "zh-CN", "data": base64.b64encode(data).decode("ascii"),
            "size": len(data), "hash": base64.b64encode(hashlib.sha1(data).digest()).decode("ascii"),  # noqa: S324
            "title": "上门护理知情同意书", "creation": local_instant(c.signed_at)}


def _signer(rows: OrderRows, c: NursingConsent) -> dict[str, str]:
    if c.signer_relation == "self":
        return reference("Patient", rows.order.patient_id)
    return {"display": f"{c.signer_name}（{RELATIONS.get(c.signer_relation, c.signer_relation)}）"}


def to_fhir(rows: OrderRows) -> Consent:
    c = rows.consent
    if c is None:
        raise ValueError("an order without a consent has no Consent resource")
    o = rows.order
    body: dict[str, Any] = without_none({
        "resourceType": "Consent",
        "id": c.id,
        "meta": {"lastUpdated": c.signed_at.isoformat()},
        "status": status(o.status),
        "scope": {"coding": [coding(SCOPE, "treatment", "Treatment")], "text": "诊疗"},
        "category": [{"coding": [coding(LOINC, "59284-0", "Patient Consent")], "text": "上门护理知情同意"}],
        "patient": reference("Patient", o.patient_id),
        "dateTime": local_instant(c.signed_at),
        "performer": [_signer(rows, c)],
        "organization": [institution_reference(rows)],
        "sourceAttachment": attachment(c),
        "policyRule": {"coding": [coding(ACT_CODE, "OPTIN", "opt-in")], "text": "互联网+护理服务知情同意"},
        "provision": without_none({
            "type": "permit",
            "period": window(o),
            "actor": [{"role": {"coding": [coding(PARTICIPATION_TYPE, "PPRF", "primary performer")]},
                       "reference": nurse_reference(rows, c.nurse_id)}],
            "code": [item_concept(rows.item, rows.version)],
            "data": [{"meaning": "related", "reference": request_reference(o)}],
        }),
    })
    return Consent.model_validate(body)
