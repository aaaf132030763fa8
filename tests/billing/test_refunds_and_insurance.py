from __future__ import annotations

from tests import builders as b
from tests.billing import helpers as h
from yihu.billing import insurance, service
from yihu.billing.models import Bill, Payment, Refund


async def refund(client, who, payment_id, request_id, amount_fen=None, key=None):
    body = {"refund_request_id": request_id}
    if amount_fen is not None:
        body["amount_fen"] = amount_fen
    return await client.post(f"/api/v1/payments/{payment_id}/refunds", json=body,
                             headers={**b.auth(who), **(key or h.key())})


async def test_partial_then_full_refund_idempotent_by_request_id(client, session, db):
    w = await h.world(session, amount_fen=2500)
    p = await h.pay_fully(db, client, w.holder, w.bill.id)

    first = await refund(client, w.admin, p["id"], "R-001", 1000)
    again = await refund(client, w.admin, p["id"], "R-001", 1000)  # a new Idempotency-Key, same request id
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json()["id"] == first.json()["id"]
    assert (first.json()["status"], first.json()["amount_fen"]) == ("requested", 1000)
    reused = await refund(client, w.admin, p["id"], "R-001", 900)
    assert (reused.status_code, reused.json()["code"]) == (409, "billing.refund_request_reused")
    too_much = await refund(client, w.admin, p["id"], "R-002", 1501)
    assert (too_much.status_code, too_much.json()["code"]) == (409, "billing.refund_exceeds")
    assert "1500" in too_much.json()["message"]
    assert await h.count(session, Refund, Refund.payment_id == p["id"]) == 1

    seen: list[int] = []
    assert await h.deliver(db, client, seen) == 1
    assert seen == [200, 200]
    bill = await h.fresh(session, Bill, w.bill.id)
    assert (bill.status, bill.paid_fen, bill.refunded_fen) == ("partially_refunded", 2500, 1000)
    r1 = await h.fresh(session, Refund, first.json()["id"])
    assert r1.status == "succeeded" and r1.succeeded_at is not None

    rest = await refund(client, w.admin, p["id"], "R-003")  # no amount: what is still refundable
    assert rest.json()["amount_fen"] == 1500
    await h.deliver(db, client)
    await h.deliver(db, client)  # nothing pending: nothing changes
    bill = await h.fresh(session, Bill, w.bill.id)
    payment = await h.fresh(session, Payment, p["id"])
    assert (bill.status, bill.refunded_fen, payment.refunded_fen, payment.refund_reserved_fen) == (
        "refunded", 2500, 2500, 2500)
    assert await h.audit_count(session, "refund.succeeded") == 2
    view = (await client.get(f"/api/v1/payments/{p['id']}", headers=b.auth(w.admin))).json()
    assert [(x["request_id"], x["amount_fen"], x["status"]) for x in view["refunds"]] == [
        ("R-001", 1000, "succeeded"), ("R-003", 1500, "succeeded")]


async def test_refund_replayed_by_idempotency_key(client, session, db):
    w = await h.world(session)
    p = await h.pay_fully(db, client, w.holder, w.bill.id)
    k = h.key()
    one = await refund(client, w.admin, p["id"], "R-9", 500, key=k)
    two = await refund(client, w.admin, p["id"], "R-9", 500, key=k)
    assert (two.status_code, two.headers.get("Idempotent-Replayed"), two.json()) == (201, "true", one.json())
    assert (await h.fresh(session, Payment, p["id"])).refund_reserved_fen == 500


async def test_refund_of_an_unpaid_payment_is_refused(client, session, db):
    w = await h.world(session)
    p = (await h.start_payment(client, w.holder, w.bill.id)).json()
    r = await refund(client, w.admin, p["id"], "R-1", 100)
    assert (r.status_code, r.json()["code"]) == (409, "billing.refund_not_paid")


def test_insurance_split_by_policy():
    assert insurance.split("registration", 2500) == insurance.Split(insurance_fen=1250, self_fen=1250)
    # exam: 70% above a 20-yuan deductible, floored to the fen
    assert insurance.split("exam", 12345) == insurance.Split(insurance_fen=7241, self_fen=5104)
    assert insurance.split("exam", 1500) == insurance.Split(insurance_fen=0, self_fen=1500)
    # outpatient: 60% above 10 yuan, capped at 2,000 yuan per bill
    assert insurance.split("outpatient", 11000) == insurance.Split(insurance_fen=6000, self_fen=5000)
    assert insurance.split("outpatient", 500_000) == insurance.Split(insurance_fen=200_000, self_fen=300_000)
    assert insurance.refund_share(12345, 7241, 5000) == 2932


def test_insurance_policy_is_configurable(monkeypatch):
    from yihu.billing.settings import InsuranceRule, billing_settings

    monkeypatch.setitem(billing_settings().insurance_policy, "registration",
                        InsuranceRule(ratio_bp=8000, deductible_fen=500))
    assert insurance.split("registration", 2500) == insurance.Split(insurance_fen=1600, self_fen=900)


async def test_insurance_card_payment_records_the_split(client, session, db):
    w = await h.world(session)
    acc, card_id = await h.bind_insurance_card(session)
    bill = await service.open_bill(session, service.BillInput(
        kind="exam", patient_id=acc.patient_id, institution_id=w.inst.id, amount_fen=12345,
        reference="exam:ct-0001", description="胸部CT"))
    await b.done(session)

    no_card = await h.start_payment(client, acc, bill.id, "insurance_card")
    assert (no_card.status_code, no_card.json()["code"]) == (422, "billing.insurance_card_required")
    r = await h.start_payment(client, acc, bill.id, "insurance_card", card_id=card_id)
    assert r.status_code == 201, r.text
    p = r.json()
    assert (p["channel"], p["amount_fen"], p["insurance_fen"], p["self_fen"]) == ("insurance_card", 12345, 7241, 5104)
    await h.sandbox_pay(client, p)
    [note] = await h.notification_bodies(session)
    assert (note["amount_fen"], note["insurance_fen"]) == (12345, 7241)
    await h.deliver(db, client)
    payment = await h.fresh(session, Payment, p["id"])
    assert (payment.status, payment.card_id, payment.insurance_fen, payment.self_fen) == ("paid", card_id, 7241, 5104)

    # Partial refund: the insurance part goes back in proportion.
    admin = await b.staff(session, role="institution_admin", inst=w.inst)
    await b.done(session)
    rf = await refund(client, admin, p["id"], "R-ins", 5000)
    assert (rf.json()["amount_fen"], rf.json()["insurance_fen"]) == (5000, 2932)


async def test_someone_elses_insurance_card_is_refused(client, session, db):
    w = await h.world(session, kind="registration")
    _acc, card_id = await h.bind_insurance_card(session)
    await b.done(session)
    r = await h.start_payment(client, w.holder, w.bill.id, "insurance_card", card_id=card_id)
    assert (r.status_code, r.json()["code"]) == (422, "billing.insurance_card_required")
    assert await h.count(session, Payment, Payment.bill_id == w.bill.id) == 0
