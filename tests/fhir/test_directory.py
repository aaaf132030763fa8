from __future__ import annotations

from fhirclient.models.bundle import Bundle
from fhirclient.models.location import Location
from fhirclient.models.operationoutcome import OperationOutcome
from fhirclient.models.organization import Organization
from fhirclient.models.practitioner import Practitioner
from fhirclient.models.practitionerrole import PractitionerRole

from tests import builders as b
from tests.fhir.seed import JSON, seed, strict
from yihu.fhir import systems
from yihu.kit import audit

HL7_ORG = "http://terminology.hl7.org/CodeSystem/organization-type"
PHYSICAL = "http://terminology.hl7.org/CodeSystem/location-physical-type"


async def _search(client, resource_type, headers=None, **params):
    res = await client.get(f"/fhir/{resource_type}", params=params, headers=headers or {})
    assert res.status_code == 200, res.text
    assert res.headers["content-type"].startswith(JSON)
    return strict(Bundle, res.json())


def _ids(bundle):
    return [e.resource.id for e in bundle.entry or []]


def _codings(concept):
    return [(c.system, c.code, c.display) for c in concept.coding]


async def test_organization_read_institution_and_group_anonymously(client, session):
    r = await seed(session)
    res = await client.get(f"/fhir/Organization/{r.hospital.id}")
    assert res.status_code == 200
    org = strict(Organization, res.json())
    assert [(i.system, i.value) for i in org.identifier] == [(systems.INSTITUTION_CODE, "H0001")]
    assert org.name == "嘉兴市第一医院"
    assert _codings(org.type[0]) == [(systems.ORGANIZATION_KIND, "tertiary_a", "三级甲等医院"),
                                     (HL7_ORG, "prov", "Healthcare Provider")]
    assert org.address[0].text == "嘉兴市南湖区中环南路1882号"
    assert [(t.system, t.value) for t in org.telecom] == [("phone", "0573-82079999")]
    assert (org.partOf.reference, org.partOf.display) == (f"Organization/{r.group.id}", "秀洲区城市医疗集团")
    assert org.active is True

    res = await client.get(f"/fhir/Organization/{r.group.id}")
    grp = strict(Organization, res.json())
    assert [(i.system, i.value) for i in grp.identifier] == [(systems.MEDICAL_GROUP_CODE, "G001")]
    assert _codings(grp.type[0]) == [(systems.ORGANIZATION_KIND, "city_medical_group", "紧密型城市医疗集团")]
    assert grp.partOf is None
    ext = grp.extension[0]
    assert (ext.url, ext.valueReference.reference, ext.valueReference.display) == (
        systems.LEAD_INSTITUTION, f"Organization/{r.hospital.id}", "嘉兴市第一医院")


async def test_organization_search(client, session):
    r = await seed(session)
    everything = await _search(client, "Organization")
    assert (everything.total, _ids(everything)) == (3, [r.group.id, r.clinic.id, r.hospital.id])
    assert _ids(await _search(client, "Organization", name="嘉兴")) == [r.hospital.id]
    assert _ids(await _search(client, "Organization", identifier=f"{systems.INSTITUTION_CODE}|C0002")) == [r.clinic.id]
    assert _ids(await _search(client, "Organization", identifier=f"{systems.MEDICAL_GROUP_CODE}|C0002")) == []
    assert _ids(await _search(client, "Organization", identifier="G001")) == [r.group.id]
    assert _ids(await _search(client, "Organization", type="chc")) == [r.clinic.id]
    assert _ids(await _search(client, "Organization", type=f"{HL7_ORG}|prov")) == [r.clinic.id, r.hospital.id]
    assert _ids(await _search(client, "Organization", partof=f"Organization/{r.group.id}")) == [r.clinic.id,
                                                                                                r.hospital.id]
    assert _ids(await _search(client, "Organization", _id=f"{r.group.id},{r.hospital.id}")) == [r.group.id,
                                                                                                 r.hospital.id]
    # Paging crosses from the groups into the institutions.
    page = await _search(client, "Organization", _count="2", _offset="1")
    assert (page.total, _ids(page)) == (3, [r.clinic.id, r.hospital.id])
    assert {lk.relation for lk in page.link} == {"self", "first", "previous", "last"}


async def test_summary_count_answers_the_total_alone(client, session):
    await seed(session)
    counted = await _search(client, "Organization", _summary="count", _count="2")
    assert (counted.total, counted.entry) == (3, None)
    assert [(lk.relation, lk.url) for lk in counted.link] == [
        ("self", "http://testserver/fhir/Organization?_summary=count&_count=0&_offset=0"),
        ("first", "http://testserver/fhir/Organization?_summary=count&_count=0&_offset=0")]
    assert (await _search(client, "Organization", _summary="count", type="chc")).total == 1
    # The other _summary values are not supported: ignored, as any parameter not supported, and not in the self link.
    ignored = await _search(client, "Organization", _summary="true")
    assert (ignored.total, len(ignored.entry)) == (3, 3)
    assert ignored.link[0].url == "http://testserver/fhir/Organization?_count=20&_offset=0"


