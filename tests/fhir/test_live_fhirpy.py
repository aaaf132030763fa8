"""A live server driven by fhirpy, the way an outside FHIR client would use it."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fhirclient.models.bundle import Bundle
from fhirclient.models.capabilitystatement import CapabilityStatement
from fhirclient.models.location import Location
from fhirclient.models.operationoutcome import OperationOutcome
from fhirclient.models.organization import Organization
from fhirclient.models.patient import Patient
from fhirclient.models.practitioner import Practitioner
from fhirclient.models.practitionerrole import PractitionerRole
from fhirpy import AsyncFHIRClient
from fhirpy.base.exceptions import AuthorizationError, ForbiddenError, ResourceNotFound
from fhirpy.base.exceptions import OperationOutcome as OutcomeError
from sqlalchemy import select

from tests import builders as b
from tests.conftest import LiveServer, run_sync
from tests.fhir.seed import Region, seed, strict
from yihu.config import get_settings
from yihu.db import Database
from yihu.fhir import systems
from yihu.kit.audit import AuditEvent

pytestmark = pytest.mark.live


async def _seed(url: str) -> Region:
    db = Database(get_settings(), url)
    try:
        async with db.sessionmaker() as session:
            return await seed(session, extra_patients=4)
    finally:
        await db.dispose()


@pytest.fixture(scope="module")
def live(live_db_url: str) -> Iterator[tuple[LiveServer, Region]]:
    region = run_sync(_seed(live_db_url))
    server = LiveServer(live_db_url)
    server.start()
    try:
        yield server, region
    finally:
        server.stop()


def fhir(server: LiveServer, token_of=None) -> AsyncFHIRClient:
    auth = b.auth(token_of)["Authorization"] if token_of is not None else None
    return AsyncFHIRClient(f"{server.url}/fhir", authorization=auth)


def body(resource) -> dict:
    return resource.serialize()


async def test_metadata_over_http(live):
    server, _ = live
    cs = strict(CapabilityStatement, dict(await fhir(server).execute("metadata", method="get")))
    assert cs.fhirVersion == "4.0.1"
    assert sorted(r.type for r in cs.rest[0].resource) == ["Appointment", "Consent", "DiagnosticReport", "Encounter",
                                                           "HealthcareService", "Location", "Observation",
                                                           "Organization", "Patient", "Practitioner",
                                                           "PractitionerRole", "Procedure", "Schedule",
                                                           "ServiceRequest", "Slot", "Task"]


async def test_directory_search_and_get(live):
    server, r = live
    client = fhir(server)
    orgs = await client.resources("Organization").search(partof=f"Organization/{r.group.id}").fetch_all()
    assert [o.id for o in orgs] == [r.clinic.id, r.hospital.id]
    assert strict(Organization, body(orgs[1])).name == "嘉兴市第一医院"
    group = await client.resources("Organization").search(_id=r.group.id).get()
    assert strict(Organization, body(group)).identifier[0].value == "G001"
    rooms = await client.resources("Location").search(partof=r.hospital.id).limit(1).fetch_all()
    assert [x.id for x in rooms] == [r.ct_room.id, r.consulting_room.id]
    site = strict(Location, dict(await client.get("Location", r.hospital.id)))
    assert (site.position.latitude, site.position.longitude) == (30.76, 120.71)
    doctors = await client.resources("Practitioner").search(name="欧阳").fetch()
    assert [strict(Practitioner, body(d)).name[0].family for d in doctors] == ["欧阳"]
    roles = await client.resources("PractitionerRole").search(practitioner=r.doctor.id).fetch()
    assert [strict(PractitionerRole, body(x)).specialty[0].coding[0].code for x in roles] == ["03.04"]
    with pytest.raises(ResourceNotFound) as err:
        await client.get("Organization", "no-such-id")
    assert strict(OperationOutcome, json.loads(str(err.value))).issue[0].code == "not-found"
    with pytest.raises(ResourceNotFound):
        await client.resources("Medication").search().fetch()


async def test_patient_paging_through_next_links(live):
    server, r = live
    client = fhir(server, r.clinic_nurse)
    raw = await client.resources("Patient").search().limit(2).fetch_raw()
    first = strict(Bundle, dict(raw))
    assert (first.total, len(first.entry)) == (5, 2)
    links = {lk.relation: lk.url for lk in first.link}
    assert links["next"] == f"{server.url}/fhir/Patient?_count=2&_offset=2"
    assert links["last"] == f"{server.url}/fhir/Patient?_count=2&_offset=4"
    everyone = await client.resources("Patient").search().limit(2).fetch_all()
    assert sorted(p.id for p in everyone) == sorted([r.resident.patient_id, *r.extra_patient_ids])
    for p in everyone:
        strict(Patient, body(p))


async def test_patient_access_over_http(live):
    server, r = live
    pid = r.resident.patient_id
    me = strict(Patient, dict(await fhir(server, r.resident).get("Patient", pid)))
    assert [(i.system, i.value) for i in me.identifier] == [(systems.RESIDENT_ID, "3304**********059X")]
    found = await fhir(server, r.regulator).resources("Patient").search(
        identifier=f"{systems.RESIDENT_ID}|{r.resident_id_number}").fetch()
    assert [p.id for p in found] == [pid]
    with pytest.raises(AuthorizationError):
        await fhir(server).get("Patient", pid)
    for other in (r.other_resident, r.hospital_doctor):
        with pytest.raises(ForbiddenError) as err:
            await fhir(server, other).get("Patient", pid)
        assert strict(OperationOutcome, json.loads(str(err.value))).issue[0].code == "forbidden"
        assert await fhir(server, other).resources("Patient").search(_id=pid).fetch() == []
    mine = await fhir(server, r.other_resident).resources("Patient").search().fetch_all()
    assert [p.id for p in mine] == [r.other_resident.patient_id]
    with pytest.raises(OutcomeError):
        await fhir(server, r.regulator).resources("Patient").search(_count="abc").fetch()

    db = Database(get_settings(), server.db.engine.url.render_as_string(hide_password=False))
    try:
        async with db.sessionmaker() as session:
            reads = (await session.scalars(select(AuditEvent).where(
                AuditEvent.action == "patient.read", AuditEvent.patient_id == pid))).all()
    finally:
        await db.dispose()
    assert [(e.actor_id, e.resource_type) for e in reads] == [(r.resident.id, "Patient")]
