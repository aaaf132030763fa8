"""The dispatcher: plans one day of an institution's home visits and stores the proposal (NursingPlan).

Accepted visits × the nurses with a shift that day: each visit may go only to nurses eligible for it (item
credentials, registered here, not kept away from the recipient), within the visit's time window (when the nurse arrives;
its end is soft: lateness is minimised), the nurses' shifts and start points; a two-nurse item is one visit served by two
different nurses at the same time; a later visit of a recurring series prefers the nurse of the visit before it.
Visits already given to a shift nurse that day stay where they are and block her time. The optimiser
(``yihu.nursing.optimiser``) minimises travel and lateness and balances the nurses' working time.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from yihu.auth.actor import Actor
from yihu.config import get_settings
from yihu.db import utcnow
from yihu.errors import DomainError
from yihu.kit import clock
from yihu.nursing import assignment, dispatch_plan, eligibility, shifts, travel
from yihu.nursing import dispatch_errors as errs
from yihu.nursing.models import NursingItemVersion, NursingOrder, NursingPlan, NursingPlanStop, NursingShift
from yihu.nursing.optimiser import Caregiver, Job, Problem, Solution, Task, solve
from yihu.registry import service as registry
from yihu.registry.models import Practitioner

SERVICE = "visit"
BALANCE_WEIGHT = 0.2  # minutes of (max - min working time) traded against 1 minute of travel/lateness (÷3)
PIECE = "~"  # caregiver id of a piece of a nurse's shift between visits already assigned: "<nurse id>~<n>"


@dataclass
class Day:
    """What the optimiser needs from the database for one institution and day."""

    day: date
    institution_id: str
    shifts: Sequence[tuple[NursingShift, Practitioner]]
    orders: list[NursingOrder]  # to plan
    fixed: list[NursingOrder]  # already given to a shift nurse; they stay
    duration: dict[str, int]  # order id -> minutes
    eligible: dict[str, set[str]]  # order id -> eligible nurses (of the institution, any shift)
    preferred: dict[str, set[str]] = field(default_factory=dict)  # order id -> nurses of the previous visit


@dataclass
class Built:
    problem: Problem
    midnight: datetime
    reasons: dict[str, str]  # order id -> why it is not in the problem
    fixed: list[tuple[str, int, str, datetime]] = field(default_factory=list)  # pinned (order, task, nurse, start)


def minute_of(midnight: datetime, at: datetime) -> int:
    return math.floor((at - midnight).total_seconds() / 60)


def midnight_of(day: date) -> datetime:
    return clock.at_local(day, time(0, 0))


async def previous_nurses(session: AsyncSession, orders: Sequence[NursingOrder]) -> dict[str, set[str]]:
    """For each later visit of a series: the nurse(s) of the nearest earlier visit that had one (continuity)."""
    series = {o.series_id for o in orders if o.series_id and o.sequence > 1}
    if not series:
        return {}
    rows = (await session.execute(select(NursingOrder.series_id, NursingOrder.sequence, NursingOrder.nurse_id,
                                         NursingOrder.second_nurse_id).where(
        NursingOrder.series_id.in_(series), NursingOrder.nurse_id.is_not(None)))).tuples().all()
    out: dict[str, set[str]] = {}
    for o in orders:
        before = [(seq, n1, n2) for sid, seq, n1, n2 in rows if sid == o.series_id and seq < o.sequence]
        if before:
            _, n1, n2 = max(before, key=lambda r: r[0])
            out[o.id] = {n for n in (n1, n2) if n}
    return out


async def gather(session: AsyncSession, institution_id: str, day: date, *, replan_assigned: bool = False) -> Day:
    states = ("accepted", "assigned") if replan_assigned else ("accepted",)  # assigned = not yet consented
    orders = list((await session.scalars(select(NursingOrder).where(
        NursingOrder.institution_id == institution_id, NursingOrder.service_day == day,
        NursingOrder.status.in_(states)).order_by(NursingOrder.window_start_at, NursingOrder.number))).all())
    day_shifts = await shifts.shifts_of(session, institution_id, day)
    nurse_ids = [p.id for _, p in day_shifts]
    planned = {o.id for o in orders}
    fixed = [o for o in (await session.scalars(select(NursingOrder).where(
        NursingOrder.service_day == day, NursingOrder.status.in_(assignment.BUSY),
        or_(NursingOrder.nurse_id.in_(nurse_ids), NursingOrder.second_nurse_id.in_(nurse_ids)))
        .order_by(NursingOrder.planned_start_at))).all() if o.id not in planned] if nurse_ids else []
    versions = {v.id: v for v in (await session.scalars(select(NursingItemVersion).where(
        NursingItemVersion.id.in_({o.item_version_id for o in orders})))).all()} if orders else {}
    duration = {o.id: versions[o.item_version_id].duration_min for o in orders}
    eligible: dict[str, set[str]] = {}
    cache: dict[tuple[tuple[str, ...], str], set[str]] = {}
    for o in orders:
        need = tuple(versions[o.item_version_id].credentials or ())
        key = (need, o.patient_id)
        if key not in cache:
            rows = await eligibility.nurses_of(session, institution_id, day, required=need, patient_id=o.patient_id)
            cache[key] = {n.id for n, e in rows if e.eligible}
        eligible[o.id] = cache[key]
    return Day(day=day, institution_id=institution_id, shifts=day_shifts, orders=orders, fixed=fixed,
               duration=duration, eligible=eligible, preferred=await previous_nurses(session, orders))


def build(d: Day, now: datetime) -> Built:
    """The optimiser's problem for the day (pure): locations, nurses with shift bounds, visits, pinned visits.

    A visit already given to a shift nurse is not a job the optimiser could move or make late: it cuts her shift
    into pieces (caregivers ``<nurse>~<n>``), each ending at the pinned visit's door when it starts and the next
    starting there when it ends. Pieces of one nurse never overlap in time, so a two-nurse visit still gets two
    different people.
    """
    midnight = midnight_of(d.day)
    not_before = max(0, math.ceil((now - midnight).total_seconds() / 60))
    points: list[travel.Point] = []
    index: dict[travel.Point, int] = {}

    def at(lat: float, lon: float) -> int:
        p = (round(lat, 6), round(lon, 6))
        if p not in index:
            index[p] = len(points)
            points.append(p)
        return index[p]

    begin: dict[str, int] = {}
    end: dict[str, int] = {}
    home: dict[str, int] = {}
    for s, p in d.shifts:
        begin[p.id] = max(minute_of(midnight, s.start_at), not_before)
        end[p.id] = minute_of(midnight, s.end_at)
        home[p.id] = at(s.start_latitude, s.start_longitude)
    pins: dict[str, list[tuple[int, int, int]]] = {}
    leave_from = dict(home)
    fixed: list[tuple[str, int, str, datetime]] = []
    for o in d.fixed:  # pinned: each of its shift nurses serves it exactly when already planned
        if o.planned_start_at is None or o.planned_end_at is None:
            continue
        s0, e0 = minute_of(midnight, o.planned_start_at), minute_of(midnight, o.planned_end_at)
        loc = at(o.latitude, o.longitude)
        for k, nid in enumerate((o.nurse_id, o.second_nurse_id)):
            if nid is None or nid not in begin or s0 >= end[nid] or e0 <= begin[nid]:
                continue
            fixed.append((o.id, k, nid, o.planned_start_at))
            if s0 < begin[nid]:  # under way or started already: she is free when it ends, at that door
                begin[nid], leave_from[nid] = max(begin[nid], e0), loc
                continue
            pins.setdefault(nid, []).append((s0, e0, loc))
    for o in d.orders:  # every place is known before the travel matrix is computed
        at(o.latitude, o.longitude)
    matrix = travel.matrix(points)
    caregivers: list[Caregiver] = []
    pieces: dict[str, list[str]] = {}
    for _, p in d.shifts:
        nid = p.id
        cursor, where = begin[nid], leave_from[nid]
        n = 0
        for s0, e0, loc in sorted(pins.get(nid, [])):
            caregivers.append(Caregiver(f"{nid}{PIECE}{n}", frozenset({SERVICE}), where, loc,
                                        (cursor, max(cursor, s0))))
            pieces.setdefault(nid, []).append(f"{nid}{PIECE}{n}")
            n += 1
            cursor, where = max(cursor, e0), loc
        last = max(end[nid], cursor + matrix[where][home[nid]])
        caregivers.append(Caregiver(f"{nid}{PIECE}{n}", frozenset({SERVICE}), where, home[nid], (cursor, last)))
        pieces.setdefault(nid, []).append(f"{nid}{PIECE}{n}")
    on_shift = set(begin)

    def of(nurses: set[str]) -> frozenset[str]:
        return frozenset(c for n in nurses for c in pieces.get(n, []))

    jobs: list[Job] = []
    reasons: dict[str, str] = {}
    for o in d.orders:
        ok = d.eligible.get(o.id, set())
        if len(ok) < o.nurses_required:
            reasons[o.id] = "no_eligible_nurse"
            continue
        if len(ok & on_shift) < o.nurses_required:
            reasons[o.id] = "no_shift"
            continue
        dur = d.duration[o.id]
        earliest = max(minute_of(midnight, o.window_start_at), not_before)
        latest = minute_of(midnight, o.window_end_at)  # the window is when the nurse arrives (上门时间段)
        two = o.nurses_required == 2
        jobs.append(Job(o.id, at(o.latitude, o.longitude), (earliest, latest),
                        (Task(SERVICE, dur),) * (2 if two else 1), sync="simultaneous" if two else None,
                        incompatible=of(on_shift - ok),
                        preferred=of(d.preferred.get(o.id, set()) & ok & on_shift)))
    problem = Problem(tuple(caregivers), tuple(jobs), matrix, balance_weight=BALANCE_WEIGHT)
    return Built(problem=problem, midnight=midnight, reasons=reasons, fixed=fixed)


def stops_of(built: Built, solution: Solution) -> tuple[list[tuple[str, int, str, datetime]], dict[str, str]]:
    """(order id, task index, nurse id, start) of every placed visit, and the visits that could not be placed."""
    reasons = dict(built.reasons)
    placed: dict[str, list[tuple[str, int, str, datetime]]] = {}
    for piece, route in solution.routes.items():
        nurse_id = piece.partition(PIECE)[0]
        for stop in route:
            start = built.midnight + timedelta(minutes=stop.start)
            placed.setdefault(stop.job_id, []).append((stop.job_id, stop.task_index, nurse_id, start))
    out = list(built.fixed)
    for job in built.problem.jobs:
        got = placed.get(job.id, [])
        if len(got) == len(job.tasks):
            out.extend(got)
        else:
            reasons[job.id] = "could_not_fit"
    return out, reasons


async def propose(session: AsyncSession, actor: Actor | None, institution_id: str, day: date, *,
                  replan_assigned: bool = False, time_limit: float | None = None) -> NursingPlan:
    """Plan the day, store it as the proposed plan (a previous proposal of the day is superseded)."""
    await registry.get_institution(session, institution_id)
    now = clock.now()
    if day < clock.local_date(now):
        raise DomainError(errs.DAY_INVALID)
    d = await gather(session, institution_id, day, replan_assigned=replan_assigned)
    built = build(d, now)
    settings = get_settings()
    limit = settings.nursing_dispatch_seconds if time_limit is None else time_limit
    if built.problem.jobs and built.problem.caregivers:
        solution = await asyncio.to_thread(solve, built.problem, limit, 0, settings.nursing_dispatch_engine)
    else:
        solution = Solution(routes={}, unassigned=[j.id for j in built.problem.jobs], travel=0, total_tardiness=0,
                            max_tardiness=0, objective=0.0, seconds=0.0)
    placed, reasons = stops_of(built, solution)
    await session.execute(update(NursingPlan).where(
        NursingPlan.institution_id == institution_id, NursingPlan.day == day, NursingPlan.status == "proposed")
        .values(status="superseded").execution_options(synchronize_session=False))
    plan = NursingPlan(institution_id=institution_id, day=day, status="proposed", travel_min=0, tardiness_min=0,
                       max_tardiness_min=0, unassigned=[f"{oid}:{why}" for oid, why in reasons.items()],
                       seconds=round(solution.seconds, 3), created_by=actor.account_id if actor else None,
                       created_at=utcnow())
    session.add(plan)
    await session.flush()
    rows = [NursingPlanStop(plan_id=plan.id, order_id=oid, task_index=k, practitioner_id=nid, sequence=0,
                            start_at=start, travel_min=0) for oid, k, nid, start in placed]
    session.add_all(rows)
    await session.flush()
    await dispatch_plan.recompute(session, plan)
    return plan
