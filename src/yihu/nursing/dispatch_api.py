"""Dispatch console: nurses' shifts, the proposed day plan, changing one visit by hand, confirming the plan.

Only the institution's admin. Overriding a single visit after confirmation is the manual
``POST /nursing/orders/{id}/assign`` of api.py.
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, status

from yihu.auth import policy
from yihu.auth.deps import CurrentActor
from yihu.kit import clock
from yihu.kit.routing import CommittingRoute, SessionDep
from yihu.nursing import dispatch, dispatch_confirm, dispatch_plan, dispatch_views, shifts
from yihu.nursing import dispatch_schemas as ds

router = APIRouter(tags=["nursing dispatch"], route_class=CommittingRoute)
BASE = "/institutions/{institution_id}/nursing"


@router.get(BASE + "/shifts", response_model=list[ds.ShiftOut])
async def list_shifts(institution_id: str, day: date, session: SessionDep, actor: CurrentActor) -> list[ds.ShiftOut]:
    policy.require_institution_staff(actor, institution_id, "institution_admin")
    return [dispatch_views.shift_out(s, p) for s, p in await shifts.shifts_of(session, institution_id, day)]


@router.put(BASE + "/shifts/{day}/{practitioner_id}", response_model=ds.ShiftOut)
async def put_shift(institution_id: str, day: date, practitioner_id: str, body: ds.ShiftIn, session: SessionDep,
                    actor: CurrentActor) -> ds.ShiftOut:
    """Set (or replace) a nurse's home-care shift; the start point defaults to her home, else the institution."""
    policy.require_institution_staff(actor, institution_id, "institution_admin")
    row = await shifts.set_shift(session, institution_id, practitioner_id, day, start=clock.parse_hhmm(body.start),
                                 end=clock.parse_hhmm(body.end), latitude=body.start_latitude,
                                 longitude=body.start_longitude)
    return dispatch_views.shift_out(row, await shifts.our_nurse(session, institution_id, practitioner_id))


@router.delete(BASE + "/shifts/{day}/{practitioner_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_shift(institution_id: str, day: date, practitioner_id: str, session: SessionDep,
                       actor: CurrentActor) -> None:
    policy.require_institution_staff(actor, institution_id, "institution_admin")
    await shifts.remove_shift(session, institution_id, practitioner_id, day)


@router.post(BASE + "/plans", response_model=ds.PlanOut, status_code=status.HTTP_201_CREATED)
async def propose(institution_id: str, body: ds.ProposeIn, session: SessionDep, actor: CurrentActor) -> ds.PlanOut:
    """Plan the day: accepted visits (and, if asked, assigned ones not yet consented) over the nurses on shift."""
    policy.require_institution_staff(actor, institution_id, "institution_admin")
    plan = await dispatch.propose(session, actor, institution_id, body.day, replan_assigned=body.replan_assigned)
    return await dispatch_views.plan_out(session, plan)


@router.get(BASE + "/plans", response_model=ds.PlanOut)
async def latest_plan(institution_id: str, day: date, session: SessionDep, actor: CurrentActor) -> ds.PlanOut:
    """The day's newest plan (proposed, confirmed or superseded); 404 when none was made."""
    policy.require_institution_staff(actor, institution_id, "institution_admin")
    return await dispatch_views.plan_out(session, await dispatch_plan.latest(session, institution_id, day))


@router.get(BASE + "/plans/{plan_id}", response_model=ds.PlanOut)
async def get_plan(institution_id: str, plan_id: str, session: SessionDep, actor: CurrentActor) -> ds.PlanOut:
    policy.require_institution_staff(actor, institution_id, "institution_admin")
    return await dispatch_views.plan_out(session, await dispatch_plan.get_plan(session, institution_id, plan_id))


@router.post(BASE + "/plans/{plan_id}/move", response_model=ds.PlanOut)
async def move_stop(institution_id: str, plan_id: str, body: ds.MoveIn, session: SessionDep,
                    actor: CurrentActor) -> ds.PlanOut:
    """Before confirming: give one visit to other nurse(s) and/or another start (eligibility and overlaps checked)."""
    policy.require_institution_staff(actor, institution_id, "institution_admin")
    plan = await dispatch_confirm.move(session, institution_id, plan_id, order_id=body.order_id,
                                       nurse_id=body.nurse_id, second_nurse_id=body.second_nurse_id, start=body.start)
    return await dispatch_views.plan_out(session, plan)


@router.post(BASE + "/plans/{plan_id}/confirm", response_model=ds.PlanOut)
async def confirm(institution_id: str, plan_id: str, session: SessionDep, actor: CurrentActor) -> ds.PlanOut:
    """Assign every visit as planned, all or nothing; 409 nursing.plan_stale if a visit changed since."""
    a = policy.require_institution_staff(actor, institution_id, "institution_admin")
    plan = await dispatch_confirm.confirm(session, a, institution_id, plan_id)
    return await dispatch_views.plan_out(session, plan)
