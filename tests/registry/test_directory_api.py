from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from tests import builders as b
from yihu.registry.models import Department, Practitioner


async def test_admin_adds_departments_only_at_home(client, session):
    home, away = await b.institution(session), await b.institution(session)
    admin = await b.staff(session, role="institution_admin", inst=home)
    await b.done(session)
    h = b.auth(admin)
    r = await client.post(f"/api/v1/institutions/{home.id}/departments", headers=h, json={"code": "03.04"})
    assert r.status_code == 201 and r.json()["name"] == "心血管内科专业"
    r = await client.post(f"/api/v1/institutions/{home.id}/departments", headers=h, json={"code": "03.04"})
    assert (r.status_code, r.json()["code"]) == (409, "registry.department_code_taken")
    r = await client.post(f"/api/v1/institutions/{home.id}/departments", headers=h, json={"code": "99"})
    assert (r.status_code, r.json()["code"]) == (422, "registry.department_code_unknown")
    r = await client.post(f"/api/v1/institutions/{away.id}/departments", headers=h, json={"code": "07"})
    assert (r.status_code, r.json()["code"]) == (403, "auth.forbidden")
    assert await session.scalar(select(func.count()).select_from(Department)) == 1
    listed = (await client.get(f"/api/v1/institutions/{home.id}/departments")).json()
    assert [d["code"] for d in listed] == ["03.04"]


async def test_practitioner_titles_follow_their_ladder(client, session):
    home = await b.institution(session)
    admin = await b.staff(session, role="institution_admin", inst=home)
    await b.done(session)
    body = {"name": "刘芳", "sex": "female", "kind": "nurse", "licence_no": "N202600001", "title": "chief_physician",
            "practice_start": "2015-07-01"}
    r = await client.post(f"/api/v1/institutions/{home.id}/practitioners", headers=b.auth(admin), json=body)
    assert (r.status_code, r.json()["code"]) == (422, "registry.title_invalid")
    r = await client.post(f"/api/v1/institutions/{home.id}/practitioners", headers=b.auth(admin),
                          json={**body, "title": "supervisor_nurse"})
    assert r.status_code == 201
    assert r.json()["title_label"] == "主管护师" and r.json()["licence_no"] == "N202600001"
    r = await client.post(f"/api/v1/institutions/{home.id}/practitioners", headers=b.auth(admin),
                          json={**body, "title": "supervisor_nurse"})
    assert (r.status_code, r.json()["code"]) == (409, "registry.licence_taken")


async def test_credentials_are_shown_to_home_staff_and_regulators_only(client, session):
    home, away = await b.institution(session), await b.institution(session)
    nurse = await b.practitioner(session, home)
    admin = await b.staff(session, role="institution_admin", inst=home)
    other = await b.staff(session, role="institution_admin", inst=away)
    regulator = await b.staff(session, role="regulator", inst=None)
    await b.done(session)
    today = date.today()
    r = await client.post(f"/api/v1/practitioners/{nurse.id}/credentials", headers=b.auth(admin), json={
        "kind": "picc", "number": "PICC-001", "issued_on": str(today - timedelta(days=800)),
        "expires_on": str(today - timedelta(days=1))})
    assert r.status_code == 201 and r.json()["valid_today"] is False
    r = await client.post(f"/api/v1/practitioners/{nurse.id}/credentials", headers=b.auth(other), json={
        "kind": "picc", "number": "PICC-002", "issued_on": str(today)})
    assert r.status_code == 403
    r = await client.post(f"/api/v1/practitioners/{nurse.id}/credentials", headers=b.auth(admin), json={
        "kind": "picc", "number": "PICC-003", "issued_on": str(today), "expires_on": str(today - timedelta(days=1))})
    assert (r.status_code, r.json()["code"]) == (422, "registry.credential_dates")
    public = (await client.get(f"/api/v1/practitioners/{nurse.id}")).json()
    assert public["credentials"] is None and public["licence_no"] is None
    assert (await client.get(f"/api/v1/practitioners/{nurse.id}", headers=b.auth(other))).json()["credentials"] is None
    mine = (await client.get(f"/api/v1/practitioners/{nurse.id}", headers=b.auth(admin))).json()
    assert [c["number"] for c in mine["credentials"]] == ["PICC-001"]
    reg = (await client.get(f"/api/v1/practitioners/{nurse.id}", headers=b.auth(regulator))).json()
    assert reg["credentials"][0]["valid_today"] is False


