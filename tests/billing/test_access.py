from __future__ import annotations

from tests import builders as b
from tests.billing import helpers as h
from yihu.billing.models import Bill, Payment, Refund


async def test_another_resident_cannot_see_or_pay_my_bill(client, session, db):
    w = await h.world(session)
    r = await client.get(f"/api/v1/bills/{w.bill.id}", headers=b.auth(w.other_resident))
    assert (r.status_code, r.json()["code"]) == (403, "auth.forbidden")
    r = await h.start_payment(client, w.other_resident, w.bill.id)
    assert (r.status_code, r.json()["code"]) == (403, "auth.forbidden")
    assert (await client.get("/api/v1/me/bills", headers=b.auth(w.other_resident))).json() == []
    assert await h.count(session, Payment, Payment.bill_id == w.bill.id) == 0
    assert (await h.fresh(session, Bill, w.bill.id)).status == "unpaid"


async def test_anonymous_is_refused_everywhere(client, session, db):
    w = await h.world(session)
    p = await h.pay_fully(db, client, w.holder, w.bill.id)
    calls = [
        client.get("/api/v1/me/bills"),
        client.get(f"/api/v1/bills/{w.bill.id}"),
        client.post(f"/api/v1/bills/{w.bill.id}/payments", json={"channel": "wechat"}, headers=h.key()),
        client.get(f"/api/v1/payments/{p['id']}"),
        client.post(f"/api/v1/payments/{p['id']}/refunds", json={"refund_request_id": "x"}, headers=h.key()),
        client.get(f"/api/v1/institutions/{w.inst.id}/bills"),
        client.get("/api/v1/billing/stats"),
    ]
    for call in calls:
        r = await call
        assert (r.status_code, r.json()["code"]) == (401, "auth.unauthenticated")
    assert await h.count(session, Payment) == 1
    assert await h.count(session, Refund) == 0


async def test_staff_see_their_own_institutions_bills_only(client, session, db):
    w = await h.world(session)
    other_doctor = await b.staff(session, role="doctor", inst=w.other_inst)
    await b.done(session)
    mine = await client.get(f"/api/v1/institutions/{w.inst.id}/bills", headers=b.auth(w.doctor))
    assert [x["id"] for x in mine.json()] == [w.bill.id]
    assert (await client.get(f"/api/v1/bills/{w.bill.id}", headers=b.auth(w.doctor))).status_code == 200
    r = await client.get(f"/api/v1/institutions/{w.inst.id}/bills", headers=b.auth(other_doctor))
    assert r.status_code == 403
    r = await client.get(f"/api/v1/bills/{w.bill.id}", headers=b.auth(other_doctor))
    assert r.status_code == 403
    # Staff do not pay for patients.
    r = await h.start_payment(client, w.doctor, w.bill.id)
    assert (r.status_code, r.json()["code"]) == (403, "auth.role_required")
    assert await h.audit_count(session, "bill.read") == 2


async def test_refunds_only_by_the_billing_institutions_admin(client, session, db):
    w = await h.world(session)
    p = await h.pay_fully(db, client, w.holder, w.bill.id)
    for who in (w.holder, w.other_resident, w.doctor, w.other_admin):
        r = await client.post(f"/api/v1/payments/{p['id']}/refunds", json={"refund_request_id": "R-x"},
                              headers={**b.auth(who), **h.key()})
        assert (r.status_code, r.json()["code"]) == (403, "billing.refund_forbidden")
    payment = await h.fresh(session, Payment, p["id"])
    assert (payment.refund_reserved_fen, payment.refunded_fen) == (0, 0)
    assert await h.count(session, Refund) == 0
    assert (await h.fresh(session, Bill, w.bill.id)).status == "paid"


async def test_reads_are_audited(client, session, db):
    w = await h.world(session)
    p = await h.pay_fully(db, client, w.holder, w.bill.id)
    await client.get("/api/v1/me/bills", headers=b.auth(w.holder))
    await client.get(f"/api/v1/payments/{p['id']}", headers=b.auth(w.holder))
    assert (await h.audit_count(session, "bill.read"), await h.audit_count(session, "payment.read"),
            await h.audit_count(session, "payment.create")) == (1, 1, 1)
