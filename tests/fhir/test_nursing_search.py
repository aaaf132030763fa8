"""FHIR search for home nursing: exact ids per parameter, the scope of every caller, and lab Observations and
outpatient Encounters served side by side with the nursing ones."""

from __future__ import annotations

import json

from fhirclient.models.bundle import Bundle
from fhirclient.models.capabilitystatement import CapabilityStatement
from fhirclient.models.operationoutcome import OperationOutcome
from sqlalchemy import select

from tests import builders as b
from tests.fhir.nursing_seed import nursing_world
from tests.fhir.seed import strict
from tests.reports.seed import cbc
from yihu.kit import clock
from yihu.kit.audit import AuditEvent
from yihu.registry import service as registry


async def ids(client, who, path, **params):
    res = await client.get(f"/fhir/{path}", params=params, headers=b.auth(who) if who else {})
    assert res.status_code == 200, res.text
    bundle = strict(Bundle, res.json())
    found = [e.resource.id for e in bundle.entry or []]
    assert bundle.total == len(found) or "_count" in params, (bundle.total, found)
    return found


async def test_every_search_parameter_returns_exactly_the_expected_ids(client, session):
    n = await nursing_world(session)
    me, pid, nurse, inst = n.w.resident, n.w.patient_id, n.nurse_id, n.w.inst.id
    done, waiting, cancelled, theirs = n.done.id, n.waiting.id, n.cancelled.id, n.theirs.id
    today = clock.local_date(clock.now()).isoformat()
    sr = "ServiceRequest"
    assert await ids(client, me, sr, patient=pid) == [cancelled, waiting, done]
    assert await ids(client, me, sr, status="active") == [waiting]
    assert await ids(client, me, sr, status="http://hl7.org/fhir/request-status|revoked") == [cancelled]
    assert await ids(client, me, sr, status="completed,revoked") == [cancelled, done]
    assert await ids(client, me, sr, performer=f"Practitioner/{nurse}") == [done]
    assert await ids(client, n.w.regulator, sr, performer=f"Organization/{inst}") == [theirs, cancelled, waiting,
                                                                                      done]
    assert await ids(client, me, sr, authored=f"ge{today}") == [cancelled, waiting, done]
    assert await ids(client, me, sr, authored="lt2020-01-01") == []
    assert await ids(client, me, sr, code="HN901", _id=f"{done},{theirs}") == [done]
    assert await ids(client, me, sr, identifier=n.waiting.number) == [waiting]
    assert await ids(client, me, sr, code="HN902") == []

    assert await ids(client, me, "Task", owner=f"Practitioner/{nurse}") == [done]
    assert await ids(client, me, "Task", owner=f"Organization/{inst}") == [cancelled, waiting]
    assert await ids(client, me, "Task", status="requested") == [waiting]
    assert await ids(client, me, "Task", status="cancelled") == [cancelled]
    assert await ids(client, me, "Task", focus=f"ServiceRequest/{done}") == [done]
    assert await ids(client, me, "Task", **{"business-status": "completed"}) == [done]

    assert await ids(client, me, "Consent", patient=pid) == [n.consent.id]
    assert await ids(client, me, "Consent", data=f"ServiceRequest/{done}", status="active") == [n.consent.id]
    assert await ids(client, me, "Consent", status="inactive") == []

    enc = f"nursing-{done}"
    assert await ids(client, me, "Encounter", patient=pid) == [enc]
    assert await ids(client, me, "Encounter", **{"class": "HH", "based-on": f"ServiceRequest/{done}"}) == [enc]
    assert await ids(client, me, "Encounter", **{"class": "AMB"}) == []
    assert await ids(client, me, "Encounter", status="finished", date=f"ge{today}") == [enc]
    assert await ids(client, me, "Encounter", status="in-progress") == []
    assert await ids(client, me, "Encounter", appointment="Appointment/x") == []
    assert await ids(client, me, "Encounter", _id=enc) == [enc]

    assert await ids(client, me, "Procedure", patient=pid, status="completed") == [n.record.id]
    assert await ids(client, me, "Procedure", encounter=f"Encounter/{enc}") == [n.record.id]
    assert await ids(client, me, "Procedure", **{"based-on": f"ServiceRequest/{waiting}"}) == []

    rec = f"nursing-{n.record.id}"
    signs = [f"{rec}-{k}" for k in ("temp", "hr", "rr", "bp", "spo2", "glu")]
    assert await ids(client, me, "Observation", patient=pid) == signs
    assert await ids(client, me, "Observation", category="vital-signs", code="http://loinc.org|8310-5") == [
        f"{rec}-temp"]
    assert await ids(client, me, "Observation", code="85354-9,15074-8") == [f"{rec}-bp", f"{rec}-glu"]
    assert await ids(client, me, "Observation", category="laboratory") == []
    assert await ids(client, me, "Observation", _id=f"{rec}-spo2") == [f"{rec}-spo2"]
    assert await ids(client, me, "Observation", _count=4, _offset=4) == signs[4:]


