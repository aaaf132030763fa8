"""A live server driven by fhirpy: reports and results the way an outside FHIR client reads them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from fhirclient.models.capabilitystatement import CapabilityStatement
from fhirclient.models.diagnosticreport import DiagnosticReport
from fhirclient.models.observation import Observation
from fhirclient.models.operationoutcome import OperationOutcome
from fhirpy import AsyncFHIRClient
from fhirpy.base.exceptions import AuthorizationError, ForbiddenError

from tests import builders as b
from tests.conftest import LiveServer, run_sync
from tests.fhir.seed import strict
from tests.reports.seed import Family, family
from yihu.config import get_settings
from yihu.db import Database
from yihu.reports import service

pytestmark = pytest.mark.live


def _lab(day: int, wbc: str) -> service.ReportInput:
    return service.ReportInput(
        kind="lab", code="58410-2", code_system="loinc", title="血常规", effective_at=datetime(2026, 11, day, 1, tzinfo=UTC),
        observations=[service.ObservationInput(code="6690-2", code_system="loinc", display="白细胞计数",
                                               value=Decimal(wbc), unit="10^9/L", low=Decimal("3.5"),
                                               high=Decimal("9.5")),
                      service.ObservationInput(code="14749-6", code_system="loinc", display="葡萄糖",
                                               value=Decimal("5.2"), unit="mmol/L", low=Decimal("3.9"),
                                               high=Decimal("6.1"))])


async def _seed(url: str) -> tuple[Family, list[str]]:
    db = Database(get_settings(), url)
    try:
        async with db.sessionmaker() as session:
            f = await family(session)
            ids = []
            for day, wbc in ((10, "11.2"), (12, "3.1"), (14, "6.0")):
                r = await service.publish(session, institution_id=f.hospital.id, patient_id=f.spouse.patient_id or "",
                                          author_id=f.doctor.id, data=_lab(day, wbc))
                ids.append(r.id)
            await b.done(session)
            return f, ids
    finally:
        await db.dispose()


@pytest.fixture(scope="module")
def live(live_db_url: str) -> Iterator[tuple[LiveServer, Family, list[str]]]:
    f, ids = run_sync(_seed(live_db_url))
    server = LiveServer(live_db_url)
    server.start()
    try:
        yield server, f, ids
    finally:
        server.stop()


def fhir(server: LiveServer, who=None) -> AsyncFHIRClient:
    return AsyncFHIRClient(f"{server.url}/fhir", authorization=b.auth(who)["Authorization"] if who else None)


async def test_capability_lists_both_types(live):
    server, _f, _ids = live
    cs = strict(CapabilityStatement, dict(await fhir(server).execute("metadata", method="get")))
    served = {r.type: r for r in cs.rest[0].resource}
    assert [p.name for p in served["DiagnosticReport"].searchParam] == ["_id", "patient", "category", "code", "date",
                                                                        "status"]
    assert [p.name for p in served["Observation"].searchParam] == ["_id", "patient", "code", "date", "encounter",
                                                                   "category"]


async def test_paging_and_search_over_http(live):
    server, f, ids = live
    client = fhir(server, f.holder)
    reports = await client.resources("DiagnosticReport").search(patient=f.spouse.patient_id).limit(2).fetch_all()
    assert [r.id for r in reports] == list(reversed(ids))
    for r in reports:
        strict(DiagnosticReport, r.serialize())
    recent = await client.resources("DiagnosticReport").search(date="ge2026-11-12", category="LAB").fetch()
    assert [r.id for r in recent] == [ids[2], ids[1]]
    wbc = await client.resources("Observation").search(code="http://loinc.org|6690-2").limit(2).fetch_all()
    parsed = [strict(Observation, o.serialize()) for o in wbc]
    assert [(o.valueQuantity.value, o.interpretation[0].coding[0].code) for o in parsed] == [
        (6.0, "N"), (3.1, "L"), (11.2, "H")]
    one = strict(Observation, dict(await client.get("Observation", parsed[2].id)))
    assert (one.referenceRange[0].low.value, one.referenceRange[0].high.value) == (3.5, 9.5)


async def test_refusals_over_http(live):
    server, f, ids = live
    with pytest.raises(AuthorizationError):
        await fhir(server).get("DiagnosticReport", ids[0])
    for who in (f.outsider, f.clinic_doctor):
        with pytest.raises(ForbiddenError) as err:
            await fhir(server, who).get("DiagnosticReport", ids[0])
        assert strict(OperationOutcome, json.loads(str(err.value))).issue[0].code == "forbidden"
        assert await fhir(server, who).resources("Observation").search().fetch() == []
