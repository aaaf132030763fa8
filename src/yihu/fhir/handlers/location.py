"""Location: each institution's site (id = the institution's id), then its rooms (id = the room's id)."""

from __future__ import annotations

from typing import ClassVar

from fhir.resources.R4B.resource import Resource
from sqlalchemy import false, select

from yihu.errors import NOT_FOUND, DomainError
from yihu.fhir import systems
from yihu.fhir.filters import reference_match, string_match, token_match
from yihu.fhir.handlers.base import Context, Page, ResourceHandler, by_ids, concat_page
from yihu.fhir.mappers import location as mapper
from yihu.fhir.search import STRING_MODIFIERS, SearchParam, SearchRequest, id_param
from yihu.registry.models import Department, Institution, Room


class LocationHandler(ResourceHandler):
    resource_type = "Location"
    documentation = ("Institution sites with their position, and their rooms (consulting rooms, CT, ultrasound, "
                     "wards); directory data, readable without signing in.")
    search_params: ClassVar[tuple[SearchParam, ...]] = (
        id_param("Location"),
        SearchParam("name", "string", "Starts of the name (:contains, :exact supported)", STRING_MODIFIERS),
        SearchParam("identifier", "token", "Institution code of a site"),
        SearchParam("type", "token", f"Kind of room ({systems.ROOM_KIND})"),
        SearchParam("organization", "reference", "The managing institution (Organization)", ("Organization",)),
        SearchParam("partof", "reference", "Rooms of this site (Location)", ("Location",)),
    )

    async def read(self, ctx: Context, resource_id: str) -> Resource:
        inst = await ctx.session.get(Institution, resource_id)
        if inst is not None:
            return mapper.institution_to_fhir(inst)
        room = await ctx.session.get(Room, resource_id)
        if room is None:
            raise DomainError(NOT_FOUND, what="地点")
        site = await ctx.session.get(Institution, room.institution_id)
        if site is None:
            raise DomainError(NOT_FOUND, what="地点")
        dep = await ctx.session.get(Department, room.department_id) if room.department_id else None
        return mapper.room_to_fhir(room, site, dep)

    async def search(self, ctx: Context, req: SearchRequest) -> Page:
        iq = select(Institution).order_by(Institution.code, Institution.id)
        rq = select(Room).order_by(Room.institution_id, Room.code, Room.id)
        for c in req.of("_id"):
            iq, rq = iq.where(token_match(Institution.id, c, ())), rq.where(token_match(Room.id, c, ()))
        for c in req.of("name"):
            iq, rq = iq.where(string_match(Institution.name, c)), rq.where(string_match(Room.name, c))
        for c in req.of("identifier"):
            iq = iq.where(token_match(Institution.code, c, (systems.INSTITUTION_CODE,)))
            rq = rq.where(false())
        for c in req.of("type"):
            iq, rq = iq.where(false()), rq.where(token_match(Room.kind, c, (systems.ROOM_KIND,)))
        for c in req.of("organization"):
            iq = iq.where(reference_match(Institution.id, c, "Organization"))
            rq = rq.where(reference_match(Room.institution_id, c, "Organization"))
        for c in req.of("partof"):
            iq, rq = iq.where(false()), rq.where(reference_match(Room.institution_id, c, "Location"))
        rows, total = await concat_page(ctx.session, [iq, rq], req.offset, req.count)
        rooms = [r for r in rows if isinstance(r, Room)]
        sites = await by_ids(ctx.session, Institution, {r.institution_id for r in rooms})
        deps = await by_ids(ctx.session, Department, {r.department_id for r in rooms if r.department_id})
        out: list[Resource] = [
            mapper.institution_to_fhir(r) if isinstance(r, Institution)
            else mapper.room_to_fhir(r, sites[r.institution_id], deps.get(r.department_id or ""))
            for r in rows
        ]
        return Page(out, total)
