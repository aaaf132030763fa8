"""The CapabilityStatement, generated from the registry of resource handlers actually served."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from fhir.resources.R4B.capabilitystatement import CapabilityStatement

from yihu import __version__
from yihu.fhir import systems
from yihu.fhir.handlers.base import ResourceHandler

SOFTWARE = "Yihu 医护"


def capability_statement(base: str, handlers: Iterable[ResourceHandler], now: datetime | None = None) -> (
        CapabilityStatement):
    resources = [{
        "type": h.resource_type,
        "profile": f"http://hl7.org/fhir/StructureDefinition/{h.resource_type}",
        "documentation": h.documentation,
        "interaction": [{"code": code} for code in h.interactions],
        "versioning": "no-version",
        "readHistory": False,
        "updateCreate": False,
        "searchParam": [{"name": p.name, "type": p.type, "documentation": p.documentation}
                        for p in h.search_params],
    } for h in sorted(handlers, key=lambda h: h.resource_type)]
    return CapabilityStatement.model_validate({
        "resourceType": "CapabilityStatement",
        "url": f"{base}/metadata",
        "version": __version__,
        "name": "YihuFhirServer",
        "title": "Yihu FHIR R4 server",
        "status": "active",
        "experimental": False,
        "date": (now or datetime.now(UTC)).replace(microsecond=0).isoformat(),
        "publisher": "Yihu",
        "kind": "instance",
        "software": {"name": SOFTWARE, "version": __version__},
        "implementation": {"description": "Yihu regional Internet + Healthcare platform", "url": base},
        "fhirVersion": systems.FHIR_VERSION,
        "format": ["json"],
        "rest": [{
            "mode": "server",
            "documentation": "Directory and scheduling resources (Schedule, Slot) and the home-nursing catalogue "
                             "(HealthcareService) are public; patient data (Patient, Appointment, ServiceRequest, …) "
                             "need a Bearer access token from /api/v1/auth/login and are limited to the caller's "
                             "patients (staff: their institution; regulator: the region).",
            "security": {"cors": False,
                         "description": "Authorization: Bearer <access token>; errors are OperationOutcome."},
            "resource": resources,
        }],
    })
