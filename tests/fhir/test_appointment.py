from __future__ import annotations

import json
import uuid

import pytest
from fhirclient.models.appointment import Appointment
from fhirclient.models.bundle import Bundle
from fhirclient.models.operationoutcome import OperationOutcome
from fhirclient.models.slot import Slot
from sqlalchemy import func, select, update

from tests import builders as b
from tests.fhir.scheduling_seed import seed_clinics
from tests.fhir.seed import JSON, strict
from yihu.config import get_settings
from yihu.fhir import systems
from yihu.kit.audit import AuditEvent
from yihu.scheduling import api as scheduling_api
from yihu.scheduling import booking, flows
from yihu.scheduling.models import Appointment as AppointmentRow
from yihu.scheduling.models import Slot as SlotRow

CANCEL = "http://terminology.hl7.org/CodeSystem/appointment-cancellation-reason"


@pytest.fixture(autouse=True)
def fresh_rate_counters():
    """Booking rate limits count per IP across the process: each test starts from zero."""
    scheduling_api._counter.cache_clear()
    yield
    scheduling_api._counter.cache_clear()


def ask(slot_id, patient_id, status="proposed"):
    return {"resourceType": "Appointment", "status": status, "slot": [{"reference": f"Slot/{slot_id}"}],
            "participant": [{"actor": {"reference": f"Patient/{patient_id}"}, "status": "needs-action"}]}


async def _events(session, action):
    rows = (await session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                  .order_by(AuditEvent.seq))).all()
    return [(e.actor_id, e.patient_id, e.resource_id, json.loads(e.detail)) for e in rows]


async def _state(session, slot_id):
    slot = await session.get(SlotRow, slot_id, populate_existing=True)
    n = await session.scalar(select(func.count()).select_from(AppointmentRow).where(AppointmentRow.slot_id == slot_id))
    return slot.booked, int(n)


def _outcome(res, status, issue, code):
    assert res.status_code == status, res.text
    assert res.headers["content-type"].startswith(JSON)
    oo = strict(OperationOutcome, res.json())
    assert (oo.issue[0].severity, oo.issue[0].code, oo.issue[0].details.coding[0].code) == ("error", issue, code)
    return oo


async def test_create_books_the_slot_and_the_slot_turns_busy(client, session):
    c = await seed_clinics(session)
    r = c.region
    slot = (await c.slots(session, c.cardiology))[1]
    pid = r.resident.patient_id
    res = await client.post("/fhir/Appointment", json=ask(slot.id, pid), headers=b.auth(r.resident))
    assert res.status_code == 201, res.text
    assert res.headers["content-type"].startswith(JSON)
    a = strict(Appointment, res.json())
    assert res.headers["location"] == f"http://testserver/fhir/Appointment/{a.id}"
    assert "idempotent-replayed" not in res.headers
    assert a.status == "booked"
    assert [(p.actor.reference, p.actor.display, p.status, p.required) for p in a.participant] == [
        (f"Patient/{pid}", None, "accepted", "required"),
        (f"Practitioner/{r.doctor.id}", "欧阳明辉", "accepted", "required"),
        (f"Location/{r.hospital.id}", "嘉兴市第一医院", "accepted", "required")]
    assert [s.reference for s in a.slot] == [f"Slot/{slot.id}"]
    assert (a.start.isostring, a.end.isostring) == (f"{c.day.isoformat()}T08:15:00+08:00",
                                                    f"{c.day.isoformat()}T08:30:00+08:00")
    assert a.created.isostring.endswith("+08:00")
    assert (a.description, a.cancelationReason) == ("欧阳明辉专家门诊", None)
    assert [(e.url, e.valueMoney.value) for e in a.extension] == [(systems.FEE, 25.0)]
    row = await session.get(AppointmentRow, a.id)
    assert (row.patient_id, row.account_id, row.status, row.channel) == (pid, r.resident.id, "booked", "online")
    assert await _state(session, slot.id) == (1, 1)
    assert await _events(session, "appointment.book") == [(r.resident.id, pid, a.id, {"via": "fhir"})]
    s = strict(Slot, (await client.get(f"/fhir/Slot/{slot.id}")).json())
    assert (s.status, s.extension[0].valueUnsignedInt) == ("busy", 0)
    again = strict(Appointment, (await client.get(f"/fhir/Appointment/{a.id}", headers=b.auth(r.resident))).json())
    assert again.as_json() == a.as_json()


