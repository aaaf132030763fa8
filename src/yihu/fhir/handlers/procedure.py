"""Procedure: the care given at each recorded home-nursing visit (from its signed nursing record), read and
searched as the patient's record (see ``nursing_rows``); every one shown is audited."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, cast

from fhir.resources.R4B.resource import Resource
from sqlalchemy import ColumnElement, Select, false, or_, select
from sqlalchemy.orm import InstrumentedAttribute

from yihu.auth import policy
from yihu.errors import NOT_FOUND, DomainError
from yihu.fhir.dates import date_match
from yihu.fhir.filters import reference_ids, reference_match, token_codes, token_match
from yihu.fhir.handlers import nursing_rows
from yihu.fhir.handlers.base import Context, Page, ResourceHandler, count_of
from yihu.fhir.handlers.nursing_orders import Filter
from yihu.fhir.mappers import procedure as mapper
from yihu.fhir.mappers.nursing import order_of_encounter
from yihu.fhir.search import Criterion, SearchParam, SearchRequest, id_param
from yihu.nursing.models import NursingOrder
from yihu.nursing.visit_models import NursingRecord


def _status(c: Criterion) -> ColumnElement[bool]:
    codes = token_codes(c, (mapper.STATUS_SYSTEM,))
    if codes is None:
        return NursingRecord.status.is_not(None)
    conds = []
    if "completed" in codes:
        conds.append(NursingRecord.status != mapper.ERROR)
    if mapper.ERROR in codes:
        conds.append(NursingRecord.status == mapper.ERROR)
    return or_(*conds) if conds else false()


def encounter_match(column: InstrumentedAttribute[str], c: Criterion) -> ColumnElement[bool]:
    """``Encounter/nursing-<order id>`` → the order; an outpatient visit's id matches nothing here."""
    orders = [o for o in (order_of_encounter(e) for e in reference_ids(c, "Encounter")) if o]
    return column.in_(orders) if orders else false()


FILTERS: dict[str, Filter] = {
    "_id": lambda c: token_match(NursingRecord.id, c, ()),
    "patient": lambda c: reference_match(NursingRecord.patient_id, c, "Patient"),
    "encounter": lambda c: encounter_match(NursingRecord.order_id, c),
    "based-on": lambda c: reference_match(NursingRecord.order_id, c, "ServiceRequest"),
    "date": lambda c: date_match(cast(InstrumentedAttribute[datetime], NursingOrder.checked_in_at), c),
    "status": _status,
}


def base() -> Select[tuple[NursingRecord, NursingOrder]]:
    return select(NursingRecord, NursingOrder).join(NursingOrder, NursingOrder.id == NursingRecord.order_id)


class ProcedureHandler(ResourceHandler):
    resource_type = "Procedure"
    documentation = ("Home-nursing care given (one per signed nursing record): the item, the nurses, performed from "
                     "check-in to check-out, actions and assessment as notes, advice as follow-up. Part of the patient's "
                     "record: the caller's patients (residents), patients known to the caller's institution (staff) "
                     "or the region (regulator).")
    search_params: ClassVar[tuple[SearchParam, ...]] = (
        id_param("Procedure"),
        SearchParam("patient", "reference", "The patient (Patient)", ("Patient",)),
        SearchParam("encounter", "reference", "The home visit (Encounter)", ("Encounter",)),
        SearchParam("based-on", "reference", "The order (ServiceRequest)", ("ServiceRequest",)),
        SearchParam("date", "date", "The check-in of the visit (prefixes eq ne gt lt ge le sa eb; dates are "
                                    "Asia/Shanghai)"),
        SearchParam("status", "token", "completed | entered-in-error"),
    )

    async def read(self, ctx: Context, resource_id: str) -> Resource:
        policy.require_actor(ctx.actor)
        record = await ctx.session.get(NursingRecord, resource_id)
        if record is None:
            raise DomainError(NOT_FOUND, what="护理记录")
        actor = await nursing_rows.require_record(ctx.session, ctx.actor, record.patient_id)
        rows = await nursing_rows.one(ctx.session, record.order_id, "护理记录")
        nursing_rows.shown(ctx, actor, "read", self.resource_type, record.id, rows.order)
        return mapper.to_fhir(rows)

    async def search(self, ctx: Context, req: SearchRequest) -> Page:
        actor = policy.require_actor(ctx.actor)
        q = base().order_by(NursingRecord.signed_at.desc(), NursingRecord.id)
        limit = nursing_rows.record_scope(actor, NursingRecord.patient_id)
        if limit is not None:
            q = q.where(limit)
        for c in req.criteria:
            q = q.where(FILTERS[c.param.name](c))
        total = await count_of(ctx.session, q)
        found = (await ctx.session.execute(q.offset(req.offset).limit(req.count))).tuples().all() if req.count else []
        out: list[Resource] = []
        for rows in await nursing_rows.load(ctx.session, [o for _r, o in found]):
            if rows.record is not None:
                nursing_rows.shown(ctx, actor, "search", self.resource_type, rows.record.id, rows.order)
                out.append(mapper.to_fhir(rows))
        return Page(out, total)
