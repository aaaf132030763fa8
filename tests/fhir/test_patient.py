from __future__ import annotations

from fhirclient.models.bundle import Bundle
from fhirclient.models.operationoutcome import OperationOutcome
from fhirclient.models.patient import Patient
from sqlalchemy import select

from tests import builders as b
from tests.fhir.seed import JSON, seed, strict
from yihu.fhir import systems
from yihu.kit import audit
from yihu.kit.audit import AuditEvent


async def _events(session, action):
    rows = (await session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                  .order_by(AuditEvent.seq))).all()
    return [(e.actor_id, e.patient_id, e.resource_type, e.resource_id) for e in rows]


async def test_resident_reads_own_patient_masked_and_audited(client, session):
    r = await seed(session)
    pid = r.resident.patient_id
    before = await audit.count(session)
    res = await client.get(f"/fhir/Patient/{pid}", headers=b.auth(r.resident))
    assert res.status_code == 200, res.text
    assert res.headers["content-type"].startswith(JSON)
    p = strict(Patient, res.json())
    assert p.id == pid
    assert [(i.system, i.value) for i in p.identifier] == [(systems.RESIDENT_ID, "3304**********059X")]
    assert (p.name[0].text, p.name[0].family, p.name[0].given) == ("张三明", "张", ["三明"])
    assert p.gender == "male"
    assert p.birthDate.isostring == "1985-06-15"
    assert [(t.system, t.value, t.use) for t in p.telecom] == [("phone", "139****5678", "mobile")]
    assert r.resident_id_number not in res.text and r.resident_phone not in res.text
    assert await audit.count(session) == before + 1
    assert await _events(session, "patient.read") == [(r.resident.id, pid, "Patient", pid)]


async def test_patient_read_refused_with_operation_outcome(client, session):
    r = await seed(session)
    pid = r.resident.patient_id
    cases = [({}, 401, "login", "auth.unauthenticated"),
             (b.auth(r.other_resident), 403, "forbidden", "auth.forbidden"),
             (b.auth(r.hospital_doctor), 403, "forbidden", "auth.forbidden")]
    for headers, status, issue, code in cases:
        res = await client.get(f"/fhir/Patient/{pid}", headers=headers)
        assert res.status_code == status
        assert res.headers["content-type"].startswith(JSON)
        oo = strict(OperationOutcome, res.json())
        assert (oo.issue[0].severity, oo.issue[0].code, oo.issue[0].details.coding[0].code) == ("error", issue, code)
    assert await _events(session, "patient.read") == []
    # The clinic the patient visited may read; so may the regulator.
    for acc in (r.clinic_nurse, r.regulator):
        res = await client.get(f"/fhir/Patient/{pid}", headers=b.auth(acc))
        assert res.status_code == 200
    assert await _events(session, "patient.read") == [(r.clinic_nurse.id, pid, "Patient", pid),
                                                      (r.regulator.id, pid, "Patient", pid)]


async def test_unknown_patient_is_404_for_the_regulator(client, session):
    r = await seed(session)
    res = await client.get("/fhir/Patient/00000000-0000-0000-0000-000000000000", headers=b.auth(r.regulator))
    assert res.status_code == 404
    oo = strict(OperationOutcome, res.json())
    assert (oo.issue[0].code, oo.issue[0].details.coding[0].code) == ("not-found", "common.not_found")


async def test_search_is_narrowed_to_the_callers_scope(client, session):
    r = await seed(session, extra_patients=2)
    me, other = r.resident.patient_id, r.other_resident.patient_id
    res = await client.get("/fhir/Patient", headers=b.auth(r.resident))
    bundle = strict(Bundle, res.json())
    assert (bundle.type, bundle.total, [e.resource.id for e in bundle.entry]) == ("searchset", 1, [me])
    assert bundle.entry[0].search.mode == "match"
    assert bundle.entry[0].fullUrl == f"http://testserver/fhir/Patient/{me}"
    # The other resident's own record cannot be found by them, even by id.
    res = await client.get("/fhir/Patient", params={"_id": me}, headers=b.auth(r.other_resident))
    assert strict(Bundle, res.json()).total == 0
    # Staff of the hospital know none of these patients; the clinic knows the three who visited it.
    res = await client.get("/fhir/Patient", headers=b.auth(r.hospital_doctor))
    assert strict(Bundle, res.json()).total == 0
    res = await client.get("/fhir/Patient", headers=b.auth(r.clinic_nurse))
    assert sorted(e.resource.id for e in strict(Bundle, res.json()).entry) == sorted([me, *r.extra_patient_ids])
    res = await client.get("/fhir/Patient", headers=b.auth(r.regulator))
    assert strict(Bundle, res.json()).total == 4
    assert other in [e.resource.id for e in strict(Bundle, res.json()).entry]
    res = await client.get("/fhir/Patient")
    assert res.status_code == 401
    strict(OperationOutcome, res.json())


async def test_search_writes_one_audit_event_per_patient_returned(client, session):
    r = await seed(session, extra_patients=2)
    res = await client.get("/fhir/Patient", params={"_count": "2"}, headers=b.auth(r.clinic_nurse))
    ids = [e.resource.id for e in strict(Bundle, res.json()).entry]
    assert len(ids) == 2
    assert await _events(session, "patient.search") == [(r.clinic_nurse.id, i, "Patient", i) for i in ids]


