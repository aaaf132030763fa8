"""PractitionerRole: who works where, in which department (clinical subject) and as what."""

from __future__ import annotations

from typing import ClassVar

from fhir.resources.R4B.resource import Resource
from sqlalchemy import select

from yihu.fhir import systems
from yihu.fhir.filters import boolean_match, reference_match, token_codes, token_match
from yihu.fhir.handlers.base import Context, Page, ResourceHandler, by_ids, concat_page
from yihu.fhir.mappers import practitioner_role as mapper
from yihu.fhir.search import SearchParam, SearchRequest, id_param
from yihu.registry import service as registry
from yihu.registry.models import Department, Institution, Practitioner, PractitionerRole


class PractitionerRoleHandler(ResourceHandler):
    resource_type = "PractitionerRole"
    documentation = "A practitioner's role at an institution and department; directory data."
    search_params: ClassVar[tuple[SearchParam, ...]] = (
        id_param("PractitionerRole"),
        SearchParam("practitioner", "reference", "The practitioner", ("Practitioner",)),
        SearchParam("organization", "reference", "The institution (Organization)", ("Organization",)),
        SearchParam("specialty", "token", f"The department's clinical subject ({systems.CLINICAL_SUBJECT})"),
        SearchParam("role", "token", f"doctor | nurse | pharmacist | technician ({systems.PRACTITIONER_ROLE})"),
        SearchParam("active", "token", "Whether the role is active"),
    )

    async def _resources(self, ctx: Context, rows: list[PractitionerRole]) -> list[Resource]:
        people = await by_ids(ctx.session, Practitioner, {r.practitioner_id for r in rows})
        insts = await by_ids(ctx.session, Institution, {r.institution_id for r in rows})
        deps = await by_ids(ctx.session, Department, {r.department_id for r in rows if r.department_id})
        return [mapper.to_fhir(r, people[r.practitioner_id], insts[r.institution_id],
                               deps.get(r.department_id or "")) for r in rows]

    async def read(self, ctx: Context, resource_id: str) -> Resource:
        return (await self._resources(ctx, [await registry.get_role(ctx.session, resource_id)]))[0]

    async def search(self, ctx: Context, req: SearchRequest) -> Page:
        q = select(PractitionerRole).order_by(PractitionerRole.institution_id, PractitionerRole.practitioner_id,
                                              PractitionerRole.id)
        for c in req.of("_id"):
            q = q.where(token_match(PractitionerRole.id, c, ()))
        for c in req.of("practitioner"):
            q = q.where(reference_match(PractitionerRole.practitioner_id, c, "Practitioner"))
        for c in req.of("organization"):
            q = q.where(reference_match(PractitionerRole.institution_id, c, "Organization"))
        for c in req.of("specialty"):
            subjects = token_codes(c, (systems.CLINICAL_SUBJECT,))
            deps = select(Department.id)
            if subjects is not None:
                deps = deps.where(Department.code.in_(subjects))
            q = q.where(PractitionerRole.department_id.in_(deps))
        for c in req.of("role"):
            q = q.where(token_match(PractitionerRole.role, c, (systems.PRACTITIONER_ROLE,)))
        for c in req.of("active"):
            q = q.where(boolean_match(PractitionerRole.active, c))
        rows, total = await concat_page(ctx.session, [q], req.offset, req.count)
        return Page(await self._resources(ctx, rows), total)
