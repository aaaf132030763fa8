"""The resident's rating of a paid visit (paid → rated, once) and the institution's follow-ups.

A rating of 1–2 stars, or any rating marked as a complaint, opens a follow-up for the institution (reason
``complaint`` when marked so, else ``low_rating``); its admins are told in-app. The institution closes a follow-up
with what was done. Both ends are written into the order's trail. Ratings feed the cockpit (average, share of
satisfied = 4 stars or more).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, case, func, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession

from yihu.auth.actor import Actor
from yihu.auth.models import Account
from yihu.db import utcnow
from yihu.errors import DomainError
from yihu.notify import service as notify
from yihu.nursing import lifecycle, orders, pay_errors
from yihu.nursing.models import NursingOrder
from yihu.nursing.visit_models import NursingFollowUp, NursingRating

LOW_STARS = 2
SATISFIED_STARS = 4
REASON_TEXT = {"low_rating": "收到低分评价，已开启回访", "complaint": "收到投诉，已开启回访"}


def followup_reason(stars: int, complaint: bool) -> str | None:
    if complaint:
        return "complaint"
    return "low_rating" if stars <= LOW_STARS else None


async def admin_accounts(session: AsyncSession, institution_id: str) -> list[str]:
    return list((await session.scalars(select(Account.id).where(
        Account.role == "institution_admin", Account.institution_id == institution_id,
        Account.active.is_(True)).order_by(Account.id))).all())


async def rate(session: AsyncSession, actor: Actor, order: NursingOrder, *, stars: int, comment: str,
               complaint: bool) -> tuple[NursingRating, NursingFollowUp | None]:
    """The resident rates a paid visit once (the ``rate`` step guards it; the rating row is unique per order)."""
    lifecycle.require_step(order, "rate")
    now = utcnow()
    order = await lifecycle.step(session, order, "rate", actor, note=f"{stars}★", rated_at=now)
    row = NursingRating(order_id=order.id, institution_id=order.institution_id, nurse_id=order.nurse_id,
                        stars=stars, comment=comment.strip()[:500], complaint=complaint, rated_at=now)
    session.add(row)
    follow = None
    reason = followup_reason(stars, complaint)
    if reason is not None:
        follow = NursingFollowUp(order_id=order.id, institution_id=order.institution_id, reason=reason,
                                 status="open", opened_at=now)
        session.add(follow)
        lifecycle.record_event(session, order, action="followup_open", from_status=order.status,
                               to_status=order.status, actor=actor, note=reason, at=now)
        item = await orders.item_name(session, order)
        for account_id in await admin_accounts(session, order.institution_id):
            notify.enqueue_inapp(session, account_id=account_id, template="nursing_status", params={
                "number": order.number, "item": item, "status": REASON_TEXT[reason], "detail": f"{stars}星"})
    await session.flush()
    return row, follow


async def rating_of(session: AsyncSession, order_id: str) -> NursingRating | None:
    row: NursingRating | None = await session.scalar(select(NursingRating).where(NursingRating.order_id == order_id))
    return row


@dataclass(frozen=True)
class Summary:
    count: int
    average_stars: float | None
    satisfied_share: float | None


def _rating_filter(institution_id: str | None, since: datetime | None, until: datetime | None) -> ColumnElement[bool]:
    conds: list[ColumnElement[bool]] = [true()]
    if institution_id:
        conds.append(NursingRating.institution_id == institution_id)
    if since:
        conds.append(NursingRating.rated_at >= since)
    if until:
        conds.append(NursingRating.rated_at < until)
    return and_(*conds)


async def ratings(session: AsyncSession, *, institution_id: str | None, since: datetime | None = None,
                  until: datetime | None = None, limit: int = 100) -> tuple[Summary, list[NursingRating]]:
    where = _rating_filter(institution_id, since, until)
    n, avg, satisfied = (await session.execute(select(
        func.count(NursingRating.id), func.avg(NursingRating.stars),
        func.coalesce(func.sum(case((NursingRating.stars >= SATISFIED_STARS, 1), else_=0)), 0))
        .where(where))).one()
    count = int(n or 0)
    summary = Summary(count=count, average_stars=round(float(avg), 2) if count else None,
                      satisfied_share=round(int(satisfied or 0) / count, 4) if count else None)
    rows = (await session.scalars(select(NursingRating).where(where)
                                  .order_by(NursingRating.rated_at.desc(), NursingRating.id).limit(limit))).all()
    return summary, list(rows)


async def followups(session: AsyncSession, *, institution_id: str | None, status: str | None,
                    limit: int = 100) -> list[NursingFollowUp]:
    q = select(NursingFollowUp)
    if institution_id:
        q = q.where(NursingFollowUp.institution_id == institution_id)
    if status:
        q = q.where(NursingFollowUp.status == status)
    return list((await session.scalars(q.order_by(NursingFollowUp.opened_at.desc(), NursingFollowUp.id)
                                       .limit(limit))).all())


async def get_followup(session: AsyncSession, followup_id: str) -> NursingFollowUp:
    row = await session.get(NursingFollowUp, followup_id)
    if row is None:
        raise DomainError(pay_errors.FOLLOWUP_NOT_FOUND)
    return row


async def close_followup(session: AsyncSession, actor: Actor, row: NursingFollowUp, outcome: str) -> NursingFollowUp:
    """Close once, with what was done (a second close is a 409 and changes nothing)."""
    text = outcome.strip()
    if not text:
        from yihu.nursing import errors

        raise DomainError(errors.REASON_REQUIRED)
    now = utcnow()
    done = await session.execute(update(NursingFollowUp).where(
        NursingFollowUp.id == row.id, NursingFollowUp.status == "open").values(
        status="closed", closed_at=now, closed_by=actor.account_id, outcome=text[:500])
        .execution_options(synchronize_session=False))
    if getattr(done, "rowcount", 0) != 1:
        raise DomainError(pay_errors.FOLLOWUP_CLOSED)
    await session.refresh(row)
    order = await orders.get(session, row.order_id)
    lifecycle.record_event(session, order, action="followup_close", from_status=order.status, to_status=order.status,
                           actor=actor, note=text, at=now)
    return row
