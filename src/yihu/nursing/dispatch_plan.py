"""Stored dispatch plans: finding them, their stops, and their figures recomputed from the stops as they stand
(after a proposal and after every change by hand): route order, travel legs, lateness."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from yihu.errors import DomainError
from yihu.nursing import errors, travel
from yihu.nursing.models import NursingItemVersion, NursingOrder, NursingPlan, NursingPlanStop, NursingShift

REASONS: dict[str, tuple[str, str]] = {
    "no_eligible_nurse": ("本机构没有符合条件的护士", "no eligible nurse at the institution"),
    "no_shift": ("符合条件的护士当天没有上门班次", "no eligible nurse has a shift that day"),
    "could_not_fit": ("班次内无法安排（时间或路程不允许）", "could not be fitted into the shifts"),
}


@dataclass
class Loaded:
    plan: NursingPlan
    stops: list[NursingPlanStop]
    orders: dict[str, NursingOrder]
    duration: dict[str, int]  # order id -> minutes
    shifts: dict[str, NursingShift]  # nurse id -> the day's shift


def unassigned_of(plan: NursingPlan) -> dict[str, str]:
    """order id -> reason code (stored as "<order id>:<reason>")."""
    return dict(entry.split(":", 1) for entry in plan.unassigned or [] if ":" in entry)


async def get_plan(session: AsyncSession, institution_id: str, plan_id: str) -> NursingPlan:
    plan = await session.get(NursingPlan, plan_id)
    if plan is None or plan.institution_id != institution_id:
        raise DomainError(errors.PLAN_NOT_FOUND)
    return plan


async def latest(session: AsyncSession, institution_id: str, day: date) -> NursingPlan:
    plan = await session.scalar(select(NursingPlan).where(NursingPlan.institution_id == institution_id,
                                                          NursingPlan.day == day)
                                .order_by(NursingPlan.created_at.desc(), NursingPlan.id.desc()).limit(1))
    if plan is None:
        raise DomainError(errors.PLAN_NOT_FOUND)
    return plan


async def durations(session: AsyncSession, orders: Sequence[NursingOrder]) -> dict[str, int]:
    if not orders:
        return {}
    minutes = dict((await session.execute(select(NursingItemVersion.id, NursingItemVersion.duration_min).where(
        NursingItemVersion.id.in_({o.item_version_id for o in orders})))).tuples().all())
    return {o.id: minutes[o.item_version_id] for o in orders}


async def load(session: AsyncSession, plan: NursingPlan, extra_order_ids: Sequence[str] = ()) -> Loaded:
    stops = list((await session.scalars(select(NursingPlanStop).where(NursingPlanStop.plan_id == plan.id)
                                        .order_by(NursingPlanStop.practitioner_id, NursingPlanStop.sequence,
                                                  NursingPlanStop.task_index))).all())
    ids = {s.order_id for s in stops} | set(unassigned_of(plan)) | set(extra_order_ids)
    orders = {o.id: o for o in (await session.scalars(select(NursingOrder).where(NursingOrder.id.in_(ids)))).all()}
    shifts = {s.practitioner_id: s for s in (await session.scalars(select(NursingShift).where(
        NursingShift.institution_id == plan.institution_id, NursingShift.day == plan.day))).all()}
    return Loaded(plan, stops, orders, await durations(session, list(orders.values())), shifts)


def lateness(order: NursingOrder, start_at: datetime) -> int:
    """Minutes the nurse arrives after the visit's window (the window is when she arrives, 上门时间段)."""
    return max(0, int((start_at - order.window_end_at).total_seconds() // 60))


async def recompute(session: AsyncSession, plan: NursingPlan) -> Loaded:
    """Each nurse's stops in start order from her shift's start point: sequence, travel leg; the plan's totals."""
    got = await load(session, plan)
    total = 0
    by_nurse: dict[str, list[NursingPlanStop]] = {}
    for s in got.stops:
        by_nurse.setdefault(s.practitioner_id, []).append(s)
    for nurse_id, route in by_nurse.items():
        route.sort(key=lambda s: (s.start_at, s.order_id))
        shift = got.shifts.get(nurse_id)
        here = (shift.start_latitude, shift.start_longitude) if shift else None
        for i, s in enumerate(route):
            o = got.orders[s.order_id]
            there = (o.latitude, o.longitude)
            s.sequence, s.travel_min = i + 1, travel.minutes(here, there) if here else 0
            total += s.travel_min
            here = there
        if shift and here:
            total += travel.minutes(here, (shift.start_latitude, shift.start_longitude))
    late = {s.order_id: lateness(got.orders[s.order_id], s.start_at) for s in got.stops}
    plan.travel_min, plan.tardiness_min = total, sum(late.values())
    plan.max_tardiness_min = max(late.values(), default=0)
    got.stops.sort(key=lambda s: (s.practitioner_id, s.sequence))
    await session.flush()
    return got
