"""Consent: the informed consents signed before home-nursing visits, read and searched within the nursing API's
scope (``nursing.access``); every one shown is audited."""

from __future__ import annotations

from typing import ClassVar

from fhir.resources.R4B.resource import Resource
from sqlalchemy import ColumnElement, Select, false, or_, select

from yihu.auth import policy
from yihu.errors import NOT_FOUND, DomainError
from yihu.fhir.dates import date_match
from yihu.fhir.filters import reference_match, token_codes, token_match
from yihu.fhir.handlers import nursing_rows
from yihu.fhir.handlers.base import Context, Page, ResourceHandler, count_of
from yihu.fhir.handlers.nursing_orders import Filter
from yihu.fhir.mappers import consent as mapper
from yihu.fhir.search import Criterion, SearchParam, SearchRequest, id_param
from yihu.nursing import access
from yihu.nursing.models import NursingOrder
from yihu.nursing.visit_models import NursingConsent


def _status(c: Criterion) -> ColumnElement[bool]:
    codes = token_codes(c, (mapper.STATUS_SYSTEM,))
    if codes is None:
        return NursingOrder.status.is_not(None)
    conds = []
    if "active" in codes:
        conds.append(NursingOrder.status != "cancelled")
    if "inactive" in codes:
        conds.append(NursingOrder.status == "cancelled")
    return or_(*conds) if conds else false()


FILTERS: dict[str, Filter] = {
    "_id": lambda c: token_match(NursingConsent.id, c, ()),
    "patient": lambda c: reference_match(NursingOrder.patient_id, c, "Patient"),
    "status": _status,
    "date": lambda c: date_match(NursingConsent.signed_at, c),
    "data": lambda c: reference_match(NursingConsent.order_id, c, "ServiceRequest"),
}


def _base() -> Select[tuple[NursingConsent, NursingOrder]]:
    return select(NursingConsent, NursingOrder).join(NursingOrder, NursingOrder.id == NursingConsent.order_id)


class ConsentHandler(ResourceHandler):
    resource_type = "Consent"
    documentation = ("Informed consents (知情同意) signed before home-nursing visits: scope treatment, the text shown "
                     "as a plain-text attachment with its SHA-1 hash, the signer, the nurse and the ordered item; "
                     "inactive once the order is cancelled. Same scope as ServiceRequest.")
    search_params: ClassVar[tuple[SearchParam, ...]] = (
        id_param("Consent"),
        SearchParam("patient", "reference", "The patient (Patient)", ("Patient",)),
        SearchParam("status", "token", "active | inactive"),
        SearchParam("date", "date", "When it was signed (prefixes eq ne gt lt ge le sa eb; dates are Asia/Shanghai)"),
        SearchParam("data", "reference", "The order consented to (ServiceRequest)", ("ServiceRequest",)),
    )

    async def read(self, ctx: Context, resource_id: str) -> Resource:
        consent = await ctx.session.get(NursingConsent, resource_id)
        if consent is None:
            raise DomainError(NOT_FOUND, what="知情同意书")
        rows = await nursing_rows.one(ctx.session, consent.order_id, "知情同意书")
        actor = await access.require_order(ctx.session, ctx.actor, rows.order, "read")
        nursing_rows.shown(ctx, actor, "read", self.resource_type, consent.id, rows.order)
        return mapper.to_fhir(rows)

    async def search(self, ctx: Context, req: SearchRequest) -> Page:
        actor = policy.require_actor(ctx.actor)
        q = _base().order_by(NursingConsent.signed_at.desc(), NursingConsent.id)
        limit = access.order_scope(actor)
        if limit is not None:
            q = q.where(limit)
        for c in req.criteria:
            q = q.where(FILTERS[c.param.name](c))
        total = await count_of(ctx.session, q)
        found = (await ctx.session.execute(q.offset(req.offset).limit(req.count))).tuples().all() if req.count else []
        out: list[Resource] = []
        for rows in await nursing_rows.load(ctx.session, [o for _c, o in found]):
            if rows.consent is not None:
                nursing_rows.shown(ctx, actor, "search", self.resource_type, rows.consent.id, rows.order)
                out.append(mapper.to_fhir(rows))
        return Page(out, total)
