"""The visit on the nurse's side: set off, check in at the address, location during the visit, check out.

Check-in needs the signed consent, a location within ``nursing_checkin_radius_m`` of the order's coordinates, and
the nurse(s) still eligible on the day (a credential can expire between booking and visit). Check-out opens the
visit's bill: item price + home-visit fee + consumables used.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from yihu.auth.actor import Actor
from yihu.config import get_settings
from yihu.db import utcnow
from yihu.errors import DomainError
from yihu.kit import clock
from yihu.nursing import assignment, eligibility, errors, lifecycle, orders, payment, visit_consent
from yihu.nursing import visit_errors as verrors
from yihu.nursing.models import NursingOrder
from yihu.nursing.visit_models import NursingConsent, NursingLocation, NursingWaste

DURING_VISIT = ("en_route", "in_service", "recorded")  # the nurse is out: location pings and the alarm
EARTH_RADIUS_M = 6_371_008.8


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine) in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def nurse_id_of(actor: Actor) -> str:
    if actor.practitioner_id is None:
        raise DomainError(verrors.ROLE_NOT_NURSE)
    return actor.practitioner_id


def _locate(session: AsyncSession, actor: Actor, order: NursingOrder, kind: str, lat: float, lon: float) -> None:
    session.add(NursingLocation(order_id=order.id, nurse_id=nurse_id_of(actor), kind=kind, latitude=lat,
                                longitude=lon, at=utcnow()))


async def depart(session: AsyncSession, actor: Actor, order: NursingOrder, *, latitude: float | None = None,
                 longitude: float | None = None) -> NursingOrder:
    lifecycle.require_step(order, "depart")
    order = await lifecycle.step(session, order, "depart", actor, departed_at=utcnow())
    if latitude is not None and longitude is not None:
        _locate(session, actor, order, "depart", latitude, longitude)
    await orders.tell(session, order, "depart")
    return order


async def check_in(session: AsyncSession, actor: Actor, order: NursingOrder, *, latitude: float,
                   longitude: float) -> NursingOrder:
    lifecycle.require_step(order, "check_in")
    if await visit_consent.get(session, order.id) is None:
        raise DomainError(verrors.CONSENT_MISSING)
    radius = get_settings().nursing_checkin_radius_m
    dist = distance_m(latitude, longitude, order.latitude, order.longitude)
    if dist > radius:
        raise DomainError(verrors.TOO_FAR, distance_m=round(dist), radius_m=radius)
    version = await assignment.requirements(session, order)
    today = clock.local_date(utcnow())
    for nurse_id in (n for n in (order.nurse_id, order.second_nurse_id) if n):
        result = await eligibility.check(session, nurse_id, institution_id=order.institution_id, on=today,
                                         required=version.credentials, patient_id=order.patient_id)
        if not result.eligible:
            raise DomainError(errors.NOT_ELIGIBLE, reasons=result.explain())
    now = utcnow()
    order = await lifecycle.step(session, order, "check_in", actor, note=f"{round(dist)} m", checked_in_at=now,
                                 checkin_distance_m=round(dist))
    _locate(session, actor, order, "check_in", latitude, longitude)
    await orders.tell(session, order, "check_in")
    return order


def require_during_visit(order: NursingOrder) -> None:
    if order.status not in DURING_VISIT:
        raise DomainError(verrors.NOT_DURING_VISIT, status=lifecycle.status_text(order.status))


async def ping(session: AsyncSession, actor: Actor, order: NursingOrder, *, latitude: float,
               longitude: float) -> NursingLocation:
    """Where the nurse is, while out on this visit (set off → checked out)."""
    require_during_visit(order)
    row = NursingLocation(order_id=order.id, nurse_id=nurse_id_of(actor), kind="ping", latitude=latitude,
                          longitude=longitude, at=utcnow())
    session.add(row)
    await session.flush()
    return row


async def locations(session: AsyncSession, order_id: str) -> list[NursingLocation]:
    return list((await session.scalars(select(NursingLocation).where(NursingLocation.order_id == order_id)
                                       .order_by(NursingLocation.at, NursingLocation.id))).all())


@dataclass(frozen=True)
class CheckedOut:
    order: NursingOrder
    bill_amount_fen: int


async def check_out(session: AsyncSession, actor: Actor, order: NursingOrder, *, latitude: float,
                    longitude: float) -> CheckedOut:
    """recorded → completed; the bill (item price + home-visit fee + consumables) is opened for the resident."""
    lifecycle.require_step(order, "complete")
    version = await assignment.requirements(session, order)
    if version.waste_kinds and not await session.scalar(
            select(func.count()).select_from(NursingWaste).where(NursingWaste.order_id == order.id)):
        raise DomainError(verrors.WASTE_MISSING)
    now = utcnow()
    # The step first: it holds the order's row from here, so a consumables report racing it is refused, and the
    # amount below is the one the order has once it stops taking consumables.
    order = await lifecycle.step(session, order, "complete", actor, checked_out_at=now, completed_at=now)
    bill = await payment.open_visit_bill(session, order)  # price + visit fee + the consumables' lines
    amount = bill.amount_fen
    order.bill_id = bill.id
    await session.flush()
    _locate(session, actor, order, "check_out", latitude, longitude)
    await orders.tell(session, order, "complete", detail=f"账单已生成，应付{visit_consent.yuan(amount)}")
    return CheckedOut(order, amount)


# ---- the nurse's day ----

NEXT_ACTION = {"assigned": "depart", "consented": "depart", "en_route": "check_in", "in_service": "record",
               "recorded": "check_out"}


def next_action(status: str, consented: bool) -> str | None:
    if not consented and status in ("assigned", "en_route"):
        return "consent" if status == "assigned" else "consent_at_door"
    return NEXT_ACTION.get(status)


async def day_of(session: AsyncSession, practitioner_id: str, day: date) -> tuple[list[NursingOrder], set[str]]:
    """The nurse's visits on a day in route order (planned start), and which of them have a signed consent."""
    rows: Sequence[NursingOrder] = (await session.scalars(select(NursingOrder).where(
        (NursingOrder.nurse_id == practitioner_id) | (NursingOrder.second_nurse_id == practitioner_id),
        NursingOrder.service_day == day, NursingOrder.status.not_in(("rejected",)))
        .order_by(NursingOrder.planned_start_at, NursingOrder.window_start_at, NursingOrder.id))).all()
    ids = [o.id for o in rows]
    consented = set((await session.scalars(select(NursingConsent.order_id).where(
        NursingConsent.order_id.in_(ids)))).all()) if ids else set()
    return list(rows), consented
