"""The nursing record: structured, signed, never changed, filed for the family, the patient's hospital, the
regulator; marked entered-in-error by its nurse or the institution."""

from __future__ import annotations

import hashlib
import json

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import DBAPIError

from tests import builders as b
from tests.nursing import builders as nb
from tests.nursing import visit_builders as vb
from yihu.notify.models import OutboxMessage
from yihu.nursing.models import NursingOrder
from yihu.nursing.visit_models import NursingRecord
from yihu.registry import service as registry


async def test_the_nurse_signs_the_record_and_it_is_filed(client, session):
    w = await nb.world(session)
    o = await vb.in_service(client, w)
    notices_before = await session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.account_id == w.resident.id))
    r = await client.post(f"/api/v1/nursing/orders/{o['id']}/record", json=vb.record_body(), headers=vb.nurse_h(w))
    assert r.status_code == 201, r.text
    rec = r.json()
    assert (rec["status"], rec["nurse_id"], rec["item_name"]) == ("final", w.nurses[0][0].id, "伤口换药")
    assert rec["vitals"]["temperature_c"] == 36.8 and rec["assessment"]["wound"]["size_cm"]["length"] == 3.0
    assert rec["vitals"]["spo2_percent"] == 97 and rec["next_visit_on"] == nb.tomorrow().isoformat()
    # the signature is the sha256 of the canonical content + nurse + time, as anyone can recompute it
    row = await session.scalar(select(NursingRecord))
    content = {"vitals": row.vitals, "assessment": row.assessment, "actions": row.actions, "advice": row.advice,
               "next_visit_on": nb.tomorrow().isoformat()}
    canonical = json.dumps({"content": content, "nurse_id": row.nurse_id, "signed_at": row.signed_at.isoformat()},
                           ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    assert rec["signature_sha256"] == hashlib.sha256(canonical.encode()).hexdigest()
    assert "glucose_mmol_l" in row.vitals and "infection_signs" in row.assessment["wound"]
    status = await session.scalar(select(NursingOrder.status).where(NursingOrder.id == o["id"]))
    assert status == "recorded"
    # the resident is told the record is filed
    notices = await session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.account_id == w.resident.id))
    assert notices == notices_before + 1
    # a second record for the same visit is an illegal step
    r = await client.post(f"/api/v1/nursing/orders/{o['id']}/record", json=vb.record_body(), headers=vb.nurse_h(w))
    assert (r.status_code, r.json()["code"]) == (409, "nursing.illegal_step")
    assert await session.scalar(select(func.count()).select_from(NursingRecord)) == 1


async def test_bad_records_are_refused_and_change_nothing(client, session):
    w = await nb.world(session)
    o = await vb.in_service(client, w)
    url = f"/api/v1/nursing/orders/{o['id']}/record"
    for vitals in ({"temperature_c": 44.0}, {"spo2_percent": 101}, {"systolic_mmhg": 80, "diastolic_mmhg": 90},
                   {"systolic_mmhg": 120}):
        r = await client.post(url, json=vb.record_body() | {"vitals": vitals}, headers=vb.nurse_h(w))
        assert r.status_code == 422, vitals
    r = await client.post(url, json=vb.record_body() | {"actions": ""}, headers=vb.nurse_h(w))
    assert r.status_code == 422
    r = await client.post(url, json=vb.record_body(), headers=vb.nurse_h(w, 1))
    assert (r.status_code, r.json()["code"]) == (403, "nursing.not_assigned_nurse")
    assert await session.scalar(select(func.count()).select_from(NursingRecord)) == 0
    assert await session.scalar(select(NursingOrder.status).where(NursingOrder.id == o["id"])) == "in_service"


async def test_a_signed_record_never_changes_but_can_be_marked_entered_in_error(client, session):
    w = await nb.world(session)
    o = await vb.recorded(client, w)
    # headers first: a rollback below expires the builders' objects
    nurse, other_nurse, admin, resident = vb.nurse_h(w), vb.nurse_h(w, 1), b.auth(w.admin), b.auth(w.resident)
    rec_id = await session.scalar(select(NursingRecord.id))
    with pytest.raises(DBAPIError):
        await session.execute(update(NursingRecord).where(NursingRecord.id == rec_id).values(actions="改过的内容"))
    await session.rollback()
    assert await session.scalar(select(NursingRecord.actions)) == "生理盐水清洗伤口，更换无菌敷料"
    # the other nurse may not mark it; the nurse who signed it may
    url = f"/api/v1/nursing/records/{rec_id}/entered-in-error"
    r = await client.post(url, json={"reason": "记录了错误的患者"}, headers=other_nurse)
    assert r.status_code == 403
    assert await session.scalar(select(NursingRecord.status)) == "final"
    r = await client.post(url, json={"reason": "记录了错误的患者"}, headers=nurse)
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["error_reason"]) == ("entered-in-error", "记录了错误的患者")
    r = await client.post(url, json={"reason": "再次标记"}, headers=admin)
    assert (r.status_code, r.json()["code"]) == (409, "nursing.record_already_in_error")
    # still readable, as entered-in-error; and now frozen entirely
    r = await client.get(f"/api/v1/nursing/orders/{o['id']}/record", headers=resident)
    assert (r.status_code, r.json()["status"]) == (200, "entered-in-error")
    with pytest.raises(DBAPIError):
        await session.execute(update(NursingRecord).where(NursingRecord.id == rec_id).values(status="final"))
    await session.rollback()


async def test_the_record_is_visible_to_the_patients_hospital_not_to_an_unrelated_one(client, session):
    w = await nb.world(session)
    o = await vb.recorded(client, w)
    hospital = await b.institution(session)
    await registry.link(session, w.patient_id, hospital.id, "appointment")
    ward_doctor = await b.staff(session, role="doctor", inst=hospital)
    elsewhere = await b.institution(session)
    stranger_doctor = await b.staff(session, role="doctor", inst=elsewhere)
    other_resident = await b.resident(session, name="李四海")
    await b.done(session)
    url = f"/api/v1/patients/{w.patient_id}/nursing-records"
    for who in (w.resident, ward_doctor, w.admin, w.regulator):
        r = await client.get(url, headers=b.auth(who))
        assert r.status_code == 200, (who.role, r.text)
        assert [x["order_id"] for x in r.json()] == [o["id"]]
        assert r.json()[0]["institution_name"] == w.inst.name
    for who in (stranger_doctor, other_resident):
        r = await client.get(url, headers=b.auth(who))
        assert r.status_code == 403, who.role
        r = await client.get(f"/api/v1/nursing/orders/{o['id']}/record", headers=b.auth(who))
        assert r.status_code == 403, who.role
    r = await client.get(f"/api/v1/nursing/orders/{o['id']}/record", headers=b.auth(ward_doctor))
    assert r.status_code == 200 and r.json()["actions"] == "生理盐水清洗伤口，更换无菌敷料"
