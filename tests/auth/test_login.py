from __future__ import annotations

from datetime import date, timedelta

import pyotp
import pytest
from sqlalchemy import func, select

from tests import builders as b
from yihu.auth.models import Account, RefreshToken
from yihu.db import utcnow
from yihu.errors import DomainError
from yihu.notify.service import deliver_pending, recorded_sms
from yihu.registry.idcard import make
from yihu.registry.models import Patient


async def count(session, model) -> int:
    return int(await session.scalar(select(func.count()).select_from(model)))


async def register(client, **over):
    body = {"name": "李小龙", "id_number": b.id_number(), "phone": b.phone(), "password": b.PASSWORD, **over}
    return await client.post("/api/v1/auth/register", json=body), body


async def test_register_derives_birth_date_and_sex_and_masks(client, session):
    idn = make("330411", date(1962, 11, 3), 124)  # even sequence: a woman
    r, body = await register(client, id_number=idn, name="沈玉梅")
    assert r.status_code == 201, r.text
    acc = r.json()["account"]
    assert acc["role"] == "resident"
    assert acc["phone"] == body["phone"][:3] + "****" + body["phone"][-4:]
    p = (await session.scalars(select(Patient))).one()
    assert (p.name, p.sex, p.birth_date) == ("沈玉梅", "female", date(1962, 11, 3))


@pytest.mark.parametrize(("id_number", "code"), [
    ("33041119850615123", "identity.id_number.length"),
    ("3304111985061512345", "identity.id_number.length"),
    ("33041119850615A234", "identity.id_number.format"),
    ("999999198506151230", "identity.id_number.region"),
    ("330411198513401239", "identity.id_number.birth_date"),
    ("330411209901011239", "identity.id_number.birth_date"),
])
async def test_each_id_number_failure_has_its_own_error(client, session, id_number, code):
    r, _ = await register(client, id_number=id_number)
    assert r.status_code == 422
    assert r.json()["code"] == code
    assert await count(session, Patient) == 0
    assert await count(session, Account) == 0


async def test_wrong_check_digit(client, session):
    good = b.id_number()
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    r, _ = await register(client, id_number=bad)
    assert (r.status_code, r.json()["code"]) == (422, "identity.id_number.checksum")
    assert "校验位" in r.json()["message"]
    r = await client.post("/api/v1/auth/register", headers={"Accept-Language": "en"},
                          json={"name": "李小龙", "id_number": bad, "phone": b.phone(), "password": b.PASSWORD})
    assert r.json()["message"] == "The check digit of the ID number is wrong; please check the number."


async def test_same_person_twice_is_refused_and_phone_is_unique(client, session):
    r, body = await register(client)
    assert r.status_code == 201
    r2, _ = await register(client, id_number=body["id_number"], name=body["name"])
    assert (r2.status_code, r2.json()["code"]) == (409, "identity.already_registered")
    r3, _ = await register(client, phone=body["phone"])
    assert (r3.status_code, r3.json()["code"]) == (409, "identity.phone_taken")
    assert await count(session, Account) == 1
    assert await count(session, Patient) == 1


async def test_lowercase_x_is_the_same_number(client, session):
    for seq in range(1, 200):
        idn = make("330411", date(1980, 1, 1), seq)
        if idn.endswith("X"):
            break
    r, body = await register(client, id_number=idn.lower())
    assert r.status_code == 201
    r2, _ = await register(client, id_number=idn, name=body["name"])
    assert r2.json()["code"] == "identity.already_registered"


async def test_a_child_cannot_register_alone(client, session):
    r, _ = await register(client, id_number=make("330411", date.today() - timedelta(days=365 * 10), 11))
    assert (r.status_code, r.json()["code"]) == (422, "identity.minor_requires_guardian")


async def test_weak_password(client):
    r, _ = await register(client, password="abcdefgh")
    assert (r.status_code, r.json()["code"]) == (422, "auth.password_weak")


