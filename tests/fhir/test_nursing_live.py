"""Home nursing over a live server with fhirpy: a resident finds the order by patient, then follows it to its Task,
Consent, Encounter, Procedure and vital signs; the catalogue is open to anyone."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fhirclient.models.bundle import Bundle
from fhirclient.models.consent import Consent
from fhirclient.models.encounter import Encounter
from fhirclient.models.observation import Observation
from fhirclient.models.procedure import Procedure
from fhirclient.models.servicerequest import ServiceRequest
from fhirclient.models.task import Task
from fhirpy import AsyncFHIRClient
from fhirpy.base.exceptions import AuthorizationError

from tests import builders as b
from tests.conftest import LiveServer, run_sync
from tests.fhir.nursing_seed import NursingWorld, nursing_world
from tests.fhir.seed import strict
from yihu.config import get_settings
from yihu.db import Database

pytestmark = pytest.mark.live


async def _seed(url: str) -> NursingWorld:
    db = Database(get_settings(), url)
    try:
        async with db.sessionmaker() as session:
            return await nursing_world(session)
    finally:
        await db.dispose()


@pytest.fixture(scope="module")
def live(live_db_url: str) -> Iterator[tuple[LiveServer, NursingWorld]]:
    world = run_sync(_seed(live_db_url))
    server = LiveServer(live_db_url)
    server.start()
    try:
        yield server, world
    finally:
        server.stop()


def fhir(server: LiveServer, account=None) -> AsyncFHIRClient:
    auth = b.auth(account)["Authorization"] if account is not None else None
    return AsyncFHIRClient(f"{server.url}/fhir", authorization=auth)


async def test_a_resident_follows_an_order_to_its_visit_and_record(live):
    server, n = live
    client = fhir(server, n.w.resident)
    pid = n.w.patient_id
    found = await client.resources("ServiceRequest").search(patient=f"Patient/{pid}", status="completed").fetch_all()
    assert [r.id for r in found] == [n.done.id]
    sr = strict(ServiceRequest, found[0].serialize())
    assert (sr.status, sr.code.coding[0].code) == ("completed", "HN901")

    task = strict(Task, (await client.resources("Task").search(focus=f"ServiceRequest/{sr.id}").get()).serialize())
    assert (task.id, task.status, task.businessStatus.coding[0].code) == (sr.id, "completed", "completed")
    outputs = {o.type.text: o.valueReference.reference for o in task.output}
    assert outputs == {"知情同意": f"Consent/{n.consent.id}", "上门服务": f"Encounter/nursing-{sr.id}",
                       "护理记录": f"Procedure/{n.record.id}"}

    consent = strict(Consent, (await client.reference(reference=outputs["知情同意"]).to_resource()).serialize())
    assert (consent.status, consent.scope.coding[0].code, consent.patient.reference) == (
        "active", "treatment", f"Patient/{pid}")
    encounter = strict(Encounter, (await client.reference(reference=outputs["上门服务"]).to_resource()).serialize())
    assert (encounter.status, encounter.class_fhir.code) == ("finished", "HH")
    assert encounter.basedOn[0].reference == f"ServiceRequest/{sr.id}"
    procedure = strict(Procedure, (await client.reference(reference=outputs["护理记录"]).to_resource()).serialize())
    assert (procedure.status, procedure.encounter.reference) == ("completed", f"Encounter/{encounter.id}")

    signs = await client.resources("Observation").search(encounter=f"Encounter/{encounter.id}").fetch_all()
    parsed = [strict(Observation, s.serialize()) for s in signs]
    assert [o.code.coding[0].code for o in parsed] == ["8310-5", "8867-4", "9279-1", "85354-9", "2708-6", "15074-8"]
    assert {o.category[0].coding[0].code for o in parsed} == {"vital-signs"}

    raw = await client.resources("Encounter").search(patient=pid).fetch_raw()
    bundle = strict(Bundle, dict(raw))
    assert (bundle.total, [e.resource.id for e in bundle.entry]) == (1, [encounter.id])


async def test_others_see_nothing_and_anonymous_callers_only_the_catalogue(live):
    server, n = live
    pid = n.w.patient_id
    assert await fhir(server, n.other_resident).resources("ServiceRequest").search(patient=pid).fetch() == []
    assert await fhir(server, n.other_resident).resources("Observation").search(patient=pid).fetch() == []
    with pytest.raises(AuthorizationError):
        await fhir(server).resources("Task").search(patient=pid).fetch()
    services = await fhir(server).resources("HealthcareService").search(
        organization=f"Organization/{n.w.inst.id}", active="true").fetch_all()
    assert [s.id for s in services] == [n.offerings["main"].id]
    assert [s["providedBy"]["reference"] for s in services] == [f"Organization/{n.w.inst.id}"]
