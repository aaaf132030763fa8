"""The one-key alarm: raised by the nurse out on a visit, published to the institution's channel on commit,
notified in-app to the institution's admins, acknowledged and closed by the institution, read by the regulator."""

from __future__ import annotations

import asyncio
import json

from sqlalchemy import func, select

from tests import builders as b
from tests.nursing import builders as nb
from tests.nursing import visit_builders as vb
from yihu.notify.models import OutboxMessage
from yihu.nursing import alarms
from yihu.nursing.visit_models import NursingAlarm, NursingLocation
from yihu.queueing.stream import broker_of


async def _count(session, model, *where):
    return await session.scalar(select(func.count()).select_from(model).where(*where))


async def test_an_alarm_is_pushed_to_the_console_and_tracked_until_closed(app, client, session):
    w = await nb.world(session)
    second_admin = await b.staff(session, role="institution_admin", inst=w.inst)
    await b.done(session)
    o = await vb.on_the_way(client, w)
    broker = broker_of(app)
    async with broker.subscribe(alarms.channel(w.inst.id)) as sub:
        r = await client.post(f"/api/v1/nursing/orders/{o['id']}/alarms",
                              json=vb.HOME | {"note": "家属情绪激动，有推搡"}, headers=vb.nurse_h(w))
        assert r.status_code == 201, r.text
        raised = r.json()
        pushed = json.loads(await asyncio.wait_for(sub.queue.get(), 2))
    assert pushed == raised
    assert (raised["status"], raised["note"], raised["order_number"], raised["nurse_id"]) == (
        "open", "家属情绪激动，有推搡", o["number"], w.nurses[0][0].id)
    assert (raised["latitude"], raised["longitude"]) == (nb.HOME_LAT, nb.HOME_LON)
    assert raised["patient_name"] == o["patient_name"] and raised["address"] == o["address"]
    # both admins of the institution are told in-app at once; the location is kept
    for admin in (w.admin, second_admin):
        assert await _count(session, OutboxMessage, OutboxMessage.account_id == admin.id,
                            OutboxMessage.channel == "inapp") == 1
    assert await _count(session, NursingLocation, NursingLocation.kind == "alarm") == 1

    adm = b.auth(w.admin)
    base = f"/api/v1/institutions/{w.inst.id}/nursing/alarms"
    r = await client.get(base, headers=adm)
    assert [a["id"] for a in r.json()] == [raised["id"]]
    r = await client.post(f"{base}/{raised['id']}/acknowledge", headers=adm)
    assert r.status_code == 200, r.text
    acked = r.json()
    assert acked["status"] == "acknowledged" and acked["event_id"] > raised["event_id"]
    r = await client.post(f"{base}/{raised['id']}/acknowledge", headers=adm)
    assert (r.status_code, r.json()["code"]) == (409, "nursing.alarm_state")
    r = await client.post(f"{base}/{raised['id']}/close", json={"resolution": "已电话联系护士，派保安陪同"},
                          headers=b.auth(second_admin))
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["resolution"]) == ("closed", "已电话联系护士，派保安陪同")
    r = await client.post(f"{base}/{raised['id']}/close", json={"resolution": "再关一次"}, headers=adm)
    assert (r.status_code, r.json()["code"]) == (409, "nursing.alarm_state")
    assert (await client.get(base, headers=adm)).json() == []
    r = await client.get(base, params={"state": "all"}, headers=adm)
    assert [(a["id"], a["status"]) for a in r.json()] == [(raised["id"], "closed")]
    row = await session.scalar(select(NursingAlarm).execution_options(populate_existing=True))
    assert (row.acknowledged_by, row.closed_by) == (w.admin.id, second_admin.id)


async def test_alarm_refusals_change_nothing(client, session):
    w = await nb.world(session)
    o = await vb.assigned(client, w)
    url = f"/api/v1/nursing/orders/{o['id']}/alarms"
    # not out on the visit yet
    r = await client.post(url, json={"note": "测试"}, headers=vb.nurse_h(w))
    assert (r.status_code, r.json()["code"]) == (409, "nursing.not_during_visit")
    assert (await client.post(f"/api/v1/nursing/orders/{o['id']}/depart", json={},
                              headers=vb.nurse_h(w))).status_code == 200
    # another nurse, the resident, half a location
    r = await client.post(url, json={"note": "测试"}, headers=vb.nurse_h(w, 1))
    assert (r.status_code, r.json()["code"]) == (403, "nursing.not_assigned_nurse")
    assert (await client.post(url, json={}, headers=b.auth(w.resident))).status_code == 403
    r = await client.post(url, json={"latitude": 30.1}, headers=vb.nurse_h(w))
    assert r.status_code == 422
    assert await _count(session, NursingAlarm) == 0
    assert await _count(session, OutboxMessage, OutboxMessage.account_id == w.admin.id) == 0


async def test_who_sees_and_handles_alarms(client, session):
    w = await nb.world(session)
    other = await b.institution(session)
    other_admin = await b.staff(session, role="institution_admin", inst=other)
    await b.done(session)
    o = await vb.on_the_way(client, w)
    r = await client.post(f"/api/v1/nursing/orders/{o['id']}/alarms", json={"note": ""}, headers=vb.nurse_h(w))
    assert r.status_code == 201 and r.json()["latitude"] is None
    alarm_id = r.json()["id"]
    base = f"/api/v1/institutions/{w.inst.id}/nursing/alarms"
    # another institution's admin: neither its list nor its alarm
    assert (await client.get(base, headers=b.auth(other_admin))).status_code == 403
    r = await client.post(f"/api/v1/institutions/{other.id}/nursing/alarms/{alarm_id}/acknowledge",
                          headers=b.auth(other_admin))
    assert (r.status_code, r.json()["code"]) == (404, "nursing.alarm_not_found")
    # the regulator reads region-wide, never handles
    r = await client.get("/api/v1/nursing/alarms", params={"state": "open"}, headers=b.auth(w.regulator))
    assert [a["id"] for a in r.json()] == [alarm_id]
    r = await client.get("/api/v1/nursing/alarms", params={"institution_id": other.id}, headers=b.auth(w.regulator))
    assert r.json() == []
    assert (await client.post(f"{base}/{alarm_id}/acknowledge", headers=b.auth(w.regulator))).status_code == 403
    # an institution admin on the region list sees only their own; a resident nothing
    assert [a["id"] for a in (await client.get("/api/v1/nursing/alarms", headers=b.auth(other_admin))).json()] == []
    assert (await client.get("/api/v1/nursing/alarms", headers=b.auth(w.resident))).status_code == 403
    assert await session.scalar(select(NursingAlarm.status)) == "open"
