from __future__ import annotations

from datetime import timedelta

from fhirclient.models.bundle import Bundle
from fhirclient.models.operationoutcome import OperationOutcome
from fhirclient.models.schedule import Schedule
from fhirclient.models.slot import Slot

from tests import builders as b
from tests.fhir.scheduling_seed import seed_clinics
from tests.fhir.seed import JSON, strict
from yihu.fhir import systems
from yihu.kit import clock
from yihu.scheduling import booking


async def _search(client, resource_type, **params):
    res = await client.get(f"/fhir/{resource_type}", params=params)
    assert res.status_code == 200, res.text
    assert res.headers["content-type"].startswith(JSON)
    return strict(Bundle, res.json())


def _ids(bundle):
    return [e.resource.id for e in bundle.entry or []]


def _codings(concepts):
    return [[(c.system, c.code, c.display) for c in x.coding] for x in concepts]


def _local(day, hhmm):
    return clock.at_local(day, clock.parse_hhmm(hhmm))


async def test_doctor_schedule_read(client, session):
    c = await seed_clinics(session)
    r = c.region
    res = await client.get(f"/fhir/Schedule/{c.cardiology.id}")
    assert res.status_code == 200
    assert res.headers["content-type"].startswith(JSON)
    s = strict(Schedule, res.json())
    assert s.id == c.cardiology.id and s.active is True
    assert [(a.reference, a.display) for a in s.actor] == [(f"Practitioner/{r.doctor.id}", "欧阳明辉"),
                                                          (f"Location/{r.hospital.id}", "嘉兴市第一医院")]
    assert _codings(s.serviceCategory) == [[(systems.SCHEDULE_KIND, "doctor", "医生门诊")]]
    subject = (systems.CLINICAL_SUBJECT, "03.04", "心血管内科专业")
    assert _codings(s.serviceType) == [[subject], [(systems.SLOT_CLASS, "expert", "专家号")]]
    assert _codings(s.specialty) == [[subject]]
    assert s.specialty[0].text == r.cardiology.name
    today = clock.local_date(clock.now())
    assert s.planningHorizon.start.isostring == _local(today, "00:00").astimezone(clock.LOCAL).isoformat()
    assert s.planningHorizon.end.isostring == _local(today + timedelta(days=15), "00:00").astimezone(
        clock.LOCAL).isoformat()
    assert s.comment == "欧阳明辉专家门诊"
    assert [(e.url, e.valueMoney.value, e.valueMoney.currency) for e in s.extension] == [(systems.FEE, 25.0, "CNY")]


async def test_exam_schedule_is_at_its_room(client, session):
    c = await seed_clinics(session)
    s = strict(Schedule, (await client.get(f"/fhir/Schedule/{c.ct.id}")).json())
    assert [(a.reference, a.display) for a in s.actor] == [(f"Location/{c.region.ct_room.id}", "CT一室")]
    assert _codings(s.serviceType) == [[(systems.ROOM_KIND, "ct", "CT室")], [(systems.SLOT_CLASS, "general", "普通号")]]
    assert s.specialty is None
    assert s.comment == "CT平扫预约\n检查前4小时禁食。"
    assert s.extension[0].valueMoney.value == 180.0


