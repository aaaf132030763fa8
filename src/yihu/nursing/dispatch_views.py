"""Turning shifts and plans into what the dispatch console shows (names fetched in batches, patient names masked)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from yihu.kit import clock
from yihu.kit.context import current_lang
from yihu.kit.crypto import mask_name
from yihu.nursing import dispatch, dispatch_plan, travel
from yihu.nursing import dispatch_schemas as ds
from yihu.nursing.models import NursingItemVersion, NursingOrder, NursingPlan, NursingShift
from yihu.registry import service as registry
from yihu.registry.models import Practitioner


def shift_out(s: NursingShift, p: Practitioner) -> ds.ShiftOut:
    return ds.ShiftOut(id=s.id, practitioner_id=p.id, nurse_name=p.name, nurse_title=p.title, day=s.day,
                       start=f"{s.start_at.astimezone(clock.LOCAL):%H:%M}",
                       end=f"{s.end_at.astimezone(clock.LOCAL):%H:%M}", start_at=s.start_at, end_at=s.end_at,
                       start_latitude=s.start_latitude, start_longitude=s.start_longitude)


async def _item_names(session: AsyncSession, orders: Sequence[NursingOrder]) -> dict[str, str]:
    if not orders:
        return {}
    en = current_lang() == "en"
    rows = (await session.execute(select(NursingItemVersion.id, NursingItemVersion.name_zh, NursingItemVersion.name_en)
                                  .where(NursingItemVersion.id.in_({o.item_version_id for o in orders})))).tuples()
    names = {vid: (name_en if en else name_zh) for vid, name_zh, name_en in rows.all()}
    return {o.id: names.get(o.item_version_id, "") for o in orders}


async def plan_out(session: AsyncSession, plan: NursingPlan) -> ds.PlanOut:
    got = await dispatch_plan.load(session, plan)
    orders = list(got.orders.values())
    items = await _item_names(session, orders)
    patients = await registry.names_of(session, list({o.patient_id for o in orders}))
    nurse_ids = set(got.shifts) | {s.practitioner_id for s in got.stops}
    nurses = {p.id: p for p in (await session.scalars(select(Practitioner).where(
        Practitioner.id.in_(nurse_ids)))).all()} if nurse_ids else {}
    previous = await dispatch.previous_nurses(session, orders)
    en = current_lang() == "en"
    by_order: dict[str, dict[int, str]] = {}
    for s in got.stops:
        by_order.setdefault(s.order_id, {})[s.task_index] = s.practitioner_id
    starts = {s.order_id: s.start_at for s in got.stops}
    routes: dict[str, list[ds.StopOut]] = {nid: [] for nid in got.shifts}
    for s in got.stops:
        o, dur = got.orders[s.order_id], got.duration[s.order_id]
        pair = by_order[s.order_id]
        partner = next((n for k, n in pair.items() if k != s.task_index), None)
        current = {k: n for k, n in enumerate((o.nurse_id, o.second_nurse_id)) if n}
        routes.setdefault(s.practitioner_id, []).append(ds.StopOut(
            order_id=o.id, order_number=o.number, order_status=o.status, task_index=s.task_index,
            item_name=items[o.id], patient_name=mask_name(patients.get(o.patient_id, "")), address=o.address,
            latitude=o.latitude, longitude=o.longitude, start_at=s.start_at,
            end_at=s.start_at + timedelta(minutes=dur), travel_min=s.travel_min, window_start_at=o.window_start_at,
            window_end_at=o.window_end_at, late_min=dispatch_plan.lateness(o, s.start_at),
            nurses_required=o.nurses_required, partner_nurse_id=partner,
            partner_nurse_name=nurses[partner].name if partner in nurses else None,
            continuity=s.practitioner_id in previous.get(o.id, set()),
            unchanged=current == pair and o.planned_start_at == starts[o.id]))
    out_routes = []
    for nid, stops in routes.items():
        shift, p = got.shifts.get(nid), nurses.get(nid)
        back = 0
        if shift and stops:
            back = travel.minutes((stops[-1].latitude, stops[-1].longitude),
                                  (shift.start_latitude, shift.start_longitude))
        out_routes.append(ds.RouteOut(
            nurse_id=nid, nurse_name=p.name if p else "", nurse_title=p.title if p else "",
            shift_start_at=shift.start_at if shift else None, shift_end_at=shift.end_at if shift else None,
            start_latitude=shift.start_latitude if shift else None,
            start_longitude=shift.start_longitude if shift else None, visits=len(stops),
            service_min=sum(got.duration[s.order_id] for s in stops),
            travel_min=sum(s.travel_min for s in stops) + back, return_travel_min=back, stops=stops))
    out_routes.sort(key=lambda r: (r.shift_start_at is None, r.nurse_name, r.nurse_id))
    unassigned = []
    for oid, why in dispatch_plan.unassigned_of(plan).items():
        u = got.orders.get(oid)
        if u is None:
            continue
        zh, en_text = dispatch_plan.REASONS.get(why, (why, why))
        unassigned.append(ds.UnassignedOut(
            order_id=u.id, order_number=u.number, item_name=items.get(u.id, ""),
            patient_name=mask_name(patients.get(u.patient_id, "")), address=u.address,
            window_start_at=u.window_start_at, window_end_at=u.window_end_at, nurses_required=u.nurses_required,
            reason=why, reason_text=en_text if en else zh))
    unassigned.sort(key=lambda u: (u.window_start_at, u.order_number))
    return ds.PlanOut(id=plan.id, institution_id=plan.institution_id, day=plan.day, status=plan.status,
                      created_at=plan.created_at, confirmed_at=plan.confirmed_at, seconds=plan.seconds,
                      visits=len(by_order), travel_min=plan.travel_min, tardiness_min=plan.tardiness_min,
                      max_tardiness_min=plan.max_tardiness_min, routes=out_routes, unassigned=unassigned)
