"""Informed consent: the text shown, signed once by the recipient or a guardian, in the app or at the door."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import date

from sqlalchemy import func, select, update

from tests import builders as b
from tests.nursing import builders as nb
from tests.nursing import visit_builders as vb
from yihu.nursing.models import NursingOrder
from yihu.nursing.visit_models import NursingConsent
from yihu.registry.models import Patient

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


async def _status(session, order_id):
    return await session.scalar(select(NursingOrder.status).where(NursingOrder.id == order_id))


async def _consents(session):
    return await session.scalar(select(func.count()).select_from(NursingConsent))


async def test_the_resident_reads_and_signs_the_consent_once(client, session):
    w = await nb.world(session)
    o = await vb.assigned(client, w)
    h = b.auth(w.resident)
    r = await client.get(f"/api/v1/nursing/orders/{o['id']}/consent", headers=h)
    assert r.status_code == 200, r.text
    text = r.json()
    assert text["signed"] is False and text["status"] == "assigned"
    assert text["content"].startswith("伤口换药（Dressing change）")
    assert "项目费 ¥60.00 + 上门服务费 ¥120.00 = ¥180.00" in text["fee_text"]
    assert "换药包 ¥15.00/包" in text["fee_text"]
    assert text["risks"] == "可能出现疼痛、出血或感染。"
    canonical = json.dumps({"content": text["content"], "process": text["process"], "fee": text["fee_text"],
                            "risks": text["risks"]}, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    assert text["text_sha256"] == hashlib.sha256(canonical.encode()).hexdigest()

    body = vb.consent_body(o["patient_name"]) | {"text_sha256": text["text_sha256"]}
    r = await client.post(f"/api/v1/nursing/orders/{o['id']}/consent", json=body, headers=h)
    assert r.status_code == 201, r.text
    signed = r.json()
    assert (signed["signed"], signed["status"], signed["signer_relation"], signed["signature_kind"]) == (
        True, "consented", "self", "typed")
    assert signed["nurse_id"] == w.nurses[0][0].id and signed["text_sha256"] == text["text_sha256"]
    row = await session.scalar(select(NursingConsent))
    assert (row.content, row.fee_text, row.signer_name) == (text["content"], text["fee_text"], o["patient_name"])

    # signing twice: 409, the first signature stands
    again = vb.consent_body(o["patient_name"], signature="另一个签名")
    r = await client.post(f"/api/v1/nursing/orders/{o['id']}/consent", json=again, headers=h)
    assert (r.status_code, r.json()["code"]) == (409, "nursing.consent_already_signed")
    assert await _consents(session) == 1
    assert (await session.scalar(select(NursingConsent.signature))) == o["patient_name"]
    detail = (await client.get(f"/api/v1/nursing/orders/{o['id']}", headers=h)).json()
    assert [e["action"] for e in detail["events"]][-1] == "consent"


async def test_consent_refusals_change_nothing(client, session):
    w = await nb.world(session)
    o = await vb.assigned(client, w)
    url = f"/api/v1/nursing/orders/{o['id']}/consent"
    name = o["patient_name"]
    # a resident not bound to the patient
    stranger = await b.resident(session, name="李四海")
    await b.done(session)
    r = await client.post(url, json=vb.consent_body(name), headers=b.auth(stranger))
    assert r.status_code == 403
    # the nurse of the institution who is not assigned
    r = await client.post(url, json=vb.consent_body(name), headers=vb.nurse_h(w, 1))
    assert (r.status_code, r.json()["code"]) == (403, "nursing.not_assigned_nurse")
    # "self" with a name that is not the recipient's real name
    r = await client.post(url, json=vb.consent_body("王五月"), headers=b.auth(w.resident))
    assert (r.status_code, r.json()["code"]) == (422, "nursing.signer_not_recipient")
    # a text hash that is not the text shown now
    r = await client.post(url, json=vb.consent_body(name) | {"text_sha256": "0" * 64}, headers=b.auth(w.resident))
    assert (r.status_code, r.json()["code"]) == (409, "nursing.consent_text_changed")
    # a drawn signature that is not an image, and one too large
    bad = "data:image/png;base64," + base64.b64encode(b"GIF89a-not-png").decode()
    r = await client.post(url, json=vb.consent_body(name, signature=bad), headers=b.auth(w.resident))
    assert (r.status_code, r.json()["code"]) == (422, "nursing.signature_invalid")
    huge = "data:image/png;base64," + base64.b64encode(PNG + b"\x00" * 210_000).decode()
    r = await client.post(url, json=vb.consent_body(name, signature=huge), headers=b.auth(w.resident))
    assert r.status_code == 422
    assert await _consents(session) == 0 and await _status(session, o["id"]) == "assigned"


async def test_a_minor_is_signed_for_by_a_guardian_with_a_drawn_signature(client, session):
    w = await nb.world(session)
    o = await vb.assigned(client, w)
    today = date.today()
    await session.execute(update(Patient).where(Patient.id == w.patient_id)
                          .values(birth_date=date(today.year - 10, 1, 1)))
    await b.done(session)
    url = f"/api/v1/nursing/orders/{o['id']}/consent"
    r = await client.post(url, json=vb.consent_body(o["patient_name"]), headers=b.auth(w.resident))
    assert (r.status_code, r.json()["code"]) == (422, "nursing.guardian_required")
    assert await _consents(session) == 0
    drawn = "data:image/png;base64," + base64.b64encode(PNG).decode()
    r = await client.post(url, json=vb.consent_body("张大明", "guardian", drawn), headers=b.auth(w.resident))
    assert r.status_code == 201, r.text
    assert (r.json()["signer_relation"], r.json()["signature_kind"]) == ("guardian", "drawn")


async def test_the_nurse_takes_the_signature_at_the_door(client, session):
    w = await nb.world(session)
    o = await vb.assigned(client, w)
    nh = vb.nurse_h(w)
    r = await client.post(f"/api/v1/nursing/orders/{o['id']}/depart", json=vb.HOME, headers=nh)
    assert (r.status_code, r.json()["status"]) == (200, "en_route")
    # the resident can no longer sign in the app once the nurse is on the way; the nurse signs at the door
    r = await client.post(f"/api/v1/nursing/orders/{o['id']}/consent", json=vb.consent_body(o["patient_name"]),
                          headers=b.auth(w.resident))
    assert (r.status_code, r.json()["code"]) == (409, "nursing.illegal_step")
    r = await client.post(f"/api/v1/nursing/orders/{o['id']}/consent",
                          json=vb.consent_body("张大明", "child"), headers=nh)
    assert r.status_code == 201, r.text
    assert (r.json()["status"], r.json()["signer_relation"]) == ("en_route", "child")
    detail = (await client.get(f"/api/v1/nursing/orders/{o['id']}", headers=nh)).json()
    assert [(e["action"], e["from_status"], e["to_status"], e["actor_role"]) for e in detail["events"][-2:]] == [
        ("depart", "assigned", "en_route", "nurse"), ("consent_at_door", "en_route", "en_route", "nurse")]