async def test_identifier_search_uses_the_blind_index(client, session):
    r = await seed(session)
    me = r.resident.patient_id
    h = b.auth(r.regulator)
    for value in (f"{systems.RESIDENT_ID}|{r.resident_id_number}", r.resident_id_number,
                  r.resident_id_number.lower(), f"330402198506150012,{r.resident_id_number}"):
        res = await client.get("/fhir/Patient", params={"identifier": value}, headers=h)
        bundle = strict(Bundle, res.json())
        assert [e.resource.id for e in bundle.entry] == [me], value
    for value in ("3304**********059X", f"http://other.example/sid|{r.resident_id_number}", "330402198506150012"):
        res = await client.get("/fhir/Patient", params={"identifier": value}, headers=h)
        assert strict(Bundle, res.json()).total == 0, value
    # POST _search keeps the number out of the URL, and out of the self link's path.
    res = await client.post("/fhir/Patient/_search", data={"identifier": r.resident_id_number}, headers=h)
    bundle = strict(Bundle, res.json())
    assert [e.resource.id for e in bundle.entry] == [me]
    assert bundle.link[0].url == (f"http://testserver/fhir/Patient?identifier={r.resident_id_number}"
                                  "&_count=20&_offset=0")


async def test_name_gender_and_organization_search(client, session):
    r = await seed(session, extra_patients=3)
    h = b.auth(r.regulator)

    async def ids(**params):
        res = await client.get("/fhir/Patient", params=params, headers=h)
        assert res.status_code == 200, res.text
        return sorted(e.resource.id for e in strict(Bundle, res.json()).entry or [])

    assert await ids(name="张") == [r.resident.patient_id]
    assert await ids(name="三明") == []
    assert await ids(**{"name:contains": "三明"}) == [r.resident.patient_id]
    assert await ids(**{"name:exact": "张三"}) == []
    assert await ids(gender="female") == [r.other_resident.patient_id]
    assert await ids(organization=f"Organization/{r.clinic.id}") == sorted([r.resident.patient_id,
                                                                          *r.extra_patient_ids])
    assert await ids(organization=r.hospital.id) == []


async def test_paging_links_and_totals(client, session):
    r = await seed(session, extra_patients=3)
    h = b.auth(r.clinic_nurse)
    base = "http://testserver/fhir/Patient"
    res = await client.get("/fhir/Patient", params={"_count": "2", "_sort": "name", "bogus": "1"}, headers=h)
    first = strict(Bundle, res.json())
    assert first.total == 4
    assert {lk.relation: lk.url for lk in first.link} == {
        "self": f"{base}?_count=2&_offset=0", "first": f"{base}?_count=2&_offset=0",
        "next": f"{base}?_count=2&_offset=2", "last": f"{base}?_count=2&_offset=2"}
    res = await client.get({lk.relation: lk.url for lk in first.link}["next"], headers=h)
    second = strict(Bundle, res.json())
    assert {lk.relation: lk.url for lk in second.link}["previous"] == f"{base}?_count=2&_offset=0"
    assert "next" not in {lk.relation for lk in second.link}
    seen = [e.resource.id for e in first.entry + second.entry]
    assert sorted(seen) == sorted([r.resident.patient_id, *r.extra_patient_ids])
    res = await client.get("/fhir/Patient", params={"_count": "0"}, headers=h)
    empty = strict(Bundle, res.json())
    assert (empty.total, empty.entry) == (4, None)
    res = await client.get("/fhir/Patient", params={"_count": "500"}, headers=h)
    assert strict(Bundle, res.json()).link[0].url == f"{base}?_count=100&_offset=0"


async def test_invalid_values_are_400_operation_outcomes(client, session):
    r = await seed(session)
    h = b.auth(r.regulator)
    for params, code in (({"_count": "abc"}, "fhir.invalid_param"), ({"_count": "-1"}, "fhir.invalid_param"),
                         ({"_offset": "x"}, "fhir.invalid_param"), ({"name:sounds": "张"}, "fhir.unknown_modifier")):
        res = await client.get("/fhir/Patient", params=params, headers=h)
        assert res.status_code == 400, params
        oo = strict(OperationOutcome, res.json())
        assert (oo.issue[0].code, oo.issue[0].details.coding[0].code) == ("invalid", code)
    res = await client.get("/fhir/Patient", params={"_format": "xml"}, headers=h)
    assert res.status_code == 406
    assert strict(OperationOutcome, res.json()).issue[0].details.coding[0].code == "fhir.not_acceptable"
    res = await client.get("/fhir/Patient", params={"_format": "json"}, headers=h)
    assert res.status_code == 200
    for fmt in ("application/fhir+json", "application/fhir+json; fhirVersion=4.0", "application/json"):
        assert (await client.get("/fhir/Patient", params={"_format": fmt}, headers=h)).status_code == 200, fmt
    assert (await client.get("/fhir/Patient", params={"_format": "application/fhir+xml"}, headers=h)).status_code == 406
    res = await client.post("/fhir/Patient/_search", json={"name": "张"}, headers=h)
    assert res.status_code == 400
    assert strict(OperationOutcome, res.json()).issue[0].details.coding[0].code == "fhir.bad_search_body"


async def test_no_personal_data_in_log_lines(client, session, capsys):
    r = await seed(session)
    capsys.readouterr()
    h = b.auth(r.regulator)
    res = await client.get("/fhir/Patient", params={"identifier": r.resident_id_number, "name": "张三明"}, headers=h)
    assert strict(Bundle, res.json()).total == 1
    res = await client.get("/fhir/Patient", params={"identifier": r.resident_id_number, "_count": "abc"}, headers=h)
    assert res.status_code == 400
    await client.get(f"/fhir/Patient/{r.resident.patient_id}", headers=h)
    logged = capsys.readouterr().err
    assert logged.count('"path": "/fhir/Patient"') == 2
    for secret in (r.resident_id_number, r.resident_id_number[-6:], "张三明", r.resident_phone):
        assert secret not in logged
