from __future__ import annotations

from tests import builders as b


async def test_register_then_bind_a_family_card(client, session):
    inst = await b.institution(session)
    await b.done(session)
    idn = b.id_number()
    phone = b.phone()
    r = await client.post("/api/v1/auth/register", json={"name": "李四", "id_number": idn, "phone": phone,
                                                          "password": b.PASSWORD})
    assert r.status_code == 201, r.text
    token = r.json()["access_token"]
    h = {"Authorization": f"Bearer {token}"}
    r = await client.post("/api/v1/me/cards", headers=h, json={
        "card_type": "visit", "card_number": "VC123456", "relation": "self", "name": "李四", "id_number": idn,
        "institution_id": inst.id})
    assert r.status_code == 201, r.text
    r = await client.get("/api/v1/me/cards", headers=h)
    assert r.status_code == 200
    assert r.json()["items"][0]["patient"]["id_number"] == idn[:4] + "*" * 10 + idn[-4:]
    from yihu.kit import audit
    assert await audit.count(session) == 3  # register, bind, read
