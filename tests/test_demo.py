from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

import pyotp
from sqlalchemy import func, select

from tests.conftest import fresh_database
from yihu.auth.models import Account
from yihu.auth.service import phone_of as account_phone
from yihu.config import get_settings
from yihu.db import Database
from yihu.demo import geo, names
from yihu.demo.logins import LOGINS, TOTP_LEAD_ADMIN
from yihu.demo.region import DEMO_RESIDENTS, load_demo
from yihu.demo.seed import seed_residents
from yihu.demo.staff import INELIGIBLE_REASONS, PER_REASON, SPECIALTIES
from yihu.kit import audit
from yihu.kit.vault import vault
from yihu.registry import codes, idcard
from yihu.registry.directory import credential_valid_on, years_of_practice
from yihu.registry.models import (
    Card,
    Credential,
    Department,
    Institution,
    MedicalGroup,
    Patient,
    PatientLink,
    Practitioner,
    PractitionerRole,
    Room,
)
from yihu.registry.patients import id_number_of, phone_of

SEED_001 = (
    "秀洲区妇幼保健院",
    "秀洲区康安医院",
    "王店人民医院",
    "新塍医院",
    "王江泾医院",
    "油车港镇卫生院",
    "洪合镇卫生院",
    "王店镇建设卫生院",
    "高照街道社区卫生服务中心",
    "新城街道社区卫生服务中心",
)
TODAY = date.today()


def reason_not_eligible(p: Practitioner, creds: list[Credential], day: date) -> str | None:
    """The home-nursing rules of DOMAIN.md, checked independently of the demo's own plan."""
    if p.suspended:
        return "suspended"
    if p.licence_valid_until is None or p.licence_valid_until < day:
        return "licence_expired"
    if years_of_practice(p, day) < 5:
        return "practice_under_5_years"
    if (codes.title_rank("nurse", p.title) or 0) < 1:
        return "title_below_senior_nurse"
    training = [c for c in creds if c.kind == "home_care_training"]
    if not training:
        return "home_care_training_missing"
    if not any(credential_valid_on(c, day) for c in training):
        return "home_care_training_expired"
    return None


async def all_rows(db: Database, model: Any) -> list[Any]:
    async with db.sessionmaker() as s:
        return list((await s.scalars(select(model))).all())


async def test_demo_district_institutions_and_staff(db):
    summary = await load_demo(db, today=TODAY)
    assert summary.created is True
    groups = await all_rows(db, MedicalGroup)
    institutions = {i.id: i for i in await all_rows(db, Institution)}
    assert len(groups) == 1 and len(institutions) == 11
    lead = institutions[groups[0].lead_institution_id]
    assert lead.kind == "tertiary_a"
    assert {i.group_id for i in institutions.values()} == {groups[0].id}
    names = {i.name for i in institutions.values()}
    assert set(SEED_001) <= names
    assert {i.kind for i in institutions.values()} == {
        "tertiary_a",
        "maternal_child",
        "secondary",
        "township",
        "chc",
    }
    assert all(
        geo.inside(i.latitude, i.longitude) and i.address.startswith("浙江省嘉兴市秀洲区")
        for i in institutions.values()
    )

    deps = await all_rows(db, Department)
    assert all(d.code in codes.CLINICAL_SUBJECTS and d.name for d in deps)
    per_inst = Counter(d.institution_id for d in deps)
    by_kind = {i.kind: per_inst[i.id] for i in institutions.values()}
    assert by_kind["tertiary_a"] > by_kind["secondary"] > by_kind["township"] >= by_kind["chc"]
    room_kinds = {r.kind for r in await all_rows(db, Room) if r.institution_id == lead.id}
    assert {"consulting", "ct", "mr", "ultrasound"} <= room_kinds

    practitioners = await all_rows(db, Practitioner)
    assert {p.kind for p in practitioners} == {"doctor", "nurse", "pharmacist", "technician"}
    assert all(codes.title_rank(p.kind, p.title) is not None for p in practitioners)
    assert len({p.licence_no for p in practitioners}) == len(practitioners)
    roles = await all_rows(db, PractitionerRole)
    assert {r.practitioner_id for r in roles} == {p.id for p in practitioners}
    creds: dict[str, list[Credential]] = {}
    for c in await all_rows(db, Credential):
        creds.setdefault(c.practitioner_id, []).append(c)

    nurses = [p for p in practitioners if p.kind == "nurse"]
    assert len(nurses) >= 120
    assert {p.title for p in nurses} == {code for code, _zh, _en in codes.TITLE_LADDERS["nurse"]}
    assert all(geo.inside(p.home_latitude, p.home_longitude) for p in nurses)
    assert all(p.registered_institution_id in institutions for p in nurses)
    reasons = {p.licence_no: reason_not_eligible(p, creds.get(p.id, []), TODAY) for p in nurses}
    found = {lic: r for lic, r in reasons.items() if r is not None}
    assert found == summary.ineligible_nurses
    assert Counter(found.values()) == {r: PER_REASON for r in INELIGIBLE_REASONS}
    assert all(p.suspended_reason for p in nurses if p.suspended)
    kinds = {c.kind for p in nurses for c in creds.get(p.id, [])}
    assert set(SPECIALTIES) | {"home_care_training"} <= kinds
    assert all(
        c.expires_on is not None and c.issued_on < c.expires_on for p in nurses for c in creds.get(p.id, [])
    )

    accounts = {a.phone_bidx: a for a in await all_rows(db, Account)}
    for spec in LOGINS:
        acc = accounts[vault().index("phone", spec.phone)]
        assert (acc.role, acc.display_name) == (spec.role, spec.name)
        assert (acc.totp_secret_enc is not None) == (
            spec.role in ("institution_admin", "regulator", "system_admin")
        )
        if spec.role in ("doctor", "nurse", "pharmacist"):
            p = next(p for p in practitioners if p.id == acc.practitioner_id)
            assert p.kind == spec.role and acc.institution_id == p.registered_institution_id
            assert reasons.get(p.licence_no) is None
    async with db.sessionmaker() as s:
        actions = [e.action for e in (await s.scalars(select(audit.AuditEvent).order_by(audit.AuditEvent.seq))).all()]
        # the load, then the demo's online settlements (bookings and payments go through the real services)
        assert actions[0] == "demo.load" and set(actions[1:]) <= {"payment.paid"}


