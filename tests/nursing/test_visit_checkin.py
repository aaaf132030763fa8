"""Setting off, checking in at the address (consent, radius, eligibility re-checked), pings, the nurse's day."""

from __future__ import annotations

import math
from datetime import date, timedelta

from sqlalchemy import func, select, update

from tests import builders as b
from tests.nursing import builders as nb
from tests.nursing import visit_builders as vb
from yihu.nursing.models import NursingOrder
from yihu.nursing.visit_models import NursingLocation
from yihu.nursing.visits import distance_m
from yihu.registry.models import Credential


async def _order(session, order_id) -> NursingOrder:
    return await session.scalar(select(NursingOrder).where(NursingOrder.id == order_id)
                                .execution_options(populate_existing=True))


async def _locations(session, order_id):
    return await session.scalar(select(func.count()).select_from(NursingLocation)
                                .where(NursingLocation.order_id == order_id))


def test_haversine_matches_known_distances():
    assert round(distance_m(nb.HOME_LAT, nb.HOME_LON, nb.HOME_LAT + 0.001, nb.HOME_LON)) == 111
    # 北京天安门 → 上海人民广场 against the spherical law of cosines (another formula, same sphere)
    p1, p2, dl = math.radians(39.9087), math.radians(31.2304), math.radians(121.4737 - 116.3975)
    cosines = 6_371_008.8 * math.acos(math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(dl))
    assert abs(distance_m(39.9087, 116.3975, 31.2304, 121.4737) - cosines) < 1
    assert 1_060_000 < cosines < 1_075_000
    assert distance_m(30.0, 120.0, 30.0, 120.0) == 0


async def test_check_in_near_the_door_starts_the_service(client, session):
    w = await nb.world(session)
    o = await vb.on_the_way(client, w)
    r = await client.post(f"/api/v1/nursing/orders/{o['id']}/check-in", json=vb.NEAR, headers=vb.nurse_h(w))
    assert r.status_code == 200, r.text
    out = r.json()
    assert (out["status"], out["checkin_distance_m"]) == ("in_service", 111)
    row = await _order(session, o["id"])
    assert row.checked_in_at is not None and row.departed_at is not None
    kinds = (await session.scalars(select(NursingLocation.kind).where(NursingLocation.order_id == o["id"]))).all()
    assert list(kinds) == ["check_in"]
    # pings while in service; the institution sees them, the resident does not
    r = await client.post(f"/api/v1/nursing/orders/{o['id']}/locations", json=vb.HOME, headers=vb.nurse_h(w))
    assert (r.status_code, r.json()["kind"]) == (201, "ping")
    r = await client.get(f"/api/v1/nursing/orders/{o['id']}/locations", headers=b.auth(w.admin))
    assert [x["kind"] for x in r.json()] == ["check_in", "ping"]
    assert (await client.get(f"/api/v1/nursing/orders/{o['id']}/locations",
                             headers=b.auth(w.resident))).status_code == 403


async def test_check_in_refusals_change_nothing(client, session):
    w = await nb.world(session)
    o = await vb.on_the_way(client, w)
    url = f"/api/v1/nursing/orders/{o['id']}/check-in"
    # another nurse of the institution
    r = await client.post(url, json=vb.NEAR, headers=vb.nurse_h(w, 1))
    assert (r.status_code, r.json()["code"]) == (403, "nursing.not_assigned_nurse")
    # about 1 km away: 422 with the distance in the message
    r = await client.post(url, json=vb.FAR, headers=vb.nurse_h(w))
    assert (r.status_code, r.json()["code"]) == (422, "nursing.checkin_too_far")
    assert "1001米" in r.json()["message"] and "500米" in r.json()["message"]
    # no location at all
    r = await client.post(url, json={}, headers=vb.nurse_h(w))
    assert r.status_code == 422
    row = await _order(session, o["id"])
    assert (row.status, row.checked_in_at, row.checkin_distance_m) == ("en_route", None, None)
    assert await _locations(session, o["id"]) == 0


