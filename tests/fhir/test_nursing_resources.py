"""FHIR for home nursing: every resource of a visit, strict-parsed with fhirclient, with the values it must carry."""

from __future__ import annotations

import base64
import hashlib
from datetime import timedelta

from fhirclient.models.bundle import Bundle
from fhirclient.models.consent import Consent
from fhirclient.models.encounter import Encounter
from fhirclient.models.healthcareservice import HealthcareService
from fhirclient.models.observation import Observation
from fhirclient.models.operationoutcome import OperationOutcome
from fhirclient.models.procedure import Procedure
from fhirclient.models.servicerequest import ServiceRequest
from fhirclient.models.task import Task

from tests import builders as b
from tests.fhir.nursing_seed import nursing_world
from tests.fhir.seed import strict
from tests.fhir.test_encounter import local
from tests.nursing import builders as nb
from yihu.auth.service import actor_of
from yihu.nursing import orders, records

BASE = "https://yihu.example.org/fhir"
LOINC = "http://loinc.org"


async def _get(client, who, path, model):
    res = await client.get(f"/fhir/{path}", headers=b.auth(who) if who else {})
    assert res.status_code == 200, res.text
    return strict(model, res.json())


def _ext(resource, name):
    return [e.valueMoney for e in resource.extension if e.url == f"{BASE}/StructureDefinition/{name}"]


async def test_the_catalogue_is_public_one_service_per_offering(client, session):
    n = await nursing_world(session)
    res = await client.get("/fhir/HealthcareService")
    assert res.status_code == 200, res.text
    bundle = strict(Bundle, res.json())
    expected = sorted([(n.w.inst.code, "HN901", n.offerings["main"].id), ("C0900", "HN901",
                       n.offerings["withdrawn"].id), ("C0900", "HN902", n.offerings["second"].id)])
    assert [e.resource.id for e in bundle.entry] == [x[2] for x in expected] and bundle.total == 3
    hs = await _get(client, None, f"HealthcareService/{n.offerings['main'].id}", HealthcareService)
    assert (hs.active, hs.name, hs.comment) == (True, "伤口换药", "Dressing change")
    assert (hs.providedBy.reference, hs.providedBy.display) == (f"Organization/{n.w.inst.id}", n.w.inst.name)
    assert [(c.system, c.code) for c in hs.type[0].coding] == [(f"{BASE}/CodeSystem/nursing-item", "HN901")]
    assert [(c.system, c.code) for c in hs.category[0].coding] == [(f"{BASE}/CodeSystem/nursing-category", "wound")]
    assert [(m.value, m.currency) for m in _ext(hs, "nursing-price")] == [(60, "CNY")]
    assert [(m.value, m.currency) for m in _ext(hs, "nursing-visit-fee")] == [(120, "CNY")]
    assert "服务价格 ¥60.00，上门服务费 ¥120.00" in hs.extraDetails
    assert [e.code.coding[0].code for e in hs.eligibility] == ["post_discharge"]
    assert hs.serviceProvisionCode[0].coding[0].code == "cost" and hs.appointmentRequired is True
    picc = await _get(client, None, f"HealthcareService/{n.offerings['second'].id}", HealthcareService)
    assert [c.coding[0].code for c in picc.characteristic] == ["medium", "picc"]
    withdrawn = await _get(client, None, f"HealthcareService/{n.offerings['withdrawn'].id}", HealthcareService)
    assert withdrawn.active is False
    res = await client.get("/fhir/HealthcareService/no-such")
    assert res.status_code == 404
    assert strict(OperationOutcome, res.json()).issue[0].code == "not-found"


