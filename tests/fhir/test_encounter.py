"""FHIR Encounter: one per visit that reached check-in (booked or walk-in), its status following the queue, search
by patient, date and status within the records policy's scope, every one shown audited."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from fhirclient.models.bundle import Bundle
from fhirclient.models.encounter import Encounter
from fhirclient.models.operationoutcome import OperationOutcome
from sqlalchemy import func, select, update

from tests import builders as b
from tests.fhir.seed import JSON, Region, seed, strict
from yihu.fhir import systems
from yihu.kit import clock
from yihu.kit.audit import AuditEvent
from yihu.queueing import service as queueing
from yihu.queueing.models import QueueEntry
from yihu.scheduling import booking, schedules
from yihu.scheduling.models import Appointment as AppointmentRow
from yihu.scheduling.models import Schedule, Slot

SHANGHAI = ZoneInfo("Asia/Shanghai")
ACT = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
PARTICIPATION = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"


def local(at: datetime) -> str:
    return at.astimezone(SHANGHAI).isoformat()


def visit_time() -> datetime:
    """Tomorrow 10:00 (local): the visits' clock, away from midnight whenever the tests run."""
    return clock.at_local(clock.local_date(clock.now()) + timedelta(days=1), clock.parse_hhmm("10:00"))


async def clinic_on(session, r: Region, t0: datetime) -> tuple[Schedule, list[Slot]]:
    """欧阳明辉's clinic at the hospital with four slots starting 20, 25, 30 and 35 minutes after ``t0``."""
    sched = await b.doctor_schedule(session, r.hospital, doctor=r.doctor, days_ahead=1, slots=4)
    rows, _ = await schedules.search_slots(session, schedules.SlotQuery(schedule_id=sched.id, limit=10))
    slots = [s for s, _ in rows]
    for i, s in enumerate(slots):
        s.start_at = t0 + timedelta(minutes=20 + 5 * i)
        s.end_at = s.start_at + timedelta(minutes=5)
        s.day = clock.local_date(t0)
        s.release_at = clock.now() - timedelta(days=1)
    await session.flush()
    return sched, slots


async def book(session, slot: Slot, acc) -> AppointmentRow:
    return await booking.book(session, booking.BookingRequest(slot_id=slot.id, patient_id=acc.patient_id,
                                                              account_id=acc.id))


async def _events(session, action):
    rows = (await session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                  .order_by(AuditEvent.seq))).all()
    return [(e.actor_id, e.patient_id, e.resource_type, e.resource_id, json.loads(e.detail)) for e in rows]


async def _entries(session):
    rows = (await session.execute(select(QueueEntry.id, QueueEntry.status, QueueEntry.called_at,
                                         QueueEntry.finished_at).order_by(QueueEntry.number)
                                  .execution_options(populate_existing=True))).all()
    return [tuple(x) for x in rows]


def _outcome(res, status, issue, code):
    assert res.status_code == status, res.text
    oo = strict(OperationOutcome, res.json())
    assert (oo.issue[0].code, oo.issue[0].details.coding[0].code) == (issue, code)


async def _get(client, acc, encounter_id) -> Encounter:
    res = await client.get(f"/fhir/Encounter/{encounter_id}", headers=b.auth(acc))
    assert res.status_code == 200, res.text
    assert res.headers["content-type"].startswith(JSON)
    return strict(Encounter, res.json())


def _history(enc: Encounter) -> list[tuple[str, str | None, str | None]]:
    return [(h.status, h.period.start.isostring if h.period.start else None,
             h.period.end.isostring if h.period.end else None) for h in enc.statusHistory]


