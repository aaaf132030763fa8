"""Practitioner: licence, name, gender, title; credentials only for those allowed to see them."""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B.practitioner import Practitioner

from yihu.fhir import systems
from yihu.fhir.mappers.common import coding, concept, human_name, meta, without_none
from yihu.registry import codes
from yihu.registry.models import Credential
from yihu.registry.models import Practitioner as PractitionerRow


def _title(p: PractitionerRow) -> dict[str, Any]:
    label = codes.title_label(p.kind, p.title, "zh-CN")
    return {"code": {"coding": [coding(systems.PRACTITIONER_TITLE, p.title, label)], "text": label}}


def _credential(c: Credential) -> dict[str, Any]:
    period = without_none({"start": c.issued_on.isoformat(),
                           "end": c.expires_on.isoformat() if c.expires_on else None})
    return without_none({
        "identifier": [{"value": c.number}] if c.number else None,
        "code": concept(systems.CREDENTIAL_KIND, c.kind, codes.CREDENTIAL_KINDS),
        "period": period,
        "issuer": {"display": c.issuer} if c.issuer else None,
    })


def to_fhir(p: PractitionerRow, credentials: list[Credential] | None = None) -> Practitioner:
    """``credentials`` is ``None`` unless the caller may see them; revoked ones are never qualifications."""
    quals = [_title(p)] + [_credential(c) for c in (credentials or []) if not c.revoked]
    body: dict[str, Any] = without_none({
        "resourceType": "Practitioner",
        "id": p.id,
        "meta": meta(p.updated_at),
        "identifier": [{"use": "official", "system": systems.PRACTITIONER_LICENCE, "value": p.licence_no}],
        "active": not p.suspended,
        "name": [human_name(p.name)],
        "gender": p.sex if p.sex in ("male", "female") else "unknown",
        "qualification": quals,
    })
    return Practitioner.model_validate(body)
