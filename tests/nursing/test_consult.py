"""Online nursing consultation: question with photos → answer → proposal → confirmation → an order (the closed loop),
who may read it, and the refusals that change nothing."""

from __future__ import annotations

import asyncio
import base64

from sqlalchemy import select

from tests import builders as b
from tests.nursing import builders as nb
from tests.nursing import pay_support as ps
from yihu.notify import service as notify
from yihu.nursing import catalogue
from yihu.nursing.models import NursingDocument, NursingOrder
from yihu.nursing.visit_models import NursingConsult, NursingConsultMessage

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(64)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(64)
HOME = {"address": "嘉兴市秀洲区新城街道洪兴西路100号3幢501室", "latitude": nb.HOME_LAT, "longitude": nb.HOME_LON}


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def ask_body(w, **kw):
    body = {"patient_id": w.patient_id, "institution_id": w.inst.id, "subject": "术后伤口渗液",
            "text": "伤口周围发红，有少量渗液，需要上门换药吗？", "photos": [{"filename": "wound.png", "data_base64": _b64(PNG)}],
            "home": HOME}
    return {**body, **kw}


def proposal_body(w, **kw):
    day = nb.tomorrow()
    body = {"item_id": w.item.id, "day": day.isoformat(), "window_start": nb.at(day, "14:00").isoformat(),
            "window_end": nb.at(day, "16:00").isoformat(), "note": "建议明天下午上门换药"}
    return {**body, **kw}


async def _ask(client, w, **kw):
    r = await client.post("/api/v1/nursing/consults", json=ask_body(w, **kw), headers=b.auth(w.resident))
    assert r.status_code == 201, r.text
    return r.json()


