"""Rating a paid visit (once, the resident only) and the follow-ups that low ratings and complaints open."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from tests import builders as b
from tests.billing import helpers as h
from tests.nursing import builders as nb
from tests.nursing import pay_support as ps
from yihu.notify import service as notify
from yihu.nursing.visit_models import NursingFollowUp, NursingRating


async def _paid(client, session, db, w, **kw):
    o = await ps.completed(session, w, **kw)
    await h.pay_fully(db, client, w.resident, o.bill_id, "wechat")
    return o


async def _rate(client, who, order_id, stars, comment="", complaint=False):
    return await client.post(f"/api/v1/nursing/orders/{order_id}/rating",
                             json={"stars": stars, "comment": comment, "complaint": complaint}, headers=b.auth(who))


async def test_rating_once_only_after_payment_and_only_by_the_resident(client, session, db):
    w = await nb.world(session)
    o = await ps.completed(session, w)
    early = await _rate(client, w.resident, o.id, 5)
    assert (early.status_code, early.json()["code"]) == (409, "nursing.illegal_step")
    await h.pay_fully(db, client, w.resident, o.bill_id)
    stranger = await b.resident(session, name="李四")
    await b.done(session)
    for who, code in ((w.admin, 403), (w.nurses[0][1], 403), (stranger, 403), (w.regulator, 403)):
        assert (await _rate(client, who, o.id, 1, complaint=True)).status_code == code
    for bad in ({"stars": 0}, {"stars": 6}, {"stars": 4, "comment": "好" * 501}):
        r = await client.post(f"/api/v1/nursing/orders/{o.id}/rating", json=bad, headers=b.auth(w.resident))
        assert r.status_code == 422
    assert (await ps.count(session, NursingRating), await ps.status_of(session, o.id)) == (0, "paid")

    r = await _rate(client, w.resident, o.id, 4, "护士很耐心")
    assert r.status_code == 201, r.text
    assert (r.json()["stars"], r.json()["comment"], r.json()["followup"], r.json()["nurse_id"]) == (
        4, "护士很耐心", None, w.nurses[0][0].id)
    assert await ps.status_of(session, o.id) == "rated"
    twice = await _rate(client, w.resident, o.id, 1, complaint=True)
    assert (twice.status_code, twice.json()["code"]) == (409, "nursing.illegal_step")
    assert (await ps.count(session, NursingRating), await ps.count(session, NursingFollowUp)) == (1, 0)
    [rate] = await ps.events(session, o.id, "rate")
    assert (rate.from_status, rate.to_status, rate.actor_role) == ("paid", "rated", "resident")
    for who in (w.resident, w.admin, w.regulator):
        got = await client.get(f"/api/v1/nursing/orders/{o.id}/rating", headers=b.auth(who))
        assert (got.status_code, got.json()["stars"]) == (200, 4)
    assert (await client.get(f"/api/v1/nursing/orders/{o.id}/rating", headers=b.auth(stranger))).status_code == 403


async def test_two_stars_and_a_complaint_open_follow_ups_and_four_stars_do_not(client, session, db):
    w = await nb.world(session, nurses=1)
    low, complaint, good = [await _paid(client, session, db, w, days_ahead=d) for d in (1, 2, 3)]
    assert (await _rate(client, w.resident, low.id, 2, "来晚了")).json()["followup"]["reason"] == "low_rating"
    assert (await _rate(client, w.resident, complaint.id, 5, "收费有疑问", complaint=True)).json()[
        "followup"]["reason"] == "complaint"
    assert (await _rate(client, w.resident, good.id, 4)).json()["followup"] is None
    rows = {f.order_id: (f.reason, f.status, f.institution_id) for f in
            (await session.scalars(select(NursingFollowUp))).all()}
    assert rows == {low.id: ("low_rating", "open", w.inst.id), complaint.id: ("complaint", "open", w.inst.id)}
    [opened] = await ps.events(session, low.id, "followup_open")
    assert (opened.from_status, opened.to_status) == ("rated", "rated")

    # the institution's admins are told in-app
    await notify.deliver_pending(db)
    texts = [m["text"] for m in await notify.inbox(session, w.admin.id)]
    assert sorted(t for t in texts if "回访" in t) == sorted([
        f"【医护】护理订单{complaint.number}（伤口换药）：收到投诉，已开启回访。5星",
        f"【医护】护理订单{low.number}（伤口换药）：收到低分评价，已开启回访。2星"])

    adm = b.auth(w.admin)
    listed = (await client.get("/api/v1/nursing/followups?status=open", headers=adm)).json()
    assert sorted((f["order_id"], f["reason"], f["stars"]) for f in listed) == sorted(
        [(low.id, "low_rating", 2), (complaint.id, "complaint", 5)])
    fid = next(f["id"] for f in listed if f["order_id"] == low.id)
    other_admin = await b.staff(session, role="institution_admin", inst=await b.institution(session))
    await b.done(session)
    denied = await client.post(f"/api/v1/nursing/followups/{fid}/close", json={"outcome": "x"},
                               headers=b.auth(other_admin))
    assert denied.status_code == 403
    assert (await client.get("/api/v1/nursing/followups", headers=b.auth(other_admin))).json() == []
    assert (await client.get(f"/api/v1/nursing/followups?institution_id={w.inst.id}",
                             headers=b.auth(other_admin))).status_code == 403
    assert (await client.get("/api/v1/nursing/followups", headers=b.auth(w.resident))).status_code == 403
    closed = await client.post(f"/api/v1/nursing/followups/{fid}/close", json={"outcome": "已电话致歉，调整排班"},
                               headers=adm)
    assert (closed.status_code, closed.json()["status"], closed.json()["outcome"]) == (200, "closed", "已电话致歉，调整排班")
    again = await client.post(f"/api/v1/nursing/followups/{fid}/close", json={"outcome": "再次"}, headers=adm)
    assert (again.status_code, again.json()["code"]) == (409, "nursing.followup_closed")
    assert (await session.get(NursingFollowUp, fid, populate_existing=True)).outcome == "已电话致歉，调整排班"
    assert [f["order_id"] for f in (await client.get("/api/v1/nursing/followups?status=open", headers=adm)).json()] == [
        complaint.id]
    assert len(await ps.events(session, low.id, "followup_close")) == 1

    # ratings for the cockpit: institution (own) and regulator
    for who, q in ((w.admin, ""), (w.regulator, f"?institution_id={w.inst.id}")):
        s = (await client.get(f"/api/v1/nursing/ratings{q}", headers=b.auth(who))).json()
        assert (s["count"], s["average_stars"], s["satisfied_share"]) == (3, 3.67, 0.6667)
        assert sorted(i["stars"] for i in s["items"]) == [2, 4, 5]
    assert (await client.get("/api/v1/nursing/ratings", headers=b.auth(w.resident))).status_code == 403


async def test_two_ratings_at_once_one_counts(client, session, db):
    w = await nb.world(session)
    o = await _paid(client, session, db, w)
    rs = await asyncio.gather(_rate(client, w.resident, o.id, 1, complaint=True), _rate(client, w.resident, o.id, 5))
    assert sorted(r.status_code for r in rs) == [201, 409], [r.text for r in rs]
    assert await ps.count(session, NursingRating) == 1
    expected_followups = 1 if rs[0].status_code == 201 else 0
    assert await ps.count(session, NursingFollowUp) == expected_followups
