"""The nursing cockpit's figures on a hand-built month, exactly; scopes; who may look."""

from __future__ import annotations

from sqlalchemy import func, select

from tests import builders as b
from tests.cockpit.seed import seed
from tests.nursing import builders as nb
from yihu.nursing.models import NursingOrder

OCT = {"from": "2026-10-01", "to": "2026-11-01"}
FIGURES = ("orders", "completed", "paid", "revenue_fen", "rated", "avg_rating", "satisfied", "satisfied_share",
           "visited", "avg_to_visit_min")


def _figs(row):
    return tuple(row[k] for k in FIGURES)


async def _get(client, account, **params):
    r = await client.get("/api/v1/cockpit/nursing", params={**OCT, **params}, headers=b.auth(account))
    assert r.status_code == 200, r.text
    return r.json()


async def test_the_regulator_sees_every_group_of_the_region_exactly(client, session):
    s = await seed(session)
    c = await _get(client, s.w.regulator)
    assert c["period"] == {"start": "2026-10-01", "end": "2026-11-01", "days": 31}
    assert c["scope"] == {"institution_id": None, "institution_name": None}
    t = c["totals"]
    # placed in October (local): a1 a2 a4 a5 a6 b1 b2; completed/paid/rated: a1 a2 a3 b1; checked in: + b2
    assert _figs(t) == (7, 4, 4, 85400, 4, 4.0, 3, 0.75, 5, 1092.0)
    assert (t["median_to_visit_min"], t["p90_to_visit_min"]) == (600.0, 2340.0)
    assert (t["consumables_count"], t["consumables_fen"], t["waste_records"]) == (5, 9400, 3)
    assert {x["status"]: x["count"] for x in c["status"] if x["count"]} == {
        "requested": 1, "rated": 3, "en_route": 1, "cancelled": 1, "in_service": 1}
    assert len(c["status"]) == 14 and c["status"][0] == {"status": "requested", "text": "待审核", "count": 1}
    inst = {r["id"]: _figs(r) for r in c["by_institution"]}
    assert inst == {s.w.inst.id: (5, 3, 3, 60600, 3, 3.67, 2, 0.6667, 3, 1300.0),
                    s.inst_b.id: (2, 1, 1, 24800, 1, 5.0, 1, 1.0, 2, 780.0)}
    assert [r["id"] for r in c["by_institution"]] == [s.w.inst.id, s.inst_b.id]  # most orders first
    assert c["by_institution"][0]["name"] == s.w.inst.name
    nurses = {r["id"]: _figs(r) for r in c["by_nurse"]}
    assert nurses == {s.n1.id: (1, 2, 2, 37500, 2, 3.5, 1, 0.5, 2, 1770.0),
                      s.n2.id: (2, 1, 1, 23100, 1, 4.0, 1, 1.0, 1, 360.0),
                      s.nb1.id: (2, 1, 1, 24800, 1, 5.0, 1, 1.0, 2, 780.0)}
    assert c["by_nurse"][0]["id"] == s.n1.id and c["by_nurse"][0]["name"] == s.n1.name  # most completed first
    items = {r["code"]: _figs(r) for r in c["by_item"]}
    assert items == {"HN901": (4, 3, 3, 62300, 3, 4.0, 2, 0.6667, 3, 1660.0),
                     "HN902": (3, 1, 1, 23100, 1, 4.0, 1, 1.0, 2, 240.0)}
    assert c["by_item"][1]["name"] == "PICC维护"
    assert [(x["code"], x["count"], x["amount_fen"], x["visits"]) for x in c["consumables"]] == [
        ("picc_kit", 1, 6800, 1), ("dressing_pack", 1, 1500, 1), ("gloves", 2, 600, 1), ("saline", 1, 500, 1)]
    assert c["waste"] == [{"kind": "infectious", "records": 2, "count": 2, "weight_g": 230},
                          {"kind": "sharps", "records": 1, "count": 1, "weight_g": 0}]
    days = {d["day"]: (d["orders"], d["completed"]) for d in c["daily"] if d["orders"] or d["completed"]}
    assert len(c["daily"]) == 31 and c["daily"][0]["day"] == "2026-10-01"
    # a5 was placed at 07:00 local on the 20th (23:00 UTC on the 19th): counted on the local day
    assert days == {"2026-10-01": (0, 1), "2026-10-03": (1, 0), "2026-10-05": (0, 1), "2026-10-08": (1, 0),
                    "2026-10-09": (1, 1), "2026-10-10": (1, 1), "2026-10-15": (1, 0), "2026-10-20": (1, 0),
                    "2026-10-31": (1, 0)}
    live = c["live"]
    assert (live["in_progress"], live["en_route"], live["in_service"]) == (2, 1, 1)
    assert (live["alarms_open"], live["alarms_unacknowledged"]) == (2, 1)
    assert (live["awaiting_review"], live["awaiting_acceptance"], live["awaiting_dispatch"]) == (2, 1, 0)
    assert live["today"] == {"orders": 1, "completed": 0, "paid": 0, "revenue_fen": 0}
    assert [(e["order_number"], e["action_text"]) for e in live["recent"]] == [
        (s.orders["a8"].number, "下单"), (s.orders["b2"].number, "到达签到")]