async def test_demo_residents_families_and_cards(db):
    await load_demo(db, today=TODAY)
    patients = await all_rows(db, Patient)
    assert len(patients) == DEMO_RESIDENTS + 4
    numbers = []
    for p in patients:
        value = id_number_of(p)
        idn = idcard.parse(value, TODAY)
        assert (idn.sex, idn.birth_date) == (p.sex, p.birth_date)
        assert idn.region_code[:4] == "3304"
        assert p.id_number_bidx == vault().index("id_number", value)
        numbers.append(value)
        assert geo.inside(p.latitude, p.longitude) and p.address.startswith("浙江省嘉兴市秀洲区")
        assert 2 <= len(p.name) <= 4 and (p.name[0] in names.SURNAMES or p.name[:2] in names.SURNAMES)
    assert len(set(numbers)) == len(patients)
    phones = [phone_of(p) for p in patients if p.phone_enc is not None]
    assert len(set(phones)) == len(phones) > DEMO_RESIDENTS // 2
    assert all(idcard.PHONE_RE.fullmatch(ph or "") for ph in phones)
    assert not any(p.id_number_enc.find(n.encode()) >= 0 for p, n in zip(patients, numbers, strict=True))

    by_id = {p.id: p for p in patients}
    cards = await all_rows(db, Card)
    per_account = Counter(c.account_id for c in cards if c.status == "active")
    assert max(per_account.values()) <= 5
    assert len(per_account) > DEMO_RESIDENTS // 5
    slots: dict[str, list[int]] = {}
    for c in cards:
        slots.setdefault(c.account_id, []).append(c.slot_no or 0)
    assert all(sorted(s) == list(range(1, len(s) + 1)) for s in slots.values())
    guardian_age = get_settings().guardian_age
    minors = [
        c
        for c in cards
        if idcard.parse(id_number_of(by_id[c.patient_id]), TODAY).age_on(TODAY) < guardian_age
    ]
    assert minors and all(c.guardian_consent_at is not None and c.relation == "child" for c in minors)
    assert all(c.guardian_consent_at is None for c in cards if c not in minors)
    elderly = [by_id[c.patient_id] for c in cards if c.relation == "parent"]
    assert elderly and all(
        70 <= idcard.parse(id_number_of(p), TODAY).age_on(date(2026, 1, 1)) <= 90 for p in elderly
    )
    heads = {c.account_id: by_id[c.patient_id] for c in cards if c.relation == "self"}
    spouses = [(heads[c.account_id], by_id[c.patient_id]) for c in cards if c.relation == "spouse"]
    assert spouses and all(h.sex != w.sex for h, w in spouses)
    links = {(li.patient_id, li.institution_id) for li in await all_rows(db, PatientLink) if li.reason == "visit_card"}
    visit = {(c.patient_id, c.institution_id) for c in cards if c.card_type == "visit"}
    assert visit and visit == links
    assert all(c.institution_id is None for c in cards if c.card_type == "insurance")

    accounts = await all_rows(db, Account)
    head = next(a for a in accounts if a.role == "resident" and account_phone(a) == "13800000001")
    mine = sorted((c for c in cards if c.account_id == head.id), key=lambda c: c.slot_no or 0)
    assert [c.relation for c in mine] == ["self", "spouse", "child", "parent"]
    assert mine[0].patient_id == head.patient_id and mine[2].guardian_consent_at is not None
    residents = [a for a in accounts if a.role == "resident"]
    assert all(a.patient_id in by_id for a in residents)
    assert 0.25 < len(residents) / len(patients) < 0.4
    assert len({a.password_hash for a in accounts}) == 1


