"""Orders: placing one visit or a recurring series, assessment, acceptance, cancellation, the blacklist.

Rules live here; the API is thin. Every state change goes through :mod:`yihu.nursing.lifecycle`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from yihu.auth.actor import Actor
from yihu.db import utcnow
from yihu.errors import DomainError
from yihu.kit import clock
from yihu.notify import service as notify
from yihu.nursing import catalogue, errors, lifecycle
from yihu.nursing.models import NursingBlacklist, NursingItem, NursingOrder, NursingOrderEvent, NursingSeries
from yihu.registry import service as registry

MAX_DAYS_AHEAD = 30
MAX_SERIES_VISITS = 60


@dataclass
class OrderInput:
    patient_id: str
    institution_id: str
    item_id: str
    address: str
    latitude: float
    longitude: float
    day: date
    window_start: datetime
    window_end: datetime
    condition: str = ""
    series: list[dict[str, int]] = field(default_factory=list)


def _number(now: datetime) -> str:
    return f"HN{clock.local_date(now):%Y%m%d}{secrets.randbelow(10**8):08d}"


def series_days(first: date, pattern: list[dict[str, int]]) -> list[date]:
    """[{"every_days": 1, "count": 7}, {"every_days": 2, "count": 4}] from ``first``: 7 daily visits, then 4 every
    other day (the first visit of a phase follows the last of the one before by its own interval)."""
    total = sum(int(p.get("count", 0)) for p in pattern)
    if not pattern or total > MAX_SERIES_VISITS or any(
            not 1 <= int(p.get("every_days", 0)) <= 30 or not 1 <= int(p.get("count", 0)) <= 60 for p in pattern):
        raise DomainError(errors.SERIES_INVALID, max_visits=MAX_SERIES_VISITS)
    out: list[date] = []
    day = first
    for phase in pattern:
        for _ in range(int(phase["count"])):
            if out:
                day += timedelta(days=int(phase["every_days"]))
            out.append(day)
    return out


def _check_window(data: OrderInput, now: datetime) -> None:
    today = clock.local_date(now)
    start, end = data.window_start, data.window_end
    if (start.tzinfo is None or end.tzinfo is None or end <= start or start < now
            or clock.local_date(start) != data.day or clock.local_date(end) != data.day
            or not today <= data.day <= today + timedelta(days=MAX_DAYS_AHEAD)
            or end - start > timedelta(hours=12)):
        raise DomainError(errors.WINDOW_INVALID, max_days=MAX_DAYS_AHEAD)
    if not (-90 <= data.latitude <= 90 and -180 <= data.longitude <= 180) or (data.latitude, data.longitude) == (0, 0):
        raise DomainError(errors.LOCATION_INVALID)


async def barred(session: AsyncSession, patient_id: str, institution_id: str) -> NursingBlacklist | None:
    row: NursingBlacklist | None = await session.scalar(select(NursingBlacklist).where(
        NursingBlacklist.patient_id == patient_id, NursingBlacklist.institution_id == institution_id,
        NursingBlacklist.practitioner_id.is_(None), NursingBlacklist.lifted_at.is_(None)))
    return row


async def place(session: AsyncSession, actor: Actor, data: OrderInput, *, consult_id: str | None = None,
                proposed_by_nurse_id: str | None = None) -> list[NursingOrder]:
    """A resident orders an item for a patient bound to the account: one visit, or a series of visits."""
    now = utcnow()
    _check_window(data, now)
    item = await catalogue.get_item(session, data.item_id)
    if not item.active or not await catalogue.is_offered(session, data.institution_id, item.id):
        raise DomainError(errors.NOT_OFFERED)
    if await barred(session, data.patient_id, data.institution_id):
        raise DomainError(errors.BLACKLISTED)
    version = await catalogue.current(session, item)
    days = series_days(data.day, data.series) if data.series else [data.day]
    series = None
    if len(days) > 1:
        series = NursingSeries(pattern=data.series, visits=len(days))
        session.add(series)
        await session.flush()
    orders: list[NursingOrder] = []
    for seq, day in enumerate(days, start=1):
        shift = day - data.day
        o = NursingOrder(
            number=_number(now), account_id=actor.account_id, patient_id=data.patient_id,
            institution_id=data.institution_id, item_id=item.id, item_version_id=version.id,
            series_id=series.id if series else None, sequence=seq, status="requested", address=data.address,
            latitude=data.latitude, longitude=data.longitude, service_day=day,
            window_start_at=data.window_start + shift, window_end_at=data.window_end + shift,
            condition=data.condition, price_fen=version.price_fen, visit_fee_fen=version.visit_fee_fen,
            nurses_required=version.nurses_required, consult_id=consult_id,
            proposed_by_nurse_id=proposed_by_nurse_id, created_at=now, updated_at=now)
        session.add(o)
        orders.append(o)
    await session.flush()
    for o in orders:
        lifecycle.record_event(session, o, action="create", from_status=None, to_status="requested", actor=actor,
                               at=now)
    await registry.link(session, data.patient_id, data.institution_id, "nursing")
    return orders


async def get(session: AsyncSession, order_id: str) -> NursingOrder:
    o = await session.get(NursingOrder, order_id)
    if o is None:
        raise DomainError(errors.ORDER_NOT_FOUND)
    return o


async def siblings(session: AsyncSession, order: NursingOrder, states: tuple[str, ...]) -> list[NursingOrder]:
    """The order itself, or every order of its series in ``states`` (a series is assessed and accepted once)."""
    if order.series_id is None:
        return [order]
    rows = await session.scalars(select(NursingOrder).where(NursingOrder.series_id == order.series_id,
                                                            NursingOrder.status.in_(states))
                                 .order_by(NursingOrder.sequence))
    return list(rows.all()) or [order]


async def assess(session: AsyncSession, actor: Actor, order: NursingOrder, *, decision: str,
                 assessment: dict[str, Any], reason: str = "") -> list[NursingOrder]:
    """The institution's risk assessment (condition, need, home environment): approve, reject with a reason, or
    require a first visit before deciding."""
    action = {"approve": "assess_approve", "reject": "assess_reject", "first_visit": "assess_first_visit"}[decision]
    if decision == "reject" and not reason.strip():
        raise DomainError(errors.REASON_REQUIRED)
    lifecycle.require_step(order, action)
    out = []
    for o in await siblings(session, order, lifecycle.STEPS[action][0]):
        out.append(await lifecycle.step(session, o, action, actor, note=reason, assessment=assessment,
                                        assessed_by=actor.account_id, assessed_at=utcnow(),
                                        reject_reason=reason.strip() or None))
    await _tell(session, order, "assess_" + decision, detail=reason.strip())
    return out


async def accept(session: AsyncSession, actor: Actor, order: NursingOrder) -> list[NursingOrder]:
    lifecycle.require_step(order, "accept")
    out = [await lifecycle.step(session, o, "accept", actor, accepted_at=utcnow())
           for o in await siblings(session, order, ("assessed",))]
    await _tell(session, order, "accept")
    return out


def cancel_fee_fen(order: NursingOrder, by_resident: bool) -> int:
    """Free until the nurse sets off; once the nurse is on the way a resident's cancellation costs the home-visit
    fee. An institution's cancellation is always free."""
    return order.visit_fee_fen if by_resident and order.status == "en_route" else 0