async def test_suspension_by_the_institution_or_the_regulator(client, session):
    home, away = await b.institution(session), await b.institution(session)
    nurse = await b.practitioner(session, home)
    admin = await b.staff(session, role="institution_admin", inst=home)
    other = await b.staff(session, role="institution_admin", inst=away)
    regulator = await b.staff(session, role="regulator", inst=None)
    await b.done(session)
    url = f"/api/v1/practitioners/{nurse.id}/suspension"
    assert (await client.post(url, headers=b.auth(other), json={"suspended": True, "reason": "x"})).status_code == 403
    r = await client.post(url, headers=b.auth(admin), json={"suspended": True, "reason": "投诉调查中"})
    assert r.status_code == 200 and r.json()["suspended"] is True and r.json()["suspended_reason"] == "投诉调查中"
    r = await client.post(url, headers=b.auth(regulator), json={"suspended": False})
    assert r.json()["suspended"] is False
    p = await session.get(Practitioner, nurse.id, populate_existing=True)
    assert p.suspended is False and p.suspended_at is None


async def test_listing_filters_and_pages(client, session):
    home = await b.institution(session)
    for i in range(5):
        await b.practitioner(session, home, name=f"护士{i}")
    await b.practitioner(session, home, kind="doctor", title="chief_physician", name="医生甲")
    await b.done(session)
    r = (await client.get("/api/v1/practitioners", params={"institution_id": home.id, "kind": "nurse",
                                                            "limit": 2, "offset": 2})).json()
    assert r["total"] == 5 and [p["name"] for p in r["items"]] == ["护士2", "护士3"]
    r = await client.get("/api/v1/practitioners", params={"limit": 0})
    assert (r.status_code, r.json()["code"]) == (422, "common.validation")


async def test_only_system_admin_creates_institutions(client, session):
    sysadmin = await b.staff(session, role="system_admin", inst=None)
    regulator = await b.staff(session, role="regulator", inst=None)
    await b.done(session)
    body = {"code": "XZ-NEW-01", "name": "新建社区卫生服务站", "kind": "chc", "latitude": 30.8, "longitude": 120.7}
    assert (await client.post("/api/v1/institutions", headers=b.auth(regulator), json=body)).status_code == 403
    r = await client.post("/api/v1/institutions", headers=b.auth(sysadmin), json=body)
    assert r.status_code == 201 and r.json()["kind_label"] == "社区卫生服务中心"
    r = await client.post("/api/v1/institutions", headers=b.auth(sysadmin), json={**body, "kind": "spa"})
    assert (r.status_code, r.json()["code"]) == (422, "registry.institution_kind_invalid")
    r = await client.post("/api/v1/institutions", headers=b.auth(sysadmin), json=body)
    assert (r.status_code, r.json()["code"]) == (409, "registry.institution_code_taken")


async def test_overview_scopes(client, session):
    home, away = await b.institution(session), await b.institution(session)
    await b.practitioner(session, home)
    admin = await b.staff(session, role="institution_admin", inst=home)
    regulator = await b.staff(session, role="regulator", inst=None)
    resident = await b.resident(session)
    await b.done(session)
    reg = (await client.get("/api/v1/overview", headers=b.auth(regulator))).json()
    assert reg["totals"]["institutions"] == 2 and reg["totals"]["nurses"] == 1
    mine = (await client.get("/api/v1/overview", headers=b.auth(admin))).json()
    assert [i["institution"]["id"] for i in mine["institutions"]] == [home.id]
    assert (await client.get("/api/v1/overview", headers=b.auth(resident))).status_code == 403
    assert away.id in {i["institution"]["id"] for i in reg["institutions"]}