async def test_question_answer_proposal_confirmation_places_the_order(client, session, db):
    w = await nb.world(session)
    (nurse_a, acc_a), (_, acc_b) = w.nurses
    c = await _ask(client, w)
    assert (c["status"], c["nurse_id"], c["home"]["address"]) == ("open", None, HOME["address"])
    first, home = c["messages"]
    assert (home["kind"], home["data"]["address"], home["text"]) == ("home", HOME["address"], "")
    assert (first["kind"], first["author_role"], first["photos"][0]["content_type"]) == ("text", "resident", "image/png")
    photo_url = first["photos"][0]["url"]
    # both nurses of the institution see the open question and its photo
    for acc in (acc_a, acc_b):
        listed = (await client.get("/api/v1/nursing/consults?status=open", headers=b.auth(acc))).json()
        assert [x["id"] for x in listed] == [c["id"]]
    img = await client.get(photo_url, headers=b.auth(acc_a))
    assert (img.status_code, img.headers["content-type"], img.content) == (200, "image/png", PNG)

    url = f"/api/v1/nursing/consults/{c['id']}"
    r = await client.post(f"{url}/messages", json={"text": "请再拍一张近照", "photos": []}, headers=b.auth(acc_a))
    assert r.status_code == 201, r.text
    assert (r.json()["status"], r.json()["nurse_id"]) == ("answered", nurse_a.id)
    late = await client.post(f"{url}/messages", json={"text": "我来回答"}, headers=b.auth(acc_b))
    assert (late.status_code, late.json()["code"]) == (409, "nursing.consult_taken")
    # once taken, the other nurse no longer even sees it
    assert (await client.get(url, headers=b.auth(acc_b))).status_code == 403
    assert (await client.get(photo_url, headers=b.auth(acc_b))).status_code == 403
    assert (await client.get("/api/v1/nursing/consults", headers=b.auth(acc_b))).json() == []
    r = await client.post(f"{url}/messages", json={"text": "这是近照", "photos": [
        {"filename": "close.jpg", "data_base64": _b64(JPEG)}]}, headers=b.auth(w.resident))
    assert r.json()["messages"][-1]["photos"][0]["content_type"] == "image/jpeg"

    r = await client.post(f"{url}/proposals", json=proposal_body(w), headers=b.auth(acc_a))
    assert r.status_code == 201, r.text
    prop = r.json()["proposal"]
    assert (prop["kind"], prop["state"], prop["data"]["address"], prop["data"]["price_fen"]) == (
        "proposal", "pending", HOME["address"], 6000)
    assert await ps.count(session, NursingOrder) == 0  # nothing is ordered before the resident confirms

    ok = await client.post(f"{url}/proposals/{prop['id']}/confirm", headers=b.auth(w.resident))
    assert ok.status_code == 201, ok.text
    order_id = ok.json()["order_id"]
    assert (ok.json()["consult"]["proposed_order_id"], ok.json()["consult"]["proposal"]["state"]) == (
        order_id, "confirmed")
    o = await session.get(NursingOrder, order_id)
    assert (o.status, o.consult_id, o.proposed_by_nurse_id, o.patient_id, o.institution_id, o.item_id,
            o.address, o.price_fen, o.account_id) == (
        "requested", c["id"], nurse_a.id, w.patient_id, w.inst.id, w.item.id, HOME["address"], 6000, w.resident.id)
    assert (o.window_start_at, o.window_end_at) == (nb.at(nb.tomorrow(), "14:00"), nb.at(nb.tomorrow(), "16:00"))
    [created] = await ps.events(session, order_id, "create")
    assert created.actor_role == "resident"
    seen = await client.get(f"/api/v1/nursing/orders/{order_id}", headers=b.auth(w.admin))
    assert seen.json()["status"] == "requested"
    await notify.deliver_pending(db)
    assert [m["text"] for m in await notify.inbox(session, acc_a.id)] == [
        f"【医护】护理订单{o.number}（伤口换药）：居民已确认上门建议。"]
    # the resident was told of the nurse's answer and of the proposal
    told = sorted(m["text"] for m in await notify.inbox(session, w.resident.id) if "护理咨询" in m["text"])
    assert told == ["【医护】您的护理咨询“术后伤口渗液”有新上门服务建议，请查看。",
                    "【医护】您的护理咨询“术后伤口渗液”有新回复，请查看。"]

    twice = await client.post(f"{url}/proposals/{prop['id']}/confirm", headers=b.auth(w.resident))
    assert (twice.status_code, twice.json()["code"]) == (409, "nursing.consult_ordered")
    assert await ps.count(session, NursingOrder) == 1
    closed = await client.post(f"{url}/close", headers=b.auth(acc_a))
    assert closed.json()["status"] == "closed"
    after = await client.post(f"{url}/messages", json={"text": "还有问题"}, headers=b.auth(w.resident))
    assert (after.status_code, after.json()["code"]) == (409, "nursing.consult_closed")


async def test_a_stranger_reads_neither_the_consultation_nor_its_photo(client, session):
    w = await nb.world(session)
    c = await _ask(client, w)
    photo_url = c["messages"][0]["photos"][0]["url"]
    other_inst = await b.institution(session)
    _, other_nurse = await nb.nurse(session, other_inst)
    stranger = await b.resident(session, name="李四")
    await b.done(session)
    for who in (stranger, other_nurse, w.admin, w.regulator):
        assert (await client.get(f"/api/v1/nursing/consults/{c['id']}", headers=b.auth(who))).status_code == 403
        assert (await client.get(photo_url, headers=b.auth(who))).status_code == 403
        r = await client.post(f"/api/v1/nursing/consults/{c['id']}/messages", json={"text": "x"},
                              headers=b.auth(who))
        assert r.status_code == 403
    assert (await client.get(photo_url)).status_code == 401
    assert (await client.get("/api/v1/nursing/consults", headers=b.auth(stranger))).json() == []
    # a photo id under another consultation is not served
    mine = await _ask(client, w, subject="另一个问题")
    wrong = f"/api/v1/nursing/consults/{mine['id']}/photos/{c['messages'][0]['photos'][0]['id']}"
    assert (await client.get(wrong, headers=b.auth(w.resident))).status_code == 404
    assert await ps.count(session, NursingConsultMessage) == 4  # each: the question and the address given