async def test_schedule_search_by_actor_service_type_and_active(client, session):
    c = await seed_clinics(session)
    r = c.region
    hospital_clinics = sorted([c.cardiology.id, c.later.id])
    assert sorted(_ids(await _search(client, "Schedule", actor=f"Practitioner/{r.doctor.id}"))) == hospital_clinics
    assert sorted(_ids(await _search(client, "Schedule", actor=f"Location/{r.hospital.id}"))) == hospital_clinics
    assert _ids(await _search(client, "Schedule", actor=r.ct_room.id)) == [c.ct.id]
    assert _ids(await _search(client, "Schedule", **{"actor:Location": r.clinic.id})) == [c.stopped.id]
    assert _ids(await _search(client, "Schedule", **{"actor:Practitioner": r.hospital.id})) == []
    assert _ids(await _search(client, "Schedule", **{"service-type": "ct"})) == [c.ct.id]
    assert _ids(await _search(client, "Schedule", **{"service-type": f"{systems.SLOT_CLASS}|expert"})) == [
        c.cardiology.id]
    assert sorted(_ids(await _search(client, "Schedule", **{"service-type": f"{systems.CLINICAL_SUBJECT}|03.04"}))) \
        == hospital_clinics
    assert _ids(await _search(client, "Schedule", **{"service-type": "http://other.example|ct"})) == []
    assert sorted(_ids(await _search(client, "Schedule", specialty="03.04"))) == hospital_clinics
    assert (await _search(client, "Schedule", active="true")).total == 4
    assert (await _search(client, "Schedule", active="false")).total == 0
    both = await _search(client, "Schedule", _id=f"{c.ct.id},{c.stopped.id}")
    assert sorted(_ids(both)) == sorted([c.ct.id, c.stopped.id])
    for params, code in (({"actor:Patient": "x"}, "fhir.unknown_modifier"), ({"active": "yes"}, "fhir.invalid_param")):
        res = await client.get("/fhir/Schedule", params=params)
        assert res.status_code == 400
        assert strict(OperationOutcome, res.json()).issue[0].details.coding[0].code == code


async def test_slot_read_free_with_its_times_and_places(client, session):
    c = await seed_clinics(session)
    first = (await c.slots(session, c.cardiology))[0]
    res = await client.get(f"/fhir/Slot/{first.id}")
    assert res.status_code == 200
    s = strict(Slot, res.json())
    assert (s.status, s.overbooked) == ("free", False)
    assert s.start.isostring == f"{c.day.isoformat()}T08:00:00+08:00"
    assert s.end.isostring == f"{c.day.isoformat()}T08:15:00+08:00"
    assert (s.schedule.reference, s.schedule.display) == (f"Schedule/{c.cardiology.id}", "欧阳明辉专家门诊")
    assert _codings(s.serviceType)[1] == [(systems.SLOT_CLASS, "expert", "专家号")]
    assert [(e.url, e.valueUnsignedInt) for e in s.extension] == [(systems.FREE_PLACES, 1)]
    ct = strict(Slot, (await client.get(f"/fhir/Slot/{(await c.slots(session, c.ct))[0].id}")).json())
    assert (ct.status, ct.extension[0].valueUnsignedInt) == ("free", 2)  # three places, one kept on site
    res = await client.get("/fhir/Slot/no-such-slot")
    assert res.status_code == 404
    assert strict(OperationOutcome, res.json()).issue[0].details.coding[0].code == "booking.slot_not_found"


async def test_slot_status_follows_release_places_and_stop(client, session):
    c = await seed_clinics(session)
    r = c.region
    cardio = await c.slots(session, c.cardiology)
    ct = await c.slots(session, c.ct)
    # The CT slot keeps one of three places on site: two online bookings make it busy.
    for acc in (r.resident, r.other_resident):
        await booking.book(session, booking.BookingRequest(slot_id=ct[0].id, patient_id=acc.patient_id,
                                                           account_id=acc.id))
    await booking.book(session, booking.BookingRequest(slot_id=cardio[0].id, patient_id=r.resident.patient_id,
                                                       account_id=r.resident.id))
    await b.done(session)

    async def status(slot_id):
        s = strict(Slot, (await client.get(f"/fhir/Slot/{slot_id}")).json())
        return s.status, s.extension[0].valueUnsignedInt

    assert await status(cardio[0].id) == ("busy", 0)
    assert await status(cardio[1].id) == ("free", 1)
    assert await status(ct[0].id) == ("busy", 0)
    assert await status(ct[1].id) == ("free", 2)
    later = await c.slots(session, c.later)
    assert await status(later[0].id) == ("busy", 0)
    stopped = await c.slots(session, c.stopped)
    assert await status(stopped[0].id) == ("busy-unavailable", 0)

    # Searching by status finds exactly the slots shown with that status.
    every = _ids(await _search(client, "Slot", _count="100"))
    assert len(every) == 4 + 2 + 2 + 2
    found = {}
    for wanted in ("free", "busy", "busy-unavailable"):
        bundle = await _search(client, "Slot", status=wanted, _count="100")
        assert {e.resource.status for e in bundle.entry} == {wanted}
        found[wanted] = _ids(bundle)
    assert sorted(found["free"]) == sorted([s.id for s in cardio[1:]] + [ct[1].id])
    assert sorted(found["busy"]) == sorted([cardio[0].id, ct[0].id] + [s.id for s in later])
    assert sorted(found["busy-unavailable"]) == sorted(s.id for s in stopped)
    both = await _search(client, "Slot", status="http://hl7.org/fhir/slotstatus|busy,busy-unavailable", _count="100")
    assert sorted(_ids(both)) == sorted(found["busy"] + found["busy-unavailable"])
    assert (await _search(client, "Slot", status="bogus")).total == 0


