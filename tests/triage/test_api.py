from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from tests import builders as b
from yihu.kit.audit import AuditEvent
from yihu.registry import service as registry


async def world(session):
    children = await b.institution(session, name="嘉兴市妇幼保健院", kind="maternal_child")
    paeds = await b.department(session, children, code="07")
    kids = await b.doctor_schedule(session, children, slots=3, fee_fen=1200)
    chc = await b.institution(session, name="新城社区卫生服务中心")
    await b.department(session, chc, code="03")
    general = await b.doctor_schedule(session, chc, slots=2, fee_fen=800)
    holder = await b.resident(session, name="张三明")
    _card, child = await registry.bind(session, account_id=holder.id, holder_patient_id=holder.patient_id,
                                       req=registry.BindRequest(card_type="insurance", card_number="INS30000001",
                                                                relation="child", name="张小宝",
                                                                id_number=b.id_number(date(2020, 5, 1)),
                                                                guardian_consent=True))
    return children, paeds, kids, chc, general, holder, child


async def test_suggestions_link_straight_to_free_slots(client, session, capfd):
    children, paeds, kids, chc, general, holder, _child = await world(session)
    await b.done(session)
    capfd.readouterr()
    audited = int(await session.scalar(select(func.count()).select_from(AuditEvent)) or 0)
    r = await client.post("/api/v1/triage", headers=b.auth(holder), json={"text": "孩子发烧咳嗽两天了"})
    assert r.status_code == 200, r.text
    out = r.json()
    assert (out["recognised"], out["emergency"], out["hints"]) == (True, False, ["child"])
    assert out["advice"] == "根据您描述的症状，建议就诊以下科室（仅供参考，不能代替医生诊断）。"
    assert [(m["term"], m["symptom"]) for m in out["matched"]] == [("发烧", "发热"), ("咳嗽", "咳嗽")]
    top = out["suggestions"][0]
    assert (top["code"], top["name"], top["score"], top["reasons"]) == ("07", "儿科", 9, ["发烧", "咳嗽"])
    assert [d["id"] for d in top["departments"]] == [paeds.id]
    assert [(s["schedule_id"], s["institution_name"], s["department_name"], s["fee_fen"]) for s in top["slots"]] == [
        (kids.id, "嘉兴市妇幼保健院", "儿科", 1200)] * 3
    assert [s["start_at"] for s in top["slots"]] == sorted(s["start_at"] for s in top["slots"])
    # Same input, same output; nothing stored, nothing logged.
    again = await client.post("/api/v1/triage", headers=b.auth(holder), json={"text": "孩子发烧咳嗽两天了"})
    assert again.json() == out
    assert int(await session.scalar(select(func.count()).select_from(AuditEvent)) or 0) == audited
    logged = capfd.readouterr()
    assert "发烧" not in logged.err + logged.out


async def test_a_subspecialty_falls_back_to_its_parent_department_and_institution_filter(client, session):
    children, _paeds, _kids, chc, general, holder, _child = await world(session)
    await b.done(session)
    r = await client.post("/api/v1/triage", headers=b.auth(holder), json={"text": "咳嗽有痰"})
    top = r.json()["suggestions"][0]
    assert (top["code"], top["name"]) == ("03.01", "呼吸内科专业")
    assert {s["schedule_id"] for s in top["slots"]} == {general.id}
    r = await client.post("/api/v1/triage", headers=b.auth(holder),
                          json={"text": "咳嗽有痰", "institution_id": children.id})
    assert r.json()["suggestions"][0]["slots"] == []


async def test_the_chosen_patients_age_refines_the_advice_and_is_audited(client, session):
    _c, _p, kids, _chc, general, holder, child = await world(session)
    await b.done(session)
    r = await client.post("/api/v1/triage", headers=b.auth(holder), json={"text": "发烧", "patient_id": child.id})
    assert [s["code"] for s in r.json()["suggestions"]] == ["07"]
    r = await client.post("/api/v1/triage", headers=b.auth(holder),
                          json={"text": "发烧", "patient_id": holder.patient_id})
    assert [s["code"] for s in r.json()["suggestions"]] == ["03", "03.01"]
    events = (await session.scalars(select(AuditEvent).where(AuditEvent.action.like("triage.%"))
                                    .order_by(AuditEvent.seq))).all()
    assert [(e.action, e.patient_id, e.detail) for e in events] == [
        ("triage.patient_hints", child.id, "{}"), ("triage.patient_hints", holder.patient_id, "{}")]


async def test_emergency_and_english(client, session):
    *_, holder, _child = await world(session)
    await b.done(session)
    r = await client.post("/api/v1/triage", headers={**b.auth(holder), "Accept-Language": "en"},
                          json={"text": "胸口痛出冷汗"})
    out = r.json()
    assert (out["emergency"], out["suggestions"][0]["code"], out["suggestions"][0]["name"]) == (
        True, "20", "Emergency medicine")
    assert out["advice"].startswith("These symptoms may be life-threatening")


async def test_refusals(client, session):
    *_, holder, _child = await world(session)
    other = await b.resident(session, name="王五")
    await b.done(session)
    assert (await client.post("/api/v1/triage", json={"text": "头疼"})).status_code == 401
    r = await client.post("/api/v1/triage", headers=b.auth(other), json={"text": "头疼", "patient_id": holder.patient_id})
    assert (r.status_code, r.json()["code"]) == (403, "auth.forbidden")
    for body in ({"text": ""}, {"text": "头" * 501}, {}):
        r = await client.post("/api/v1/triage", headers=b.auth(holder), json=body)
        assert (r.status_code, r.json()["code"]) == (422, "common.validation")
    r = await client.post("/api/v1/triage", headers=b.auth(holder), json={"text": "头疼", "institution_id": "nope"})
    assert r.status_code == 404