async def cancel(session: AsyncSession, actor: Actor, order: NursingOrder, *, reason: str,
                 by_resident: bool) -> NursingOrder:
    if not reason.strip():
        raise DomainError(errors.REASON_REQUIRED)
    action = "cancel_resident" if by_resident else "cancel_institution"
    lifecycle.require_step(order, action)
    fee = cancel_fee_fen(order, by_resident)
    order = await lifecycle.step(session, order, action, actor, note=reason.strip(), cancelled_at=utcnow(),
                                 cancel_reason=reason.strip()[:256], cancelled_by_role=actor.role)
    if fee:
        from yihu.nursing import payment  # the bill of a late cancellation (home-visit fee only)

        await payment.open_cancellation_bill(session, order, fee)
    await _tell(session, order, action, detail=reason.strip()[:60])
    return order


async def events(session: AsyncSession, order_id: str) -> list[NursingOrderEvent]:
    return list((await session.scalars(select(NursingOrderEvent).where(NursingOrderEvent.order_id == order_id)
                                       .order_by(NursingOrderEvent.at, NursingOrderEvent.id))).all())


async def item_name(session: AsyncSession, order: NursingOrder) -> str:
    from yihu.nursing.models import NursingItemVersion

    v = await session.get(NursingItemVersion, order.item_version_id)
    return v.name_zh if v else ""


async def _tell(session: AsyncSession, order: NursingOrder, action: str, detail: str = "") -> None:
    """In-app notice to the account that placed the order."""
    notify.enqueue_inapp(session, account_id=order.account_id, template="nursing_status", params={
        "number": order.number, "item": await item_name(session, order),
        "status": lifecycle.ACTION_TEXT.get(action, (action, action))[0], "detail": detail})


tell = _tell


async def add_to_blacklist(session: AsyncSession, actor: Actor, *, institution_id: str, patient_id: str,
                           reason: str, practitioner_id: str | None = None) -> NursingBlacklist:
    if not reason.strip():
        raise DomainError(errors.REASON_REQUIRED)
    await registry.get_patient(session, patient_id)
    row = NursingBlacklist(institution_id=institution_id, patient_id=patient_id, practitioner_id=practitioner_id,
                           reason=reason.strip()[:256], created_by=actor.account_id, created_at=utcnow())
    session.add(row)
    await session.flush()
    return row


async def lift_blacklist(session: AsyncSession, actor: Actor, entry_id: str, institution_id: str) -> NursingBlacklist:
    row = await session.get(NursingBlacklist, entry_id)
    if row is None or row.institution_id != institution_id:
        raise DomainError(errors.ORDER_NOT_FOUND)
    if row.lifted_at is None:
        row.lifted_at, row.lifted_by = utcnow(), actor.account_id
        await session.flush()
    return row


async def blacklist(session: AsyncSession, institution_id: str) -> list[NursingBlacklist]:
    return list((await session.scalars(select(NursingBlacklist).where(NursingBlacklist.institution_id == institution_id)
                                       .order_by(NursingBlacklist.created_at.desc()))).all())


__all__ = ["NursingItem", "OrderInput", "accept", "assess", "blacklist", "cancel", "events", "get", "place", "tell"]