async def test_photos_are_checked_by_their_bytes_and_a_refused_question_stores_nothing(client, session):
    w = await nb.world(session)
    h = b.auth(w.resident)
    gif = {"filename": "x.png", "data_base64": _b64(b"GIF89a" + bytes(32))}
    big = {"filename": "big.png", "data_base64": _b64(PNG + bytes(2 * 1024 * 1024))}
    not_b64 = {"filename": "x.png", "data_base64": "@@@@"}
    for photos in ([gif], [big], [not_b64]):
        r = await client.post("/api/v1/nursing/consults", json=ask_body(w, photos=photos), headers=h)
        assert (r.status_code, r.json()["code"]) == (422, "nursing.photo_invalid"), r.text
    five = [{"filename": f"{i}.png", "data_base64": _b64(PNG)} for i in range(5)]
    assert (await client.post("/api/v1/nursing/consults", json=ask_body(w, photos=five), headers=h)).status_code == 422
    # a patient not bound to the account; an institution without home nursing
    stranger = await b.resident(session, name="李四")
    bare = await b.institution(session)
    await b.done(session)
    r = await client.post("/api/v1/nursing/consults", json=ask_body(w), headers=b.auth(stranger))
    assert r.status_code == 403
    r = await client.post("/api/v1/nursing/consults", json=ask_body(w, institution_id=bare.id), headers=h)
    assert (r.status_code, r.json()["code"]) == (422, "nursing.consult_no_home_nursing")
    r = await client.post("/api/v1/nursing/consults", json=ask_body(w), headers=b.auth(w.nurses[0][1]))
    assert r.status_code == 403
    counts = [await ps.count(session, m) for m in (NursingConsult, NursingConsultMessage, NursingDocument)]
    assert counts == [0, 0, 0]


async def test_proposals_decline_supersede_and_the_refusals_around_them(client, session):
    w = await nb.world(session)
    (_, acc_a), (_, acc_b) = w.nurses
    c = await _ask(client, w, home=None, photos=[])
    url = f"/api/v1/nursing/consults/{c['id']}"
    early = await client.post(f"{url}/proposals", json=proposal_body(w), headers=b.auth(acc_a))
    assert (early.status_code, early.json()["code"]) == (409, "nursing.consult_not_answered")
    await client.post(f"{url}/messages", json={"text": "可以上门"}, headers=b.auth(acc_a))
    no_home = await client.post(f"{url}/proposals", json=proposal_body(w), headers=b.auth(acc_a))
    assert (no_home.status_code, no_home.json()["code"]) == (422, "nursing.address_required")
    other_item = await nb.item(session, code="HN902", name="PICC维护")
    await b.done(session)
    r = await client.post(f"{url}/proposals", json=proposal_body(w, item_id=other_item.id, home=HOME),
                          headers=b.auth(acc_a))
    assert (r.status_code, r.json()["code"]) == (422, "nursing.item_not_offered")
    day = nb.tomorrow()
    backwards = proposal_body(w, home=HOME, window_start=nb.at(day, "16:00").isoformat(),
                              window_end=nb.at(day, "14:00").isoformat())
    r = await client.post(f"{url}/proposals", json=backwards, headers=b.auth(acc_a))
    assert (r.status_code, r.json()["code"]) == (422, "nursing.window_invalid")
    assert (await client.post(f"{url}/proposals", json=proposal_body(w, home=HOME),
                              headers=b.auth(w.resident))).status_code == 403
    assert (await client.post(f"{url}/proposals", json=proposal_body(w, home=HOME),
                              headers=b.auth(acc_b))).status_code == 403
    assert await ps.count(session, NursingConsultMessage, NursingConsultMessage.author_role == "proposal") == 0

    first = (await client.post(f"{url}/proposals", json=proposal_body(w, home=HOME),
                               headers=b.auth(acc_a))).json()["proposal"]
    nurse_confirm = await client.post(f"{url}/proposals/{first['id']}/confirm", headers=b.auth(acc_a))
    assert nurse_confirm.status_code == 403
    declined = await client.post(f"{url}/proposals/{first['id']}/decline", json={"reason": "明天不在家"},
                                 headers=b.auth(w.resident))
    assert declined.json()["consult"]["proposal"]["state"] == "declined"
    stale = await client.post(f"{url}/proposals/{first['id']}/confirm", headers=b.auth(w.resident))
    assert (stale.status_code, stale.json()["code"]) == (409, "nursing.proposal_stale")
    later = nb.tomorrow()  # the same day, another window
    second = (await client.post(f"{url}/proposals", json=proposal_body(
        w, home=HOME, window_start=nb.at(later, "18:00").isoformat(), window_end=nb.at(later, "19:00").isoformat()),
        headers=b.auth(acc_a))).json()["proposal"]
    third = (await client.post(f"{url}/proposals", json=proposal_body(w, home=HOME),
                               headers=b.auth(acc_a))).json()["proposal"]
    superseded = await client.post(f"{url}/proposals/{second['id']}/confirm", headers=b.auth(w.resident))
    assert (superseded.status_code, superseded.json()["code"]) == (409, "nursing.proposal_stale")
    missing = await client.post(f"{url}/proposals/nope/confirm", headers=b.auth(w.resident))
    assert (missing.status_code, missing.json()["code"]) == (404, "nursing.proposal_not_found")
    assert await ps.count(session, NursingOrder) == 0
    detail = (await client.get(url, headers=b.auth(w.resident))).json()
    assert [(m["kind"], m["state"]) for m in detail["messages"] if m["kind"] in ("proposal", "decision")] == [
        ("proposal", "declined"), ("decision", None), ("proposal", "superseded"), ("proposal", "pending")]
    ok = await client.post(f"{url}/proposals/{third['id']}/confirm", headers=b.auth(w.resident))
    assert ok.status_code == 201, ok.text
    assert (await session.scalars(select(NursingOrder.consult_id))).all() == [c["id"]]