async def test_family_member_bound_first_then_registers_as_the_same_patient(client, session):
    holder = await b.resident(session)
    await b.done(session)
    spouse_id = b.id_number(female=True)
    r = await client.post("/api/v1/me/cards", headers=b.auth(holder), json={
        "card_type": "insurance", "card_number": "INS0000001", "relation": "spouse", "name": "钱芳", "id_number": spouse_id})
    assert r.status_code == 201, r.text
    patient_id = r.json()["patient"]["id"]
    r, _ = await register(client, id_number=spouse_id, name="钱红")
    assert (r.status_code, r.json()["code"]) == (422, "identity.name_mismatch")
    r, _ = await register(client, id_number=spouse_id, name="钱芳")
    assert r.status_code == 201
    assert r.json()["account"]["patient_id"] == patient_id
    assert await count(session, Patient) == 2


async def login(client, phone, password=b.PASSWORD):
    return await client.post("/api/v1/auth/login", json={"phone": phone, "password": password})


async def test_password_login_and_lockout_survive_the_failed_requests(client, session):
    phone = b.phone()
    acc = await b.resident(session, phone_number=phone)
    await b.done(session)
    assert (await login(client, phone)).status_code == 200
    for i in range(4):
        r = await login(client, phone, "wrong-password1")
        assert (r.status_code, r.json()["code"]) == (401, "auth.invalid_credentials"), i
    r = await login(client, phone, "wrong-password1")
    assert (r.status_code, r.json()["code"]) == (423, "auth.locked")
    r = await login(client, phone)  # the right password is refused while locked
    assert (r.status_code, r.json()["code"]) == (423, "auth.locked")
    await session.refresh(acc)
    assert acc.locked_until is not None and acc.locked_until > utcnow()
    acc.locked_until = utcnow() - timedelta(seconds=1)
    await b.done(session)
    assert (await login(client, phone)).status_code == 200


async def test_unknown_phone_and_wrong_password_look_the_same(client, session):
    phone = b.phone()
    await b.resident(session, phone_number=phone)
    await b.done(session)
    a = await login(client, b.phone())
    w = await login(client, phone, "nope12345")
    assert a.status_code == w.status_code == 401
    assert a.json() == w.json()


async def test_admin_needs_totp_and_a_code_is_used_once(client, session):
    inst = await b.institution(session)
    secret = pyotp.random_base32()
    phone = b.phone()
    await b.staff(session, role="institution_admin", inst=inst, totp_secret=secret, phone_number=phone)
    await b.done(session)
    r = await login(client, phone)
    assert r.status_code == 200
    assert r.json()["mfa_required"] is True and r.json()["access_token"] is None
    mfa = r.json()["mfa_token"]
    bad = await client.post("/api/v1/auth/login/totp", json={"mfa_token": mfa, "code": "000000"})
    if pyotp.TOTP(secret).verify("000000", valid_window=1):
        pytest.skip("000000 happens to be valid now")
    assert (bad.status_code, bad.json()["code"]) == (401, "auth.mfa_invalid")
    code = pyotp.TOTP(secret).now()
    ok = await client.post("/api/v1/auth/login/totp", json={"mfa_token": mfa, "code": code})
    assert ok.status_code == 200 and ok.json()["access_token"]
    assert ok.json()["account"]["role"] == "institution_admin"
    again = await client.post("/api/v1/auth/login/totp", json={"mfa_token": mfa, "code": code})
    assert (again.status_code, again.json()["code"]) == (401, "auth.mfa_invalid")
    forged = await client.post("/api/v1/auth/login/totp", json={"mfa_token": "x.y.z", "code": code})
    assert forged.json()["code"] == "auth.mfa_token_invalid"


async def test_admin_without_a_second_factor_gets_enrolled(client, session):
    inst = await b.institution(session)
    phone = b.phone()
    acc = await b.staff(session, role="institution_admin", inst=inst, phone_number=phone)
    acc.totp_secret_enc = None
    await b.done(session)
    r = await login(client, phone)
    assert r.json()["mfa_required"] is True
    uri = r.json()["totp_enrollment_uri"]
    assert uri.startswith("otpauth://totp/")
    secret = pyotp.parse_uri(uri).secret
    ok = await client.post("/api/v1/auth/login/totp", json={"mfa_token": r.json()["mfa_token"],
                                                             "code": pyotp.TOTP(secret).now()})
    assert ok.status_code == 200


