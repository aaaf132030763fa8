"""Encounter for home-nursing visits (class HH): the nursing half of the served Encounter type (see
``combined``), read and searched as the patient's record (see ``nursing_rows``); every one shown is audited."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, cast

from fhir.resources.R4B.resource import Resource
from sqlalchemy import ColumnElement, false, select, true
from sqlalchemy.orm import InstrumentedAttribute

from yihu.auth import policy
from yihu.errors import NOT_FOUND, DomainError
from yihu.fhir.dates import date_match
from yihu.fhir.filters import reference_match, token_codes
from yihu.fhir.handlers import nursing_rows
from yihu.fhir.handlers.base import Context, Page, ResourceHandler, count_of
from yihu.fhir.handlers.nursing_orders import Filter, status_filter
from yihu.fhir.mappers import nursing_encounter as mapper
from yihu.fhir.mappers.encounter import STATUS_SYSTEM
from yihu.fhir.mappers.nursing import encounter_id, order_of_encounter
from yihu.fhir.search import Criterion, SearchParam, SearchRequest, id_param
from yihu.nursing.models import NursingOrder


def _ids(c: Criterion) -> ColumnElement[bool]:
    codes = token_codes(c, ())
    if codes is None:
        return true()
    orders = [o for o in (order_of_encounter(v) for v in codes) if o]
    return NursingOrder.id.in_(orders) if orders else false()


FILTERS: dict[str, Filter] = {
    "_id": _ids,
    "patient": lambda c: reference_match(NursingOrder.patient_id, c, "Patient"),
    "date": lambda c: date_match(cast(InstrumentedAttribute[datetime], NursingOrder.checked_in_at), c),
    "status": status_filter(STATUS_SYSTEM, mapper.FHIR_STATUSES, mapper.our_statuses),
    "based-on": lambda c: reference_match(NursingOrder.id, c, "ServiceRequest"),
}


class NursingEncounterHandler(ResourceHandler):
    resource_type = "Encounter"
    documentation = ("Home-nursing visits (class HH, id nursing-<order id>): from the nurse's check-in "
                     "(in-progress) to the check-out (finished), or cancelled after check-in; basedOn the order "
                     "(ServiceRequest).")
    search_params: ClassVar[tuple[SearchParam, ...]] = (
        id_param("Encounter"),
        SearchParam("patient", "reference", "The patient (Patient)", ("Patient",)),
        SearchParam("date", "date", "The check-in time (prefixes eq ne gt lt ge le sa eb; dates are Asia/Shanghai)"),
        SearchParam("status", "token", "in-progress | finished | cancelled"),
        SearchParam("based-on", "reference", "The home-nursing order (ServiceRequest)", ("ServiceRequest",)),
    )

    @staticmethod
    def owns(resource_id: str) -> bool:
        return order_of_encounter(resource_id) is not None

    async def read(self, ctx: Context, resource_id: str) -> Resource:
        actor = policy.require_actor(ctx.actor)
        order_id = order_of_encounter(resource_id)
        order = await ctx.session.get(NursingOrder, order_id) if order_id else None
        if order is None or order.checked_in_at is None:
            raise DomainError(NOT_FOUND, what="上门服务")
        actor = await nursing_rows.require_record(ctx.session, actor, order.patient_id)
        rows = (await nursing_rows.load(ctx.session, [order]))[0]
        nursing_rows.shown(ctx, actor, "read", self.resource_type, resource_id, order)
        return mapper.to_fhir(rows)

    async def search(self, ctx: Context, req: SearchRequest) -> Page:
        actor = policy.require_actor(ctx.actor)
        q = (select(NursingOrder).where(NursingOrder.checked_in_at.is_not(None))
             .order_by(NursingOrder.checked_in_at, NursingOrder.id))
        limit = nursing_rows.record_scope(actor, NursingOrder.patient_id)
        if limit is not None:
            q = q.where(limit)
        for c in req.criteria:
            q = q.where(FILTERS[c.param.name](c))
        total = await count_of(ctx.session, q)
        orders = list((await ctx.session.scalars(q.offset(req.offset).limit(req.count))).all()) if req.count else []
        out: list[Resource] = []
        for rows in await nursing_rows.load(ctx.session, orders):
            nursing_rows.shown(ctx, actor, "search", self.resource_type, encounter_id(rows.order.id),
                               rows.order)
            out.append(mapper.to_fhir(rows))
        return Page(out, total)
