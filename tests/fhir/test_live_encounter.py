"""Visits over a live server with fhirpy: a resident finds the Encounter of a checked-in booking by patient."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from fhirclient.models.bundle import Bundle
from fhirclient.models.encounter import Encounter
from fhirpy import AsyncFHIRClient
from fhirpy.base.exceptions import AuthorizationError

from tests import builders as b
from tests.conftest import LiveServer, run_sync
from tests.fhir.seed import Region, seed, strict
from tests.fhir.test_encounter import book, clinic_on, local, visit_time
from yihu.config import get_settings
from yihu.db import Database
from yihu.queueing import service as queueing

pytestmark = pytest.mark.live


@dataclass
class Visits:
    region: Region
    finished: str  # the resident's visit: checked in, called, finished
    waiting: str  # the other resident's visit: checked in


async def _seed(url: str) -> Visits:
    db = Database(get_settings(), url)
    try:
        async with db.sessionmaker() as session:
            r = await seed(session)
            t0 = visit_time()
            _sched, slots = await clinic_on(session, r, t0)
            mine = await book(session, slots[0], r.resident)
            theirs = await book(session, slots[1], r.other_resident)
            change = await queueing.check_in(session, mine, channel="online", now=t0)
            await queueing.check_in(session, theirs, channel="kiosk", now=t0 + timedelta(minutes=1))
            await queueing.call_next(session, change.queue, now=t0 + timedelta(minutes=4))
            await queueing.finish(session, change.queue, now=t0 + timedelta(minutes=10))
            await b.done(session)
            return Visits(r, mine.id, theirs.id)
    finally:
        await db.dispose()


@pytest.fixture(scope="module")
def live(live_db_url: str) -> Iterator[tuple[LiveServer, Visits]]:
    visits = run_sync(_seed(live_db_url))
    server = LiveServer(live_db_url)
    server.start()
    try:
        yield server, visits
    finally:
        server.stop()


def fhir(server: LiveServer, account=None) -> AsyncFHIRClient:
    auth = b.auth(account)["Authorization"] if account is not None else None
    return AsyncFHIRClient(f"{server.url}/fhir", authorization=auth)


async def test_search_encounters_by_patient(live):
    server, v = live
    r = v.region
    pid = r.resident.patient_id
    t0 = visit_time()
    found = await fhir(server, r.resident).resources("Encounter").search(patient=f"Patient/{pid}").fetch_all()
    assert [e.id for e in found] == [v.finished]
    enc = strict(Encounter, found[0].serialize())
    assert (enc.status, enc.class_fhir.code, enc.subject.reference) == ("finished", "AMB", f"Patient/{pid}")
    assert (enc.period.start.isostring, enc.period.end.isostring) == (local(t0), local(t0 + timedelta(minutes=10)))
    assert [a.reference for a in enc.appointment] == [f"Appointment/{v.finished}"]
    raw = await fhir(server, r.regulator).resources("Encounter").search(status="arrived").fetch_raw()
    bundle = strict(Bundle, dict(raw))
    assert (bundle.total, [e.resource.id for e in bundle.entry]) == (1, [v.waiting])
    assert await fhir(server, r.other_resident).resources("Encounter").search(patient=pid).fetch() == []
    with pytest.raises(AuthorizationError):
        await fhir(server).resources("Encounter").search(patient=pid).fetch()