async def test_check_in_without_consent_is_refused(client, session):
    w = await nb.world(session)
    o = await vb.assigned(client, w)
    nh = vb.nurse_h(w)
    r = await client.post(f"/api/v1/nursing/orders/{o['id']}/depart", json={}, headers=nh)
    assert r.status_code == 200
    r = await client.post(f"/api/v1/nursing/orders/{o['id']}/check-in", json=vb.HOME, headers=nh)
    assert (r.status_code, r.json()["code"]) == (409, "nursing.consent_missing")
    row = await _order(session, o["id"])
    assert (row.status, row.checked_in_at) == ("en_route", None)
    assert await _locations(session, o["id"]) == 0


async def test_a_nurse_whose_training_expired_after_assignment_cannot_check_in(client, session):
    w = await nb.world(session)
    o = await vb.on_the_way(client, w)
    nurse_id = w.nurses[0][0].id
    await session.execute(update(Credential).where(Credential.practitioner_id == nurse_id,
                                                   Credential.kind == "home_care_training")
                          .values(expires_on=date.today() - timedelta(days=1)))
    await b.done(session)
    r = await client.post(f"/api/v1/nursing/orders/{o['id']}/check-in", json=vb.HOME, headers=vb.nurse_h(w))
    assert (r.status_code, r.json()["code"]) == (409, "nursing.nurse_not_eligible")
    assert "岗前培训合格证缺失或已过期" in r.json()["message"]
    row = await _order(session, o["id"])
    assert (row.status, row.checked_in_at) == ("en_route", None)
    assert await _locations(session, o["id"]) == 0


async def test_steps_out_of_order_are_refused(client, session):
    w = await nb.world(session)
    o = await vb.assigned(client, w)
    nh = vb.nurse_h(w)
    # check-in before setting off, pings before the visit, check-out before the record
    r = await client.post(f"/api/v1/nursing/orders/{o['id']}/check-in", json=vb.HOME, headers=nh)
    assert (r.status_code, r.json()["code"]) == (409, "nursing.illegal_step")
    r = await client.post(f"/api/v1/nursing/orders/{o['id']}/locations", json=vb.HOME, headers=nh)
    assert (r.status_code, r.json()["code"]) == (409, "nursing.not_during_visit")
    r = await client.post(f"/api/v1/nursing/orders/{o['id']}/check-out", json=vb.HOME, headers=nh)
    assert (r.status_code, r.json()["code"]) == (409, "nursing.illegal_step")
    # the resident cannot move the visit
    r = await client.post(f"/api/v1/nursing/orders/{o['id']}/depart", json={}, headers=b.auth(w.resident))
    assert r.status_code == 403
    assert (await _order(session, o["id"])).status == "assigned"
    assert await _locations(session, o["id"]) == 0


async def test_the_nurses_day_in_route_order_with_the_next_action(client, session):
    w = await nb.world(session)
    late = await vb.assigned(client, w, start="14:00", window=("13:00", "16:00"))
    early = await vb.consented(client, w, start="08:30", window=("08:00", "10:00"))
    other = await vb.assigned(client, w, nurse=1, start="10:00", window=("09:00", "12:00"))
    r = await client.get("/api/v1/nursing/visits/today", params={"day": nb.tomorrow().isoformat()},
                         headers=vb.nurse_h(w))
    assert r.status_code == 200, r.text
    rows = r.json()
    assert [x["order_id"] for x in rows] == [early["id"], late["id"]]
    assert [(x["status"], x["next_action"], x["consent_signed"]) for x in rows] == [
        ("consented", "depart", True), ("assigned", "consent", False)]
    first = rows[0]
    assert first["item_name"] == "伤口换药" and first["patient_name"] == early["patient_name"]
    assert first["phone_masked"] is not None and "****" in first["phone_masked"]
    assert first["address"].startswith("嘉兴市秀洲区")
    assert other["id"] not in [x["order_id"] for x in rows]
    # today (no visit today) and only nurses
    r = await client.get("/api/v1/nursing/visits/today", headers=vb.nurse_h(w))
    assert (r.status_code, r.json()) == (200, [])
    assert (await client.get("/api/v1/nursing/visits/today", headers=b.auth(w.admin))).status_code == 403
