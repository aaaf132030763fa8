from __future__ import annotations

import pytest
from fhirclient.models.capabilitystatement import CapabilityStatement
from fhirclient.models.operationoutcome import OperationOutcome

from tests.fhir.seed import JSON, strict
from yihu.fhir.handlers import HANDLERS

EXPECTED = {
    "Appointment": ["_id", "patient", "date", "status", "slot", "practitioner"],
    "DiagnosticReport": ["_id", "patient", "category", "code", "date", "status"],
    "Consent": ["_id", "patient", "status", "date", "data"],
    "Encounter": ["_id", "patient", "date", "status", "appointment", "based-on", "class"],
    "HealthcareService": ["_id", "name", "active", "organization", "service-category", "service-type"],
    "Location": ["_id", "name", "identifier", "type", "organization", "partof"],
    "Observation": ["_id", "patient", "code", "date", "encounter", "category"],
    "Organization": ["_id", "name", "identifier", "type", "partof"],
    "Patient": ["_id", "name", "identifier", "gender", "organization"],
    "Practitioner": ["_id", "name", "identifier", "organization", "active"],
    "PractitionerRole": ["_id", "practitioner", "organization", "specialty", "role", "active"],
    "Procedure": ["_id", "patient", "encounter", "based-on", "date", "status"],
    "Schedule": ["_id", "actor", "active", "service-type", "specialty"],
    "ServiceRequest": ["_id", "patient", "status", "authored", "performer", "code", "identifier"],
    "Slot": ["_id", "schedule", "start", "status", "service-type", "specialty"],
    "Task": ["_id", "patient", "status", "owner", "focus", "business-status"],
}


async def test_capability_statement_is_generated_from_the_handlers(client):
    res = await client.get("/fhir/metadata", params={"_format": "json"})
    assert res.status_code == 200
    assert res.headers["content-type"].startswith(JSON)
    cs = strict(CapabilityStatement, res.json())
    assert (cs.fhirVersion, cs.format, cs.kind, cs.status) == ("4.0.1", ["json"], "instance", "active")
    assert cs.implementation.url == "http://testserver/fhir"
    assert [r.mode for r in cs.rest] == ["server"]
    served = {r.type: r for r in cs.rest[0].resource}
    assert sorted(served) == sorted(HANDLERS) == sorted(EXPECTED)
    for name, resource in served.items():
        expected = ["read", "search-type", "create"] if name == "Appointment" else ["read", "search-type"]
        assert [i.code for i in resource.interaction] == expected
        assert [p.name for p in resource.searchParam] == EXPECTED[name]
        declared = {p.name: p.type for p in HANDLERS[name].search_params}
        assert {p.name: p.type for p in resource.searchParam} == declared
    assert {p.name: p.type for p in served["Patient"].searchParam} == {
        "_id": "token", "name": "string", "identifier": "token", "gender": "token", "organization": "reference"}
    assert {p.name: p.type for p in served["Slot"].searchParam} == {
        "_id": "token", "schedule": "reference", "start": "date", "status": "token", "service-type": "token",
        "specialty": "token"}
    assert {p.name: p.type for p in served["Appointment"].searchParam} == {
        "_id": "token", "patient": "reference", "date": "date", "status": "token", "slot": "reference",
        "practitioner": "reference"}
    assert {p.name: p.type for p in served["Schedule"].searchParam} == {
        "_id": "token", "actor": "reference", "active": "token", "service-type": "token", "specialty": "token"}


async def test_metadata_follows_the_registry(client, monkeypatch):
    monkeypatch.delitem(HANDLERS, "Location")
    cs = strict(CapabilityStatement, (await client.get("/fhir/metadata")).json())
    assert sorted(r.type for r in cs.rest[0].resource) == sorted(set(EXPECTED) - {"Location"})
    assert (await client.get("/fhir/Location")).status_code == 404


async def test_metadata_refuses_xml(client):
    res = await client.get("/fhir/metadata", params={"_format": "xml"})
    assert res.status_code == 406


@pytest.mark.parametrize("accept, status", [
    ("application/fhir+xml", 406), ("application/xml, text/xml", 406), ("text/html", 406),
    ("application/fhir+json;q=0, application/xml", 406),
    ("application/fhir+json", 200), ("application/json", 200), ("application/fhir+json; fhirVersion=4.0", 200),
    ("application/fhir+xml, application/fhir+json;q=0.5", 200), ("*/*", 200), ("application/*", 200),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", 200), ("", 200)])
async def test_the_accept_header_must_allow_json(client, accept, status):
    """The server answers JSON only: an Accept that allows no JSON is a 406 OperationOutcome, in JSON."""
    for path in ("/fhir/metadata", "/fhir/Organization", "/fhir/Organization/none"):
        res = await client.get(path, headers={"Accept": accept})
        if status == 406:
            assert res.status_code == 406, (path, accept)
            assert res.headers["content-type"].startswith("application/fhir+json")
            oo = strict(OperationOutcome, res.json())
            assert (oo.issue[0].code, oo.issue[0].details.coding[0].code) == ("not-supported", "fhir.not_acceptable")
        else:
            assert res.status_code == (404 if path.endswith("/none") else 200), (path, accept)


async def test_create_follows_the_declared_interactions(client, monkeypatch):
    """Without ``create`` declared, the same POST is refused and the statement no longer lists it."""
    from yihu.fhir.handlers.appointment import AppointmentHandler

    monkeypatch.setattr(AppointmentHandler, "interactions", ("read", "search-type"))
    cs = strict(CapabilityStatement, (await client.get("/fhir/metadata")).json())
    served = {r.type: r for r in cs.rest[0].resource}
    assert [i.code for i in served["Appointment"].interaction] == ["read", "search-type"]
    res = await client.post("/fhir/Appointment", json={"resourceType": "Appointment"})
    assert res.status_code == 405
