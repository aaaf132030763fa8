from __future__ import annotations

from tests import builders as b
from tests.billing import helpers as h
from yihu.billing.models import Admission, AdmissionCharge, Bill


async def admitted(client, session):
    w = await h.world(session)
    nurse = await b.staff(session, role="nurse", inst=w.inst)
    await b.done(session)
    r = await client.post(f"/api/v1/institutions/{w.inst.id}/admissions", headers=b.auth(w.doctor),
                          json={"patient_id": w.holder.patient_id, "ward": "心内科一病区", "bed": "12"})
    assert r.status_code == 201, r.text
    return w, nurse, r.json()


async def test_deposit_top_up_charges_and_balance(client, session, db):
    w, nurse, adm = await admitted(client, session)
    for item, qty, unit in (("床位费", 3, 1200), ("心电图", 1, 5000)):
        r = await client.post(f"/api/v1/admissions/{adm['id']}/charges", headers=b.auth(nurse),
                              json={"item": item, "quantity": qty, "unit_fen": unit})
        assert r.status_code == 201 and r.json()["amount_fen"] == qty * unit
    r = await client.post(f"/api/v1/admissions/{adm['id']}/deposits", headers={**b.auth(w.holder), **h.key()},
                          json={"amount_fen": 10000, "channel": "wechat"})
    assert r.status_code == 201, r.text
    dep = r.json()
    assert (dep["bill"]["kind"], dep["bill"]["reference"], dep["payment"]["amount_fen"]) == (
        "deposit", f"admission:{adm['id']}", 10000)
    before = (await client.get(f"/api/v1/admissions/{adm['id']}", headers=b.auth(w.holder))).json()
    assert (before["deposits_fen"], before["charges_fen"], before["balance_fen"]) == (0, 8600, -8600)

    await h.sandbox_pay(client, dep["payment"])
    await h.deliver(db, client)
    costs = (await client.get(f"/api/v1/admissions/{adm['id']}", headers=b.auth(w.holder))).json()
    assert (costs["deposits_fen"], costs["charges_fen"], costs["balance_fen"]) == (10000, 8600, 1400)
    assert [(c["item"], c["amount_fen"]) for c in costs["charges"]] == [("床位费", 3600), ("心电图", 5000)]
    assert [(d["status"], d["amount_fen"]) for d in costs["deposits"]] == [("paid", 10000)]
    assert costs["admission"]["ward"] == "心内科一病区"
    staff_view = await client.get(f"/api/v1/admissions/{adm['id']}", headers=b.auth(nurse))
    assert staff_view.json()["balance_fen"] == 1400
    assert [a["id"] for a in (await client.get("/api/v1/me/admissions", headers=b.auth(w.holder))).json()] == [
        adm["id"]]
    assert await h.audit_count(session, "admission.costs.read") == 3

    r = await client.post(f"/api/v1/admissions/{adm['id']}/discharge", headers=b.auth(w.doctor))
    assert r.json()["discharged_at"] is not None
    late = await client.post(f"/api/v1/admissions/{adm['id']}/deposits", headers={**b.auth(w.holder), **h.key()},
                             json={"amount_fen": 5000, "channel": "alipay"})
    assert (late.status_code, late.json()["code"]) == (409, "billing.admission_discharged")
    assert await h.count(session, Bill, Bill.kind == "deposit") == 1


async def test_admission_access_refusals_change_nothing(client, session, db):
    w, _nurse, adm = await admitted(client, session)
    other_nurse = await b.staff(session, role="nurse", inst=w.other_inst)
    stranger = await b.resident(session, name="陌生人")
    await b.done(session)
    for who in (w.other_resident, other_nurse):
        r = await client.get(f"/api/v1/admissions/{adm['id']}", headers=b.auth(who))
        assert r.status_code == 403
    assert (await client.get(f"/api/v1/admissions/{adm['id']}")).status_code == 401
    r = await client.post(f"/api/v1/admissions/{adm['id']}/deposits", headers={**b.auth(w.other_resident), **h.key()},
                          json={"amount_fen": 10000, "channel": "wechat"})
    assert r.status_code == 403
    r = await client.post(f"/api/v1/admissions/{adm['id']}/charges", headers=b.auth(other_nurse),
                          json={"item": "药品", "quantity": 1, "unit_fen": 100})
    assert r.status_code == 403
    # Staff cannot admit someone unknown to their institution (and so reach their records).
    r = await client.post(f"/api/v1/institutions/{w.inst.id}/admissions", headers=b.auth(w.doctor),
                          json={"patient_id": stranger.patient_id, "ward": "外科"})
    assert r.status_code == 403
    r = await client.post(f"/api/v1/institutions/{w.inst.id}/admissions", headers=b.auth(other_nurse),
                          json={"patient_id": w.holder.patient_id, "ward": "外科"})
    assert r.status_code == 403
    assert await h.count(session, Bill, Bill.kind == "deposit") == 0
    assert await h.count(session, AdmissionCharge) == 0
    assert await h.count(session, Admission) == 1


async def test_insurance_card_cannot_top_up_a_deposit(client, session, db):
    w, _nurse, adm = await admitted(client, session)
    r = await client.post(f"/api/v1/admissions/{adm['id']}/deposits", headers={**b.auth(w.holder), **h.key()},
                          json={"amount_fen": 10000, "channel": "insurance_card", "card_id": "x"})
    assert r.status_code == 422
    assert await h.count(session, Bill, Bill.kind == "deposit") == 0


async def test_a_deposit_outside_the_range_is_refused_with_the_range(client, session, db):
    w, _nurse, adm = await admitted(client, session)
    for amount in (0, 99, 10_000_001):
        r = await client.post(f"/api/v1/admissions/{adm['id']}/deposits", headers={**b.auth(w.holder), **h.key()},
                              json={"amount_fen": amount, "channel": "wechat"})
        assert (r.status_code, r.json()) == (422, {"code": "billing.deposit_amount",
                                                   "message": "充值金额应在¥1.00至¥100,000.00之间。"})
    r = await client.post(f"/api/v1/admissions/{adm['id']}/deposits",
                          headers={**b.auth(w.holder), **h.key(), "Accept-Language": "en"},
                          json={"amount_fen": 99, "channel": "wechat"})
    assert r.json()["message"] == "A deposit top-up is between ¥1.00 and ¥100,000.00."
    assert await h.count(session, Bill, Bill.kind == "deposit") == 0
    r = await client.post(f"/api/v1/admissions/{adm['id']}/deposits", headers={**b.auth(w.holder), **h.key()},
                          json={"amount_fen": 100, "channel": "wechat"})
    assert r.status_code == 201 and r.json()["bill"]["amount_fen"] == 100
