from __future__ import annotations

from fhirclient.models.capabilitystatement import CapabilityStatement

from tests.fhir.seed import JSON, strict
from yihu.fhir.handlers import HANDLERS

EXPECTED = {
    "Location": ["_id", "name", "identifier", "type", "organization", "partof"],
    "Organization": ["_id", "name", "identifier", "type", "partof"],
    "Patient": ["_id", "name", "identifier", "gender", "organization"],
    "Practitioner": ["_id", "name", "identifier", "organization", "active"],
    "PractitionerRole": ["_id", "practitioner", "organization", "specialty", "role", "active"],
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
        assert [i.code for i in resource.interaction] == ["read", "search-type"]
        assert [p.name for p in resource.searchParam] == EXPECTED[name]
        declared = {p.name: p.type for p in HANDLERS[name].search_params}
        assert {p.name: p.type for p in resource.searchParam} == declared
    assert {p.name: p.type for p in served["Patient"].searchParam} == {
        "_id": "token", "name": "string", "identifier": "token", "gender": "token", "organization": "reference"}


async def test_metadata_follows_the_registry(client, monkeypatch):
    monkeypatch.delitem(HANDLERS, "Location")
    cs = strict(CapabilityStatement, (await client.get("/fhir/metadata")).json())
    assert sorted(r.type for r in cs.rest[0].resource) == ["Organization", "Patient", "Practitioner",
                                                            "PractitionerRole"]
    assert (await client.get("/fhir/Location")).status_code == 404


async def test_metadata_refuses_xml(client):
    res = await client.get("/fhir/metadata", params={"_format": "xml"})
    assert res.status_code == 415
