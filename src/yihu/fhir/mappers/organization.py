"""Organization: one per institution (partOf its medical group) and one per medical group."""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B.organization import Organization

from yihu.fhir import systems
from yihu.fhir.mappers.common import coding, concept, meta, reference, without_none
from yihu.registry import codes
from yihu.registry.models import Institution, MedicalGroup

GROUP_KINDS: dict[str, tuple[str, str]] = {
    "city_medical_group": ("紧密型城市医疗集团", "City medical group"),
    "county_medical_community": ("紧密型县域医共体", "County medical community"),
    "specialty_alliance": ("专科联盟", "Specialty alliance"),
    "medical_alliance": ("医联体", "Medical alliance"),
}


def institution_to_fhir(inst: Institution, group: MedicalGroup | None = None) -> Organization:
    kind = concept(systems.ORGANIZATION_KIND, inst.kind, codes.INSTITUTION_KINDS)
    kind["coding"].append(coding(systems.HL7_ORGANIZATION_TYPE, "prov", "Healthcare Provider"))
    body: dict[str, Any] = without_none({
        "resourceType": "Organization",
        "id": inst.id,
        "meta": meta(inst.updated_at),
        "identifier": [{"use": "official", "system": systems.INSTITUTION_CODE, "value": inst.code}],
        "active": inst.active,
        "type": [kind],
        "name": inst.name,
        "telecom": [{"system": "phone", "value": inst.phone, "use": "work"}] if inst.phone else None,
        "address": [{"use": "work", "text": inst.address}] if inst.address else None,
        "partOf": reference("Organization", inst.group_id, group.name if group else None) if inst.group_id else None,
    })
    return Organization.model_validate(body)


def group_to_fhir(group: MedicalGroup, lead: Institution | None = None) -> Organization:
    body: dict[str, Any] = without_none({
        "resourceType": "Organization",
        "id": group.id,
        "meta": meta(group.updated_at),
        "extension": [{
            "url": systems.LEAD_INSTITUTION,
            "valueReference": reference("Organization", group.lead_institution_id, lead.name if lead else None),
        }] if group.lead_institution_id else None,
        "identifier": [{"use": "official", "system": systems.MEDICAL_GROUP_CODE, "value": group.code}],
        "active": True,
        "type": [concept(systems.ORGANIZATION_KIND, group.kind, GROUP_KINDS)],
        "name": group.name,
    })
    return Organization.model_validate(body)
