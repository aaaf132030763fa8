"""Giving a visit to a nurse (or two): eligibility re-checked, never two visits at once for one nurse.

The guard is in the database: the assignment first takes the nurse's row for writing (a row lock on PostgreSQL,
the write lock on SQLite), then looks for an overlapping visit, then moves the order with a conditional update.
Two dispatchers racing for the same nurse and time are serialised; the second sees the first's visit and gets 409.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from yihu.auth.actor import Actor
from yihu.db import utcnow
from yihu.errors import DomainError
from yihu.kit import clock
from yihu.nursing import eligibility, errors, lifecycle
from yihu.nursing.models import NursingItemVersion, NursingOrder
from yihu.registry.models import Practitioner

BUSY = ("assigned", "consented", "en_route", "in_service", "recorded")


async def requirements(session: AsyncSession, order: NursingOrder) -> NursingItemVersion:
    v = await session.get(NursingItemVersion, order.item_version_id)
    if v is None:
        raise DomainError(errors.ITEM_NOT_FOUND)
    return v


async def _lock_nurse(session: AsyncSession, nurse_id: str) -> None:
    await session.execute(update(Practitioner).where(Practitioner.id == nurse_id)
                          .values(updated_at=utcnow()).execution_options(synchronize_session=False))


async def busy_nurses(session: AsyncSession, nurse_ids: list[str], start: datetime, end: datetime,
                      exclude_order_id: str) -> set[str]:
    """Which of these nurses already have a visit overlapping [start, end) (one query)."""
    if not nurse_ids:
        return set()
    rows = await session.execute(select(NursingOrder.nurse_id, NursingOrder.second_nurse_id).where(
        or_(NursingOrder.nurse_id.in_(nurse_ids), NursingOrder.second_nurse_id.in_(nurse_ids)),
        NursingOrder.status.in_(BUSY), NursingOrder.id != exclude_order_id,
        and_(NursingOrder.planned_start_at < end, NursingOrder.planned_end_at > start)))
    return {n for pair in rows.tuples() for n in pair if n in nurse_ids}


async def overlapping(session: AsyncSession, nurse_id: str, start: datetime, end: datetime,
                      exclude_order_id: str) -> bool:
    return bool(await busy_nurses(session, [nurse_id], start, end, exclude_order_id))


async def require_eligible(session: AsyncSession, order: NursingOrder, nurse_id: str,
                           version: NursingItemVersion) -> None:
    result = await eligibility.check(session, nurse_id, institution_id=order.institution_id, on=order.service_day,
                                     required=version.credentials, patient_id=order.patient_id)
    if not result.eligible:
        raise DomainError(errors.NOT_ELIGIBLE, reasons=result.explain())


async def assign(session: AsyncSession, actor: Actor | None, order: NursingOrder, *, nurse_id: str,
                 second_nurse_id: str | None, start: datetime) -> NursingOrder:
    lifecycle.require_step(order, "assign")
    version = await requirements(session, order)
    if order.nurses_required == 1:
        second_nurse_id = None
    elif not second_nurse_id or second_nurse_id == nurse_id:
        raise DomainError(errors.SECOND_NURSE_REQUIRED)
    if start.tzinfo is None or clock.local_date(start) != order.service_day:
        raise DomainError(errors.WINDOW_INVALID, max_days=30)
    end = start + timedelta(minutes=version.duration_min)
    nurses = [n for n in (nurse_id, second_nurse_id) if n]
    for n in sorted(nurses):  # a fixed order: two dispatchers never wait on each other's locks crosswise
        await _lock_nurse(session, n)
    for n in nurses:
        await require_eligible(session, order, n, version)
        if await overlapping(session, n, start, end, order.id):
            raise DomainError(errors.NURSE_BUSY)
    order = await lifecycle.step(session, order, "assign", actor, nurse_id=nurse_id, second_nurse_id=second_nurse_id,
                                 planned_start_at=start, planned_end_at=end, assigned_at=utcnow())
    from yihu.nursing import orders

    await orders.tell(session, order, "assign", detail=f"{start.astimezone(clock.LOCAL):%m-%d %H:%M}")
    return order


async def unassign(session: AsyncSession, actor: Actor, order: NursingOrder, reason: str) -> NursingOrder:
    return await lifecycle.step(session, order, "unassign", actor, note=reason, nurse_id=None, second_nurse_id=None,
                                planned_start_at=None, planned_end_at=None, assigned_at=None)
