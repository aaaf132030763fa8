"""Slot: public, like the REST slot search; its status is what an online booking would meet right now."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from fhir.resources.R4B.resource import Resource
from sqlalchemy import select

from yihu.fhir.dates import date_match
from yihu.fhir.filters import any_of, reference_match, token_codes, token_match
from yihu.fhir.handlers import schedule_rows
from yihu.fhir.handlers.base import Context, Page, ResourceHandler, concat_page
from yihu.fhir.handlers.schedule import SERVICE_TYPE_DOC, SPECIALTY_DOC
from yihu.fhir.handlers.schedule_filters import service_type_match, specialty_match
from yihu.fhir.mappers import slot as mapper
from yihu.fhir.search import Criterion, SearchParam, SearchRequest, id_param
from yihu.kit import clock
from yihu.scheduling import schedules
from yihu.scheduling.models import Schedule, Slot

SLOT_STATUS_SYSTEM = "http://hl7.org/fhir/slotstatus"


def _statuses(c: Criterion) -> list[mapper.SlotStatus]:
    codes = token_codes(c, (SLOT_STATUS_SYSTEM,))
    return list(mapper.STATUSES) if codes is None else [s for s in mapper.STATUSES if s in codes]


class SlotHandler(ResourceHandler):
    resource_type = "Slot"
    documentation = ("Bookable times of a schedule, readable without signing in. free: a place can be booked online "
                     "now; busy: not released yet, started, or every online place taken; busy-unavailable: the "
                     "session was stopped (停诊). The free-places extension counts the places left online.")
    search_params: ClassVar[tuple[SearchParam, ...]] = (
        id_param("Slot"),
        SearchParam("schedule", "reference", "The schedule (Schedule)", ("Schedule",)),
        SearchParam("start", "date", "The slot's start (prefixes eq ne gt lt ge le sa eb; dates are Asia/Shanghai)"),
        SearchParam("status", "token", "free | busy | busy-unavailable"),
        SearchParam("service-type", "token", SERVICE_TYPE_DOC),
        SearchParam("specialty", "token", SPECIALTY_DOC),
    )

    async def _resources(self, ctx: Context, rows: list[Slot], now: datetime) -> list[Resource]:
        loaded = await schedule_rows.load_ids(ctx.session, {s.schedule_id for s in rows})
        return [mapper.to_fhir(s, loaded[s.schedule_id], now) for s in rows]

    async def read(self, ctx: Context, resource_id: str) -> Resource:
        return (await self._resources(ctx, [await schedules.get_slot(ctx.session, resource_id)], clock.now()))[0]

    async def search(self, ctx: Context, req: SearchRequest) -> Page:
        now = clock.now()
        q = select(Slot).join(Schedule, Schedule.id == Slot.schedule_id).order_by(Slot.start_at, Slot.id)
        for c in req.of("_id"):
            q = q.where(token_match(Slot.id, c, ()))
        for c in req.of("schedule"):
            q = q.where(reference_match(Slot.schedule_id, c, "Schedule"))
        for c in req.of("start"):
            q = q.where(date_match(Slot.start_at, c))
        for c in req.of("status"):
            q = q.where(any_of(mapper.status_condition(s, now) for s in _statuses(c)))
        for c in req.of("service-type"):
            q = q.where(service_type_match(c))
        for c in req.of("specialty"):
            q = q.where(specialty_match(c))
        rows, total = await concat_page(ctx.session, [q], req.offset, req.count)
        return Page(await self._resources(ctx, rows, now), total)