async def test_prefer_return_shapes_the_created_answer(client, session):
    """Prefer: return=minimal answers 201 with the Location and no body; return=OperationOutcome an informational
    outcome; a refusal is the same OperationOutcome whatever the preference."""
    c = await seed_clinics(session)
    r = c.region
    first, second = (await c.slots(session, c.cardiology))[:2]
    res = await client.post("/fhir/Appointment", json=ask(first.id, r.resident.patient_id),
                            headers={**b.auth(r.resident), "Prefer": "return=minimal"})
    assert (res.status_code, res.content) == (201, b"")
    made = res.headers["location"].rsplit("/", 1)[1]
    assert (await session.get(AppointmentRow, made)).slot_id == first.id
    other = b.auth(r.other_resident)
    res = await client.post("/fhir/Appointment", json=ask(second.id, r.other_resident.patient_id),
                            headers={**other, "Prefer": "handling=lenient, return=OperationOutcome",
                                     "Accept-Language": "en"})
    assert res.status_code == 201
    oo = strict(OperationOutcome, res.json())
    made = res.headers["location"].rsplit("/", 1)[1]
    assert [(i.severity, i.code, i.diagnostics) for i in oo.issue] == [
        ("information", "informational", f"Created Appointment/{made}.")]
    assert (await session.get(AppointmentRow, made)).slot_id == second.id
    res = await client.post("/fhir/Appointment", json=ask(first.id, r.other_resident.patient_id),
                            headers={**other, "Prefer": "return=minimal"})
    _outcome(res, 409, "conflict", "booking.one_per_doctor_per_day")
    assert await _state(session, first.id) == (1, 1)


async def test_a_taken_slot_is_a_409_and_nothing_changes(client, session):
    c = await seed_clinics(session)
    r = c.region
    slot = (await c.slots(session, c.cardiology))[0]
    res = await client.post("/fhir/Appointment", json=ask(slot.id, r.resident.patient_id, "booked"),
                            headers=b.auth(r.resident))
    assert res.status_code == 201
    res = await client.post("/fhir/Appointment", json=ask(slot.id, r.other_resident.patient_id),
                            headers=b.auth(r.other_resident))
    _outcome(res, 409, "conflict", "booking.slot_taken")
    assert await _state(session, slot.id) == (1, 1)
    later = (await c.slots(session, c.later))[0]
    res = await client.post("/fhir/Appointment", json=ask(later.id, r.other_resident.patient_id),
                            headers=b.auth(r.other_resident))
    _outcome(res, 409, "conflict", "booking.not_released")
    stopped = (await c.slots(session, c.stopped))[0]
    res = await client.post("/fhir/Appointment", json=ask(stopped.id, r.other_resident.patient_id),
                            headers=b.auth(r.other_resident))
    _outcome(res, 409, "conflict", "booking.slot_stopped")
    res = await client.post("/fhir/Appointment", json=ask(str(uuid.uuid4()), r.other_resident.patient_id),
                            headers=b.auth(r.other_resident))
    _outcome(res, 404, "not-found", "booking.slot_not_found")
    assert [await _state(session, s.id) for s in (later, stopped)] == [(0, 0), (0, 0)]
    assert len(await _events(session, "appointment.book")) == 1


async def test_booking_for_a_patient_not_bound_is_refused(client, session):
    c = await seed_clinics(session)
    r = c.region
    slot = (await c.slots(session, c.cardiology))[0]
    res = await client.post("/fhir/Appointment", json=ask(slot.id, r.resident.patient_id),
                            headers=b.auth(r.other_resident))
    _outcome(res, 403, "forbidden", "auth.forbidden")
    res = await client.post("/fhir/Appointment", json=ask(slot.id, r.resident.patient_id),
                            headers=b.auth(r.hospital_doctor))
    _outcome(res, 403, "forbidden", "auth.forbidden")
    res = await client.post("/fhir/Appointment", json=ask(slot.id, r.resident.patient_id))
    _outcome(res, 401, "login", "auth.unauthenticated")
    assert await _state(session, slot.id) == (0, 0)
    assert await _events(session, "appointment.book") == []


