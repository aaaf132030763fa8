"""Plant fake ID numbers and phones, drive the API through successes and errors, then look for them in the
logs, in error answers and in the database file: they must be nowhere in plain text."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import text

from tests import builders as b
from tests.conftest import IS_PG
from yihu.models import metadata
from yihu.notify.service import deliver_pending
from yihu.registry.idcard import make

PLANTED_IDS = [make("330411", date(1958, 2, 14), 371), make("330402", date(1991, 9, 30), 482),
               make("330421", date.today() - timedelta(days=365 * 5), 593)]
PLANTED_PHONES = ["13812345678", "15987654321", "18600001357"]


async def _database_text(session, db) -> bytes:
    if IS_PG:
        chunks = []
        for t in metadata.sorted_tables:
            rows = (await session.execute(text(f'SELECT t::text FROM "{t.name}" t'))).scalars().all()  # noqa: S608
            chunks.extend(r.encode() for r in rows)
        return b"\n".join(chunks)
    path = Path(db.engine.url.database)
    data = path.read_bytes()
    wal = Path(str(path) + "-wal")
    return data + (wal.read_bytes() if wal.exists() else b"")


async def test_planted_personal_data_is_nowhere_in_plain_text(client, session, db, capfd):
    inst = await b.institution(session)
    await b.done(session)
    errors: list[str] = []

    async def call(method, url, **kw):
        r = await client.request(method, url, **kw)
        if r.status_code >= 400:
            errors.append(r.text)
        return r

    reg = {"name": "沈建国", "id_number": PLANTED_IDS[0], "phone": PLANTED_PHONES[0], "password": b.PASSWORD}
    assert (await call("POST", "/api/v1/auth/register", json=reg)).status_code == 201
    await call("POST", "/api/v1/auth/register", json=reg)  # twice: 409
    await call("POST", "/api/v1/auth/register", json={**reg, "phone": PLANTED_PHONES[1]})
    for bad in (PLANTED_IDS[1][:17] + "0" if PLANTED_IDS[1][17] != "0" else PLANTED_IDS[1][:17] + "1",
                PLANTED_IDS[1][:16], PLANTED_IDS[1] + "9", "X" + PLANTED_IDS[1][1:]):
        await call("POST", "/api/v1/auth/register", json={**reg, "id_number": bad})
    await call("POST", "/api/v1/auth/register", json={**reg, "phone": PLANTED_PHONES[1][:-1]})
    await call("POST", "/api/v1/auth/register", json={"name": "x", "id_number": [PLANTED_IDS[1]],
                                                       "phone": {"p": PLANTED_PHONES[2]}})
    for _ in range(6):
        await call("POST", "/api/v1/auth/login", json={"phone": PLANTED_PHONES[0], "password": "wrong-pass1"})
    await call("POST", "/api/v1/auth/login", json={"phone": PLANTED_PHONES[2], "password": "wrong-pass1"})
    await call("POST", "/api/v1/auth/sms/request", json={"phone": PLANTED_PHONES[0]})
    await call("POST", "/api/v1/auth/sms/request", json={"phone": PLANTED_PHONES[0]})
    await call("POST", "/api/v1/auth/sms/login", json={"phone": PLANTED_PHONES[0], "code": "123456"})
    await deliver_pending(db)

    holder = await b.resident(session)
    await b.done(session)
    h = b.auth(holder)
    card = {"card_type": "visit", "card_number": "VC55550001", "relation": "parent", "name": "沈母",
            "id_number": PLANTED_IDS[1], "phone": PLANTED_PHONES[1], "institution_id": inst.id}
    r = await call("POST", "/api/v1/me/cards", headers=h, json=card)
    assert r.status_code == 201
    await call("POST", "/api/v1/me/cards", headers=h, json={**card, "card_number": "VC55550002", "name": "沈父"})
    await call("POST", "/api/v1/me/cards", headers=h, json={**card, "id_number": PLANTED_IDS[2], "relation": "child",
                                                             "name": "沈小宝", "card_number": "VC55550003"})
    await call("POST", "/api/v1/patients/search", headers=h, json={"id_number": PLANTED_IDS[1]})
    await call("POST", "/api/v1/patients/search", json={"id_number": PLANTED_IDS[1]})
    await call("PATCH", f"/api/v1/patients/{r.json()['patient']['id']}", headers=h, json={"phone": PLANTED_PHONES[2]})
    await call("PATCH", f"/api/v1/patients/{r.json()['patient']['id']}", json={"phone": PLANTED_PHONES[2]})
    await call("POST", f"/api/v1/patients/{r.json()['patient']['id']}/reveal", headers=h)
    await call("GET", "/api/v1/patients/not-a-patient", headers=h)
    await deliver_pending(db)

    assert len(errors) >= 15
    captured = capfd.readouterr()
    logs = captured.out + captured.err
    assert "http.request" in logs  # the logs were captured at all
    stored = await _database_text(session, db)
    assert len(stored) > 3_000
    for secret in PLANTED_IDS + PLANTED_PHONES:
        assert secret not in logs, "in the logs"
        assert all(secret not in e for e in errors), "in an error answer"
        assert secret.encode() not in stored, "in the database in plain text"
        assert secret[:17].encode() not in stored
