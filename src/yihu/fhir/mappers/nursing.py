"""What the home-nursing resources share: our code systems, the rows one order brings along, the home as a
contained Location, the item as a concept, money as an extension.

The home address is not a Location of ours (it is the recipient's residence, known only through the order), so it
travels inside each resource that needs it as a contained Location ``#home`` (role PTRES, with its position).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from yihu.fhir import systems
from yihu.fhir.mappers.common import coding, concept, reference
from yihu.fhir.mappers.schedule import local_instant
from yihu.nursing import catalogue, lifecycle
from yihu.nursing.models import NursingItem, NursingItemVersion, NursingOrder, NursingOrderEvent
from yihu.nursing.visit_models import NursingConsent, NursingRecord
from yihu.registry.models import Institution, Practitioner

ITEM = f"{systems.BASE}/CodeSystem/nursing-item"
CATEGORY = f"{systems.BASE}/CodeSystem/nursing-category"
POPULATION = f"{systems.BASE}/CodeSystem/nursing-population"
RISK_LEVEL = f"{systems.BASE}/CodeSystem/nursing-risk-level"
ORDER_STATUS = f"{systems.BASE}/CodeSystem/nursing-order-status"
ORDER_NUMBER = f"{systems.BASE}/sid/nursing-order-number"
SERIES = f"{systems.BASE}/sid/nursing-series"
PRICE = f"{systems.BASE}/StructureDefinition/nursing-price"
VISIT_FEE = f"{systems.BASE}/StructureDefinition/nursing-visit-fee"
ROLE_CODE = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"
PARTICIPATION_TYPE = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"

# A nursing Encounter's id is ``nursing-`` and its order's id, so it never meets an outpatient visit's id; a vital
# sign's id is ``nursing-<record id>-<kind>``.
PREFIX = "nursing-"
HOME = "home"
RISK_LEVELS: dict[str, tuple[str, str]] = {"low": ("低风险", "Low risk"), "medium": ("中风险", "Medium risk"),
                                           "high": ("高风险", "High risk")}
ASSESSMENT_TEXT: dict[str, str] = {"condition": "病情", "need": "护理需求", "home_environment": "居家环境",
                                   "risk_level": "风险等级"}


@dataclass(frozen=True)
class OrderRows:
    """One order with what its resources show: the item version it was placed under, the institution, the
    nurses, the requester's own Patient, its consent and record, and (when asked for) its trail."""

    order: NursingOrder
    version: NursingItemVersion
    item: NursingItem
    institution: Institution
    nurses: dict[str, Practitioner]
    requester_patient_id: str | None = None
    consent: NursingConsent | None = None
    record: NursingRecord | None = None
    events: list[NursingOrderEvent] = field(default_factory=list)


def encounter_id(order_id: str) -> str:
    return PREFIX + order_id


def order_of_encounter(encounter: str) -> str | None:
    return encounter[len(PREFIX):] if encounter.startswith(PREFIX) else None


def yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def money(url: str, fen: int) -> dict[str, Any]:
    return {"url": url, "valueMoney": {"value": Decimal(yuan(fen)), "currency": "CNY"}}


def item_concept(item: NursingItem, version: NursingItemVersion) -> dict[str, Any]:
    return {"coding": [coding(ITEM, item.code, version.name_zh)], "text": version.name_zh}


def category_concept(code: str) -> dict[str, Any]:
    return concept(CATEGORY, code, catalogue.CATEGORIES)


def population_concept(code: str) -> dict[str, Any]:
    return concept(POPULATION, code, catalogue.POPULATIONS)


def status_concept(status: str) -> dict[str, Any]:
    zh = lifecycle.status_text(status)
    return {"coding": [coding(ORDER_STATUS, status, zh)], "text": zh}


def period(start: datetime | None, end: datetime | None) -> dict[str, str] | None:
    out = {}
    if start is not None:
        out["start"] = local_instant(start)
    if end is not None:
        out["end"] = local_instant(end)
    return out or None


def window(o: NursingOrder) -> dict[str, str] | None:
    return period(o.window_start_at, o.window_end_at)


def home(o: NursingOrder) -> dict[str, Any]:
    """The service address as a contained Location (the patient's residence, with its position)."""
    return {"resourceType": "Location", "id": HOME, "status": "active", "name": "上门服务地址", "mode": "instance",
            "type": [{"coding": [coding(ROLE_CODE, "PTRES", "Patient's Residence")], "text": "居家"}],
            "address": {"use": "home", "text": o.address},
            "position": {"latitude": Decimal(str(o.latitude)), "longitude": Decimal(str(o.longitude))}}


def home_reference(o: NursingOrder) -> dict[str, str]:
    return {"reference": "#" + HOME, "display": o.address}


def nurse_ids(o: NursingOrder) -> list[str]:
    return [n for n in (o.nurse_id, o.second_nurse_id) if n]


def nurse_reference(rows: OrderRows, nurse_id: str) -> dict[str, str]:
    p = rows.nurses.get(nurse_id)
    return reference("Practitioner", nurse_id, p.name if p else None)


def institution_reference(rows: OrderRows) -> dict[str, str]:
    return reference("Organization", rows.institution.id, rows.institution.name)


def request_reference(o: NursingOrder) -> dict[str, str]:
    return reference("ServiceRequest", o.id)


def assessment_lines(assessment: dict[str, Any] | None) -> list[str]:
    if not assessment:
        return []
    return [f"{ASSESSMENT_TEXT.get(k, k)}：{v}" for k, v in assessment.items() if v not in (None, "")]
