"""PractitionerRole: a practitioner's role at an institution, with the department's clinical subject."""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B.practitionerrole import PractitionerRole

from yihu.fhir import systems
from yihu.fhir.mappers.common import concept, meta, reference, without_none
from yihu.registry import codes
from yihu.registry.models import Department, Institution, Practitioner
from yihu.registry.models import PractitionerRole as RoleRow


def _specialty(department: Department) -> dict[str, Any]:
    out = concept(systems.CLINICAL_SUBJECT, department.code, codes.CLINICAL_SUBJECTS)
    out["text"] = department.name
    return out


def to_fhir(role: RoleRow, practitioner: Practitioner, inst: Institution,
            department: Department | None = None) -> PractitionerRole:
    body: dict[str, Any] = without_none({
        "resourceType": "PractitionerRole",
        "id": role.id,
        "meta": meta(role.updated_at),
        "active": role.active,
        "practitioner": reference("Practitioner", practitioner.id, practitioner.name),
        "organization": reference("Organization", inst.id, inst.name),
        "code": [concept(systems.PRACTITIONER_ROLE, role.role, codes.PRACTITIONER_KINDS)],
        "specialty": [_specialty(department)] if department else None,
    })
    return PractitionerRole.model_validate(body)
