"""Organization: medical groups first, then institutions, both ordered by code."""

from __future__ import annotations

from typing import Any, ClassVar

from fhir.resources.R4B.resource import Resource
from sqlalchemy import ColumnElement, false, or_, select, true

from yihu.errors import NOT_FOUND, DomainError
from yihu.fhir import systems
from yihu.fhir.filters import reference_match, string_match, token_match
from yihu.fhir.handlers.base import Context, Page, ResourceHandler, by_ids, concat_page
from yihu.fhir.mappers import organization as mapper
from yihu.fhir.search import STRING_MODIFIERS, Criterion, SearchParam, SearchRequest, id_param
from yihu.registry.models import Institution, MedicalGroup


def _type_match(column: Any, c: Criterion, *, provider: bool) -> ColumnElement[bool]:
    """Our organization-kind codes; HL7 ``prov`` matches every institution (a provider), never a group."""
    conds: list[ColumnElement[bool]] = []
    for v in c.values:
        system, code = v.split("|", 1) if "|" in v else ("", v)
        if system == systems.HL7_ORGANIZATION_TYPE and code in ("", "prov") or not system and code == "prov":
            conds.append(true() if provider else false())
        elif system in ("", systems.ORGANIZATION_KIND):
            conds.append(column == code if code else true())
    return or_(*conds) if conds else false()


class OrganizationHandler(ResourceHandler):
    resource_type = "Organization"
    documentation = ("Institutions (hospitals, community health centres, clinics) and the medical groups they "
                     "belong to; directory data, readable without signing in.")
    search_params: ClassVar[tuple[SearchParam, ...]] = (
        id_param("Organization"),
        SearchParam("name", "string", "Starts of the name (:contains, :exact supported)", STRING_MODIFIERS),
        SearchParam("identifier", "token", "Institution code or medical-group code"),
        SearchParam("type", "token", f"Kind of organization ({systems.ORGANIZATION_KIND})"),
        SearchParam("partof", "reference", "Institutions of this medical group", ("Organization",)),
    )

    async def read(self, ctx: Context, resource_id: str) -> Resource:
        inst = await ctx.session.get(Institution, resource_id)
        if inst is not None:
            group = await ctx.session.get(MedicalGroup, inst.group_id) if inst.group_id else None
            return mapper.institution_to_fhir(inst, group)
        group = await ctx.session.get(MedicalGroup, resource_id)
        if group is None:
            raise DomainError(NOT_FOUND, what="机构")
        lead = await ctx.session.get(Institution, group.lead_institution_id) if group.lead_institution_id else None
        return mapper.group_to_fhir(group, lead)

    async def search(self, ctx: Context, req: SearchRequest) -> Page:
        gq = select(MedicalGroup).order_by(MedicalGroup.code, MedicalGroup.id)
        iq = select(Institution).order_by(Institution.code, Institution.id)
        for c in req.of("_id"):
            gq, iq = gq.where(token_match(MedicalGroup.id, c, ())), iq.where(token_match(Institution.id, c, ()))
        for c in req.of("name"):
            gq, iq = gq.where(string_match(MedicalGroup.name, c)), iq.where(string_match(Institution.name, c))
        for c in req.of("identifier"):
            gq = gq.where(token_match(MedicalGroup.code, c, (systems.MEDICAL_GROUP_CODE,)))
            iq = iq.where(token_match(Institution.code, c, (systems.INSTITUTION_CODE,)))
        for c in req.of("type"):
            gq = gq.where(_type_match(MedicalGroup.kind, c, provider=False))
            iq = iq.where(_type_match(Institution.kind, c, provider=True))
        for c in req.of("partof"):
            gq, iq = gq.where(false()), iq.where(reference_match(Institution.group_id, c, "Organization"))
        rows, total = await concat_page(ctx.session, [gq, iq], req.offset, req.count)
        groups = await by_ids(ctx.session, MedicalGroup, {r.group_id for r in rows
                                                          if isinstance(r, Institution) and r.group_id})
        leads = await by_ids(ctx.session, Institution, {r.lead_institution_id for r in rows
                                                        if isinstance(r, MedicalGroup) and r.lead_institution_id})
        out: list[Resource] = []
        for r in rows:
            if isinstance(r, Institution):
                out.append(mapper.institution_to_fhir(r, groups.get(r.group_id or "")))
            else:
                out.append(mapper.group_to_fhir(r, leads.get(r.lead_institution_id or "")))
        return Page(out, total)