async def test_prefer_handling_strict_refuses_a_parameter_not_supported(client, session):
    await seed(session)
    strict_ = {"Prefer": "handling=strict"}
    for params, name in (({"colour": "red"}, "colour"), ({"_summary": "true"}, "_summary"),
                         ({"name": "嘉兴", "_sort": "name"}, "_sort")):
        res = await client.get("/fhir/Organization", params=params, headers=strict_)
        assert res.status_code == 400, params
        outcome = strict(OperationOutcome, res.json())
        assert outcome.issue[0].details.coding[0].code == "fhir.unsupported_param"
        assert name in outcome.issue[0].diagnostics
    # What is supported still answers under strict handling; without it the unknown parameter is ignored.
    ok = await _search(client, "Organization", headers={"Prefer": "return=minimal, handling=strict"}, name="嘉兴",
                       _count="5", _offset="0", _format="json", _summary="count")
    assert ok.total == 1
    assert (await _search(client, "Organization", colour="red")).total == 3
    assert (await _search(client, "Organization", headers={"Prefer": "handling=lenient"}, colour="red")).total == 3


async def test_location_sites_and_rooms(client, session):
    r = await seed(session)
    res = await client.get(f"/fhir/Location/{r.hospital.id}")
    site = strict(Location, res.json())
    assert (site.name, site.status, site.mode) == ("嘉兴市第一医院", "active", "instance")
    assert (site.position.latitude, site.position.longitude) == (30.76, 120.71)
    assert site.address.text == "嘉兴市南湖区中环南路1882号"
    assert site.managingOrganization.reference == f"Organization/{r.hospital.id}"
    assert _codings(site.physicalType) == [(PHYSICAL, "si", "Site")]

    res = await client.get(f"/fhir/Location/{r.consulting_room.id}")
    room = strict(Location, res.json())
    assert (room.name, room.description) == ("心内科一诊室", "心血管内科专业")
    assert _codings(room.physicalType) == [(PHYSICAL, "ro", "Room")]
    assert _codings(room.type[0]) == [(systems.ROOM_KIND, "consulting", "诊室")]
    assert room.partOf.reference == f"Location/{r.hospital.id}"
    assert room.managingOrganization.reference == f"Organization/{r.hospital.id}"
    assert room.position is None

    everything = await _search(client, "Location")
    assert _ids(everything) == [r.clinic.id, r.hospital.id, r.ct_room.id, r.consulting_room.id]
    assert _ids(await _search(client, "Location", partof=f"Location/{r.hospital.id}")) == [r.ct_room.id,
                                                                                           r.consulting_room.id]
    assert _ids(await _search(client, "Location", organization=r.hospital.id)) == [r.hospital.id, r.ct_room.id,
                                                                                   r.consulting_room.id]
    assert _ids(await _search(client, "Location", type=f"{systems.ROOM_KIND}|ct")) == [r.ct_room.id]
    assert _ids(await _search(client, "Location", **{"name:contains": "诊室"})) == [r.consulting_room.id]
    assert _ids(await _search(client, "Location", identifier="C0002")) == [r.clinic.id]


async def test_practitioner_credentials_only_for_own_institution_and_regulator(client, session):
    r = await seed(session)
    url = f"/fhir/Practitioner/{r.nurse.id}"

    def quals(res):
        p = strict(Practitioner, res.json())
        return [(_codings(q.code), q.period.start.as_json() if q.period else None,
                 q.period.end.as_json() if q.period else None) for q in p.qualification]

    title = ([(systems.PRACTITIONER_TITLE, "senior_nurse", "护师")], None, None)
    picc = ([(systems.CREDENTIAL_KIND, "picc", "PICC专科护士证书")], "2020-05-01", "2030-04-30")
    assert quals(await client.get(url)) == [title]
    assert quals(await client.get(url, headers=b.auth(r.hospital_doctor))) == [title]
    assert quals(await client.get(url, headers=b.auth(r.resident))) == [title]
    assert quals(await client.get(url, headers=b.auth(r.clinic_nurse))) == [title, picc]
    assert quals(await client.get(url, headers=b.auth(r.regulator))) == [title, picc]

    p = strict(Practitioner, (await client.get(url)).json())
    assert [(i.system, i.value) for i in p.identifier] == [(systems.PRACTITIONER_LICENCE, r.nurse.licence_no)]
    assert (p.name[0].family, p.name[0].given, p.gender, p.active) == ("李", ["秀英"], "female", True)
    doc = strict(Practitioner, (await client.get(f"/fhir/Practitioner/{r.doctor.id}")).json())
    assert (doc.name[0].text, doc.name[0].family, doc.name[0].given) == ("欧阳明辉", "欧阳", ["明辉"])
    # Directory reads are not patient data: nothing is audited.
    assert await audit.count(session) == 2  # the two residents' registrations


