from __future__ import annotations

import json

from sqlalchemy import select

from tests import builders as b
from tests.reports.seed import CHILD_PHONE, SPOUSE_PHONE, cbc, chest_ct, counts, family
from yihu.kit.audit import AuditEvent
from yihu.kit.vault import vault
from yihu.notify.models import OutboxMessage
from yihu.notify.service import deliver_pending, recorded_sms


async def outbox(session) -> list[tuple[str, str | None, str]]:
    rows = (await session.scalars(select(OutboxMessage).order_by(OutboxMessage.channel, OutboxMessage.account_id))).all()
    return [(m.channel, m.account_id, m.template) for m in rows]


async def test_publishing_a_lab_report_flags_values_and_notifies_at_once(client, session, db):
    f = await family(session)
    await b.done(session)
    r = await client.post(f"/api/v1/institutions/{f.hospital.id}/reports", headers=b.auth(f.doctor),
                          json=cbc(f.spouse.patient_id))
    assert r.status_code == 201, r.text
    rep = r.json()
    assert (rep["status"], rep["version"], rep["kind"], rep["title"], rep["patient_name"], rep["abnormal_count"]) == (
        "final", 1, "lab", "血常规", "李梅", 2)
    assert [(o["display"], o["value"], o["unit"], o["low"], o["high"], o["flag"], o["flag_label"])
            for o in rep["observations"]] == [
        ("白细胞计数", "12.60", "10^9/L", "3.5", "9.5", "H", "偏高"),
        ("血红蛋白", "98", "g/L", "115", "150", "L", "偏低"),
        ("血小板计数", "210", "10^9/L", "125", "350", "N", "正常"),
        ("乙肝表面抗原", None, "", None, None, "N", "正常")]
    assert rep["observations"][3]["value_text"] == "阴性"
    # At once, in the same unit of work: in-app to the spouse herself and to the holder who bound her; SMS to her.
    assert sorted(await outbox(session)) == sorted([
        ("inapp", f.holder.id, "report_ready"), ("inapp", f.spouse.id, "report_ready"),
        ("sms", None, "report_ready_sms")])
    assert await deliver_pending(db) == 3
    texts = [n["text"] for n in (await client.get("/api/v1/me/notifications", headers=b.auth(f.holder))).json()["items"]]
    assert texts == [f"李梅在{f.hospital.name}的血常规报告已出，点击查看。"]
    links = [n["link"] for n in (await client.get("/api/v1/me/notifications", headers=b.auth(f.spouse))).json()["items"]]
    assert links == [f"/resident/reports/{rep['id']}"]
    # The SMS says a report is ready, nothing more: no test name, no value.
    assert await recorded_sms(session, SPOUSE_PHONE) == [f"【医护】李*在{f.hospital.name}的报告已出，请登录医护查看。"]


async def test_a_child_without_an_account_notifies_the_guardian_and_the_childs_phone(client, session):
    f = await family(session)
    await b.done(session)
    r = await client.post(f"/api/v1/institutions/{f.hospital.id}/reports", headers=b.auth(f.admin),
                          json=chest_ct(f.child_id))
    assert r.status_code == 201, r.text
    assert (r.json()["modality"], r.json()["body_site"], r.json()["observations"]) == ("CT", "胸部", [])
    rows = (await session.scalars(select(OutboxMessage).order_by(OutboxMessage.channel))).all()
    assert [(m.channel, m.account_id) for m in rows] == [("inapp", f.holder.id), ("sms", None)]
    sms = rows[1]
    assert vault().open(sms.recipient_enc, "outbox_message", "recipient", sms.id) == CHILD_PHONE


async def test_publishing_is_audited_with_the_patient(client, session):
    f = await family(session)
    await b.done(session)
    r = await client.post(f"/api/v1/institutions/{f.hospital.id}/reports", headers=b.auth(f.doctor),
                          json=cbc(f.holder.patient_id))
    rid = r.json()["id"]
    await client.get(f"/api/v1/reports/{rid}", headers=b.auth(f.holder))
    events = (await session.scalars(select(AuditEvent).where(AuditEvent.resource_id == rid)
                                    .order_by(AuditEvent.seq))).all()
    assert [(e.action, e.actor_id, e.patient_id, e.resource_type) for e in events] == [
        ("report.publish", f.doctor.id, f.holder.patient_id, "DiagnosticReport"),
        ("report.read", f.holder.id, f.holder.patient_id, "DiagnosticReport")]
    assert "12.60" not in "".join(e.detail for e in events)


async def test_content_rules(client, session):
    f = await family(session)
    await b.done(session)
    url = f"/api/v1/institutions/{f.hospital.id}/reports"
    h = b.auth(f.doctor)
    pid = f.holder.patient_id
    bad = [
        (cbc(pid, observations=[]), "report.content_invalid"),
        (chest_ct(pid, conclusion="  "), "report.content_invalid"),
        (cbc(pid, observations=[{"code": "X1", "display": "钾", "value": 4, "value_text": "正常"}]),
         "report.value_invalid"),
        (cbc(pid, observations=[{"code": "X1", "display": "钾", "value": 4, "low": 5.5, "high": 3.5}]),
         "report.value_invalid"),
        (cbc(pid, observations=[{"code": "X1", "display": "钾"}]), "report.value_invalid"),
        (cbc(pid, observations=[{"code": "X1", "display": "钾", "value": 4, "abnormal": True}]),
         "report.value_invalid"),
        (cbc(pid, effective_at="2026-11-20T08:30:00"), "common.validation"),
        (cbc(pid, code="bad code!"), "common.validation"),
        (cbc("no-such-patient"), "common.not_found"),
        (cbc(pid, appointment_id="no-such-appointment"), "booking.appointment_not_found"),
    ]
    before = await counts(session)
    for body, code in bad:
        r = await client.post(url, headers=h, json=body)
        assert r.json()["code"] == code, (body, r.text)
    assert await counts(session) == before


async def test_a_linked_appointment_must_be_the_patients_at_this_institution(client, session):
    from yihu.scheduling import booking, schedules

    f = await family(session)
    sched = await b.doctor_schedule(session, f.clinic, release_days_ahead=7)
    rows, _ = await schedules.search_slots(session, schedules.SlotQuery(schedule_id=sched.id))
    appt = await booking.book(session, booking.BookingRequest(slot_id=rows[0][0].id, patient_id=f.holder.patient_id,
                                                              account_id=f.holder.id))
    await b.done(session)
    r = await client.post(f"/api/v1/institutions/{f.hospital.id}/reports", headers=b.auth(f.doctor),
                          json=cbc(f.holder.patient_id, appointment_id=appt.id))
    assert (r.status_code, r.json()["code"]) == (422, "report.appointment_mismatch")
    r = await client.post(f"/api/v1/institutions/{f.clinic.id}/reports", headers=b.auth(f.clinic_doctor),
                          json=cbc(f.holder.patient_id, appointment_id=appt.id))
    assert (r.status_code, r.json()["appointment_id"]) == (201, appt.id)
    assert json.loads(json.dumps(r.json()))["institution_name"] == f.clinic.name
