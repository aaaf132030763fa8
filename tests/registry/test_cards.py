from __future__ import annotations

import asyncio
from datetime import date, timedelta

from sqlalchemy import func, select

from tests import builders as b
from yihu.registry.models import Card, Patient, PatientLink


def card(**over):
    body = {"card_type": "insurance", "card_number": f"INS{b.unique():07d}", "relation": "spouse", "name": "周丽",
            "id_number": b.id_number(female=True)}
    body.update(over)
    return body


async def active_cards(session, account_id) -> int:
    return int(await session.scalar(select(func.count()).select_from(Card).where(
        Card.account_id == account_id, Card.status == "active")))


async def test_five_cards_then_the_sixth_is_refused(client, session):
    holder = await b.resident(session)
    await b.done(session)
    h = b.auth(holder)
    slots = []
    for i in range(5):
        r = await client.post("/api/v1/me/cards", headers=h, json=card(relation="parent", name=f"周{'一二三四五'[i]}"))
        assert r.status_code == 201, r.text
        slots.append(r.json()["slot"])
    assert slots == [1, 2, 3, 4, 5]
    before = int(await session.scalar(select(func.count()).select_from(Patient)))
    r = await client.post("/api/v1/me/cards", headers=h, json=card(name="周六"))
    assert (r.status_code, r.json()["code"]) == (409, "card.limit_reached")
    assert "5" in r.json()["message"]
    assert await active_cards(session, holder.id) == 5
    assert int(await session.scalar(select(func.count()).select_from(Patient))) == before


async def test_unbinding_frees_a_slot(client, session):
    holder = await b.resident(session)
    await b.done(session)
    h = b.auth(holder)
    ids = []
    for _ in range(5):
        ids.append((await client.post("/api/v1/me/cards", headers=h, json=card())).json()["id"])
    assert (await client.delete(f"/api/v1/me/cards/{ids[2]}", headers=h)).status_code == 204
    r = await client.post("/api/v1/me/cards", headers=h, json=card())
    assert r.status_code == 201 and r.json()["slot"] == 3
    listed = (await client.get("/api/v1/me/cards", headers=h)).json()
    assert [c["slot"] for c in listed["items"]] == [1, 2, 3, 4, 5] and listed["limit"] == 5


async def test_concurrent_binds_never_exceed_five(client, session):
    holder = await b.resident(session)
    await b.done(session)
    h = b.auth(holder)
    results = await asyncio.gather(*[client.post("/api/v1/me/cards", headers=h, json=card()) for _ in range(9)])
    codes = sorted(r.status_code for r in results)
    assert codes.count(201) == 5, [r.text for r in results]
    assert all(c == 409 for c in codes if c != 201)
    assert await active_cards(session, holder.id) == 5


async def test_a_child_under_14_needs_a_guardian_and_consent(client, session):
    holder = await b.resident(session)
    await b.done(session)
    h = b.auth(holder)
    child_id = b.id_number(date.today() - timedelta(days=365 * 6))
    r = await client.post("/api/v1/me/cards", headers=h, json=card(relation="child", name="周小宝", id_number=child_id))
    assert (r.status_code, r.json()["code"]) == (422, "card.guardian_required")
    r = await client.post("/api/v1/me/cards", headers=h, json=card(relation="spouse", name="周小宝", id_number=child_id,
                                                                  guardian_consent=True))
    assert (r.status_code, r.json()["code"]) == (422, "card.guardian_required")
    assert await active_cards(session, holder.id) == 0
    r = await client.post("/api/v1/me/cards", headers=h, json=card(relation="child", name="周小宝", id_number=child_id,
                                                                  guardian_consent=True))
    assert r.status_code == 201
    assert r.json()["guardian_consent_at"] is not None
    c = await session.get(Card, r.json()["id"])
    assert c.guardian_consent_text == "guardian-consent-v1"


async def test_relation_self_must_be_the_holder(client, session):
    idn = b.id_number()
    holder = await b.resident(session, id_no=idn, name="吴刚")
    await b.done(session)
    h = b.auth(holder)
    r = await client.post("/api/v1/me/cards", headers=h, json=card(relation="self", name="吴刚"))
    assert (r.status_code, r.json()["code"]) == (422, "card.self_mismatch")
    r = await client.post("/api/v1/me/cards", headers=h, json=card(relation="parent", name="吴刚", id_number=idn))
    assert (r.status_code, r.json()["code"]) == (422, "card.self_mismatch")
    r = await client.post("/api/v1/me/cards", headers=h, json=card(relation="self", name="吴刚", id_number=idn))
    assert r.status_code == 201
    assert r.json()["patient"]["id"] == holder.patient_id