async def snapshot(db: Database) -> dict[str, Any]:
    async with db.sessionmaker() as s:
        return {
            "institutions": sorted(
                (await s.execute(select(Institution.id, Institution.code))).tuples().all()
            ),
            "departments": sorted((await s.scalars(select(Department.id))).all()),
            "rooms": sorted((await s.scalars(select(Room.id))).all()),
            "practitioners": sorted(
                (await s.execute(select(Practitioner.id, Practitioner.licence_no, Practitioner.title)))
                .tuples()
                .all()
            ),
            "credentials": sorted(
                (await s.execute(select(Credential.id, Credential.number, Credential.expires_on)))
                .tuples()
                .all()
            ),
            "patients": sorted(
                (p.id, p.name, id_number_of(p), phone_of(p)) for p in (await s.scalars(select(Patient))).all()
            ),
            "accounts": sorted((a.id, account_phone(a)) for a in (await s.scalars(select(Account))).all()),
            "cards": sorted((await s.execute(select(Card.id, Card.patient_id, Card.slot_no))).tuples().all()),
        }


async def test_demo_is_deterministic_and_idempotent(db):
    first = await load_demo(db, today=TODAY)
    await seed_residents(db, 150, batch=100, today=TODAY)
    before = await snapshot(db)
    assert len(before["patients"]) == DEMO_RESIDENTS + 4 + 150
    again = await load_demo(db, today=TODAY)
    assert (first.created, again.created) == (True, False)
    assert again.logins == first.logins and again.ineligible_nurses == first.ineligible_nurses
    assert again.counts == {
        **first.counts,
        "patients": first.counts["patients"] + 150,
        "accounts": len(before["accounts"]),
        "cards": len(before["cards"]),
        "patient_links": again.counts["patient_links"],
    }
    assert await snapshot(db) == before
    async with db.sessionmaker() as s:
        assert await audit.count(s) == 42  # the load, its 40 online settlements and the seed; the second load none
    other = await fresh_database()  # on PostgreSQL the same database, emptied
    try:
        async with other.sessionmaker() as s:
            assert await s.scalar(select(func.count()).select_from(Patient)) == 0
        assert (await load_demo(other, today=TODAY)).created is True
        await seed_residents(other, 150, batch=100, today=TODAY)
        assert await snapshot(other) == before
    finally:
        await other.dispose()


async def test_seed_residents_adds_exactly_n_and_continues(db):
    await load_demo(db, today=TODAY)
    async with db.sessionmaker() as s:
        start_numbers = {id_number_of(p) for p in (await s.scalars(select(Patient))).all()}
    ticks: list[int] = []
    assert await seed_residents(db, 500, batch=200, progress=ticks.append, today=TODAY) == 500
    assert sum(ticks) == 500 and len(ticks) >= 3 and max(ticks) < 200 + 6
    assert await seed_residents(db, 300, batch=1000, today=TODAY) == 300
    patients = await all_rows(db, Patient)
    assert len(patients) == len(start_numbers) + 800
    numbers = [id_number_of(p) for p in patients]
    assert len(set(numbers)) == len(numbers)
    assert all(idcard.parse(n, TODAY).value == n for n in numbers)
    cards = await all_rows(db, Card)
    assert max(Counter(c.account_id for c in cards).values()) <= 5
    new_ids = {p.id for p in patients if id_number_of(p) not in start_numbers}
    assert len(new_ids) == 800
    seeded_accounts = [a for a in await all_rows(db, Account) if a.patient_id in new_ids]
    assert 0.25 < len(seeded_accounts) / 800 < 0.4
    async with db.sessionmaker() as s:
        actions = [e.action for e in (await s.scalars(select(audit.AuditEvent).order_by(audit.AuditEvent.seq))).all()]
        assert [a for a in actions if a != "payment.paid"] == ["demo.load", "demo.seed", "demo.seed"]


async def test_demo_logins_work_through_the_api(db, client):
    summary = await load_demo(db, today=TODAY)
    password = summary.password
    r = await client.post("/api/v1/auth/login", json={"phone": "13800000001", "password": password})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["mfa_required"] is False and body["account"]["role"] == "resident"
    r = await client.get("/api/v1/me/cards", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert r.status_code == 200, r.text
    assert [c["relation"] for c in r.json()["items"]] == ["self", "spouse", "child", "parent"]

    r = await client.post("/api/v1/auth/login", json={"phone": "13800000041", "password": password})
    assert r.status_code == 200, r.text
    first = r.json()
    assert (
        first["mfa_required"] is True
        and first["access_token"] is None
        and first["totp_enrollment_uri"] is None
    )
    r = await client.post(
        "/api/v1/auth/login/totp",
        json={"mfa_token": first["mfa_token"], "code": pyotp.TOTP(TOTP_LEAD_ADMIN).now()},
    )
    assert r.status_code == 200, r.text
    account = r.json()["account"]
    assert account["role"] == "institution_admin" and account["mfa_enabled"] is True
    lead = next(i for i in await all_rows(db, Institution) if i.code == "XZ01")
    assert account["institution_id"] == lead.id

    r = await client.post("/api/v1/auth/login", json={"phone": "13800000021", "password": "wrong-pass1"})
    assert r.status_code == 401