async def test_each_caller_sees_their_own_scope_and_anonymous_callers_are_refused(client, session):
    n = await nursing_world(session)
    doctor = await b.staff(session, role="doctor", inst=n.w.inst)
    await b.done(session)
    done = n.done.id
    reads = [f"ServiceRequest/{done}", f"Task/{done}", f"Consent/{n.consent.id}", f"Encounter/nursing-{done}",
             f"Procedure/{n.record.id}", f"Observation/nursing-{n.record.id}-temp"]
    for path in reads:
        res = await client.get(f"/fhir/{path}")
        assert res.status_code == 401, path
        assert strict(OperationOutcome, res.json()).issue[0].code == "login"
        res = await client.get(f"/fhir/{path}", headers=b.auth(n.other_resident))
        assert res.status_code == 403, path
        assert strict(OperationOutcome, res.json()).issue[0].code == "forbidden"
        assert (await client.get(f"/fhir/{path}", headers=b.auth(n.other_admin))).status_code == 403
        assert (await client.get(f"/fhir/{path}", headers=b.auth(n.w.nurses[1][1]))).status_code == 200
    for kind in ("ServiceRequest", "Task", "Consent", "Encounter", "Procedure", "Observation"):
        assert (await client.get(f"/fhir/{kind}")).status_code == 401
        assert await ids(client, n.other_resident, kind, patient=n.w.patient_id) == []
        assert await ids(client, n.other_admin, kind) == []
    assert await ids(client, n.other_resident, "ServiceRequest") == [n.theirs.id]
    everyone = [n.theirs.id, n.cancelled.id, n.waiting.id, done]
    assert await ids(client, n.w.regulator, "Task") == everyone
    assert await ids(client, n.w.nurses[1][1], "ServiceRequest") == everyone
    # the visit's record is the patient's record: the institution's doctor reads it, and so does a doctor of the
    # patient's hospital; the order workflow is neither's
    hospital = await b.institution(session, code="H0900", name="嘉兴市第二医院")
    their_doctor = await b.staff(session, role="doctor", inst=hospital)
    await registry.link(session, n.w.patient_id, hospital.id, "visit")
    await b.done(session)
    for who in (doctor, their_doctor):
        assert await ids(client, who, "Procedure") == [n.record.id]
        assert await ids(client, who, "Encounter", **{"class": "HH"}) == [f"nursing-{done}"]
        assert len(await ids(client, who, "Observation", category="vital-signs")) == 6
        assert (await client.get("/fhir/ServiceRequest", headers=b.auth(who))).status_code == 403
        assert (await client.get(f"/fhir/Task/{done}", headers=b.auth(who))).status_code == 403
    rows = (await session.scalars(select(AuditEvent).where(AuditEvent.action == "servicerequest.read")
                                  .order_by(AuditEvent.seq))).all()
    assert [(e.actor_id, e.resource_id, json.loads(e.detail)["via"]) for e in rows] == [
        (n.w.nurses[1][1].id, done, "fhir")]


