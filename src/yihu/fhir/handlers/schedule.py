"""Schedule: public, like the REST schedule list; the actor is the doctor and the place."""

from __future__ import annotations

from typing import ClassVar

from fhir.resources.R4B.resource import Resource
from sqlalchemy import select

from yihu.fhir import systems
from yihu.fhir.filters import boolean_match, token_match
from yihu.fhir.handlers import schedule_rows
from yihu.fhir.handlers.base import Context, Page, ResourceHandler, concat_page
from yihu.fhir.handlers.schedule_filters import ACTOR_TYPES, actor_match, service_type_match, specialty_match
from yihu.fhir.mappers import schedule as mapper
from yihu.fhir.search import SearchParam, SearchRequest, id_param
from yihu.kit import clock
from yihu.scheduling import schedules
from yihu.scheduling.models import Schedule

SERVICE_TYPE_DOC = (f"Clinical subject ({systems.CLINICAL_SUBJECT}), exam resource kind ({systems.ROOM_KIND}) "
                    f"or slot class ({systems.SLOT_CLASS})")
SPECIALTY_DOC = f"The department's clinical subject ({systems.CLINICAL_SUBJECT})"


class ScheduleHandler(ResourceHandler):
    resource_type = "Schedule"
    documentation = ("What can be booked: a doctor's clinic, a department's clinic or an exam resource, with its "
                     "rolling planning horizon and registration fee; readable without signing in.")
    search_params: ClassVar[tuple[SearchParam, ...]] = (
        id_param("Schedule"),
        SearchParam("actor", "reference", "The doctor (Practitioner) or the place (Location: the institution's "
                                          "site, or the exam room)", ACTOR_TYPES),
        SearchParam("active", "token", "Whether the schedule is active"),
        SearchParam("service-type", "token", SERVICE_TYPE_DOC),
        SearchParam("specialty", "token", SPECIALTY_DOC),
    )

    async def _resources(self, ctx: Context, rows: list[Schedule]) -> list[Resource]:
        loaded = await schedule_rows.load(ctx.session, rows)
        today = clock.local_date(clock.now())
        return [mapper.to_fhir(loaded[s.id], today) for s in rows]

    async def read(self, ctx: Context, resource_id: str) -> Resource:
        return (await self._resources(ctx, [await schedules.get(ctx.session, resource_id)]))[0]

    async def search(self, ctx: Context, req: SearchRequest) -> Page:
        q = select(Schedule).order_by(Schedule.institution_id, Schedule.name, Schedule.id)
        for c in req.of("_id"):
            q = q.where(token_match(Schedule.id, c, ()))
        for c in req.of("actor"):
            q = q.where(actor_match(c))
        for c in req.of("active"):
            q = q.where(boolean_match(Schedule.active, c))
        for c in req.of("service-type"):
            q = q.where(service_type_match(c))
        for c in req.of("specialty"):
            q = q.where(specialty_match(c))
        rows, total = await concat_page(ctx.session, [q], req.offset, req.count)
        return Page(await self._resources(ctx, rows), total)