async def test_practitioner_search_and_suspension(client, session):
    r = await seed(session)
    staff_doctor = r.hospital_doctor.practitioner_id
    assert sorted(_ids(await _search(client, "Practitioner", organization=f"Organization/{r.hospital.id}"))) == sorted(
        [r.doctor.id, staff_doctor])
    assert _ids(await _search(client, "Practitioner", name="欧阳")) == [r.doctor.id]
    assert _ids(await _search(client, "Practitioner",
                              identifier=f"{systems.PRACTITIONER_LICENCE}|{r.nurse.licence_no}")) == [r.nurse.id]
    from yihu.registry import directory
    await directory.set_suspension(session, r.doctor.id, suspended=True, reason="test")
    await b.done(session)
    assert strict(Practitioner, (await client.get(f"/fhir/Practitioner/{r.doctor.id}")).json()).active is False
    assert _ids(await _search(client, "Practitioner", active="false")) == [r.doctor.id]
    res = await client.get("/fhir/Practitioner", params={"active": "maybe"})
    assert res.status_code == 400


async def test_practitioner_role(client, session):
    r = await seed(session)
    roles = await _search(client, "PractitionerRole", practitioner=f"Practitioner/{r.doctor.id}")
    assert roles.total == 1
    role = strict(PractitionerRole, roles.entry[0].resource.as_json())
    assert (role.practitioner.reference, role.practitioner.display) == (f"Practitioner/{r.doctor.id}", "欧阳明辉")
    assert (role.organization.reference, role.organization.display) == (f"Organization/{r.hospital.id}",
                                                                        "嘉兴市第一医院")
    assert _codings(role.specialty[0]) == [(systems.CLINICAL_SUBJECT, "03.04", "心血管内科专业")]
    assert _codings(role.code[0]) == [(systems.PRACTITIONER_ROLE, "doctor", "医师")]
    assert role.active is True
    res = await client.get(f"/fhir/PractitionerRole/{role.id}")
    assert strict(PractitionerRole, res.json()).as_json() == role.as_json()
    assert _ids(await _search(client, "PractitionerRole", specialty=f"{systems.CLINICAL_SUBJECT}|03.04")) == [role.id]
    assert _ids(await _search(client, "PractitionerRole", specialty="07")) == []
    nurse_roles = await _search(client, "PractitionerRole", role="nurse", organization=r.clinic.id)
    assert sorted(e.resource.practitioner.reference for e in nurse_roles.entry) == sorted(
        [f"Practitioner/{r.nurse.id}", f"Practitioner/{r.clinic_nurse.practitioner_id}"])
    assert nurse_roles.total == 2


async def test_unknown_type_and_unknown_id_are_404_outcomes(client, session):
    await seed(session)
    for path, code in (("/fhir/Medication", "fhir.unknown_type"), ("/fhir/Medication/1", "fhir.unknown_type"),
                       ("/fhir/Organization/nope", "common.not_found"), ("/fhir/Location/nope", "common.not_found"),
                       ("/fhir/Practitioner/nope", "common.not_found"),
                       ("/fhir/PractitionerRole/nope", "common.not_found"),
                       ("/fhir/Organization/1/_history", "common.route_not_found")):
        res = await client.get(path)
        assert res.status_code == 404, path
        assert res.headers["content-type"].startswith(JSON)
        oo = strict(OperationOutcome, res.json())
        assert (oo.issue[0].code, oo.issue[0].details.coding[0].code) == ("not-found", code), path
    res = await client.post("/fhir/Medication/_search", data={})
    assert res.status_code == 404


async def test_values_no_database_can_store_are_refused_not_500(client, session):
    await seed(session)
    res = await client.get("/fhir/Organization", params={"name": "嘉\x00兴"})
    assert res.status_code == 400
    assert strict(OperationOutcome, res.json()).issue[0].details.coding[0].code == "fhir.invalid_param"
    res = await client.get("/fhir/Location/%00abc")
    assert res.status_code == 404
    assert strict(OperationOutcome, res.json()).issue[0].code == "not-found"
    res = await client.get("/fhir/Organization/" + "a" * 65)
    assert res.status_code == 404
