"""Patient: masked resident ID number and phone, name split into family and given, gender, birth date."""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B.patient import Patient

from yihu.fhir import systems
from yihu.fhir.mappers.common import human_name, meta, without_none
from yihu.registry.models import Patient as PatientRow
from yihu.registry.service import PatientView


def to_fhir(row: PatientRow, view: PatientView) -> Patient:
    """``view`` is the registry's masked view of ``row``: no full ID number or phone reaches FHIR."""
    body: dict[str, Any] = without_none({
        "resourceType": "Patient",
        "id": row.id,
        "meta": meta(row.updated_at),
        "active": True,
        "identifier": [{"use": "official", "system": systems.RESIDENT_ID, "value": view.id_number}],
        "name": [human_name(view.name)],
        "telecom": [{"system": "phone", "value": view.phone, "use": "mobile"}] if view.phone else None,
        "gender": view.sex if view.sex in ("male", "female") else "unknown",
        "birthDate": view.birth_date.isoformat(),
        "deceasedBoolean": True if row.deceased else None,
        "address": [{"use": "home", "text": view.address}] if view.address else None,
    })
    return Patient.model_validate(body)
