"""Patient: read and search through the access policy; every patient shown is audited."""

from __future__ import annotations

from typing import ClassVar

from fhir.resources.R4B.resource import Resource
from sqlalchemy import ColumnElement

from yihu.auth import policy
from yihu.fhir import systems
from yihu.fhir.filters import any_of, conjunction, reference_ids, string_match, token_codes, token_match
from yihu.fhir.handlers.base import Context, Page, ResourceHandler
from yihu.fhir.mappers import patient as mapper
from yihu.fhir.search import STRING_MODIFIERS, SearchParam, SearchRequest, id_param
from yihu.kit import audit
from yihu.registry import service as registry
from yihu.registry.models import Patient

GENDER_SYSTEM = "http://hl7.org/fhir/administrative-gender"


class PatientHandler(ResourceHandler):
    resource_type = "Patient"
    documentation = ("Residents of the region. The resident ID number is shown masked; searching by the full number "
                     "finds the patient through a blind index. Results are limited to the caller's patients.")
    search_params: ClassVar[tuple[SearchParam, ...]] = (
        id_param("Patient"),
        SearchParam("name", "string", "Starts of the full name (:contains, :exact supported)", STRING_MODIFIERS),
        SearchParam("identifier", "token", f"The full resident ID number ({systems.RESIDENT_ID}|number)"),
        SearchParam("gender", "token", "male | female"),
        SearchParam("organization", "reference", "Patients known to this institution (Organization)",
                    ("Organization",)),
    )

    async def read(self, ctx: Context, resource_id: str) -> Resource:
        actor = policy.require_actor(ctx.actor)
        await policy.require_patient(ctx.session, actor, resource_id, "read")
        row = await registry.get_patient(ctx.session, resource_id)
        audit.record(ctx.session, actor, "patient.read", patient_id=row.id, resource_type="Patient",
                     resource_id=row.id, detail={"via": "fhir"})
        return mapper.to_fhir(row, registry.view(row))

    async def search(self, ctx: Context, req: SearchRequest) -> Page:
        actor = policy.require_actor(ctx.actor)
        scope = policy.patient_scope(actor)
        conds: list[ColumnElement[bool]] = [scope] if scope is not None else []
        conds += [token_match(Patient.id, c, ()) for c in req.of("_id")]
        conds += [string_match(Patient.name, c) for c in req.of("name")]
        conds += [token_match(Patient.sex, c, (GENDER_SYSTEM,)) for c in req.of("gender")]
        conds += [any_of(registry.patients_of_institution(i) for i in reference_ids(c, "Organization"))
                  for c in req.of("organization")]
        id_number: str | None = None
        for c in req.of("identifier"):
            numbers = token_codes(c, (systems.RESIDENT_ID,))
            if numbers is None:  # "system|": every patient has one
                continue
            numbers = [n.strip().upper() for n in numbers]
            if len(numbers) == 1 and id_number is None:
                id_number = numbers[0]
                continue
            found = [await registry.find_by_id_number(ctx.session, n) for n in numbers]
            conds.append(Patient.id.in_([p.id for p in found if p is not None]))
        rows, total = await registry.search(ctx.session, conjunction(conds), id_number=id_number, offset=req.offset,
                                            limit=req.count)
        for row in rows:
            audit.record(ctx.session, actor, "patient.search", patient_id=row.id, resource_type="Patient",
                         resource_id=row.id, detail={"via": "fhir"})
        return Page([mapper.to_fhir(row, registry.view(row)) for row in rows], total)
