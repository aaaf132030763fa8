from __future__ import annotations

from tests import builders as b
from tests.reports.seed import cbc, chest_ct, counts, family


async def publish(client, f, body, who=None, inst=None):
    r = await client.post(f"/api/v1/institutions/{(inst or f.hospital).id}/reports", headers=b.auth(who or f.doctor),
                          json=body)
    assert r.status_code == 201, r.text
    return r.json()


async def test_the_resident_sees_the_reports_of_every_bound_patient_newest_first(client, session):
    f = await family(session)
    await b.done(session)
    mine = await publish(client, f, cbc(f.holder.patient_id))
    wife = await publish(client, f, chest_ct(f.spouse.patient_id))
    kid = await publish(client, f, cbc(f.child_id), who=f.clinic_doctor, inst=f.clinic)
    await publish(client, f, cbc(f.outsider.patient_id))
    r = await client.get("/api/v1/reports", headers=b.auth(f.holder))
    page = r.json()
    assert page["total"] == 3
    assert [(i["id"], i["patient_name"], i["abnormal_count"]) for i in page["items"]] == [
        (kid["id"], "张小宝", 2), (wife["id"], "李梅", 0), (mine["id"], "张三明", 2)]
    # The spouse's own account sees her report only; the filter narrows within scope, never beyond it.
    assert [i["id"] for i in (await client.get("/api/v1/reports", headers=b.auth(f.spouse))).json()["items"]] == [
        wife["id"]]
    r = await client.get("/api/v1/reports", headers=b.auth(f.holder), params={"patient_id": f.outsider.patient_id})
    assert r.json()["items"] == []
    r = await client.get("/api/v1/reports", headers=b.auth(f.holder), params={"kind": "imaging", "limit": 1})
    assert [i["id"] for i in r.json()["items"]] == [wife["id"]]


async def test_staff_see_their_institutions_reports_and_the_regulator_all(client, session):
    f = await family(session)
    await b.done(session)
    a = await publish(client, f, cbc(f.holder.patient_id))
    c = await publish(client, f, cbc(f.child_id), who=f.clinic_doctor, inst=f.clinic)

    async def ids(who):
        return [i["id"] for i in (await client.get("/api/v1/reports", headers=b.auth(who))).json()["items"]]

    assert await ids(f.nurse) == [a["id"]]
    assert await ids(f.clinic_doctor) == [c["id"]]
    assert await ids(f.regulator) == [c["id"], a["id"]]
    assert (await client.get(f"/api/v1/reports/{c['id']}", headers=b.auth(f.regulator))).status_code == 200
    assert (await client.get(f"/api/v1/reports/{a['id']}", headers=b.auth(f.nurse))).status_code == 200


async def test_refusals_change_nothing(client, session):
    f = await family(session)
    await b.done(session)
    rep = await publish(client, f, cbc(f.holder.patient_id))
    before = await counts(session)
    url = f"/api/v1/reports/{rep['id']}"
    for who, status, code in ((f.outsider, 403, "auth.forbidden"), (f.clinic_doctor, 403, "auth.forbidden"),
                              (None, 401, "auth.unauthenticated")):
        headers = b.auth(who) if who else {}
        r = await client.get(url, headers=headers)
        assert (r.status_code, r.json()["code"]) == (status, code)
        r = await client.post(f"{url}/amend", headers=headers, json={**cbc(""), "reason": "复核更正"})
        assert r.status_code == status
        r = await client.post(f"{url}/entered-in-error", headers=headers, json={"reason": "患者信息错误"})
        assert r.status_code == status
    assert (await client.get("/api/v1/reports", headers=b.auth(f.outsider))).json()["total"] == 0
    # Publishing: only this institution's doctors and admin; a nurse, a resident, the regulator, another clinic: no.
    for who, status in ((f.nurse, 403), (f.holder, 403), (f.regulator, 403), (f.clinic_doctor, 403)):
        r = await client.post(f"/api/v1/institutions/{f.hospital.id}/reports", headers=b.auth(who),
                              json=cbc(f.holder.patient_id))
        assert r.status_code == status, (who.role, r.text)
    r = await client.post(f"/api/v1/institutions/{f.hospital.id}/reports", json=cbc(f.holder.patient_id))
    assert r.status_code == 401
    assert await counts(session) == before
