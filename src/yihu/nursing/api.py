"""Home nursing: the catalogue, orders, assessment, acceptance, manual assignment, cancellation, blacklist."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from sqlalchemy import select

from yihu.auth import policy
from yihu.auth.deps import CurrentActor, CurrentResident, MaybeActor
from yihu.db import utcnow
from yihu.errors import NOT_FOUND, DomainError
from yihu.kit.routing import CommittingRoute, SessionDep
from yihu.nursing import access, assignment, catalogue, eligibility, errors, orders, schemas, views
from yihu.nursing.models import NursingBlacklist, NursingDocument, NursingOrder
from yihu.registry import service as registry

router = APIRouter(tags=["nursing"], route_class=CommittingRoute)
MAX_DOC_BYTES = 2 * 1024 * 1024


def _content(body: schemas.ItemContentIn) -> catalogue.ItemContent:
    data = body.model_dump(exclude={"code", "category", "populations"})
    return catalogue.ItemContent(**data)


# ---- catalogue ----

@router.get("/nursing/catalogue/populations")
async def populations() -> dict[str, dict[str, str]]:
    return {k: {"zh": zh, "en": en} for k, (zh, en) in catalogue.POPULATIONS.items()}


@router.get("/nursing/catalogue/categories")
async def categories() -> dict[str, dict[str, str]]:
    return {k: {"zh": zh, "en": en} for k, (zh, en) in catalogue.CATEGORIES.items()}


@router.get("/nursing/items", response_model=list[schemas.ItemOut])
async def list_items(session: SessionDep, institution_id: str | None = None, category: str | None = None,
                     population: str | None = None) -> list[schemas.ItemOut]:
    rows = await catalogue.items(session, institution_id=institution_id, category=category, population=population)
    offered = await catalogue.offering_institutions(session, [i.id for i, _ in rows])
    return [views.item_out(i, v, offered[i.id]) for i, v in rows]


@router.get("/nursing/items/{item_id}", response_model=schemas.ItemOut)
async def get_item(item_id: str, session: SessionDep) -> schemas.ItemOut:
    item = await catalogue.get_item(session, item_id)
    offered = await catalogue.offering_institutions(session, [item.id])
    return views.item_out(item, await catalogue.current(session, item), offered[item.id])


@router.get("/nursing/items/{item_id}/versions", response_model=list[schemas.ItemOut])
async def item_versions(item_id: str, session: SessionDep) -> list[schemas.ItemOut]:
    item = await catalogue.get_item(session, item_id)
    return [views.item_out(item, v) for v in await catalogue.versions(session, item.id)]


@router.post("/nursing/items", response_model=schemas.ItemOut, status_code=status.HTTP_201_CREATED)
async def create_item(body: schemas.ItemIn, session: SessionDep, actor: CurrentActor) -> schemas.ItemOut:
    policy.require_role(actor, "regulator")
    item, v = await catalogue.create_item(session, code=body.code, category=body.category,
                                          populations=body.populations, content=_content(body),
                                          account_id=actor.account_id)
    return views.item_out(item, v)


@router.put("/nursing/items/{item_id}", response_model=schemas.ItemOut)
async def revise_item(item_id: str, body: schemas.ItemContentIn, session: SessionDep,
                      actor: CurrentActor) -> schemas.ItemOut:
    """A new version of the item; orders already placed keep theirs."""
    policy.require_role(actor, "regulator")
    v = await catalogue.revise_item(session, item_id, _content(body), account_id=actor.account_id)
    return views.item_out(await catalogue.get_item(session, item_id), v)


@router.put("/institutions/{institution_id}/nursing/offerings/{item_id}")
async def set_offering(institution_id: str, item_id: str, body: schemas.OfferingIn, session: SessionDep,
                       actor: CurrentActor) -> dict[str, bool]:
    policy.require_institution_staff(actor, institution_id, "institution_admin")
    row = await catalogue.set_offering(session, institution_id, item_id, body.active)
    return {"active": row.active}


# ---- orders ----

@router.post("/nursing/orders", response_model=list[schemas.OrderOut], status_code=status.HTTP_201_CREATED)
async def place_order(body: schemas.OrderIn, session: SessionDep, actor: CurrentResident) -> list[schemas.OrderOut]:
    """Order a visit (or a recurring series) for a patient bound to the account."""
    await policy.require_patient(session, actor, body.patient_id, "change")
    await registry.get_institution(session, body.institution_id)
    data = orders.OrderInput(**body.model_dump(exclude={"series"}),
                             series=[p.model_dump() for p in body.series])
    return await views.orders_out(session, await orders.place(session, actor, data))


@router.get("/nursing/orders", response_model=list[schemas.OrderOut])
async def list_orders(session: SessionDep, actor: CurrentActor,
                      status_in: Annotated[list[str] | None, Query(alias="status")] = None,
                      day: date | None = None, institution_id: str | None = None, mine: bool = False,
                      limit: Annotated[int, Query(ge=1, le=500)] = 100) -> list[schemas.OrderOut]:
    """Residents see their family's orders, staff their institution's (a nurse with ``mine`` only the visits
    assigned to them, in route order), the regulator the region's."""
    q = select(NursingOrder)
    scope = access.order_scope(actor)
    if scope is not None:
        q = q.where(scope)
    if mine and actor.role == "nurse":
        q = q.where(access.nurse_scope(actor)).order_by(NursingOrder.planned_start_at, NursingOrder.id)
    else:
        q = q.order_by(NursingOrder.created_at.desc(), NursingOrder.id)
    if status_in:
        q = q.where(NursingOrder.status.in_(status_in))
    if day:
        q = q.where(NursingOrder.service_day == day)
    if institution_id:
        q = q.where(NursingOrder.institution_id == institution_id)
    return await views.orders_out(session, (await session.scalars(q.limit(limit))).all())