async def test_malformed_resources_are_400(client, session):
    c = await seed_clinics(session)
    r = c.region
    h = b.auth(r.resident)
    slot = (await c.slots(session, c.cardiology))[0]
    pid = r.resident.patient_id
    good = ask(slot.id, pid)
    no_slot = {k: v for k, v in good.items() if k != "slot"}
    no_patient = {**good, "participant": [{"actor": {"reference": f"Practitioner/{r.doctor.id}"},
                                           "status": "accepted"}]}
    two_slots = {**good, "slot": [{"reference": f"Slot/{slot.id}"}, {"reference": "Slot/another"}]}
    cases = [
        ("not json", "fhir.invalid_json"),
        ("[1, 2]", "fhir.invalid_json"),
        ({**good, "resourceType": "Patient"}, "fhir.wrong_resource_type"),
        ({**good, "birthDate": "1985-06-15"}, "fhir.invalid_resource"),
        ({k: v for k, v in good.items() if k != "participant"}, "fhir.invalid_resource"),
        ({**good, "status": "unknown-status"}, "fhir.invalid_element"),
        ({**good, "start": "tomorrow"}, "fhir.invalid_resource"),
        ({**good, "status": "arrived"}, "fhir.invalid_element"),
        (no_slot, "fhir.missing_element"),
        ({**good, "slot": [{"reference": "Schedule/x"}]}, "fhir.missing_element"),
        (two_slots, "fhir.invalid_element"),
        (no_patient, "fhir.missing_element"),
    ]
    for body, code in cases:
        content = body if isinstance(body, str) else json.dumps(body)
        res = await client.post("/fhir/Appointment", content=content,
                                headers={**h, "Content-Type": "application/fhir+json"})
        _outcome(res, 400, "invalid", code)
    res = await client.post("/fhir/Appointment", content="x" * (65 * 1024),
                            headers={**h, "Content-Type": "application/json"})
    _outcome(res, 400, "invalid", "fhir.invalid_json")
    res = await client.post("/fhir/Appointment", content="<Appointment/>", headers={**h, "Content-Type": "text/xml"})
    _outcome(res, 415, "not-supported", "fhir.unsupported_format")
    res = await client.post("/fhir/Slot", json={"resourceType": "Slot"}, headers=h)
    _outcome(res, 405, "not-supported", "fhir.interaction_not_supported")
    assert await _state(session, slot.id) == (0, 0)


async def test_idempotency_key_replays_the_first_answer(client, session):
    c = await seed_clinics(session)
    r = c.region
    slots = await c.slots(session, c.cardiology)
    h = {**b.auth(r.resident), "Idempotency-Key": uuid.uuid4().hex}
    first = await client.post("/fhir/Appointment", json=ask(slots[0].id, r.resident.patient_id), headers=h)
    again = await client.post("/fhir/Appointment", json=ask(slots[0].id, r.resident.patient_id), headers=h)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["location"] == first.headers["location"]
    assert strict(Appointment, again.json()).as_json() == strict(Appointment, first.json()).as_json()
    assert await _state(session, slots[0].id) == (1, 1)
    res = await client.post("/fhir/Appointment", json=ask(slots[1].id, r.resident.patient_id), headers=h)
    _outcome(res, 422, "invalid", "idempotency.key_reused")
    # A refusal is replayed too, as the same OperationOutcome.
    h2 = {**b.auth(r.other_resident), "Idempotency-Key": "retry-1"}
    for _ in range(2):
        res = await client.post("/fhir/Appointment", json=ask(slots[0].id, r.other_resident.patient_id), headers=h2)
        _outcome(res, 409, "conflict", "booking.slot_taken")
    assert res.headers["idempotent-replayed"] == "true"
    assert await _state(session, slots[0].id) == (1, 1)


async def test_read_and_search_are_scoped(client, session):
    c = await seed_clinics(session)
    r = c.region
    cardio = await c.slots(session, c.cardiology)
    mine = await booking.book(session, booking.BookingRequest(slot_id=cardio[0].id, patient_id=r.resident.patient_id,
                                                              account_id=r.resident.id))
    theirs = await booking.book(session, booking.BookingRequest(
        slot_id=(await c.slots(session, c.ct))[0].id, patient_id=r.other_resident.patient_id,
        account_id=r.other_resident.id))
    await b.done(session)
    for acc, status in ((r.resident, 200), (r.hospital_doctor, 200), (r.regulator, 200),
                        (r.other_resident, 403), (r.clinic_nurse, 403)):
        res = await client.get(f"/fhir/Appointment/{mine.id}", headers=b.auth(acc))
        assert res.status_code == status, acc.role
        if status == 200:
            assert strict(Appointment, res.json()).id == mine.id
    _outcome(await client.get(f"/fhir/Appointment/{mine.id}"), 401, "login", "auth.unauthenticated")
    _outcome(await client.get("/fhir/Appointment"), 401, "login", "auth.unauthenticated")
    assert [(e[0], e[2]) for e in await _events(session, "appointment.read")] == [
        (r.resident.id, mine.id), (r.hospital_doctor.id, mine.id), (r.regulator.id, mine.id)]

    async def ids(acc, **params):
        res = await client.get("/fhir/Appointment", params=params, headers=b.auth(acc))
        assert res.status_code == 200, res.text
        return [e.resource.id for e in strict(Bundle, res.json()).entry or []]

    assert await ids(r.resident) == [mine.id]
    assert await ids(r.other_resident) == [theirs.id]
    assert await ids(r.other_resident, patient=f"Patient/{r.resident.patient_id}") == []
    assert await ids(r.clinic_nurse) == []
    assert await ids(r.hospital_doctor) == [mine.id, theirs.id]
    assert await ids(r.regulator, patient=r.resident.patient_id) == [mine.id]
    assert await ids(r.regulator, practitioner=f"Practitioner/{r.doctor.id}") == [mine.id]
    assert await ids(r.regulator, slot=f"Slot/{cardio[0].id}") == [mine.id]
    assert await ids(r.regulator, date=c.day.isoformat()) == [mine.id]
    assert await ids(r.regulator, date=f"gt{c.day.isoformat()}") == [theirs.id]
    assert await ids(r.regulator, date=f"le{c.day.isoformat()}T08:00") == [mine.id]
    assert await ids(r.regulator, _count="1", _offset="1") == [theirs.id]
    searched = await _events(session, "appointment.search")
    assert [(e[0], e[2]) for e in searched[:2]] == [(r.resident.id, mine.id), (r.other_resident.id, theirs.id)]


