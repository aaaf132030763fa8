"""The resource handlers served under /fhir; the CapabilityStatement is generated from this registry."""

from __future__ import annotations

from yihu.fhir.handlers.appointment import AppointmentHandler
from yihu.fhir.handlers.base import ResourceHandler
from yihu.fhir.handlers.diagnostic_report import DiagnosticReportHandler
from yihu.fhir.handlers.location import LocationHandler
from yihu.fhir.handlers.nursing_registry import served as nursing_served
from yihu.fhir.handlers.organization import OrganizationHandler
from yihu.fhir.handlers.patient import PatientHandler
from yihu.fhir.handlers.practitioner import PractitionerHandler
from yihu.fhir.handlers.practitioner_role import PractitionerRoleHandler
from yihu.fhir.handlers.schedule import ScheduleHandler
from yihu.fhir.handlers.slot import SlotHandler

HANDLERS: dict[str, ResourceHandler] = {
    h.resource_type: h
    for h in (AppointmentHandler(), LocationHandler(), OrganizationHandler(), PatientHandler(), PractitionerHandler(),
              PractitionerRoleHandler(), ScheduleHandler(), SlotHandler(),
              DiagnosticReportHandler(), *nursing_served())
}

__all__ = ["HANDLERS", "ResourceHandler"]
