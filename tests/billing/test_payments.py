from __future__ import annotations

import asyncio
import json

from sqlalchemy import update

from tests import builders as b
from tests.billing import helpers as h
from yihu.billing import sandbox
from yihu.billing.models import Bill, Payment, SandboxNotification


async def test_pay_a_bill_through_the_sandbox_and_its_notification(client, session, db):
    w = await h.world(session, amount_fen=2500)
    r = await h.start_payment(client, w.holder, w.bill.id, "wechat")
    assert r.status_code == 201, r.text
    p = r.json()
    assert (p["status"], p["amount_fen"], p["insurance_fen"], p["self_fen"], p["provider"]) == (
        "created", 2500, 0, 2500, "sandbox")
    assert p["checkout"]["pay_url"] == f"/api/v1/sandbox/pay/{p['provider_payment_id']}"
    assert len(p["checkout"]["token"]) == 32

    paid = await h.sandbox_pay(client, p)
    assert paid.json() == {"provider_payment_id": p["provider_payment_id"], "status": "paid"}
    # The sandbox answered, but our records change only when its signed notification arrives.
    assert (await h.fresh(session, Payment, p["id"])).status == "created"
    assert (await h.fresh(session, Bill, w.bill.id)).status == "unpaid"

    seen: list[int] = []
    assert await h.deliver(db, client, seen) == 1
    assert seen == [200, 200]  # the sandbox sends every notification twice
    payment = await h.fresh(session, Payment, p["id"])
    bill = await h.fresh(session, Bill, w.bill.id)
    assert (payment.status, payment.provider_txn_id.startswith("sbx_txn_")) == ("paid", True)
    assert (bill.status, bill.paid_fen, bill.paid_at) == ("paid", 2500, payment.paid_at)
    assert await h.audit_count(session, "payment.paid") == 1

    status = await client.get(f"/api/v1/payments/{p['id']}", headers=b.auth(w.holder))
    assert (status.json()["status"], status.json()["checkout"]) == ("paid", None)
    mine = (await client.get("/api/v1/me/bills", headers=b.auth(w.holder))).json()
    assert [(x["id"], x["status"], x["patient_name"], [y["status"] for y in x["payments"]]) for x in mine] == [
        (w.bill.id, "paid", "张三明", ["paid"])]


async def test_paying_twice_changes_nothing_twice(client, session, db):
    w = await h.world(session)
    p = await h.pay_fully(db, client, w.holder, w.bill.id)
    again = await h.sandbox_pay(client, p)
    assert (again.status_code, again.json()["code"]) == (409, "billing.sandbox_not_payable")
    second = await h.start_payment(client, w.holder, w.bill.id, "alipay")
    assert (second.status_code, second.json()["code"]) == (409, "billing.bill_not_payable")
    assert await h.count(session, Payment, Payment.bill_id == w.bill.id) == 1
    assert await h.count(session, SandboxNotification, SandboxNotification.status == "pending") == 0
    assert (await h.fresh(session, Bill, w.bill.id)).paid_fen == 2500


async def test_the_same_notification_three_times_changes_state_once(client, session, db):
    w = await h.world(session)
    p = (await h.start_payment(client, w.holder, w.bill.id)).json()
    await h.sandbox_pay(client, p)
    [note] = await h.notification_bodies(session)
    body = json.dumps(note).encode()
    results = []
    for _ in range(3):
        r = await client.post("/api/v1/payments/notify/sandbox", content=body, headers=sandbox.signed_headers(body))
        results.append((r.status_code, r.json()["result"]))
    assert results == [(200, "applied"), (200, "duplicate"), (200, "duplicate")]
    payment = await h.fresh(session, Payment, p["id"])
    assert (payment.status, payment.provider_txn_id) == ("paid", note["transaction_id"])
    assert (await h.fresh(session, Bill, w.bill.id)).paid_fen == 2500
    assert await h.audit_count(session, "payment.paid") == 1


async def test_concurrent_notifications_change_state_once(client, session, db):
    w = await h.world(session)
    p = (await h.start_payment(client, w.holder, w.bill.id)).json()
    await h.sandbox_pay(client, p)
    [note] = await h.notification_bodies(session)
    body = json.dumps(note).encode()
    rs = await asyncio.gather(*[client.post("/api/v1/payments/notify/sandbox", content=body,
                                            headers=sandbox.signed_headers(body)) for _ in range(6)])
    assert [r.status_code for r in rs] == [200] * 6, [r.text for r in rs]
    assert sorted(r.json()["result"] for r in rs) == ["applied"] + ["duplicate"] * 5
    assert (await h.fresh(session, Bill, w.bill.id)).status == "paid"
    assert await h.audit_count(session, "payment.paid") == 1


