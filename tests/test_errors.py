from __future__ import annotations

import pytest

from tests import builders as b
from yihu.errors import REGISTRY, pick_language


async def test_unknown_route_and_method(client):
    r = await client.get("/api/v1/nowhere")
    assert (r.status_code, r.json()["code"]) == (404, "common.route_not_found")
    r = await client.put("/api/v1/auth/login", json={})
    assert (r.status_code, r.json()["code"]) == (405, "common.method_not_allowed")


async def test_bad_json_and_validation_share_the_shape_and_never_echo_input(client):
    r = await client.post("/api/v1/auth/login", content=b"{not json", headers={"Content-Type": "application/json"})
    assert (r.status_code, r.json()["code"]) == (400, "common.bad_json")
    r = await client.post("/api/v1/auth/register", json={"name": "张三", "id_number": ["330411198506151234"]})
    body = r.json()
    assert r.status_code == 422 and body["code"] == "common.validation"
    assert {e["field"] for e in body["errors"]} == {"id_number", "phone", "password"}
    assert "330411198506151234" not in r.text
    assert body["message"].startswith("输入有误")


async def test_messages_follow_accept_language(client):
    r = await client.post("/api/v1/auth/login", json={"phone": "13800000000", "password": "x1234567"},
                          headers={"Accept-Language": "en-US,en;q=0.9"})
    assert r.json() == {"code": "auth.invalid_credentials", "message": "Wrong phone number or password."}
    r = await client.post("/api/v1/auth/login", json={"phone": "13800000000", "password": "x1234567"})
    assert r.json()["message"] == "手机号或密码错误。"


@pytest.mark.parametrize(("header", "lang"), [(None, "zh-CN"), ("en", "en"), ("zh-CN,en;q=0.5", "zh-CN"),
                                              ("fr-FR, en;q=0.8", "en"), ("de", "zh-CN"), ("en;q=abc", "en")])
def test_pick_language(header, lang):
    assert pick_language(header) == lang


def test_every_error_code_has_both_languages_and_a_4xx_or_a_deliberate_5xx():
    assert len(REGISTRY) > 40
    for ec in REGISTRY.values():
        assert ec.zh and ec.en and ec.zh != ec.en
        # 4xx for what a caller did; 503 only for capacity (try later); 500 only for our own failures
        assert 400 <= ec.status < 500 or ec.status == 503 or ec.code == "common.internal"


async def test_healthz_and_openapi(client):
    r = await client.get("/healthz")
    assert r.status_code == 200 and r.json()["database"] == "ok"
    spec = (await client.get("/openapi.json")).json()
    assert "/api/v1/me/cards" in spec["paths"] and "/api/v1/auth/login" in spec["paths"]


async def test_healthz_reports_an_unreachable_database(client, app):
    from yihu.config import get_settings
    from yihu.db import Database

    real = app.state.db
    app.state.db = Database(get_settings(), "postgresql+asyncpg://nobody@127.0.0.1:1/none")
    try:
        r = await client.get("/healthz")
    finally:
        await app.state.db.dispose()
        app.state.db = real
    assert r.status_code == 503 and r.json()["database"] == "unreachable"


async def test_responses_with_personal_data_are_not_cached(client, session):
    acc = await b.resident(session)
    await b.done(session)
    r = await client.get("/api/v1/me/patients", headers=b.auth(acc))
    assert r.headers["cache-control"] == "no-store"
    assert r.headers["x-content-type-options"] == "nosniff"


async def test_json_nested_past_the_recursion_limit_is_bad_json_in_the_callers_language(client, session):
    holder = await b.resident(session)
    await b.done(session)
    for lang, message in (("zh-CN", "请求体不是有效的 JSON。"), ("en", "The request body is not valid JSON.")):
        r = await client.post("/api/v1/appointments", content=b"[" * 3000 + b"]" * 3000,
                              headers={**b.auth(holder), "Idempotency-Key": "deep", "Accept-Language": lang,
                                       "Content-Type": "application/json"})
        assert (r.status_code, r.json()) == (400, {"code": "common.bad_json", "message": message})


async def test_a_role_refusal_names_the_role_in_the_callers_language(client, session):
    inst = await b.institution(session)
    doctor = await b.staff(session, role="doctor", inst=inst)
    await b.done(session)
    for lang, message in (("zh-CN", "该功能仅对居民开放。"), ("en", "This is only open to: residents.")):
        r = await client.get("/api/v1/me/appointments", headers={**b.auth(doctor), "Accept-Language": lang})
        assert (r.status_code, r.json()) == (403, {"code": "auth.role_required", "message": message})