async def test_refresh_rotates_and_a_replayed_token_revokes_the_family(client, session):
    phone = b.phone()
    await b.resident(session, phone_number=phone)
    await b.done(session)
    first = (await login(client, phone)).json()
    r = await client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert r.status_code == 200
    second = r.json()
    assert second["refresh_token"] != first["refresh_token"]
    me = await client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {second['access_token']}"})
    assert me.status_code == 200
    replay = await client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert (replay.status_code, replay.json()["code"]) == (401, "auth.refresh_invalid")
    r = await client.post("/api/v1/auth/refresh", json={"refresh_token": second["refresh_token"]})
    assert r.status_code == 401  # the whole family was revoked by the replay
    revoked = await session.scalar(select(func.count()).select_from(RefreshToken).where(
        RefreshToken.revoked_at.is_not(None)))
    assert revoked == 2


async def test_logout_revokes(client, session):
    phone = b.phone()
    await b.resident(session, phone_number=phone)
    await b.done(session)
    t = (await login(client, phone)).json()
    assert (await client.post("/api/v1/auth/logout", json={"refresh_token": t["refresh_token"]})).status_code == 204
    r = await client.post("/api/v1/auth/refresh", json={"refresh_token": t["refresh_token"]})
    assert r.status_code == 401


async def test_sms_code_login_goes_through_the_outbox(client, session, db):
    phone = b.phone()
    await b.resident(session, phone_number=phone)
    await b.done(session)
    r = await client.post("/api/v1/auth/sms/request", json={"phone": phone})
    assert r.status_code == 202
    await deliver_pending(db)
    texts = await recorded_sms(session, phone)
    assert len(texts) == 1 and "验证码" in texts[0]
    code = texts[0].split("验证码为")[1][:6]
    wrong = "000000" if code != "000000" else "111111"
    bad = await client.post("/api/v1/auth/sms/login", json={"phone": phone, "code": wrong})
    assert (bad.status_code, bad.json()["code"]) == (401, "auth.sms_code_invalid")
    ok = await client.post("/api/v1/auth/sms/login", json={"phone": phone, "code": code})
    assert ok.status_code == 200 and ok.json()["access_token"]
    reuse = await client.post("/api/v1/auth/sms/login", json={"phone": phone, "code": code})
    assert reuse.status_code == 401
    too_soon = await client.post("/api/v1/auth/sms/request", json={"phone": phone})
    assert (too_soon.status_code, too_soon.json()["code"]) == (429, "auth.sms_too_soon")


async def test_sms_for_an_unknown_phone_answers_the_same_and_sends_nothing(client, session, db):
    phone = b.phone()
    r = await client.post("/api/v1/auth/sms/request", json={"phone": phone})
    assert r.status_code == 202 and r.json() == {"status": "sent_if_registered"}
    await deliver_pending(db)
    assert await recorded_sms(session, phone) == []


async def test_a_forged_or_expired_access_token_is_refused(client, session):
    acc = await b.resident(session)
    await b.done(session)
    h = b.auth(acc)
    tampered = h["Authorization"][:-3] + ("abc" if not h["Authorization"].endswith("abc") else "xyz")
    r = await client.get("/api/v1/auth/me", headers={"Authorization": tampered})
    assert (r.status_code, r.json()["code"]) == (401, "auth.token_invalid")
    r = await client.get("/api/v1/auth/me")
    assert (r.status_code, r.json()["code"]) == (401, "auth.unauthenticated")


async def test_a_verified_access_token_is_refused_once_it_expires_or_the_secret_changes(monkeypatch):
    import time

    import jwt

    from yihu.auth import tokens
    from yihu.config import get_settings

    claims = {"sub": "a-1", "typ": "access", "role": "resident", "inst": None, "prac": None, "pat": "p-1"}
    token = tokens._encode(claims, 2 / 60)  # two seconds
    exp = jwt.decode(token, options={"verify_signature": False})["exp"]
    assert tokens.actor_from_access(token).account_id == "a-1"
    assert tokens.actor_from_access(token).account_id == "a-1"  # the second time from the verified tokens
    time.sleep(max(0.0, exp - time.time()) + 0.05)
    with pytest.raises(DomainError) as expired:
        tokens.actor_from_access(token)
    assert expired.value.code == "auth.token_invalid"
    fresh = tokens._encode(claims, 5)
    assert tokens.actor_from_access(fresh).patient_id == "p-1"
    monkeypatch.setattr(get_settings(), "jwt_secret", "another-secret-of-enough-length-0123456789")
    with pytest.raises(DomainError):
        tokens.actor_from_access(fresh)