async def test_slot_search_by_schedule_and_start_with_paging(client, session):
    c = await seed_clinics(session)
    cardio = [s.id for s in await c.slots(session, c.cardiology)]
    day = c.day.isoformat()

    async def ids(**params):
        return _ids(await _search(client, "Slot", schedule=f"Schedule/{c.cardiology.id}", **params))

    assert await ids() == cardio
    assert await ids(start=day) == cardio
    assert await ids(start=f"eq{day}") == cardio
    assert await ids(start=f"ge{day}T08:15") == cardio[1:]
    assert await ids(start=f"gt{day}T08:15") == cardio[2:]
    assert await ids(start=f"lt{day}T08:30:00+08:00") == cardio[:2]
    assert await ids(start=f"le{day}T08:30") == cardio[:3]
    assert await ids(start=f"eq{day}T00:15:00Z") == [cardio[1]]
    # A "+" left unencoded in a query string arrives as a space: still the +08:00 offset.
    res = await client.get(f"/fhir/Slot?schedule={c.cardiology.id}&start=ge{day}T08:15:00+08:00")
    assert _ids(strict(Bundle, res.json())) == cardio[1:]
    assert await ids(start=f"ne{day}T08:15") == [cardio[0], *cardio[2:]]
    assert await ids(start=f"gt{day}") == []
    assert await ids(start=f"lt{day}") == []
    assert await ids(start=[f"ge{day}T08:15", f"lt{day}T08:45"]) == cardio[1:3]
    assert await ids(start=f"lt{day}T08:15,ge{day}T08:45") == [cardio[0], cardio[3]]
    assert await ids(start=c.day.isoformat()[:7]) == cardio
    month_after = (c.day.replace(day=1) + timedelta(days=32)).isoformat()[:7]
    assert await ids(start=f"ge{month_after}") == []
    assert await ids(start=f"ge{c.day.year}") == cardio
    # "Approximately": a day either side at least, so the slots of the day before and after match too.
    assert await ids(start=f"ap{(c.day - timedelta(days=1)).isoformat()}") == cardio
    assert await ids(start=f"ap{(c.day + timedelta(days=3)).isoformat()}") == []
    assert await ids(start=f"ap{c.day.year + 10}") == []
    # The CT slots are the day after: a search over both days in pages of three.
    both = f"{c.cardiology.id},{c.ct.id}"
    first = await _search(client, "Slot", schedule=both, start=f"ge{day}", _count="3")
    assert (first.total, len(first.entry)) == (6, 3)
    links = {lk.relation: lk.url for lk in first.link}
    assert links["next"].startswith("http://testserver/fhir/Slot?schedule=")
    assert links["next"].endswith(f"&start=ge{day}&_count=3&_offset=3")
    second = strict(Bundle, (await client.get(links["next"])).json())
    assert _ids(first) + _ids(second) == cardio + [s.id for s in await c.slots(session, c.ct)]
    assert "next" not in {lk.relation for lk in second.link}
    for bad in ("xx2026-01-01", "2026-13-01", f"ge{day}T25:00", "ge", "2026-1-1", "9999-12-31", "9999",
                f"{day}T08:00+99:00"):
        res = await client.get("/fhir/Slot", params={"start": bad})
        assert res.status_code == 400, bad
        oo = strict(OperationOutcome, res.json())
        assert (oo.issue[0].code, oo.issue[0].details.coding[0].code) == ("invalid", "fhir.invalid_param")