async def test_a_completed_visit_as_request_task_consent_encounter_procedure_and_vital_signs(client, session):
    n = await nursing_world(session)
    o, who, day = n.done, n.w.resident, nb.tomorrow()
    pid, nurse = n.w.patient_id, f"Practitioner/{n.nurse_id}"

    sr = await _get(client, who, f"ServiceRequest/{o.id}", ServiceRequest)
    assert (sr.status, sr.intent, sr.priority, sr.subject.reference) == ("completed", "order", "routine",
                                                                          f"Patient/{pid}")
    assert (sr.code.coding[0].code, sr.code.text) == ("HN901", "伤口换药")
    assert (sr.occurrencePeriod.start.isostring, sr.occurrencePeriod.end.isostring) == (
        local(nb.at(day, "09:00")), local(nb.at(day, "11:00")))
    assert sr.requester.reference == f"Patient/{pid}"
    assert [p.reference for p in sr.performer] == [nurse, f"Organization/{n.w.inst.id}"]
    assert sr.identifier[0].value == o.number and sr.reasonCode[0].text == "术后伤口，需每日换药"
    assert sr.locationReference[0].reference == "#home"
    home = sr.contained[0]
    assert (home.resource_type, home.id, home.address.text) == ("Location", "home", o.address)
    assert (home.position.latitude, home.position.longitude) == (nb.HOME_LAT, nb.HOME_LON)
    assert [m.value for m in _ext(sr, "nursing-price")] == [60]
    assert sr.note[0].text.startswith("机构评估：病情：术后第5天")

    task = await _get(client, who, f"Task/{o.id}", Task)
    assert (task.status, task.intent, task.focus.reference, task.for_fhir.reference) == (
        "completed", "order", f"ServiceRequest/{o.id}", f"Patient/{pid}")
    assert (task.businessStatus.coding[0].code, task.businessStatus.text) == ("completed", "服务完成")
    assert task.owner.reference == nurse and task.code.coding[0].code == "fulfill"
    assert task.executionPeriod.end.isostring == local(nb.at(day, "10:10"))
    assert [x.text.split("：")[0] for x in task.note] == ["下单", "评估通过", "接单", "派单", "签署知情同意", "出发",
                                                         "到达签到", "填写护理记录", "签退完成"]
    assert [x.valueReference.reference for x in task.output] == [
        f"Consent/{n.consent.id}", f"Encounter/nursing-{o.id}", f"Procedure/{n.record.id}"]

    consent = await _get(client, who, f"Consent/{n.consent.id}", Consent)
    assert (consent.status, consent.scope.coding[0].code, consent.patient.reference) == (
        "active", "treatment", f"Patient/{pid}")
    assert consent.category[0].coding[0].code == "59284-0"
    assert consent.performer[0].display == "张小明（子女）" and consent.performer[0].reference is None
    assert consent.organization[0].reference == f"Organization/{n.w.inst.id}"
    att = consent.sourceAttachment
    data = base64.b64decode(att.data)
    assert att.contentType == "text/plain" and att.size == len(data)
    assert att.hash == base64.b64encode(hashlib.sha1(data).digest()).decode()  # noqa: S324
    assert "风险告知：可能出现疼痛、出血或感染。" in data.decode()
    assert consent.policyRule.coding[0].code == "OPTIN"
    assert consent.provision.data[0].reference.reference == f"ServiceRequest/{o.id}"
    assert consent.provision.actor[0].reference.reference == nurse

    enc = await _get(client, who, f"Encounter/nursing-{o.id}", Encounter)
    assert (enc.status, enc.class_fhir.code, enc.class_fhir.system) == (
        "finished", "HH", "http://terminology.hl7.org/CodeSystem/v3-ActCode")
    assert (enc.period.start.isostring, enc.period.end.isostring) == (local(nb.at(day, "09:32")),
                                                                      local(nb.at(day, "10:10")))
    assert [s.status for s in enc.statusHistory] == ["in-progress", "finished"]
    assert [p.individual.reference for p in enc.participant] == [nurse]
    assert enc.basedOn[0].reference == f"ServiceRequest/{o.id}"
    assert enc.serviceProvider.reference == f"Organization/{n.w.inst.id}"
    assert enc.location[0].location.reference == "#home" and enc.contained[0].id == "home"

    proc = await _get(client, who, f"Procedure/{n.record.id}", Procedure)
    assert (proc.status, proc.code.coding[0].code, proc.encounter.reference) == (
        "completed", "HN901", f"Encounter/nursing-{o.id}")
    assert (proc.performedPeriod.start.isostring, proc.performedPeriod.end.isostring) == (
        local(nb.at(day, "09:32")), local(nb.at(day, "10:10")))
    assert [p.actor.reference for p in proc.performer] == [nurse]
    assert proc.note[0].text == "护理措施：碘伏消毒切口，更换无菌敷料"
    assert proc.note[1].text == ("护理评估：伤口：site=右膝术后切口，size_cm=length=6.0，width=0.5，exudate=none，"
                                 "granulation=epithelialising；说明：切口愈合良好")
    assert [f.text for f in proc.followUp] == ["保持敷料干燥，3天后复查",
                                               f"下次访视：{(day + timedelta(days=3)).isoformat()}"]

    found = strict(Bundle, (await client.get("/fhir/Observation", params={"encounter": f"Encounter/nursing-{o.id}"},
                                             headers=b.auth(who))).json())
    obs = {e.resource.code.coding[0].code: e.resource for e in found.entry}
    assert found.total == 6 and list(obs) == ["8310-5", "8867-4", "9279-1", "85354-9", "2708-6", "15074-8"]
    for e in found.entry:
        ob = strict(Observation, e.resource.as_json())
        assert (ob.status, ob.category[0].coding[0].code, ob.subject.reference) == ("final", "vital-signs",
                                                                                    f"Patient/{pid}")
        assert ob.effectiveDateTime.isostring == local(n.record.signed_at)
        assert ob.performer[0].reference == nurse
    units = {c: (ob.valueQuantity.value, ob.valueQuantity.code, ob.valueQuantity.system)
             for c, ob in obs.items() if ob.valueQuantity is not None}
    assert units == {"8310-5": (36.8, "Cel", "http://unitsofmeasure.org"),
                     "8867-4": (78, "/min", "http://unitsofmeasure.org"),
                     "9279-1": (18, "/min", "http://unitsofmeasure.org"),
                     "2708-6": (97, "%", "http://unitsofmeasure.org"),
                     "15074-8": (6.2, "mmol/L", "http://unitsofmeasure.org")}
    assert [c.code for c in obs["2708-6"].code.coding] == ["2708-6", "59408-5"]
    bp = obs["85354-9"]
    assert bp.valueQuantity is None
    assert [(c.code.coding[0].code, c.valueQuantity.value, c.valueQuantity.code) for c in bp.component] == [
        ("8480-6", 128, "mm[Hg]"), ("8462-4", 82, "mm[Hg]")]
    one = await _get(client, who, f"Observation/nursing-{n.record.id}-bp", Observation)
    assert one.id == bp.id and one.encounter.reference == f"Encounter/nursing-{o.id}"