async def test_a_booked_visit_from_check_in_to_finish(client, session):
    r = await seed(session)
    t0 = visit_time()
    sched, slots = await clinic_on(session, r, t0)
    appt = await book(session, slots[0], r.resident)
    await b.done(session)
    pid = r.resident.patient_id
    # Booked, not checked in: no visit yet.
    _outcome(await client.get(f"/fhir/Encounter/{appt.id}", headers=b.auth(r.resident)), 404, "not-found",
             "common.not_found")
    res = await client.get("/fhir/Encounter", params={"patient": f"Patient/{pid}"}, headers=b.auth(r.resident))
    assert (strict(Bundle, res.json()).total, strict(Bundle, res.json()).entry) == (0, None)

    change = await queueing.check_in(session, appt, channel="online", now=t0)
    await b.done(session)
    enc = await _get(client, r.resident, appt.id)
    assert (enc.id, enc.status) == (appt.id, "arrived")
    assert (enc.class_fhir.system, enc.class_fhir.code, enc.class_fhir.display) == (ACT, "AMB", "ambulatory")
    assert _history(enc) == [("arrived", local(t0), None)]
    assert (enc.period.start.isostring, enc.period.end) == (local(t0), None)
    assert enc.subject.reference == f"Patient/{pid}"
    assert [a.reference for a in enc.appointment] == [f"Appointment/{appt.id}"]
    assert [([(c.system, c.code, c.display) for c in p.type[0].coding], p.individual.reference,
             p.individual.display) for p in enc.participant] == [
        ([(PARTICIPATION, "PPRF", "primary performer")], f"Practitioner/{r.doctor.id}", "欧阳明辉")]
    assert (enc.serviceProvider.reference, enc.serviceProvider.display) == (f"Organization/{r.hospital.id}",
                                                                            "嘉兴市第一医院")
    assert [(x.location.reference, x.status) for x in enc.location] == [(f"Location/{r.hospital.id}", "active")]
    assert ([(c.system, c.code, c.display) for c in enc.serviceType.coding], enc.serviceType.text) == (
        [(systems.CLINICAL_SUBJECT, "03.04", "心血管内科专业")], r.cardiology.name)
    assert [(t.coding[0].system, t.coding[0].code) for t in enc.type] == [
        (systems.SCHEDULE_KIND, "doctor"), (systems.SLOT_CLASS, "expert")]

    t1 = t0 + timedelta(minutes=7)
    await queueing.call_next(session, change.queue, now=t1)
    await b.done(session)
    enc = await _get(client, r.resident, appt.id)
    assert enc.status == "in-progress"
    assert _history(enc) == [("arrived", local(t0), local(t1)), ("in-progress", local(t1), None)]

    t2 = t1 + timedelta(minutes=9)
    await queueing.finish(session, change.queue, now=t2)
    await b.done(session)
    enc = await _get(client, r.resident, appt.id)
    assert enc.status == "finished"
    assert (enc.period.start.isostring, enc.period.end.isostring) == (local(t0), local(t2))
    assert _history(enc) == [("arrived", local(t0), local(t1)), ("in-progress", local(t1), local(t2)),
                             ("finished", local(t2), None)]
    assert [x.status for x in enc.location] == ["completed"]
    assert await _events(session, "encounter.read") == [
        (r.resident.id, pid, "Encounter", appt.id, {"via": "fhir"})] * 3
    assert sched.practitioner_id == r.doctor.id


async def test_a_walk_in_has_its_own_id_and_no_appointment(client, session):
    r = await seed(session)
    t0 = visit_time()
    sched, _slots = await clinic_on(session, r, t0)
    change = await queueing.walk_in(session, sched.id, r.other_resident.patient_id, now=t0)
    await b.done(session)
    entry_id = change.entry.id
    enc = await _get(client, r.regulator, f"walkin-{entry_id}")
    assert (enc.id, enc.status, enc.appointment) == (f"walkin-{entry_id}", "arrived", None)
    assert (enc.subject.reference, enc.period.start.isostring) == (f"Patient/{r.other_resident.patient_id}",
                                                                   local(t0))
    # The bare entry id is not an Encounter id: the two kinds of ids never meet.
    _outcome(await client.get(f"/fhir/Encounter/{entry_id}", headers=b.auth(r.regulator)), 404, "not-found",
             "common.not_found")
    res = await client.get("/fhir/Encounter", params={"_id": f"walkin-{entry_id},{entry_id}"},
                           headers=b.auth(r.regulator))
    assert [e.resource.id for e in strict(Bundle, res.json()).entry] == [f"walkin-{entry_id}"]


async def _two_visits(session, r: Region, t0: datetime):
    _sched, slots = await clinic_on(session, r, t0)
    mine = await book(session, slots[0], r.resident)
    theirs = await book(session, slots[1], r.other_resident)
    waiting = await book(session, slots[2], (await b.resident(session, name="赵未到")))
    first = await queueing.check_in(session, mine, channel="online", now=t0)
    await queueing.check_in(session, theirs, channel="kiosk", now=t0 + timedelta(minutes=2))
    await queueing.call_next(session, first.queue, now=t0 + timedelta(minutes=5))
    await b.done(session)
    return mine, theirs, waiting


