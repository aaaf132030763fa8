"""ServiceRequest and Task: two views of the same home-nursing order (the request, and its fulfilment), read and
searched within the nursing API's scope (``nursing.access``); every one shown is audited."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable
from typing import ClassVar

from fhir.resources.R4B.resource import Resource
from sqlalchemy import ColumnElement, and_, or_, select

from yihu.auth import policy
from yihu.fhir.dates import date_match
from yihu.fhir.filters import reference_ids, reference_match, token_codes, token_match
from yihu.fhir.handlers import nursing_rows
from yihu.fhir.handlers.base import Context, Page, ResourceHandler, count_of
from yihu.fhir.mappers import service_request, task
from yihu.fhir.mappers.nursing import ITEM, ORDER_NUMBER, ORDER_STATUS, OrderRows
from yihu.fhir.search import Criterion, SearchParam, SearchRequest, id_param
from yihu.nursing import access
from yihu.nursing.models import NursingItem, NursingOrder

Filter = Callable[[Criterion], ColumnElement[bool]]


def status_filter(system: str, fhir_statuses: tuple[str, ...],
                  ours: Callable[[str], tuple[str, ...]]) -> Filter:
    def build(c: Criterion) -> ColumnElement[bool]:
        codes = token_codes(c, (system,))
        if codes is None:
            return NursingOrder.status.is_not(None)
        return NursingOrder.status.in_([s for code in codes if code in fhir_statuses for s in ours(code)])
    return build


def _performer(c: Criterion) -> ColumnElement[bool]:
    nurses = reference_ids(c, "Practitioner")
    insts = reference_ids(c, "Organization")
    return or_(NursingOrder.nurse_id.in_(nurses), NursingOrder.second_nurse_id.in_(nurses),
               NursingOrder.institution_id.in_(insts))


def _owner(c: Criterion) -> ColumnElement[bool]:
    """As ``task.owner``: the nurse when one is assigned, otherwise the institution."""
    return or_(NursingOrder.nurse_id.in_(reference_ids(c, "Practitioner")),
               and_(NursingOrder.nurse_id.is_(None), NursingOrder.institution_id.in_(reference_ids(c, "Organization"))))


def _code(c: Criterion) -> ColumnElement[bool]:
    return NursingOrder.item_id.in_(select(NursingItem.id).where(token_match(NursingItem.code, c, (ITEM,))))


COMMON: dict[str, Filter] = {
    "_id": lambda c: token_match(NursingOrder.id, c, ()),
    "patient": lambda c: reference_match(NursingOrder.patient_id, c, "Patient"),
}


class _OrderHandler(ResourceHandler):
    filters: ClassVar[dict[str, Filter]]
    trail: ClassVar[bool] = False  # load the order's events (the Task shows them)

    @abstractmethod
    def to_fhir(self, rows: OrderRows) -> Resource: ...

    async def read(self, ctx: Context, resource_id: str) -> Resource:
        rows = await nursing_rows.one(ctx.session, resource_id, "护理订单", events=self.trail)
        actor = await access.require_order(ctx.session, ctx.actor, rows.order, "read")
        nursing_rows.shown(ctx, actor, "read", self.resource_type, rows.order.id, rows.order)
        return self.to_fhir(rows)

    async def search(self, ctx: Context, req: SearchRequest) -> Page:
        actor = policy.require_actor(ctx.actor)
        q = select(NursingOrder).order_by(NursingOrder.created_at.desc(), NursingOrder.id)
        limit = access.order_scope(actor)
        if limit is not None:
            q = q.where(limit)
        for c in req.criteria:
            q = q.where(self.filters[c.param.name](c))
        total = await count_of(ctx.session, q)
        orders = list((await ctx.session.scalars(q.offset(req.offset).limit(req.count))).all()) if req.count else []
        out = []
        for rows in await nursing_rows.load(ctx.session, orders, events=self.trail):
            nursing_rows.shown(ctx, actor, "search", self.resource_type, rows.order.id, rows.order)
            out.append(self.to_fhir(rows))
        return Page(out, total)


class ServiceRequestHandler(_OrderHandler):
    resource_type = "ServiceRequest"
    documentation = ("Home-nursing orders (one per visit): the item, the patient, the requested time window and "
                     "address, the assigned nurses. active from placement until the visit is completed (completed) "
                     "or the order is rejected or cancelled (revoked); the institution's side of the workflow is the "
                     "order's Task. Limited to the caller's patients (residents), institution (admins and nurses) or "
                     "region (regulator).")
    search_params: ClassVar[tuple[SearchParam, ...]] = (
        id_param("ServiceRequest"),
        SearchParam("patient", "reference", "The patient (Patient)", ("Patient",)),
        SearchParam("status", "token", "active | completed | revoked"),
        SearchParam("authored", "date", "When the order was placed (prefixes eq ne gt lt ge le sa eb; dates are "
                                        "Asia/Shanghai)"),
        SearchParam("performer", "reference", "An assigned nurse (Practitioner) or the institution (Organization)",
                    ("Practitioner", "Organization")),
        SearchParam("code", "token", f"The item ({ITEM})"),
        SearchParam("identifier", "token", f"The order number ({ORDER_NUMBER})"),
    )
    filters: ClassVar[dict[str, Filter]] = {
        **COMMON,
        "status": status_filter(service_request.STATUS_SYSTEM, service_request.FHIR_STATUSES,
                                service_request.our_statuses),
        "authored": lambda c: date_match(NursingOrder.created_at, c),
        "performer": _performer,
        "code": _code,
        "identifier": lambda c: token_match(NursingOrder.number, c, (ORDER_NUMBER,)),
    }

    def to_fhir(self, rows: OrderRows) -> Resource:
        return service_request.to_fhir(rows)


class TaskHandler(_OrderHandler):
    resource_type = "Task"
    documentation = ("The fulfilment of each home-nursing order (id = its ServiceRequest's): FHIR task status from "
                     "the order's state, our exact state as businessStatus, the nurse (or, before dispatch, the "
                     "institution) as owner, every step of the trail as a note, and the consent, encounter and "
                     "procedure produced as outputs. Same scope as ServiceRequest.")
    search_params: ClassVar[tuple[SearchParam, ...]] = (
        id_param("Task"),
        SearchParam("patient", "reference", "The patient the task is for (Patient)", ("Patient",)),
        SearchParam("status", "token", ", ".join(task.FHIR_STATUSES)),
        SearchParam("owner", "reference", "The assigned nurse (Practitioner), or the institution (Organization) "
                                          "while none is", ("Practitioner", "Organization")),
        SearchParam("focus", "reference", "The order (ServiceRequest)", ("ServiceRequest",)),
        SearchParam("business-status", "token", f"Our order state ({ORDER_STATUS})"),
    )
    trail = True
    filters: ClassVar[dict[str, Filter]] = {
        **COMMON,
        "status": status_filter(task.STATUS_SYSTEM, task.FHIR_STATUSES, task.our_statuses),
        "owner": _owner,
        "focus": lambda c: reference_match(NursingOrder.id, c, "ServiceRequest"),
        "business-status": lambda c: token_match(NursingOrder.status, c, (ORDER_STATUS,)),
    }

    def to_fhir(self, rows: OrderRows) -> Resource:
        return task.to_fhir(rows)
