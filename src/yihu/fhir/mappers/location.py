"""Location: one per institution (its site, with position) and one per room (partOf the site)."""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B.location import Location

from yihu.fhir import systems
from yihu.fhir.mappers.common import coding, concept, meta, reference, without_none
from yihu.registry import codes
from yihu.registry.models import Department, Institution, Room


def institution_to_fhir(inst: Institution) -> Location:
    """The institution's site; its id is the institution's id (rooms have ids of their own table)."""
    position = ({"latitude": inst.latitude, "longitude": inst.longitude}
                if inst.latitude is not None and inst.longitude is not None else None)
    body: dict[str, Any] = without_none({
        "resourceType": "Location",
        "id": inst.id,
        "meta": meta(inst.updated_at),
        "identifier": [{"system": systems.INSTITUTION_CODE, "value": inst.code}],
        "status": "active" if inst.active else "inactive",
        "name": inst.name,
        "mode": "instance",
        "telecom": [{"system": "phone", "value": inst.phone, "use": "work"}] if inst.phone else None,
        "address": {"use": "work", "text": inst.address} if inst.address else None,
        "physicalType": {"coding": [coding(systems.HL7_LOCATION_PHYSICAL_TYPE, "si", "Site")]},
        "position": position,
        "managingOrganization": reference("Organization", inst.id, inst.name),
    })
    return Location.model_validate(body)


def room_to_fhir(room: Room, inst: Institution, department: Department | None = None) -> Location:
    body: dict[str, Any] = without_none({
        "resourceType": "Location",
        "id": room.id,
        "meta": meta(room.updated_at),
        "status": "active" if room.active and inst.active else "inactive",
        "name": room.name,
        "description": department.name if department else None,
        "mode": "instance",
        "type": [concept(systems.ROOM_KIND, room.kind, codes.ROOM_KINDS)],
        "physicalType": {"coding": [coding(systems.HL7_LOCATION_PHYSICAL_TYPE, "ro", "Room")]},
        "managingOrganization": reference("Organization", inst.id, inst.name),
        "partOf": reference("Location", inst.id, inst.name),
    })
    return Location.model_validate(body)
