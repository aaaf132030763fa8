"""Bad input never gets a 500: every operation in the OpenAPI document is called with junk, as several callers."""

from __future__ import annotations

import re

import pytest

from tests import builders as b

JUNK_BODIES = [None, {}, [], "x", 123, {"slot_id": 5, "patient_id": None, "phone": ["1"], "id_number": {"a": 1},
                                         "card_type": "visit", "relation": "self", "kind": 7, "code": "", "day": "nope",
                                         "start": "2026-13-45", "end": "25:99", "sessions": "all"}]
JUNK_IDS = ["x", "00000000-0000-0000-0000-000000000000", "a" * 300]


@pytest.mark.parametrize("who", ["anonymous", "resident", "admin"])
async def test_every_operation_survives_junk(client, session, who):
    inst = await b.institution(session)
    caller = {"anonymous": None, "resident": await b.resident(session),
              "admin": await b.staff(session, role="institution_admin", inst=inst)}[who]
    await b.done(session)
    headers = b.auth(caller) if caller else {}
    spec = (await client.get("/openapi.json")).json()
    calls = 0
    for path, ops in spec["paths"].items():
        for method in ops:
            for junk_id in JUNK_IDS:
                url = re.sub(r"\{[^}]+\}", junk_id, path)
                for body in JUNK_BODIES:
                    kw = {} if body is None else {"json": body}
                    r = await client.request(method.upper(), url, headers={**headers, "Idempotency-Key": "k"},
                                             params={"limit": "-1", "offset": "abc", "day": "x", "has_free": "maybe"},
                                             **kw)
                    calls += 1
                    assert r.status_code < 500, (method, url, body, r.status_code, r.text[:300])
                    assert "code" in r.json() or r.status_code < 400 or r.json().get("resourceType")
    assert calls > 200