async def _order(session: SessionDep, order_id: str, actor: MaybeActor, need: access.Need) -> NursingOrder:
    order = await orders.get(session, order_id)
    await access.require_order(session, actor, order, need)
    return order


@router.get("/nursing/orders/{order_id}", response_model=schemas.OrderDetail)
async def get_order(order_id: str, session: SessionDep, actor: CurrentActor) -> schemas.OrderDetail:
    return await views.order_detail(session, await _order(session, order_id, actor, "read"))


@router.post("/nursing/orders/{order_id}/documents", response_model=schemas.DocumentOut,
             status_code=status.HTTP_201_CREATED)
async def add_document(order_id: str, body: schemas.DocumentIn, session: SessionDep,
                       actor: CurrentResident) -> schemas.DocumentOut:
    """A supporting document (discharge summary, prior diagnosis), while the order is still being reviewed."""
    order = await _order(session, order_id, actor, "resident")
    if order.status not in ("requested", "first_visit"):
        raise DomainError(errors.ILLEGAL_STEP, status=order.status, action="upload")
    try:
        data = base64.b64decode(body.data_base64, validate=True)
    except (binascii.Error, ValueError):
        raise DomainError(errors.DOCUMENT_INVALID, max_kb=MAX_DOC_BYTES // 1024) from None
    magic = {"image/jpeg": b"\xff\xd8\xff", "image/png": b"\x89PNG", "application/pdf": b"%PDF"}
    if not data or len(data) > MAX_DOC_BYTES or not data.startswith(magic[body.content_type]):
        raise DomainError(errors.DOCUMENT_INVALID, max_kb=MAX_DOC_BYTES // 1024)
    doc = NursingDocument(order_id=order.id, kind=body.kind, filename=body.filename, content_type=body.content_type,
                          size_bytes=len(data), data=data, uploaded_by=actor.account_id, created_at=utcnow())
    session.add(doc)
    await session.flush()
    return schemas.DocumentOut(id=doc.id, kind=doc.kind, filename=doc.filename, content_type=doc.content_type,
                               size_bytes=doc.size_bytes, created_at=doc.created_at)


@router.get("/nursing/orders/{order_id}/documents/{document_id}")
async def get_document(order_id: str, document_id: str, session: SessionDep, actor: CurrentActor) -> Response:
    order = await _order(session, order_id, actor, "read")
    doc = await session.get(NursingDocument, document_id)
    if doc is None or doc.order_id != order.id:
        raise DomainError(NOT_FOUND, what="附件")
    return Response(doc.data, media_type=doc.content_type, headers={"Cache-Control": "no-store"})


@router.post("/nursing/orders/{order_id}/assess", response_model=list[schemas.OrderOut])
async def assess(order_id: str, body: schemas.AssessmentIn, session: SessionDep,
                 actor: CurrentActor) -> list[schemas.OrderOut]:
    order = await _order(session, order_id, actor, "manage")
    done = await orders.assess(session, actor, order, decision=body.decision, reason=body.reason,
                               assessment=body.model_dump(exclude={"decision", "reason"}))
    return await views.orders_out(session, done)


@router.post("/nursing/orders/{order_id}/accept", response_model=list[schemas.OrderOut])
async def accept(order_id: str, session: SessionDep, actor: CurrentActor) -> list[schemas.OrderOut]:
    order = await _order(session, order_id, actor, "manage")
    return await views.orders_out(session, await orders.accept(session, actor, order))


@router.post("/nursing/orders/{order_id}/cancel", response_model=schemas.OrderOut)
async def cancel(order_id: str, body: schemas.ReasonIn, session: SessionDep, actor: CurrentActor) -> schemas.OrderOut:
    order = await orders.get(session, order_id)
    by_resident = actor.role == "resident"
    await access.require_order(session, actor, order, "resident" if by_resident else "manage")
    done = await orders.cancel(session, actor, order, reason=body.reason, by_resident=by_resident)
    return (await views.orders_out(session, [done]))[0]


@router.get("/nursing/orders/{order_id}/nurses", response_model=list[schemas.NurseEligibilityOut])
async def nurses_for(order_id: str, session: SessionDep, actor: CurrentActor) -> list[schemas.NurseEligibilityOut]:
    """Every nurse of the institution for this visit: eligible or not, and why not (the console shows it)."""
    order = await _order(session, order_id, actor, "manage")
    version = await assignment.requirements(session, order)
    rows = await eligibility.nurses_of(session, order.institution_id, order.service_day,
                                       required=version.credentials, patient_id=order.patient_id)
    busy: set[str] = set()
    if order.planned_start_at and order.planned_end_at:
        busy = await assignment.busy_nurses(session, [n.id for n, _ in rows], order.planned_start_at,
                                            order.planned_end_at, order.id)
    out = []
    for n, e in rows:
        out.append(schemas.NurseEligibilityOut(
            practitioner_id=n.id, name=n.name, title=n.title, eligible=e.eligible, busy=n.id in busy,
            failures=[schemas.CheckOut(code=f.code, text=f.text()) for f in e.failures]))
    out.sort(key=lambda r: (not r.eligible, r.name))
    return out


@router.post("/nursing/orders/{order_id}/assign", response_model=schemas.OrderOut)
async def assign(order_id: str, body: schemas.AssignIn, session: SessionDep, actor: CurrentActor) -> schemas.OrderOut:
    """Assign by hand (or override the proposed plan): eligibility re-checked, no overlapping visit."""
    order = await _order(session, order_id, actor, "manage")
    done = await assignment.assign(session, actor, order, nurse_id=body.nurse_id,
                                   second_nurse_id=body.second_nurse_id, start=body.start)
    return (await views.orders_out(session, [done]))[0]


@router.post("/nursing/orders/{order_id}/unassign", response_model=schemas.OrderOut)
async def unassign(order_id: str, body: schemas.ReasonIn, session: SessionDep,
                   actor: CurrentActor) -> schemas.OrderOut:
    order = await _order(session, order_id, actor, "manage")
    return (await views.orders_out(session, [await assignment.unassign(session, actor, order, body.reason)]))[0]


# ---- blacklist ----

async def _blacklist_out(session: SessionDep, rows: Sequence[NursingBlacklist]) -> list[schemas.BlacklistOut]:
    names = await registry.names_of(session, list({r.patient_id for r in rows}))
    return [schemas.BlacklistOut(id=r.id, patient_id=r.patient_id, patient_name=names.get(r.patient_id, ""),
                                 practitioner_id=r.practitioner_id, reason=r.reason, created_at=r.created_at,
                                 lifted_at=r.lifted_at) for r in rows]


@router.get("/institutions/{institution_id}/nursing/blacklist", response_model=list[schemas.BlacklistOut])
async def get_blacklist(institution_id: str, session: SessionDep, actor: CurrentActor) -> list[schemas.BlacklistOut]:
    policy.require_institution_staff(actor, institution_id, "institution_admin")
    return await _blacklist_out(session, await orders.blacklist(session, institution_id))


@router.post("/institutions/{institution_id}/nursing/blacklist", response_model=schemas.BlacklistOut,
             status_code=status.HTTP_201_CREATED)
async def add_blacklist(institution_id: str, body: schemas.BlacklistIn, session: SessionDep,
                        actor: CurrentActor) -> schemas.BlacklistOut:
    """Bar an abusive recipient (no practitioner), or keep one nurse away from one recipient."""
    policy.require_institution_staff(actor, institution_id, "institution_admin")
    if not await registry.patient_is_linked(session, body.patient_id, institution_id):
        raise DomainError(NOT_FOUND, what="服务对象")
    row = await orders.add_to_blacklist(session, actor, institution_id=institution_id, patient_id=body.patient_id,
                                        reason=body.reason, practitioner_id=body.practitioner_id)
    return (await _blacklist_out(session, [row]))[0]


@router.post("/institutions/{institution_id}/nursing/blacklist/{entry_id}/lift", response_model=schemas.BlacklistOut)
async def lift_blacklist(institution_id: str, entry_id: str, session: SessionDep,
                         actor: CurrentActor) -> schemas.BlacklistOut:
    policy.require_institution_staff(actor, institution_id, "institution_admin")
    row = await orders.lift_blacklist(session, actor, entry_id, institution_id)
    return (await _blacklist_out(session, [row]))[0]
