"""The home-nursing resource handlers, and Encounter and Observation served as outpatient + nursing combined."""

from __future__ import annotations

from yihu.fhir.handlers.base import ResourceHandler
from yihu.fhir.handlers.combined import CombinedHandler, Part, token_is
from yihu.fhir.handlers.consent import ConsentHandler
from yihu.fhir.handlers.encounter import EncounterHandler
from yihu.fhir.handlers.healthcare_service import HealthcareServiceHandler
from yihu.fhir.handlers.nursing_encounter import NursingEncounterHandler
from yihu.fhir.handlers.nursing_orders import ServiceRequestHandler, TaskHandler
from yihu.fhir.handlers.observation import ObservationHandler
from yihu.fhir.handlers.procedure import ProcedureHandler
from yihu.fhir.handlers.vital_signs import VitalSignsHandler
from yihu.fhir.mappers.encounter import ACT_CODE
from yihu.fhir.mappers.observation import CATEGORY
from yihu.fhir.search import SearchParam


def encounters() -> CombinedHandler:
    return CombinedHandler([
        Part(EncounterHandler(), constants={"class": token_is(ACT_CODE, "AMB")}),
        Part(NursingEncounterHandler(), owns=NursingEncounterHandler.owns,
             constants={"class": token_is(ACT_CODE, "HH")}),
    ], extra=[SearchParam("class", "token", "AMB (outpatient visit) | HH (home-nursing visit), v3 ActCode")])


def observations() -> CombinedHandler:
    return CombinedHandler([
        Part(ObservationHandler(), constants={"category": token_is(CATEGORY, "laboratory")}),
        Part(VitalSignsHandler(), owns=VitalSignsHandler.owns, constants={"category": token_is(CATEGORY,
                                                                                              "vital-signs")}),
    ], extra=[SearchParam("category", "token", "laboratory (lab results) | vital-signs (nursing records)")])


def served() -> list[ResourceHandler]:
    return [encounters(), observations(), HealthcareServiceHandler(), ServiceRequestHandler(), TaskHandler(),
            ConsentHandler(), ProcedureHandler()]
