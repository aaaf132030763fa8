"""For every endpoint that touches a patient: another resident, another institution's staff and an anonymous
caller are refused, and nothing in the database changed. Positive controls prove the same calls work for the
people who may make them."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import text

from tests import builders as b
from yihu.models import metadata


@dataclass
class World:
    victim: Any
    victim_patient: str
    family_patient: str
    card_id: str
    family_id_number: str
    home: Any
    other_resident: Any
    other_staff: Any
    home_doctor: Any
    home_pharmacist: Any
    regulator: Any


@pytest.fixture
async def world(client, session) -> World:
    home = await b.institution(session, name="秀洲区妇幼保健院测试")
    away = await b.institution(session, name="外区医院测试")
    victim = await b.resident(session, name="陈静")
    await b.done(session)
    fam_id = b.id_number(female=True)
    r = await client.post("/api/v1/me/cards", headers=b.auth(victim), json={
        "card_type": "visit", "card_number": "VC10000001", "relation": "parent", "name": "陈母", "id_number": fam_id,
        "institution_id": home.id, "phone": "13700001111"})
    assert r.status_code == 201
    w = World(victim=victim, victim_patient=victim.patient_id, family_patient=r.json()["patient"]["id"],
              card_id=r.json()["id"], family_id_number=fam_id, home=home,
              other_resident=await b.resident(session, name="路人甲"),
              other_staff=await b.staff(session, role="doctor", inst=away),
              home_doctor=await b.staff(session, role="doctor", inst=home),
              home_pharmacist=await b.staff(session, role="pharmacist", inst=home),
              regulator=await b.staff(session, role="regulator", inst=None))
    await b.done(session)
    return w


async def snapshot(db) -> str:
    """A digest of every row of every domain table (the audit trail may grow; nothing else may change)."""
    h = hashlib.sha256()
    async with db.sessionmaker() as s:
        for t in metadata.sorted_tables:
            if t.name in ("audit_event", "audit_head"):
                continue
            cols = ", ".join(f'"{c.name}"' for c in t.columns)
            pk = ", ".join(f'"{c.name}"' for c in t.primary_key.columns)
            for row in (await s.execute(text(f'SELECT {cols} FROM "{t.name}" ORDER BY {pk}'))).all():  # noqa: S608
                h.update(repr(tuple(row)).encode())
    return h.hexdigest()


# (method, path template, json body)
PATIENT_ENDPOINTS = [
    ("GET", "/api/v1/patients/{patient}", None),
    ("POST", "/api/v1/patients/{patient}/reveal", None),
    ("PATCH", "/api/v1/patients/{patient}", {"phone": "13600002222", "address": "改过的地址"}),
    ("GET", "/api/v1/patients/{family}", None),
    ("POST", "/api/v1/patients/{family}/reveal", None),
    ("PATCH", "/api/v1/patients/{family}", {"address": "改过的地址"}),
    ("DELETE", "/api/v1/me/cards/{card}", None),
    ("GET", "/api/v1/institutions/{home}/patients", None),
    ("GET", "/fhir/Patient/{patient}", None),
    ("GET", "/fhir/Patient/{family}", None),
]
CALLERS = ["anonymous", "other_resident", "other_staff"]


def _fill(path: str, w: World) -> str:
    return path.format(patient=w.victim_patient, family=w.family_patient, card=w.card_id, home=w.home.id)


def error_code(r) -> str:
    body = r.json()
    if body.get("resourceType") == "OperationOutcome":
        return body["issue"][0]["details"]["coding"][0]["code"]
    return body["code"]


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize(("method", "path", "body"), PATIENT_ENDPOINTS)
async def test_refused_and_nothing_changed(client, db, world, caller, method, path, body):
    headers = {} if caller == "anonymous" else b.auth(getattr(world, caller))
    before = await snapshot(db)
    r = await client.request(method, _fill(path, world), headers=headers, json=body)
    if caller == "anonymous":
        assert (r.status_code, error_code(r)) == (401, "auth.unauthenticated")
    else:
        assert r.status_code in (403, 404), r.text
        assert error_code(r) in ("auth.forbidden", "auth.role_required", "common.not_found")
    assert "陈" not in r.text and world.family_id_number not in r.text
    assert await snapshot(db) == before


@pytest.mark.parametrize("caller", CALLERS)
async def test_search_is_narrowed_to_the_callers_scope(client, session, world, caller):
    headers = {} if caller == "anonymous" else b.auth(getattr(world, caller))
    r = await client.post("/api/v1/patients/search", headers=headers, json={"id_number": world.family_id_number})
    f = await client.post("/fhir/Patient/_search", headers=headers, data={"identifier": world.family_id_number})
    if caller == "anonymous":
        assert r.status_code == f.status_code == 401
        return
    assert r.status_code == 200 and f.status_code == 200
    assert r.json()["total"] == 0 and r.json()["items"] == []
    assert f.json()["total"] == 0 and "entry" not in f.json()


async def test_other_resident_sees_only_their_own_appointments(client, session, world):
    sched = await b.doctor_schedule(session, world.home, slots=1)
    await b.done(session)
    from yihu.scheduling import schedules

    rows, _ = await schedules.search_slots(session, schedules.SlotQuery(schedule_id=sched.id))
    r = await client.post("/api/v1/appointments", headers={**b.auth(world.victim), "Idempotency-Key": "k1"},
                          json={"slot_id": rows[0][0].id, "patient_id": world.family_patient})
    assert r.status_code == 201
    assert len((await client.get("/api/v1/me/appointments", headers=b.auth(world.victim))).json()) == 1
    assert (await client.get("/api/v1/me/appointments", headers=b.auth(world.other_resident))).json() == []
    assert (await client.get("/api/v1/me/appointments", headers=b.auth(world.other_staff))).status_code == 403
    assert (await client.get("/api/v1/me/appointments")).status_code == 401
    r = await client.post(f"/api/v1/appointments/{r.json()['id']}/cancel", headers=b.auth(world.other_resident))
    assert r.status_code == 403


async def test_other_resident_sees_only_their_own(client, session, world):
    r = await client.get("/api/v1/me/patients", headers=b.auth(world.other_resident))
    assert [p["name"] for p in r.json()] == ["路人甲"]
    r = await client.get("/api/v1/me/cards", headers=b.auth(world.other_resident))
    assert r.json()["items"] == []


# ---- positive controls: the same endpoints work for those who may use them ----

async def test_the_holder_reads_changes_and_reveals(client, session, world):
    h = b.auth(world.victim)
    r = await client.get(f"/api/v1/patients/{world.family_patient}", headers=h)
    assert r.status_code == 200 and r.json()["id_number"].count("*") == 10
    r = await client.post(f"/api/v1/patients/{world.family_patient}/reveal", headers=h)
    assert r.json()["id_number"] == world.family_id_number and r.json()["phone"] == "13700001111"
    r = await client.patch(f"/api/v1/patients/{world.family_patient}", headers=h, json={"phone": "13600002222"})
    assert r.status_code == 200 and r.json()["phone"] == "136****2222"
    r = await client.post("/api/v1/patients/search", headers=h, json={"id_number": world.family_id_number})
    assert r.json()["total"] == 1


async def test_home_institution_staff_by_role(client, session, world):
    doc, pharm = b.auth(world.home_doctor), b.auth(world.home_pharmacist)
    assert (await client.get(f"/api/v1/patients/{world.family_patient}", headers=doc)).status_code == 200
    assert (await client.post(f"/api/v1/patients/{world.family_patient}/reveal", headers=doc)).status_code == 200
    assert (await client.get(f"/api/v1/patients/{world.family_patient}", headers=pharm)).status_code == 200
    r = await client.post(f"/api/v1/patients/{world.family_patient}/reveal", headers=pharm)
    assert r.status_code == 403
    r = await client.patch(f"/api/v1/patients/{world.family_patient}", headers=doc, json={"address": "x"})
    assert r.status_code == 403
    # the victim self has no link to the home institution: staff may not read them
    assert (await client.get(f"/api/v1/patients/{world.victim_patient}", headers=doc)).status_code == 403
    r = await client.get(f"/api/v1/institutions/{world.home.id}/patients", headers=doc)
    assert [p["id"] for p in r.json()["items"]] == [world.family_patient]


async def test_regulator_reads_masked_but_cannot_reveal_or_change(client, session, world):
    h = b.auth(world.regulator)
    r = await client.get(f"/api/v1/patients/{world.victim_patient}", headers=h)
    assert r.status_code == 200 and "*" in r.json()["id_number"]
    assert (await client.post(f"/api/v1/patients/{world.victim_patient}/reveal", headers=h)).status_code == 403
    assert (await client.patch(f"/api/v1/patients/{world.victim_patient}", headers=h,
                               json={"address": "x"})).status_code == 403
    r = await client.post("/api/v1/patients/search", headers=h, json={"id_number": world.family_id_number})
    assert r.json()["total"] == 1


async def test_system_admin_has_no_patient_access(client, session, world):
    admin = await b.staff(session, role="system_admin", inst=None)
    await b.done(session)
    r = await client.get(f"/api/v1/patients/{world.victim_patient}", headers=b.auth(admin))
    assert r.status_code == 403
    r = await client.post("/api/v1/patients/search", headers=b.auth(admin), json={})
    assert r.status_code == 403


async def test_the_snapshot_sees_an_allowed_change(client, db, world):
    """The 'nothing changed' check above can fail: an allowed change moves the digest."""
    before = await snapshot(db)
    r = await client.patch(f"/api/v1/patients/{world.family_patient}", headers=b.auth(world.victim),
                           json={"address": "嘉兴市秀洲区新城街道"})
    assert r.status_code == 200
    assert await snapshot(db) != before
