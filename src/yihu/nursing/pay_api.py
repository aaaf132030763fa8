"""A visit's bill (its breakdown; paying uses POST /bills/{bill_id}/payments), refunds, rating, follow-ups."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response, status
from sqlalchemy import select

from yihu.auth.actor import Actor
from yihu.auth.deps import CurrentActor, CurrentResident
from yihu.errors import FORBIDDEN, DomainError
from yihu.kit.routing import CommittingRoute, SessionDep
from yihu.nursing import access, orders, payment, rating
from yihu.nursing import pay_schemas as s
from yihu.nursing.models import NursingOrder
from yihu.nursing.visit_models import NursingFollowUp, NursingRating
from yihu.registry.models import Practitioner

router = APIRouter(tags=["nursing"], route_class=CommittingRoute)


async def _order(session: SessionDep, order_id: str, actor: Actor, need: access.Need) -> NursingOrder:
    order = await orders.get(session, order_id)
    await access.require_order(session, actor, order, need)
    return order


def _scope(actor: Actor, institution_id: str | None) -> str | None:
    """Institution admins see their own institution, the regulator any (or the region)."""
    if actor.role == "regulator":
        return institution_id
    if actor.role == "institution_admin" and actor.institution_id and institution_id in (None, actor.institution_id):
        return actor.institution_id
    raise DomainError(FORBIDDEN)


@router.get("/nursing/orders/{order_id}/bill", response_model=s.BreakdownOut,
            summary="What the visit costs: item price + home-visit fee + consumables used, and its bill")
async def order_bill(order_id: str, session: SessionDep, actor: CurrentActor) -> s.BreakdownOut:
    order = await _order(session, order_id, actor, "read")
    b = await payment.breakdown(session, order)
    bill = None if b.bill is None else s.BillStateOut(
        id=b.bill.id, status=b.bill.status, amount_fen=b.bill.amount_fen, paid_fen=b.bill.paid_fen,
        refunded_fen=b.bill.refunded_fen, paid_at=b.bill.paid_at)
    return s.BreakdownOut(
        order_id=order.id, number=order.number, order_status=order.status, kind=b.kind,
        item_name=await orders.item_name(session, order), price_fen=b.price_fen, visit_fee_fen=b.visit_fee_fen,
        consumables=[s.ConsumableLineOut(code=c.consumable_code, name=c.name_zh, unit=c.unit, count=c.count,
                                         unit_fen=c.unit_fen, amount_fen=c.amount_fen) for c in b.lines],
        consumables_fen=b.consumables_fen, total_fen=b.total_fen, bill=bill)


@router.post("/nursing/orders/{order_id}/refunds", response_model=s.RefundOut, status_code=status.HTTP_201_CREATED,
             summary="Refund all or part of a paid visit (the institution admin; idempotent by refund_request_id)")
async def refund(order_id: str, body: s.RefundIn, response: Response, session: SessionDep,
                 actor: CurrentActor) -> s.RefundOut:
    order = await _order(session, order_id, actor, "manage")
    r = await payment.refund(session, actor, order, request_id=body.refund_request_id, reason=body.reason,
                             amount_fen=body.amount_fen)
    if not r.new:
        response.status_code = status.HTTP_200_OK
    return s.RefundOut(id=r.id, refund_request_id=r.request_id, amount_fen=r.amount_fen, status=r.status,
                       reason=r.reason, created_at=r.created_at, replayed=not r.new)


async def _ratings_out(session: SessionDep, rows: Sequence[NursingRating]) -> list[s.RatingOut]:
    if not rows:
        return []
    numbers = dict((await session.execute(select(NursingOrder.id, NursingOrder.number).where(
        NursingOrder.id.in_({r.order_id for r in rows})))).tuples().all())
    nurse_ids = {r.nurse_id for r in rows if r.nurse_id}
    names = dict((await session.execute(select(Practitioner.id, Practitioner.name).where(
        Practitioner.id.in_(nurse_ids)))).tuples().all()) if nurse_ids else {}
    follows = {f.order_id: f for f in (await session.scalars(select(NursingFollowUp).where(
        NursingFollowUp.order_id.in_({r.order_id for r in rows})))).all()}
    return [s.RatingOut(order_id=r.order_id, order_number=numbers.get(r.order_id, ""), institution_id=r.institution_id,
                        nurse_id=r.nurse_id, nurse_name=names.get(r.nurse_id or ""), stars=r.stars,
                        comment=r.comment, complaint=r.complaint, rated_at=r.rated_at,
                        followup=s.FollowUpBrief(id=f.id, reason=f.reason, status=f.status)
                        if (f := follows.get(r.order_id)) else None) for r in rows]


@router.post("/nursing/orders/{order_id}/rating", response_model=s.RatingOut, status_code=status.HTTP_201_CREATED,
             summary="Rate a paid visit once (the resident): 1–5 stars, a comment, a complaint flag")
async def rate(order_id: str, body: s.RatingIn, session: SessionDep, actor: CurrentResident) -> s.RatingOut:
    order = await _order(session, order_id, actor, "resident")
    row, _ = await rating.rate(session, actor, order, stars=body.stars, comment=body.comment,
                               complaint=body.complaint)
    return (await _ratings_out(session, [row]))[0]


@router.get("/nursing/orders/{order_id}/rating", response_model=s.RatingOut | None,
            summary="The visit's rating (null while not rated)")
async def get_rating(order_id: str, session: SessionDep, actor: CurrentActor) -> s.RatingOut | None:
    order = await _order(session, order_id, actor, "read")
    row = await rating.rating_of(session, order.id)
    return None if row is None else (await _ratings_out(session, [row]))[0]


@router.get("/nursing/ratings", response_model=s.RatingsOut,
            summary="Ratings with their average and share of satisfied (institution admin: own; regulator: any)")
async def list_ratings(session: SessionDep, actor: CurrentActor, institution_id: str | None = None,
                       since: datetime | None = None, until: datetime | None = None,
                       limit: Annotated[int, Query(ge=1, le=500)] = 100) -> s.RatingsOut:
    summary, rows = await rating.ratings(session, institution_id=_scope(actor, institution_id), since=since,
                                         until=until, limit=limit)
    return s.RatingsOut(count=summary.count, average_stars=summary.average_stars,
                        satisfied_share=summary.satisfied_share, items=await _ratings_out(session, rows))


async def _followups_out(session: SessionDep, rows: Sequence[NursingFollowUp]) -> list[s.FollowUpOut]:
    if not rows:
        return []
    ids = {f.order_id for f in rows}
    numbers = dict((await session.execute(select(NursingOrder.id, NursingOrder.number).where(
        NursingOrder.id.in_(ids)))).tuples().all())
    rated = {r.order_id: r for r in (await session.scalars(select(NursingRating).where(
        NursingRating.order_id.in_(ids)))).all()}
    return [s.FollowUpOut(id=f.id, order_id=f.order_id, order_number=numbers.get(f.order_id, ""),
                          institution_id=f.institution_id, reason=f.reason, status=f.status,
                          stars=r.stars if (r := rated.get(f.order_id)) else None, comment=r.comment if r else "",
                          opened_at=f.opened_at, closed_at=f.closed_at, outcome=f.outcome) for f in rows]


@router.get("/nursing/followups", response_model=list[s.FollowUpOut],
            summary="Follow-ups opened by low ratings and complaints (institution admin: own; regulator: any)")
async def list_followups(session: SessionDep, actor: CurrentActor, institution_id: str | None = None,
                         status_: Annotated[Literal["open", "closed"] | None, Query(alias="status")] = None,
                         limit: Annotated[int, Query(ge=1, le=500)] = 100) -> list[s.FollowUpOut]:
    rows = await rating.followups(session, institution_id=_scope(actor, institution_id), status=status_, limit=limit)
    return await _followups_out(session, rows)


@router.post("/nursing/followups/{followup_id}/close", response_model=s.FollowUpOut,
             summary="Close a follow-up with its outcome (the institution admin)")
async def close_followup(followup_id: str, body: s.CloseIn, session: SessionDep,
                         actor: CurrentActor) -> s.FollowUpOut:
    row = await rating.get_followup(session, followup_id)
    if actor.role != "institution_admin" or actor.institution_id != row.institution_id:
        raise DomainError(FORBIDDEN)
    return (await _followups_out(session, [await rating.close_followup(session, actor, row, body.outcome)]))[0]
