from __future__ import annotations

import json

from fhirclient.models.bundle import Bundle
from fhirclient.models.diagnosticreport import DiagnosticReport
from fhirclient.models.observation import Observation
from fhirclient.models.operationoutcome import OperationOutcome
from sqlalchemy import select

from tests import builders as b
from tests.fhir.seed import strict
from tests.reports.seed import cbc, chest_ct, family
from yihu.kit.audit import AuditEvent

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
V2 = "http://terminology.hl7.org/CodeSystem/v2-0074"
INTERP = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
EXT = "https://yihu.example.org/fhir/StructureDefinition/"


async def publish(client, f, body, who=None, inst=None):
    r = await client.post(f"/api/v1/institutions/{(inst or f.hospital).id}/reports", headers=b.auth(who or f.doctor),
                          json=body)
    assert r.status_code == 201, r.text
    return r.json()


async def setup(client, session):
    f = await family(session)
    await b.done(session)
    lab = await publish(client, f, cbc(f.spouse.patient_id))
    ct = await publish(client, f, chest_ct(f.child_id), who=f.clinic_doctor, inst=f.clinic)
    return f, lab, ct


async def bundle(client, who, path, **params) -> Bundle:
    r = await client.get(f"/fhir/{path}", headers=b.auth(who) if who else {}, params=params)
    assert r.status_code == 200, r.text
    return strict(Bundle, r.json())


async def test_diagnostic_report_and_its_observations(client, session):
    f, lab, _ct = await setup(client, session)
    r = await client.get(f"/fhir/DiagnosticReport/{lab['id']}", headers=b.auth(f.holder))
    assert r.headers["content-type"].startswith("application/fhir+json")
    dr = strict(DiagnosticReport, r.json())
    assert (dr.status, dr.meta.versionId, dr.subject.reference, dr.performer[0].reference) == (
        "final", "1", f"Patient/{f.spouse.patient_id}", f"Organization/{f.hospital.id}")
    assert [(c.system, c.code) for c in dr.category[0].coding] == [(V2, "LAB")]
    assert (dr.code.coding[0].system, dr.code.coding[0].code, dr.code.text) == (LOINC, "58410-2", "血常规")
    assert dr.effectiveDateTime.isostring == "2026-11-20T08:30:00+08:00"
    assert len(dr.result) == 4
    wbc_id = dr.result[0].reference.split("/")[1]
    obs = strict(Observation, (await client.get(f"/fhir/Observation/{wbc_id}", headers=b.auth(f.holder))).json())
    assert (obs.status, obs.code.coding[0].code, obs.code.coding[0].display) == ("final", "6690-2", "白细胞计数")
    q = obs.valueQuantity
    assert (q.value, q.unit, q.system, q.code) == (12.6, "10^9/L", UCUM, "10*9/L")
    assert [(c.system, c.code, c.display) for c in obs.interpretation[0].coding] == [(INTERP, "H", "High")]
    rr = obs.referenceRange[0]
    assert (rr.low.value, rr.high.value, rr.low.code) == (3.5, 9.5, "10*9/L")
    text_id = dr.result[3].reference.split("/")[1]
    hbs = strict(Observation, (await client.get(f"/fhir/Observation/{text_id}", headers=b.auth(f.spouse))).json())
    assert (hbs.valueString, hbs.valueQuantity, hbs.interpretation[0].coding[0].code, hbs.referenceRange[0].text) == (
        "阴性", None, "N", "阴性")


async def test_imaging_report_conclusion_and_modality(client, session):
    f, _lab, ct = await setup(client, session)
    dr = strict(DiagnosticReport, (await client.get(f"/fhir/DiagnosticReport/{ct['id']}",
                                                     headers=b.auth(f.holder))).json())
    assert [(c.coding[0].code, c.text) for c in dr.category] == [("RAD", "检查"), ("CT", "CT")]
    assert (dr.conclusion, dr.result) == ("右肺上叶见一约4mm磨玻璃结节，建议12个月后复查。", None)
    assert [(e.url, e.valueString) for e in dr.extension] == [(EXT + "body-site", "胸部")]