async def test_states_before_and_after_a_visit_and_a_record_marked_in_error(client, session):
    n = await nursing_world(session)
    me = n.w.resident
    sr = await _get(client, me, f"ServiceRequest/{n.waiting.id}", ServiceRequest)
    task = await _get(client, me, f"Task/{n.waiting.id}", Task)
    assert (sr.status, task.status, task.businessStatus.coding[0].code) == ("active", "requested", "requested")
    assert (task.owner.reference, task.output, task.executionPeriod) == (f"Organization/{n.w.inst.id}", None, None)
    assert [x.text for x in task.note] == ["下单：待审核"]
    sr = await _get(client, me, f"ServiceRequest/{n.cancelled.id}", ServiceRequest)
    task = await _get(client, me, f"Task/{n.cancelled.id}", Task)
    assert (sr.status, task.status, task.statusReason.text) == ("revoked", "cancelled", "已住院")
    assert sr.note[-1].text == "取消原因：已住院"
    # no check-in, no Encounter; unknown kinds and ids are 404s, bad values 400s
    for path in (f"Encounter/nursing-{n.waiting.id}", f"Observation/nursing-{n.record.id}-xyz",
                 f"Observation/nursing-{n.record.id}", "Consent/nope", "Procedure/nope", "Task/nope"):
        res = await client.get(f"/fhir/{path}", headers=b.auth(me))
        assert res.status_code == 404, path
        assert strict(OperationOutcome, res.json()).issue[0].code == "not-found"
    res = await client.get("/fhir/ServiceRequest", params={"authored": "yesterday"}, headers=b.auth(me))
    assert res.status_code == 400
    assert strict(OperationOutcome, res.json()).issue[0].details.coding[0].code == "fhir.invalid_param"

    admin, nurse = actor_of(n.w.admin), actor_of(n.w.nurses[0][1])
    await orders.assess(session, admin, n.waiting, decision="reject", assessment={}, reason="病情不适合居家护理")
    await records.mark_in_error(session, nurse, n.record, "体温录错")
    await b.done(session)
    task = await _get(client, me, f"Task/{n.waiting.id}", Task)
    sr = await _get(client, me, f"ServiceRequest/{n.waiting.id}", ServiceRequest)
    assert (sr.status, task.status, task.statusReason.text) == ("revoked", "rejected", "病情不适合居家护理")
    proc = await _get(client, me, f"Procedure/{n.record.id}", Procedure)
    assert (proc.status, proc.statusReason.text) == ("entered-in-error", "体温录错")
    ob = await _get(client, me, f"Observation/nursing-{n.record.id}-temp", Observation)
    assert ob.status == "entered-in-error"
    res = await client.get("/fhir/Procedure", params={"status": "entered-in-error"}, headers=b.auth(me))
    assert [e["resource"]["id"] for e in res.json()["entry"]] == [n.record.id]