async def test_search_by_patient_date_and_status_with_paging(client, session):
    r = await seed(session)
    t0 = visit_time()
    mine, theirs, never = await _two_visits(session, r, t0)
    h = b.auth(r.regulator)

    async def ids(**params):
        res = await client.get("/fhir/Encounter", params=params, headers=h)
        assert res.status_code == 200, res.text
        return [e.resource.id for e in strict(Bundle, res.json()).entry or []]

    today = clock.local_date(t0).isoformat()
    assert await ids() == [mine.id, theirs.id]  # the booking never checked in has none
    assert await ids(_id=never.id) == []
    assert await ids(_id=f"{never.id},{theirs.id}") == [theirs.id]
    assert await ids(patient=f"Patient/{r.resident.patient_id}") == [mine.id]
    assert await ids(patient=r.other_resident.patient_id) == [theirs.id]
    assert await ids(date=today) == [mine.id, theirs.id]
    assert await ids(date=f"gt{today}") == []
    assert await ids(date=f"lt{today}") == []
    assert await ids(date=f"ge{local(t0 + timedelta(minutes=1))[:16]}") == [theirs.id]
    assert await ids(status="in-progress") == [mine.id]
    assert await ids(status="http://hl7.org/fhir/encounter-status|arrived") == [theirs.id]
    assert await ids(status="arrived,in-progress") == [mine.id, theirs.id]
    assert await ids(status="finished") == []
    assert await ids(status="bogus") == []
    assert await ids(appointment=f"Appointment/{theirs.id}") == [theirs.id]
    res = await client.get("/fhir/Encounter", params={"_count": "1"}, headers=h)
    page = strict(Bundle, res.json())
    assert (page.total, [e.resource.id for e in page.entry]) == (2, [mine.id])
    links = {lk.relation: lk.url for lk in page.link}
    assert links["next"] == "http://testserver/fhir/Encounter?_count=1&_offset=1"
    assert await ids(_count="1", _offset="1") == [theirs.id]
    _outcome(await client.get("/fhir/Encounter", params={"date": "tomorrow"}, headers=h), 400, "invalid",
             "fhir.invalid_param")


async def test_access_follows_the_records_policy_and_refusals_change_nothing(client, session):
    r = await seed(session)
    t0 = visit_time()
    mine, theirs, _never = await _two_visits(session, r, t0)
    before = await _entries(session)
    for acc, status in ((r.resident, 200), (r.hospital_doctor, 200), (r.regulator, 200),
                        (r.other_resident, 403), (r.clinic_nurse, 403)):
        res = await client.get(f"/fhir/Encounter/{mine.id}", headers=b.auth(acc))
        assert res.status_code == status, acc.role
        if status == 200:
            assert strict(Encounter, res.json()).id == mine.id
        else:
            _outcome(res, 403, "forbidden", "auth.forbidden")
    _outcome(await client.get(f"/fhir/Encounter/{mine.id}"), 401, "login", "auth.unauthenticated")
    _outcome(await client.get("/fhir/Encounter"), 401, "login", "auth.unauthenticated")
    assert [(e[0], e[3]) for e in await _events(session, "encounter.read")] == [
        (r.resident.id, mine.id), (r.hospital_doctor.id, mine.id), (r.regulator.id, mine.id)]

    async def ids(acc, **params):
        res = await client.get("/fhir/Encounter", params=params, headers=b.auth(acc))
        assert res.status_code == 200, res.text
        return [e.resource.id for e in strict(Bundle, res.json()).entry or []]

    assert await ids(r.resident) == [mine.id]
    assert await ids(r.other_resident) == [theirs.id]
    assert await ids(r.other_resident, patient=f"Patient/{r.resident.patient_id}") == []
    assert await ids(r.clinic_nurse) == []
    assert await ids(r.hospital_doctor) == [mine.id, theirs.id]
    assert await _events(session, "encounter.search") == [
        (r.resident.id, r.resident.patient_id, "Encounter", mine.id, {"via": "fhir"}),
        (r.other_resident.id, r.other_resident.patient_id, "Encounter", theirs.id, {"via": "fhir"}),
        (r.hospital_doctor.id, r.resident.patient_id, "Encounter", mine.id, {"via": "fhir"}),
        (r.hospital_doctor.id, r.other_resident.patient_id, "Encounter", theirs.id, {"via": "fhir"})]
    assert await _entries(session) == before
    statuses = await session.scalars(select(AppointmentRow.status).where(
        AppointmentRow.id.in_([mine.id, theirs.id])).order_by(AppointmentRow.start_at)
        .execution_options(populate_existing=True))
    assert list(statuses) == ["checked_in", "checked_in"]


async def test_a_visit_cancelled_after_check_in(client, session):
    r = await seed(session)
    t0 = visit_time()
    mine, theirs, _never = await _two_visits(session, r, t0)
    tc = t0 + timedelta(minutes=8)
    await session.execute(update(AppointmentRow).where(AppointmentRow.id == theirs.id)
                          .values(status="cancelled", cancelled_at=tc, day_guard=None))
    left = (await session.scalars(select(QueueEntry).where(QueueEntry.appointment_id == mine.id))).one()
    left.status = "left"
    await b.done(session)
    enc = await _get(client, r.regulator, theirs.id)
    assert (enc.status, enc.period.end.isostring) == ("cancelled", local(tc))
    assert _history(enc) == [("arrived", local(t0 + timedelta(minutes=2)), local(tc)), ("cancelled", local(tc), None)]
    enc = await _get(client, r.regulator, mine.id)
    assert (enc.status, enc.period.end, _history(enc)) == ("cancelled", None, [("arrived", local(t0), None)])
    res = await client.get("/fhir/Encounter", params={"status": "cancelled"}, headers=b.auth(r.regulator))
    assert [e.resource.id for e in strict(Bundle, res.json()).entry] == [mine.id, theirs.id]
    n = await session.scalar(select(func.count()).select_from(QueueEntry))
    assert n == 2
