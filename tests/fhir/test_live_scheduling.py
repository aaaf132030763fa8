"""Booking over a live server with fhirpy: find a free slot, create the Appointment, read it back, search."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fhirclient.models.appointment import Appointment
from fhirclient.models.bundle import Bundle
from fhirclient.models.capabilitystatement import CapabilityStatement
from fhirclient.models.operationoutcome import OperationOutcome
from fhirclient.models.schedule import Schedule
from fhirclient.models.slot import Slot
from fhirpy import AsyncFHIRClient
from fhirpy.base.exceptions import AuthorizationError, ForbiddenError
from fhirpy.base.exceptions import OperationOutcome as OutcomeError

from tests import builders as b
from tests.conftest import LiveServer, run_sync
from tests.fhir.scheduling_seed import Clinics, seed_clinics
from tests.fhir.seed import strict
from yihu.config import get_settings
from yihu.db import Database

pytestmark = pytest.mark.live


async def _seed(url: str) -> Clinics:
    db = Database(get_settings(), url)
    try:
        async with db.sessionmaker() as session:
            return await seed_clinics(session)
    finally:
        await db.dispose()


@pytest.fixture(scope="module")
def live(live_db_url: str) -> Iterator[tuple[LiveServer, Clinics]]:
    clinics = run_sync(_seed(live_db_url))
    server = LiveServer(live_db_url)
    server.start()
    try:
        yield server, clinics
    finally:
        server.stop()


def fhir(server: LiveServer, account=None) -> AsyncFHIRClient:
    auth = b.auth(account)["Authorization"] if account is not None else None
    return AsyncFHIRClient(f"{server.url}/fhir", authorization=auth)


def outcome_of(err: Exception) -> OperationOutcome:
    return strict(OperationOutcome, json.loads(str(err)))


async def test_metadata_lists_the_scheduling_resources(live):
    server, _ = live
    cs = strict(CapabilityStatement, dict(await fhir(server).execute("metadata", method="get")))
    served = {r.type: r for r in cs.rest[0].resource}
    assert {name: [p.name for p in served[name].searchParam] for name in ("Schedule", "Slot", "Appointment")} == {
        "Schedule": ["_id", "actor", "active", "service-type", "specialty"],
        "Slot": ["_id", "schedule", "start", "status", "service-type", "specialty"],
        "Appointment": ["_id", "patient", "date", "status", "slot", "practitioner"],
    }
    assert [i.code for i in served["Appointment"].interaction] == ["read", "search-type", "create"]
    assert [i.code for i in served["Slot"].interaction] == ["read", "search-type"]


async def test_find_a_free_slot_book_it_and_read_it_back(live):
    server, c = live
    r = c.region
    pid = r.resident.patient_id
    anyone = fhir(server)
    schedules = await anyone.resources("Schedule").search(actor=f"Practitioner/{r.doctor.id}").fetch_all()
    assert sorted(s.id for s in schedules) == sorted([c.cardiology.id, c.later.id])
    for s in schedules:
        strict(Schedule, s.serialize())
    free = await anyone.resources("Slot").search(schedule=c.cardiology.id, status="free",
                                                 start=f"ge{c.day.isoformat()}").limit(3).fetch_all()
    assert [s.id for s in free] == c.cardiology_slots
    assert {strict(Slot, s.serialize()).status for s in free} == {"free"}

    me = fhir(server, r.resident)
    appt = me.resource("Appointment", status="proposed", slot=[{"reference": f"Slot/{free[0].id}"}],
                       participant=[{"actor": {"reference": f"Patient/{pid}"}, "status": "needs-action"}])
    await appt.save()
    created = strict(Appointment, appt.serialize())
    assert created.id and created.status == "booked"
    assert [p.actor.reference for p in created.participant] == [f"Patient/{pid}", f"Practitioner/{r.doctor.id}",
                                                              f"Location/{r.hospital.id}"]
    back = strict(Appointment, dict(await me.get("Appointment", created.id)))
    assert back.as_json() == created.as_json()
    found = await me.resources("Appointment").search(patient=f"Patient/{pid}").fetch_all()
    assert [a.id for a in found] == [created.id]
    assert await fhir(server, r.other_resident).resources("Appointment").search().fetch_all() == []

    slot = strict(Slot, dict(await anyone.get("Slot", free[0].id)))
    assert (slot.status, slot.extension[0].valueUnsignedInt) == ("busy", 0)
    raw = await anyone.resources("Slot").search(schedule=c.cardiology.id, status="free").fetch_raw()
    assert strict(Bundle, dict(raw)).total == 3

    # The same single-place slot again, for the other resident: 409 with an OperationOutcome.
    other = fhir(server, r.other_resident)
    taken = other.resource("Appointment", status="booked", slot=[{"reference": f"Slot/{free[0].id}"}],
                           participant=[{"actor": {"reference": f"Patient/{r.other_resident.patient_id}"},
                                         "status": "needs-action"}])
    with pytest.raises(OutcomeError) as err:
        await taken.save()
    oo = strict(OperationOutcome, err.value.resource)
    assert (oo.issue[0].code, oo.issue[0].details.coding[0].code) == ("conflict", "booking.slot_taken")


async def test_refusals_over_http(live):
    server, c = live
    r = c.region
    ask = {"status": "proposed", "slot": [{"reference": f"Slot/{c.cardiology_slots[1]}"}],
           "participant": [{"actor": {"reference": f"Patient/{r.resident.patient_id}"}, "status": "needs-action"}]}
    with pytest.raises(ForbiddenError) as err:
        await fhir(server, r.other_resident).resource("Appointment", **ask).save()
    assert outcome_of(err.value).issue[0].code == "forbidden"
    with pytest.raises(AuthorizationError):
        await fhir(server).resource("Appointment", **ask).save()
    slot = strict(Slot, dict(await fhir(server).get("Slot", c.cardiology_slots[1])))
    assert slot.status == "free"