async def test_lab_results_and_vital_signs_share_observation_and_page_across_both(client, session):
    n = await nursing_world(session)
    doctor = await b.staff(session, role="doctor", inst=n.w.inst)
    await b.done(session)
    r = await client.post(f"/api/v1/institutions/{n.w.inst.id}/reports", headers=b.auth(doctor),
                          json=cbc(n.w.patient_id))
    assert r.status_code == 201, r.text
    lab = [o["id"] for o in r.json()["observations"]]
    rec = f"nursing-{n.record.id}"
    signs = [f"{rec}-{k}" for k in ("temp", "hr", "rr", "bp", "spo2", "glu")]
    me = n.w.resident
    assert await ids(client, me, "Observation", patient=n.w.patient_id) == lab + signs
    res = await client.get("/fhir/Observation", params={"patient": n.w.patient_id, "_count": 3, "_offset": 3},
                           headers=b.auth(me))
    page = strict(Bundle, res.json())
    assert (page.total, [e.resource.id for e in page.entry]) == (10, [lab[3], signs[0], signs[1]])
    assert {x.relation: x.url.split("_offset=")[1] for x in page.link if x.relation in ("next", "previous")} == {
        "next": "6", "previous": "0"}
    assert await ids(client, me, "Observation", category="laboratory") == lab
    assert await ids(client, me, "Observation", category="laboratory", code="6690-2") == [lab[0]]
    assert await ids(client, me, "Observation", category="http://terminology.hl7.org/CodeSystem/"
                                                          "observation-category|vital-signs") == signs
    res = await client.get(f"/fhir/Observation/{lab[0]}", headers=b.auth(me))
    assert res.status_code == 200 and res.json()["category"][0]["coding"][0]["code"] == "laboratory"


async def test_the_catalogue_is_searched_by_name_activity_organization_and_category(client, session):
    n = await nursing_world(session)
    main, second, withdrawn = (n.offerings[k].id for k in ("main", "second", "withdrawn"))
    assert await ids(client, None, "HealthcareService", name="PICC") == [second]
    assert await ids(client, None, "HealthcareService", **{"name:contains": "换药"}) == [
        i for _code, i in sorted([(n.w.inst.code, main), ("C0900", withdrawn)])]
    assert await ids(client, None, "HealthcareService", name="伤口", active="true") == [main]
    assert await ids(client, None, "HealthcareService", active="false") == [withdrawn]
    assert await ids(client, None, "HealthcareService", organization=f"Organization/{n.other_inst.id}") == [
        withdrawn, second]
    assert await ids(client, None, "HealthcareService", **{"service-category": "wound", "service-type": "HN902"}) == [
        second]
    assert await ids(client, None, "HealthcareService", **{
        "service-category": "https://yihu.example.org/fhir/CodeSystem/nursing-category|tube"}) == []
    res = await client.get("/fhir/HealthcareService", params={"active": "maybe"})
    assert res.status_code == 400
    assert strict(OperationOutcome, res.json()).issue[0].details.coding[0].code == "fhir.invalid_param"


async def test_the_capability_statement_lists_the_nursing_resources_and_their_parameters(client):
    cs = strict(CapabilityStatement, (await client.get("/fhir/metadata")).json())
    served = {r.type: {p.name: p.type for p in r.searchParam} for r in cs.rest[0].resource}
    assert served["HealthcareService"] == {"_id": "token", "name": "string", "active": "token",
                                           "organization": "reference", "service-category": "token",
                                           "service-type": "token"}
    assert served["ServiceRequest"] == {"_id": "token", "patient": "reference", "status": "token",
                                        "authored": "date", "performer": "reference", "code": "token",
                                        "identifier": "token"}
    assert served["Task"] == {"_id": "token", "patient": "reference", "status": "token", "owner": "reference",
                              "focus": "reference", "business-status": "token"}
    assert served["Consent"] == {"_id": "token", "patient": "reference", "status": "token", "date": "date",
                                 "data": "reference"}
    assert served["Procedure"] == {"_id": "token", "patient": "reference", "encounter": "reference",
                                   "based-on": "reference", "date": "date", "status": "token"}
    assert served["Encounter"] == {"_id": "token", "patient": "reference", "date": "date", "status": "token",
                                   "appointment": "reference", "based-on": "reference", "class": "token"}
    assert served["Observation"] == {"_id": "token", "patient": "reference", "code": "token", "date": "date",
                                     "encounter": "reference", "category": "token"}
