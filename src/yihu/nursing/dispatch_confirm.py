"""Acting on a proposed plan: confirming it (every visit assigned through ``assignment.assign``, all or nothing)
and changing one visit by hand before that (another nurse or time, eligibility checked)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from yihu.auth.actor import Actor
from yihu.db import utcnow
from yihu.errors import DomainError
from yihu.kit import clock
from yihu.nursing import assignment, dispatch_plan, eligibility, errors, lifecycle
from yihu.nursing import dispatch_errors as errs
from yihu.nursing.models import NursingOrder, NursingPlan, NursingPlanStop

STATUS_TEXT = {"confirmed": ("确认", "confirmed"), "superseded": ("被新方案取代", "superseded")}

Placement = dict[int, tuple[str, datetime]]  # task index -> (nurse id, start)


def _not_proposed(plan: NursingPlan) -> DomainError:
    return DomainError(errs.PLAN_NOT_PROPOSED, status=STATUS_TEXT.get(plan.status, (plan.status,))[0])


def _placements(stops: list[NursingPlanStop]) -> dict[str, Placement]:
    out: dict[str, Placement] = {}
    for s in stops:
        out.setdefault(s.order_id, {})[s.task_index] = (s.practitioner_id, s.start_at)
    return out


def unchanged(o: NursingOrder, placed: Placement) -> bool:
    current = {k: n for k, n in enumerate((o.nurse_id, o.second_nurse_id)) if n}
    return current == {k: n for k, (n, _) in placed.items()} and o.planned_start_at == placed[0][1]


async def confirm(session: AsyncSession, actor: Actor, institution_id: str, plan_id: str) -> NursingPlan:
    """Assign every visit of the plan as proposed (or as changed by hand). If any visit changed since the proposal
    (cancelled, assigned by hand, moved) or a nurse is no longer eligible, refuse: nothing is assigned."""
    plan = await dispatch_plan.get_plan(session, institution_id, plan_id)
    won = await session.execute(update(NursingPlan).where(NursingPlan.id == plan.id,
                                                          NursingPlan.status == "proposed")
                                .values(status="confirmed", confirmed_at=utcnow(), confirmed_by=actor.account_id)
                                .execution_options(synchronize_session=False))
    if not getattr(won, "rowcount", 0):
        raise _not_proposed(plan)
    await session.refresh(plan)
    got = await dispatch_plan.load(session, plan)
    todo: list[tuple[NursingOrder, Placement]] = []
    for order_id, placed in _placements(got.stops).items():
        o = got.orders[order_id]
        if o.updated_at > plan.created_at:
            raise DomainError(errors.PLAN_STALE)
        if unchanged(o, placed):
            continue
        if o.status not in ("accepted", "assigned"):
            raise DomainError(errors.PLAN_STALE)
        version = await assignment.requirements(session, o)
        for nurse_id, _ in placed.values():
            ok = await eligibility.check(session, nurse_id, institution_id=o.institution_id, on=o.service_day,
                                         required=version.credentials, patient_id=o.patient_id)
            if not ok.eligible:
                raise DomainError(errors.PLAN_STALE)
        todo.append((o, placed))
    for o, _ in todo:  # a visit moved to another nurse or time frees its old place first (two may swap)
        if o.status == "assigned":
            await assignment.unassign(session, actor, o, "按派单方案重新派单")
    for o, placed in sorted(todo, key=lambda t: (t[1][0][1], t[0].number)):
        await assignment.assign(session, actor, o, nurse_id=placed[0][0],
                                second_nurse_id=placed[1][0] if 1 in placed else None, start=placed[0][1])
    return plan


async def _busy_outside(session: AsyncSession, nurse_id: str, start: datetime, end: datetime,
                        plan_orders: set[str]) -> bool:
    """A committed visit of the nurse at that time that the plan does not itself re-place."""
    ids = (await session.scalars(select(NursingOrder.id).where(
        or_(NursingOrder.nurse_id == nurse_id, NursingOrder.second_nurse_id == nurse_id),
        NursingOrder.status.in_(assignment.BUSY),
        and_(NursingOrder.planned_start_at < end, NursingOrder.planned_end_at > start)))).all()
    return any(i not in plan_orders for i in ids)


async def move(session: AsyncSession, institution_id: str, plan_id: str, *, order_id: str, nurse_id: str,
               second_nurse_id: str | None, start: datetime) -> NursingPlan:
    """Place one visit of a proposed plan (or one it could not place) with other nurse(s) and/or at another time."""
    plan = await dispatch_plan.get_plan(session, institution_id, plan_id)
    if plan.status != "proposed":
        raise _not_proposed(plan)
    got = await dispatch_plan.load(session, plan, extra_order_ids=[order_id])
    o = got.orders.get(order_id)
    placements = _placements(got.stops)
    unplaced = dispatch_plan.unassigned_of(plan)
    if o is None or (order_id not in placements and order_id not in unplaced) or clock.local_date(start) != plan.day:
        raise DomainError(errs.PLAN_STOP_INVALID)
    lifecycle.require_step(o, "assign")
    if o.nurses_required == 2:
        second_nurse_id = second_nurse_id or placements.get(order_id, {}).get(1, ("",))[0] or None
        if not second_nurse_id:
            raise DomainError(errors.SECOND_NURSE_REQUIRED)
        if second_nurse_id == nurse_id:
            raise DomainError(errs.PLAN_STOP_INVALID)
    nurses = [nurse_id] + ([second_nurse_id] if o.nurses_required == 2 and second_nurse_id else [])
    version = await assignment.requirements(session, o)
    end = start + timedelta(minutes=version.duration_min)
    others = [s for s in got.stops if s.order_id != order_id]
    for n in nurses:
        if n not in got.shifts:
            raise DomainError(errs.NO_SHIFT)
        await assignment.require_eligible(session, o, n, version)
        for s in others:
            if s.practitioner_id == n and s.start_at < end and \
                    s.start_at + timedelta(minutes=got.duration[s.order_id]) > start:
                raise DomainError(errs.PLAN_OVERLAP)
        if await _busy_outside(session, n, start, end, set(placements) | {order_id}):
            raise DomainError(errors.NURSE_BUSY)
    await session.execute(delete(NursingPlanStop).where(NursingPlanStop.plan_id == plan.id,
                                                        NursingPlanStop.order_id == order_id)
                          .execution_options(synchronize_session=False))
    for s in got.stops:
        if s.order_id == order_id:
            session.expunge(s)
    session.add_all([NursingPlanStop(plan_id=plan.id, order_id=order_id, task_index=k, practitioner_id=n,
                                     sequence=0, start_at=start, travel_min=0) for k, n in enumerate(nurses)])
    unplaced.pop(order_id, None)
    plan.unassigned = [f"{k}:{v}" for k, v in unplaced.items()]
    await session.flush()
    await dispatch_plan.recompute(session, plan)
    return plan