async def test_forged_signature_and_wrong_amount_are_refused_and_change_nothing(client, session, db):
    w = await h.world(session, amount_fen=2500)
    p = (await h.start_payment(client, w.holder, w.bill.id)).json()
    await h.sandbox_pay(client, p)
    [note] = await h.notification_bodies(session)
    body = json.dumps(note).encode()

    forged = await client.post("/api/v1/payments/notify/sandbox", content=body,
                               headers=sandbox.signed_headers(body, secret="not-the-provider-secret"))
    assert (forged.status_code, forged.json()["code"]) == (401, "billing.notify_signature_invalid")
    unsigned = await client.post("/api/v1/payments/notify/sandbox", content=body)
    assert unsigned.status_code == 401
    stale = await client.post("/api/v1/payments/notify/sandbox", content=body,
                              headers=sandbox.signed_headers(body, ts=1_000_000_000))
    assert stale.status_code == 401
    tampered = json.dumps({**note, "amount_fen": 1}).encode()  # signed by someone holding... nothing: refused
    r = await client.post("/api/v1/payments/notify/sandbox", content=tampered, headers=sandbox.signed_headers(body))
    assert r.status_code == 401
    wrong = json.dumps({**note, "amount_fen": 2400}).encode()  # correctly signed, wrong amount
    r = await client.post("/api/v1/payments/notify/sandbox", content=wrong, headers=sandbox.signed_headers(wrong))
    assert (r.status_code, r.json()["code"]) == (400, "billing.notify_amount_mismatch")
    unknown = json.dumps({**note, "provider_payment_id": "sbx_pay_nope"}).encode()
    r = await client.post("/api/v1/payments/notify/sandbox", content=unknown, headers=sandbox.signed_headers(unknown))
    assert (r.status_code, r.json()["code"]) == (404, "billing.notify_unknown_payment")
    r = await client.post("/api/v1/payments/notify/nosuchpay", content=body, headers=sandbox.signed_headers(body))
    assert (r.status_code, r.json()["code"]) == (404, "billing.provider_unknown")

    payment = await h.fresh(session, Payment, p["id"])
    assert (payment.status, payment.provider_txn_id, payment.paid_at) == ("created", None, None)
    assert (await h.fresh(session, Bill, w.bill.id)).status == "unpaid"
    assert await h.audit_count(session, "payment.paid") == 0
    # The genuine one still goes through afterwards.
    ok = await client.post("/api/v1/payments/notify/sandbox", content=body, headers=sandbox.signed_headers(body))
    assert ok.json()["result"] == "applied"


async def test_a_declined_payment_fails_once_and_the_bill_stays_payable(client, session, db):
    w = await h.world(session)
    p = (await h.start_payment(client, w.holder, w.bill.id)).json()
    assert (await h.sandbox_pay(client, p, outcome="failed")).json()["status"] == "failed"
    await h.deliver(db, client)
    assert (await h.fresh(session, Payment, p["id"])).status == "failed"
    assert (await h.fresh(session, Bill, w.bill.id)).status == "unpaid"
    again = await h.pay_fully(db, client, w.holder, w.bill.id, "alipay")
    assert (await h.fresh(session, Payment, again["id"])).status == "paid"


async def test_switching_channel_closes_the_first_order(client, session, db):
    w = await h.world(session)
    first = (await h.start_payment(client, w.holder, w.bill.id, "wechat")).json()
    second = (await h.start_payment(client, w.holder, w.bill.id, "alipay")).json()
    assert (await h.fresh(session, Payment, first["id"])).status == "closed"
    late = await h.sandbox_pay(client, first)
    assert (late.status_code, late.json()["code"]) == (409, "billing.sandbox_not_payable")
    await h.sandbox_pay(client, second)
    await h.deliver(db, client)
    assert (await h.fresh(session, Bill, w.bill.id)).status == "paid"


async def test_an_order_already_paid_at_the_provider_blocks_a_new_one(client, session, db):
    w = await h.world(session)
    first = (await h.start_payment(client, w.holder, w.bill.id, "wechat")).json()
    await h.sandbox_pay(client, first)  # paid there, notification not delivered yet
    r = await h.start_payment(client, w.holder, w.bill.id, "alipay")
    assert (r.status_code, r.json()["code"]) == (409, "billing.payment_in_progress")
    assert await h.count(session, Payment, Payment.bill_id == w.bill.id) == 1


async def test_money_arriving_for_a_bill_no_longer_payable_goes_straight_back(client, session, db):
    w = await h.world(session, amount_fen=3000)
    p = (await h.start_payment(client, w.holder, w.bill.id)).json()
    await h.sandbox_pay(client, p)
    await session.execute(update(Bill).where(Bill.id == w.bill.id).values(status="cancelled"))
    await b.done(session)
    await h.deliver(db, client)  # payment.paid: recorded, and a refund requested at once
    payment = await h.fresh(session, Payment, p["id"])
    assert (payment.status, payment.refund_reserved_fen, payment.refunded_fen) == ("paid", 3000, 0)
    await h.deliver(db, client)  # refund.succeeded
    payment = await h.fresh(session, Payment, p["id"])
    bill = await h.fresh(session, Bill, w.bill.id)
    assert (payment.refunded_fen, bill.status, bill.paid_fen, bill.refunded_fen) == (3000, "cancelled", 0, 0)


async def test_payment_creation_is_idempotent_by_key(client, session, db):
    w = await h.world(session)
    headers = {**b.auth(w.holder), **h.key()}
    one = await client.post(f"/api/v1/bills/{w.bill.id}/payments", headers=headers, json={"channel": "kiosk"})
    two = await client.post(f"/api/v1/bills/{w.bill.id}/payments", headers=headers, json={"channel": "kiosk"})
    assert (one.status_code, two.status_code, two.headers.get("Idempotent-Replayed")) == (201, 201, "true")
    assert one.json() == two.json()
    other = await client.post(f"/api/v1/bills/{w.bill.id}/payments", headers=headers, json={"channel": "alipay"})
    assert (other.status_code, other.json()["code"]) == (422, "idempotency.key_reused")
    assert await h.count(session, Payment, Payment.bill_id == w.bill.id) == 1
    no_key = await client.post(f"/api/v1/bills/{w.bill.id}/payments", headers=b.auth(w.holder),
                               json={"channel": "kiosk"})
    assert (no_key.status_code, no_key.json()["code"]) == (400, "idempotency.key_required")