async def test_the_same_card_twice_and_a_visit_card_links_the_institution(client, session):
    inst = await b.institution(session)
    holder = await b.resident(session)
    await b.done(session)
    h = b.auth(holder)
    body = card(card_type="visit", card_number="VC88886666", institution_id=inst.id)
    assert (await client.post("/api/v1/me/cards", headers=h, json=body)).status_code == 201
    r = await client.post("/api/v1/me/cards", headers=h, json=body)
    assert (r.status_code, r.json()["code"]) == (409, "card.duplicate")
    r = await client.post("/api/v1/me/cards", headers=h, json=card(card_type="visit", institution_id=None))
    assert (r.status_code, r.json()["code"]) == (422, "card.institution_required")
    links = (await session.scalars(select(PatientLink))).all()
    assert [(link.institution_id, link.reason) for link in links] == [(inst.id, "visit_card")]


async def test_card_numbers_and_ids_are_masked(client, session):
    holder = await b.resident(session)
    await b.done(session)
    idn = b.id_number(female=True)
    r = await client.post("/api/v1/me/cards", headers=b.auth(holder),
                          json=card(card_number="INS1234567890", id_number=idn, phone="13912345678"))
    body = r.json()
    assert body["card_number"] == "*********7890"
    assert body["patient"]["id_number"] == idn[:4] + "**********" + idn[-4:]
    assert body["patient"]["phone"] == "139****5678"
    assert body["relation_label"] == "配偶"


async def test_binding_notifies_the_holder_in_app(client, session, db):
    from yihu.notify.service import deliver_pending

    holder = await b.resident(session)
    await b.done(session)
    await client.post("/api/v1/me/cards", headers=b.auth(holder), json=card(card_number="INS99990001"))
    await deliver_pending(db)
    r = await client.get("/api/v1/me/notifications", headers=b.auth(holder))
    texts = [n["text"] for n in r.json()["items"]]
    assert texts == ["【医护】您的账户已绑定一张医保卡（尾号0001）。如非本人操作，请立即解绑。"]


async def test_binding_someone_on_record_needs_the_code_sent_to_their_phone(client, session, db):
    from yihu.notify.service import deliver_pending, recorded_sms

    neighbour_phone = b.phone()
    neighbour_id = b.id_number(female=True)
    await b.resident(session, name="孙丽华", id_no=neighbour_id, phone_number=neighbour_phone)
    stranger = await b.resident(session, name="赵强")
    await b.done(session)
    h = b.auth(stranger)
    body = card(relation="other", name="孙丽华", id_number=neighbour_id)
    r = await client.post("/api/v1/me/cards", headers=h, json=body)
    assert (r.status_code, r.json()["code"]) == (422, "card.consent_required")
    assert neighbour_phone[:3] + "****" + neighbour_phone[-4:] in r.json()["message"]
    assert await active_cards(session, stranger.id) == 0

    r = await client.post("/api/v1/me/cards/consent-code", headers=h, json={"name": "孙丽华", "id_number": neighbour_id})
    assert r.json() == {"required": True, "phone": neighbour_phone[:3] + "****" + neighbour_phone[-4:]}
    await deliver_pending(db)
    texts = await recorded_sms(session, neighbour_phone)
    assert len(texts) == 1 and "赵*" in texts[0]
    code = texts[0].split("验证码")[1][:6]
    wrong = "000000" if code != "000000" else "111111"
    r = await client.post("/api/v1/me/cards", headers=h, json={**body, "verification_code": wrong})
    assert (r.status_code, r.json()["code"]) == (422, "card.consent_code_invalid")
    assert await active_cards(session, stranger.id) == 0
    r = await client.post("/api/v1/me/cards", headers=h, json={**body, "verification_code": code})
    assert r.status_code == 201
    r = await client.post("/api/v1/me/cards", headers=h, json={**card(relation="other", name="孙丽华",
                                                                      id_number=neighbour_id),
                                                               "verification_code": code})
    assert r.json()["code"] == "card.consent_code_invalid"  # a code is used once


async def test_no_consent_needed_for_a_new_record_or_oneself(client, session):
    idn = b.id_number()
    holder = await b.resident(session, id_no=idn, name="钱进")
    await b.done(session)
    h = b.auth(holder)
    new_id = b.id_number(female=True)
    r = await client.post("/api/v1/me/cards/consent-code", headers=h, json={"name": "钱多多", "id_number": new_id})
    assert r.json() == {"required": False, "phone": None}
    assert (await client.post("/api/v1/me/cards", headers=h, json=card(name="钱多多", id_number=new_id))).status_code == 201
    r = await client.post("/api/v1/me/cards", headers=h, json=card(relation="self", name="钱进", id_number=idn))
    assert r.status_code == 201
