"""HealthcareService: one per offering, i.e. one catalogue item as offered by one institution.

FHIR's HealthcareService is a service *provided by an organization* (``providedBy``); the region's catalogue item
alone is provided by nobody, so the offering (institution × item) is the unit. The item's current version gives the
name, description, public price and home-visit fee (Money extensions, yuan, CNY, also written out in
``extraDetails``), the populations it serves (``eligibility``), its risk level and the specialty certificates a nurse
needs (``characteristic``). It is active when both the item and the offering are.
"""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B.healthcareservice import HealthcareService

from yihu.fhir import systems
from yihu.fhir.mappers.common import coding, concept, meta, reference, without_none
from yihu.fhir.mappers.nursing import (
    PRICE,
    RISK_LEVEL,
    RISK_LEVELS,
    VISIT_FEE,
    category_concept,
    item_concept,
    money,
    population_concept,
    yuan,
)
from yihu.nursing.models import NursingItem, NursingItemVersion, NursingOffering
from yihu.registry import codes
from yihu.registry.models import Institution

PROVISION = "http://terminology.hl7.org/CodeSystem/service-provision-conditions"
PROGRAM = "互联网+护理服务"


def _details(v: NursingItemVersion) -> str:
    parts = [v.description] if v.description else []
    parts.append(f"服务价格 ¥{yuan(v.price_fen)}，上门服务费 ¥{yuan(v.visit_fee_fen)}，耗材按实际使用另计。")
    parts.append(f"服务时长约 {v.duration_min} 分钟，需 {v.nurses_required} 名护士。")
    if v.risks:
        parts.append(f"风险告知：{v.risks}")
    return "\n\n".join(parts)


def _characteristics(v: NursingItemVersion) -> list[dict[str, Any]]:
    out = [concept(RISK_LEVEL, v.risk_level, RISK_LEVELS)]
    out += [concept(systems.CREDENTIAL_KIND, c, codes.CREDENTIAL_KINDS) for c in v.credentials or []]
    return out


def to_fhir(offering: NursingOffering, item: NursingItem, v: NursingItemVersion, inst: Institution) -> (
        HealthcareService):
    body: dict[str, Any] = without_none({
        "resourceType": "HealthcareService",
        "id": offering.id,
        "meta": meta(max(offering.updated_at, item.updated_at, v.created_at)),
        "extension": [money(PRICE, v.price_fen), money(VISIT_FEE, v.visit_fee_fen)],
        "active": bool(offering.active and item.active),
        "providedBy": reference("Organization", inst.id, inst.name),
        "category": [category_concept(item.category)],
        "type": [item_concept(item, v)],
        "name": v.name_zh,
        "comment": v.name_en,
        "extraDetails": _details(v),
        "eligibility": [{"code": population_concept(p)} for p in item.populations or []],
        "program": [{"text": PROGRAM}],
        "characteristic": _characteristics(v),
        "serviceProvisionCode": [{"coding": [coding(PROVISION, "cost", "Fees apply")], "text": "收费"}],
        "appointmentRequired": True,
    })
    return HealthcareService.model_validate(body)