async def test_search_parameters_and_paging(client, session):
    f, lab, ct = await setup(client, session)
    all_ = await bundle(client, f.holder, "DiagnosticReport")
    assert [e.resource.id for e in all_.entry] == [ct["id"], lab["id"]]
    for params, expected in (({"category": "RAD"}, [ct["id"]]), ({"category": f"{V2}|LAB"}, [lab["id"]]),
                             ({"category": "CT"}, [ct["id"]]), ({"code": f"{LOINC}|58410-2"}, [lab["id"]]),
                             ({"code": f"{LOINC}|"}, [lab["id"]]), ({"code": "CT-CHEST"}, [ct["id"]]),
                             ({"date": "ge2026-11-21"}, [ct["id"]]), ({"date": "2026-11-20"}, [lab["id"]]),
                             ({"patient": f"Patient/{f.child_id}"}, [ct["id"]]), ({"status": "final"}, [ct["id"], lab["id"]]),
                             ({"status": "amended"}, [])):
        found = await bundle(client, f.holder, "DiagnosticReport", **params)
        assert [e.resource.id for e in found.entry or []] == expected, params
    page = await bundle(client, f.regulator, "DiagnosticReport", _count=1)
    assert (page.total, len(page.entry)) == (2, 1)
    assert {lk.relation: lk.url for lk in page.link}["next"] == (
        "http://testserver/fhir/DiagnosticReport?_count=1&_offset=1")
    obs = await bundle(client, f.spouse, "Observation", code="718-7")
    assert [(e.resource.code.coding[0].code, e.resource.interpretation[0].coding[0].code) for e in obs.entry] == [
        ("718-7", "L")]
    obs = await bundle(client, f.holder, "Observation", patient=f.spouse.patient_id, date="2026-11-20", _count=2)
    assert (obs.total, [e.resource.code.coding[0].code for e in obs.entry]) == (4, ["6690-2", "718-7"])
    assert (await bundle(client, f.holder, "Observation", date="2026-11-21")).total == 0


async def test_versions_and_statuses(client, session):
    f, lab, ct = await setup(client, session)
    body = {k: v for k, v in cbc("").items() if k not in ("patient_id", "kind")} | {"reason": "复测更正"}
    new = (await client.post(f"/api/v1/reports/{lab['id']}/amend", headers=b.auth(f.doctor), json=body)).json()
    await client.post(f"/api/v1/reports/{ct['id']}/entered-in-error", headers=b.auth(f.clinic_doctor),
                      json={"reason": "患者信息错误"})
    listed = await bundle(client, f.holder, "DiagnosticReport")
    assert [(e.resource.id, e.resource.status) for e in listed.entry] == [
        (new["id"], "amended"), (ct["id"], "entered-in-error")]
    amended = listed.entry[0].resource
    assert (amended.meta.versionId, [(e.url, e.valueReference.reference) for e in amended.extension]) == (
        "2", [(EXT + "replaces", f"DiagnosticReport/{lab['id']}")])
    old = strict(DiagnosticReport, (await client.get(f"/fhir/DiagnosticReport/{lab['id']}",
                                                      headers=b.auth(f.spouse))).json())
    assert (old.status, [(e.url, e.valueReference.reference) for e in old.extension]) == (
        "final", [(EXT + "replaced-by", f"DiagnosticReport/{new['id']}")])
    withdrawn = listed.entry[1].resource
    assert [(e.url, e.valueString) for e in withdrawn.extension][-1] == (EXT + "status-reason", "患者信息错误")
    obs = await bundle(client, f.spouse, "Observation")
    assert {e.resource.status for e in obs.entry} == {"amended"} and obs.total == 4
    assert (await bundle(client, f.holder, "DiagnosticReport", status="entered-in-error")).total == 1


async def test_access_is_the_records_policy(client, session):
    f, lab, ct = await setup(client, session)
    obs_id = (await bundle(client, f.spouse, "Observation")).entry[0].resource.id
    for who, status, code in ((f.outsider, 403, "forbidden"), (f.clinic_doctor, 403, "forbidden"),
                              (None, 401, "login")):
        for path in (f"DiagnosticReport/{lab['id']}", f"Observation/{obs_id}"):
            r = await client.get(f"/fhir/{path}", headers=b.auth(who) if who else {})
            assert r.status_code == status
            assert strict(OperationOutcome, r.json()).issue[0].code == code
    assert (await bundle(client, f.outsider, "DiagnosticReport")).total == 0
    assert (await bundle(client, f.outsider, "Observation")).total == 0
    assert [e.resource.id for e in (await bundle(client, f.clinic_doctor, "DiagnosticReport")).entry] == [ct["id"]]
    assert (await bundle(client, f.clinic_doctor, "Observation")).total == 0
    assert (await bundle(client, f.nurse, "Observation")).total == 4
    r = await client.get("/fhir/DiagnosticReport", headers=b.auth(f.holder), params={"date": "notadate"})
    assert r.status_code == 400
    events = (await session.scalars(select(AuditEvent).where(AuditEvent.action.in_(
        ("report.search", "observation.search"))).order_by(AuditEvent.seq))).all()
    assert list(dict.fromkeys((e.action, e.actor_id, json.loads(e.detail)["via"]) for e in events)) == [
        ("observation.search", f.spouse.id, "fhir"), ("report.search", f.clinic_doctor.id, "fhir"),
        ("observation.search", f.nurse.id, "fhir")]
    assert {e.patient_id for e in events} == {f.child_id, f.spouse.patient_id}