async def test_an_institution_admin_sees_only_their_own_institution(client, session):
    s = await seed(session)
    c = await _get(client, s.w.admin)
    assert c["scope"] == {"institution_id": s.w.inst.id, "institution_name": s.w.inst.name}
    assert _figs(c["totals"]) == (5, 3, 3, 60600, 3, 3.67, 2, 0.6667, 3, 1300.0)
    assert (c["totals"]["median_to_visit_min"], c["totals"]["p90_to_visit_min"]) == (600.0, 2472.0)
    assert [r["id"] for r in c["by_institution"]] == [s.w.inst.id]
    assert {r["id"] for r in c["by_nurse"]} == {s.n1.id, s.n2.id}
    assert {r["code"]: r["orders"] for r in c["by_item"]} == {"HN901": 3, "HN902": 2}
    assert [x["code"] for x in c["consumables"]] == ["dressing_pack", "gloves", "saline"]
    assert c["waste"] == [{"kind": "infectious", "records": 1, "count": 2, "weight_g": 150},
                          {"kind": "sharps", "records": 1, "count": 1, "weight_g": 0}]
    assert {x["status"]: x["count"] for x in c["status"] if x["count"]} == {
        "requested": 1, "rated": 2, "en_route": 1, "cancelled": 1}
    assert sum(d["orders"] for d in c["daily"]) == 5 and sum(d["completed"] for d in c["daily"]) == 3
    live = c["live"]
    assert (live["in_progress"], live["alarms_open"], live["awaiting_review"]) == (1, 1, 2)
    assert [e["order_number"] for e in live["recent"]] == [s.orders["a8"].number]
    # asking for the other institution, on either endpoint, is refused
    for path in ("/api/v1/cockpit/nursing", "/api/v1/cockpit/nursing/live"):
        r = await client.get(path, params={**OCT, "institution_id": s.inst_b.id}, headers=b.auth(s.w.admin))
        assert r.status_code == 403 and r.json()["code"] == "auth.forbidden"
    # the regulator may look at one institution: the same figures as its admin sees
    other = await _get(client, s.w.regulator, institution_id=s.inst_b.id)
    mine = await _get(client, s.admin_b)
    assert _figs(other["totals"]) == _figs(mine["totals"]) == (2, 1, 1, 24800, 1, 5.0, 1, 1.0, 2, 780.0)
    assert other["by_nurse"] == mine["by_nurse"] and other["consumables"] == mine["consumables"]


async def test_residents_nurses_and_strangers_are_refused(client, session):
    s = await seed(session)
    for account in (s.w.resident, s.w.nurses[0][1]):
        for path in ("/api/v1/cockpit/nursing", "/api/v1/cockpit/nursing/live"):
            r = await client.get(path, headers=b.auth(account))
            assert r.status_code == 403 and r.json()["code"] == "auth.forbidden"
    r = await client.get("/api/v1/cockpit/nursing")
    assert r.status_code == 401


async def test_a_bad_period_is_a_clear_422(client, session):
    s = await seed(session)
    h = b.auth(s.w.regulator)
    for params in ({"from": "2026-10-05", "to": "2026-10-05"}, {"from": "2026-10-05", "to": "2026-10-01"},
                   {"from": "2024-01-01", "to": "2026-01-01"}):
        r = await client.get("/api/v1/cockpit/nursing", params=params, headers=h)
        assert r.status_code == 422 and r.json()["code"] == "cockpit.period_invalid", params
    r = await client.get("/api/v1/cockpit/nursing", params={"from": "2026-13-01"}, headers=h)
    assert r.status_code == 422 and r.json()["code"] == "common.validation"


async def test_the_default_period_is_this_month_and_reflects_a_new_order_at_once(client, session):
    w = await nb.world(session)
    h = b.auth(w.regulator)
    before = (await client.get("/api/v1/cockpit/nursing", headers=h)).json()
    live = (await client.get("/api/v1/cockpit/nursing/live", headers=h)).json()
    assert before["period"]["start"][8:] == "01" and before["totals"]["orders"] == 0
    assert (live["awaiting_review"], live["today"]["orders"]) == (0, 0)
    r = await client.post("/api/v1/nursing/orders", json=nb.order_body(w), headers=b.auth(w.resident))
    assert r.status_code == 201, r.text
    after = (await client.get("/api/v1/cockpit/nursing", headers=h)).json()
    live = (await client.get("/api/v1/cockpit/nursing/live", headers=h)).json()
    assert after["totals"]["orders"] == 1 == await session.scalar(select(func.count()).select_from(NursingOrder))
    assert {x["status"]: x["count"] for x in after["status"]}["requested"] == 1
    assert (live["awaiting_review"], live["today"]["orders"]) == (1, 1)
    assert live["recent"][0]["action"] == "create"


async def test_an_unknown_institution_is_a_404_for_the_regulator(client, session):
    s = await seed(session)
    for path in ("/api/v1/cockpit/nursing", "/api/v1/cockpit/nursing/live"):
        r = await client.get(path, params={"institution_id": "00000000-0000-0000-0000-000000000000"},
                             headers=b.auth(s.w.regulator))
        assert r.status_code == 404 and r.json()["code"] == "common.not_found", path
