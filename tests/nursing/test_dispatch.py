"""The dispatcher: a day plan that respects eligibility, two-nurse visits, kept-away nurses, shifts and windows;
confirming assigns exactly the plan; a stale plan changes nothing; continuity; unassigned visits with reasons."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests import builders as b
from tests.nursing import builders as nb
from yihu.config import get_settings
from yihu.kit import clock
from yihu.nursing import catalogue, travel
from yihu.nursing.models import NursingOrder, NursingPlan, NursingPlanStop
from yihu.registry import directory

DAY = nb.tomorrow()
P2 = (30.7700, 120.7000)
P4 = (30.7800, 120.6950)


@pytest.fixture(autouse=True)
def quick_optimiser(monkeypatch):
    monkeypatch.setattr(get_settings(), "nursing_dispatch_seconds", 1.0)


def base(w) -> str:
    return f"/api/v1/institutions/{w.inst.id}/nursing"


async def accepted(client, w, account, *, item_id=None, start="09:00", end="11:00", at=(nb.HOME_LAT, nb.HOME_LON),
                   day=None, series=None) -> list[dict]:
    body = nb.order_body(w, day=day or DAY, start=start, end=end, item_id=item_id, series=series)
    body.update(patient_id=account.patient_id, latitude=at[0], longitude=at[1])
    r = await client.post("/api/v1/nursing/orders", json=body, headers=b.auth(account))
    assert r.status_code == 201, r.text
    first = r.json()[0]["id"]
    adm = b.auth(w.admin)
    assert (await client.post(f"/api/v1/nursing/orders/{first}/assess", json=nb.approve_body(),
                              headers=adm)).status_code == 200
    r = await client.post(f"/api/v1/nursing/orders/{first}/accept", headers=adm)
    assert r.status_code == 200, r.text
    return r.json()


async def shift(client, w, nurse_id, *, day=None, start="08:00", end="17:00", at=None) -> dict:
    body: dict = {"start": start, "end": end}
    if at:
        body.update(start_latitude=at[0], start_longitude=at[1])
    r = await client.put(f"{base(w)}/shifts/{(day or DAY).isoformat()}/{nurse_id}", json=body,
                         headers=b.auth(w.admin))
    assert r.status_code == 200, r.text
    return r.json()


async def propose(client, w, day=None, **kw) -> dict:
    r = await client.post(f"{base(w)}/plans", json={"day": (day or DAY).isoformat(), **kw}, headers=b.auth(w.admin))
    assert r.status_code == 201, r.text
    return r.json()


def placed(plan: dict) -> dict[str, list[tuple[str, str, int]]]:
    """order id -> [(nurse id, start, task index)]."""
    out: dict[str, list[tuple[str, str, int]]] = {}
    for route in plan["routes"]:
        for s in route["stops"]:
            out.setdefault(s["order_id"], []).append((route["nurse_id"], s["start_at"], s["task_index"]))
    return out


def ts(value: str) -> datetime:
    return datetime.fromisoformat(value)


def check_routes(plan: dict, shifts: dict[str, dict]) -> None:
    """Every route is feasible: leaves the start point at the shift start at the earliest, travels, never overlaps,
    starts each visit inside its window and is back by the end of the shift."""
    for route in plan["routes"]:
        sh = shifts[route["nurse_id"]]
        clock_at, here = ts(sh["start_at"]), (sh["start_latitude"], sh["start_longitude"])
        for s in route["stops"]:
            there = (s["latitude"], s["longitude"])
            assert s["travel_min"] == travel.minutes(here, there)
            assert ts(s["start_at"]) >= clock_at + timedelta(minutes=s["travel_min"])
            assert ts(s["window_start_at"]) <= ts(s["start_at"])
            assert ts(s["start_at"]) <= ts(s["window_end_at"]) and s["late_min"] == 0
            clock_at, here = ts(s["end_at"]), there
        back = travel.minutes(here, (sh["start_latitude"], sh["start_longitude"])) if route["stops"] else 0
        assert route["return_travel_min"] == back
        assert clock_at + timedelta(minutes=back) <= ts(sh["end_at"])


async def test_a_day_plan_respects_credentials_two_nurse_visits_kept_away_nurses_and_is_confirmed(client, session):
    w = await nb.world(session, nurses=3)
    (a, _), (bn, _), (c, _) = w.nurses
    await directory.add_credential(session, a.id, kind="picc", number="PICC-A", issued_on=date.today() - timedelta(
        days=100), expires_on=date.today() + timedelta(days=900))
    picc = await nb.item(session, code="HN902", name="PICC维护", credentials=["picc"], duration_min=45)
    pair = await nb.item(session, code="HN903", name="压疮护理", nurses_required=2, duration_min=60)
    for it in (picc, pair):
        await catalogue.set_offering(session, w.inst.id, it.id, True)
    people = [w.resident] + [await b.resident(session, name=n) for n in ("李建国", "王秀英", "赵志强", "钱丽娟", "孙海涛")]
    await b.done(session)
    o1 = (await accepted(client, w, people[0], start="08:30", end="10:30"))[0]
    o2 = (await accepted(client, w, people[1], item_id=picc.id, start="09:00", end="11:00", at=P2))[0]
    o3 = (await accepted(client, w, people[2], item_id=pair.id, start="10:00", end="12:30", at=(30.7550, 120.7200)))[0]
    o4 = (await accepted(client, w, people[3], start="13:00", end="15:00", at=P4))[0]
    o5 = (await accepted(client, w, people[4], start="14:00", end="16:00", at=(30.7500, 120.7050)))[0]
    o6 = (await accepted(client, w, people[5], start="09:00", end="12:00", at=(30.7680, 120.7250)))[0]
    r = await client.post(f"{base(w)}/blacklist", json={"patient_id": people[3].patient_id, "practitioner_id": bn.id,
                                                       "reason": "曾有纠纷，回避"}, headers=b.auth(w.admin))
    assert r.status_code == 201, r.text
    # B starts at o4's door and C at o2's: only the rules keep them from those visits
    shifts = {a.id: await shift(client, w, a.id), bn.id: await shift(client, w, bn.id, at=P4),
              c.id: await shift(client, w, c.id, at=P2)}
    plan = await propose(client, w)
    assert (plan["status"], plan["unassigned"], plan["visits"]) == ("proposed", [], 6)
    got = placed(plan)
    assert [n for n, _, _ in got[o2["id"]]] == [a.id]  # PICC: the only nurse holding the certificate
    assert bn.id not in [n for n, _, _ in got[o4["id"]]]  # kept away from this recipient
    two = got[o3["id"]]
    assert len(two) == 2 and two[0][0] != two[1][0] and two[0][1] == two[1][1]
    assert sorted(k for _, _, k in two) == [0, 1]
    for o in (o1, o5, o6):
        assert len(got[o["id"]]) == 1
    check_routes(plan, shifts)
    assert plan["tardiness_min"] == 0
    assert plan["travel_min"] == sum(r["travel_min"] for r in plan["routes"])
    stop = next(s for r in plan["routes"] for s in r["stops"] if s["order_id"] == o1["id"])
    assert (stop["patient_name"], stop["order_number"], stop["unchanged"]) == ("张*明", o1["number"], False)
    assert await session.scalar(select(func.count()).select_from(NursingPlanStop)) == 7
    # the latest plan of the day reads back the same
    r = await client.get(f"{base(w)}/plans", params={"day": DAY.isoformat()}, headers=b.auth(w.admin))
    assert r.status_code == 200 and placed(r.json()) == got

    r = await client.post(f"{base(w)}/plans/{plan['id']}/confirm", headers=b.auth(w.admin))
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "confirmed" and r.json()["confirmed_at"]
    for oid, stops in got.items():
        o = await session.get(NursingOrder, oid)
        await session.refresh(o)
        by_task = {k: n for n, _, k in stops}
        assert o.status == "assigned"
        assert (o.nurse_id, o.second_nurse_id) == (by_task[0], by_task.get(1))
        assert o.planned_start_at == ts(stops[0][1])
    assert all(s["unchanged"] for rt in r.json()["routes"] for s in rt["stops"])
    # a confirmed plan cannot be confirmed again
    r = await client.post(f"{base(w)}/plans/{plan['id']}/confirm", headers=b.auth(w.admin))
    assert (r.status_code, r.json()["code"]) == (409, "nursing.plan_not_proposed")


async def test_a_stale_plan_is_refused_and_nothing_changes(client, session):
    w = await nb.world(session, nurses=2)
    other = await b.resident(session, name="周晓燕")
    await b.done(session)
    o1 = (await accepted(client, w, w.resident))[0]
    o2 = (await accepted(client, w, other, start="13:00", end="15:00", at=P2))[0]
    for n, _ in w.nurses:
        await shift(client, w, n.id)
    plan = await propose(client, w)
    assert plan["visits"] == 2
    r = await client.post(f"/api/v1/nursing/orders/{o1['id']}/cancel", json={"reason": "已住院"},
                          headers=b.auth(w.resident))
    assert r.json()["status"] == "cancelled"
    r = await client.post(f"{base(w)}/plans/{plan['id']}/confirm", headers=b.auth(w.admin))
    assert (r.status_code, r.json()["code"]) == (409, "nursing.plan_stale")
    o = await session.get(NursingOrder, o2["id"])
    await session.refresh(o)
    assert (o.status, o.nurse_id, o.planned_start_at) == ("accepted", None, None)
    p = await session.get(NursingPlan, plan["id"])
    await session.refresh(p)
    assert (p.status, p.confirmed_at) == ("proposed", None)
    # a new proposal supersedes it; the old one can no longer be confirmed
    again = await propose(client, w)
    assert again["visits"] == 1
    await session.refresh(p)
    assert p.status == "superseded"
    r = await client.post(f"{base(w)}/plans/{plan['id']}/confirm", headers=b.auth(w.admin))
    assert (r.status_code, r.json()["code"]) == (409, "nursing.plan_not_proposed")


async def test_a_series_next_visit_goes_to_the_same_nurse(client, session):
    w = await nb.world(session, nurses=3)
    rows = await accepted(client, w, w.resident, series=[{"every_days": 1, "count": 2}])
    nxt = DAY + timedelta(days=1)
    for n, _ in w.nurses:
        await shift(client, w, n.id)
        await shift(client, w, n.id, day=nxt)
    listed = (await client.get(f"{base(w)}/shifts", params={"day": nxt.isoformat()}, headers=b.auth(w.admin))).json()
    last = listed[-1]["practitioner_id"]  # the nurse the optimiser would otherwise reach last
    r = await client.post(f"/api/v1/nursing/orders/{rows[0]['id']}/assign",
                          json={"nurse_id": last, "start": nb.at(DAY, "09:30").isoformat()}, headers=b.auth(w.admin))
    assert r.status_code == 200, r.text
    plan = await propose(client, w, day=nxt)
    got = placed(plan)
    assert [n for n, _, _ in got[rows[1]["id"]]] == [last]
    stop = next(s for rt in plan["routes"] for s in rt["stops"])
    assert stop["continuity"] is True


async def test_visits_that_cannot_be_dispatched_are_reported_with_the_reason(client, session):
    w = await nb.world(session, nurses=2)
    (a, _), (bn, _) = w.nurses
    await directory.add_credential(session, a.id, kind="picc", number="PICC-A2", issued_on=date.today() - timedelta(
        days=100), expires_on=date.today() + timedelta(days=900))
    picc = await nb.item(session, code="HN904", name="PICC维护", credentials=["picc"])
    mid = await nb.item(session, code="HN905", name="新生儿护理", credentials=["midwifery"])
    for it in (picc, mid):
        await catalogue.set_offering(session, w.inst.id, it.id, True)
    people = [await b.resident(session, name=n) for n in ("吴国平", "郑文静")]
    await b.done(session)
    no_shift = (await accepted(client, w, w.resident, item_id=picc.id))[0]
    nobody = (await accepted(client, w, people[0], item_id=mid.id, at=P2))[0]
    too_late = (await accepted(client, w, people[1], start="15:00", end="17:00", at=P4))[0]
    await shift(client, w, bn.id, start="08:00", end="10:00")  # A, the PICC nurse, is off that day
    plan = await propose(client, w)
    why = {u["order_id"]: (u["reason"], u["reason_text"]) for u in plan["unassigned"]}
    assert why == {no_shift["id"]: ("no_shift", "符合条件的护士当天没有上门班次"),
                   nobody["id"]: ("no_eligible_nurse", "本机构没有符合条件的护士"),
                   too_late["id"]: ("could_not_fit", "班次内无法安排（时间或路程不允许）")}
    assert [(rt["nurse_id"], rt["stops"]) for rt in plan["routes"]] == [(bn.id, [])]
    assert plan["visits"] == 0


async def test_a_visit_is_moved_by_hand_before_confirming(client, session):
    w = await nb.world(session, nurses=3)
    (a, _), (bn, _), (c, _) = w.nurses
    other = await b.resident(session, name="冯明远")
    await b.done(session)
    o1 = (await accepted(client, w, w.resident, start="09:00", end="12:00"))[0]
    o2 = (await accepted(client, w, other, start="09:00", end="12:00", at=P2))[0]
    r = await client.post(f"{base(w)}/blacklist", json={"patient_id": w.patient_id, "practitioner_id": c.id,
                                                       "reason": "回避"}, headers=b.auth(w.admin))
    assert r.status_code == 201
    await shift(client, w, a.id)
    await shift(client, w, bn.id)
    plan = await propose(client, w)
    url, adm = f"{base(w)}/plans/{plan['id']}/move", b.auth(w.admin)
    got = placed(plan)
    n2, start2, _ = got[o2["id"]][0]

    async def move(order_id, nurse_id, hhmm):
        return await client.post(url, json={"order_id": order_id, "nurse_id": nurse_id,
                                            "start": nb.at(DAY, hhmm).isoformat()}, headers=adm)

    r = await move(o1["id"], c.id, "10:00")  # off shift
    assert (r.status_code, r.json()["code"]) == (422, "nursing.nurse_no_shift")
    await shift(client, w, c.id)
    r = await move(o1["id"], c.id, "10:00")  # kept away from this recipient
    assert (r.status_code, r.json()["code"]) == (409, "nursing.nurse_not_eligible")
    r = await move(o1["id"], n2, f"{ts(start2).astimezone(clock.LOCAL):%H:%M}")
    assert (r.status_code, r.json()["code"]) == (409, "nursing.plan_overlap")
    target = a.id if n2 == bn.id else bn.id
    r = await move(o1["id"], target, "11:00")
    assert r.status_code == 200, r.text
    moved = placed(r.json())
    assert [(n, ts(s), k) for n, s, k in moved[o1["id"]]] == [(target, nb.at(DAY, "11:00"), 0)]
    assert moved[o2["id"]] == got[o2["id"]]
    r = await client.post(f"{base(w)}/plans/{plan['id']}/confirm", headers=adm)
    assert r.status_code == 200, r.text
    o = await session.get(NursingOrder, o1["id"])
    await session.refresh(o)
    assert (o.status, o.nurse_id, o.planned_start_at) == ("assigned", target, nb.at(DAY, "11:00"))


async def test_only_the_institutions_admin_plans(client, session):
    w = await nb.world(session, nurses=1)
    stranger = await b.staff(session, role="institution_admin", inst=await b.institution(session))
    await b.done(session)
    body = {"day": DAY.isoformat()}
    for who in (stranger, w.nurses[0][1], w.resident, w.regulator):
        r = await client.post(f"{base(w)}/plans", json=body, headers=b.auth(who))
        assert r.status_code == 403, who.role
    r = await client.get(f"{base(w)}/plans", params={"day": DAY.isoformat()}, headers=b.auth(w.admin))
    assert (r.status_code, r.json()["code"]) == (404, "nursing.plan_not_found")
    assert await session.scalar(select(func.count()).select_from(NursingPlan)) == 0


async def test_assigned_visits_stay_pinned_unless_replanning_is_asked(client, session):
    w = await nb.world(session, nurses=1)
    (a, _), = w.nurses
    other = await b.resident(session, name="陈佳怡")
    await b.done(session)
    o1 = (await accepted(client, w, w.resident, start="09:00", end="11:00"))[0]
    o2 = (await accepted(client, w, other, start="09:30", end="10:30", at=P2))[0]
    adm = b.auth(w.admin)
    r = await client.post(f"/api/v1/nursing/orders/{o1['id']}/assign",
                          json={"nurse_id": a.id, "start": nb.at(DAY, "10:00").isoformat()}, headers=adm)
    assert r.status_code == 200, r.text
    await shift(client, w, a.id)
    plan = await propose(client, w)
    got = placed(plan)
    assert [(n, ts(s)) for n, s, _ in got[o1["id"]]] == [(a.id, nb.at(DAY, "10:00"))]
    pinned = next(s for s in plan["routes"][0]["stops"] if s["order_id"] == o1["id"])
    assert pinned["unchanged"] is True
    # the other visit goes around it: after it ends, although that is late for its window
    s2 = next(s for s in plan["routes"][0]["stops"] if s["order_id"] == o2["id"])
    assert ts(s2["start_at"]) >= nb.at(DAY, "10:40") + timedelta(minutes=s2["travel_min"])
    assert s2["late_min"] == plan["tardiness_min"] > 0
    # re-planning moves the assigned visit too: o2 first, in its window, then o1
    plan = await propose(client, w, replan_assigned=True)
    route = plan["routes"][0]["stops"]
    assert [s["order_id"] for s in route] == [o2["id"], o1["id"]]
    assert plan["tardiness_min"] == 0 and route[1]["unchanged"] is False
    r = await client.post(f"{base(w)}/plans/{plan['id']}/confirm", headers=adm)
    assert r.status_code == 200, r.text
    for s in route:
        o = await session.get(NursingOrder, s["order_id"])
        await session.refresh(o)
        assert (o.status, o.nurse_id, o.planned_start_at) == ("assigned", a.id, ts(s["start_at"]))
    detail = (await client.get(f"/api/v1/nursing/orders/{o1['id']}", headers=adm)).json()
    assert [e["action"] for e in detail["events"]][-3:] == ["assign", "unassign", "assign"]


async def test_a_plan_whose_nurse_became_ineligible_is_stale(client, session):
    w = await nb.world(session, nurses=1)
    (a, _), = w.nurses
    o1 = (await accepted(client, w, w.resident))[0]
    await shift(client, w, a.id)
    plan = await propose(client, w)
    assert placed(plan)[o1["id"]][0][0] == a.id
    r = await client.post(f"{base(w)}/blacklist", json={"patient_id": w.patient_id, "practitioner_id": a.id,
                                                       "reason": "家属要求回避"}, headers=b.auth(w.admin))
    assert r.status_code == 201
    r = await client.post(f"{base(w)}/plans/{plan['id']}/confirm", headers=b.auth(w.admin))
    assert (r.status_code, r.json()["code"]) == (409, "nursing.plan_stale")
    o = await session.get(NursingOrder, o1["id"])
    await session.refresh(o)
    assert (o.status, o.nurse_id) == ("accepted", None)
    assert (await session.get(NursingPlan, plan["id"])).status == "proposed"