async def test_statuses_and_cancellation_reasons(client, session):
    c = await seed_clinics(session)
    r = c.region
    cardio = await c.slots(session, c.cardiology)
    extra = [await b.resident(session) for _ in range(3)]
    booked = [await booking.book(session, booking.BookingRequest(slot_id=s.id, patient_id=acc.patient_id,
                                                                 account_id=acc.id))
              for s, acc in zip(cardio, [r.resident, *extra], strict=True)]
    await booking.cancel(session, booked[0], reason="by_patient")
    await session.execute(update(AppointmentRow).where(AppointmentRow.id == booked[1].id).values(status="checked_in"))
    await session.execute(update(AppointmentRow).where(AppointmentRow.id == booked[2].id).values(status="noshow"))
    await flows.stop_session(session, c.cardiology, c.day, "morning", "医生外出会诊")
    await b.done(session)
    h = b.auth(r.regulator)

    async def found(**params):
        res = await client.get("/fhir/Appointment", params=params, headers=h)
        return {e.resource.id: e.resource for e in strict(Bundle, res.json()).entry or []}

    everyone = await found()
    assert {i: a.status for i, a in everyone.items()} == {booked[0].id: "cancelled", booked[1].id: "arrived",
                                                          booked[2].id: "noshow", booked[3].id: "cancelled"}
    reasons = {i: ([(x.system, x.code) for x in a.cancelationReason.coding], a.cancelationReason.text)
               for i, a in everyone.items() if a.cancelationReason}
    assert reasons == {booked[0].id: ([(CANCEL, "pat")], "患者取消"),
                       booked[3].id: ([(CANCEL, "prov")], "停诊：医生外出会诊")}
    assert sorted(await found(status="cancelled")) == sorted([booked[0].id, booked[3].id])
    assert list(await found(status="arrived,noshow")) == [booked[1].id, booked[2].id]
    assert list(await found(status="http://hl7.org/fhir/appointmentstatus|arrived")) == [booked[1].id]
    assert await found(status="booked") == {}
    assert await found(status="bogus") == {}


async def test_fhir_bookings_share_the_booking_rate_limit(client, session, monkeypatch):
    c = await seed_clinics(session)
    r = c.region
    monkeypatch.setattr(get_settings(), "booking_rate_per_account", 2)
    slots = await c.slots(session, c.cardiology)
    h = b.auth(r.other_resident)
    res = await client.post("/api/v1/appointments", json={"slot_id": slots[0].id, "patient_id": r.resident.patient_id},
                            headers={**h, "Idempotency-Key": "rest-1"})
    assert res.status_code == 403  # counted, then refused by the policy
    res = await client.post("/fhir/Appointment", json=ask(slots[1].id, r.other_resident.patient_id), headers=h)
    assert res.status_code == 201
    key = {**h, "Idempotency-Key": "after-limit"}
    res = await client.post("/fhir/Appointment", json=ask(slots[2].id, r.other_resident.patient_id), headers=key)
    _outcome(res, 429, "throttled", "common.rate_limited")
    assert [await _state(session, s.id) for s in slots] == [(0, 0), (1, 1), (0, 0), (0, 0)]
    # The throttled key was never claimed: once the window allows it, the same key books.
    scheduling_api._counter.cache_clear()
    res = await client.post("/fhir/Appointment", json=ask(slots[2].id, r.other_resident.patient_id), headers=key)
    assert res.status_code == 409  # one booking per patient per doctor per day, not a replayed 429
    assert strict(OperationOutcome, res.json()).issue[0].details.coding[0].code == "booking.one_per_doctor_per_day"