async def test_the_offering_must_be_active_for_a_question(client, session):
    w = await nb.world(session)
    await catalogue.set_offering(session, w.inst.id, w.item.id, False)
    await b.done(session)
    r = await client.post("/api/v1/nursing/consults", json=ask_body(w), headers=b.auth(w.resident))
    assert (r.status_code, r.json()["code"]) == (422, "nursing.consult_no_home_nursing")


async def test_two_nurses_answering_at_once_one_takes_it_and_two_confirmations_place_one_order(client, session):
    w = await nb.world(session)
    (nurse_a, acc_a), (nurse_b, acc_b) = w.nurses
    c = await _ask(client, w)
    url = f"/api/v1/nursing/consults/{c['id']}"
    rs = await asyncio.gather(*[client.post(f"{url}/messages", json={"text": "我来回答"}, headers=b.auth(acc))
                                for acc in (acc_a, acc_b)])
    assert sorted(r.status_code for r in rs) == [201, 409], [r.text for r in rs]
    winner = acc_a if rs[0].status_code == 201 else acc_b
    taken = await session.get(NursingConsult, c["id"], populate_existing=True)
    assert (taken.status, taken.nurse_id) == ("answered", winner.practitioner_id)
    assert await ps.count(session, NursingConsultMessage, NursingConsultMessage.author_role == "nurse") == 1
    prop = (await client.post(f"{url}/proposals", json=proposal_body(w), headers=b.auth(winner))).json()["proposal"]
    rs = await asyncio.gather(*[client.post(f"{url}/proposals/{prop['id']}/confirm", headers=b.auth(w.resident))
                                for _ in range(3)])
    assert sorted(r.status_code for r in rs) == [201, 409, 409], [r.text for r in rs]
    assert await ps.count(session, NursingOrder) == 1
    assert await ps.count(session, NursingConsultMessage, NursingConsultMessage.author_role == "decision") == 1
