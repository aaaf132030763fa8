"""A visit's bill: its breakdown, paying it on every channel (the order moves completed → paid exactly once, by the
provider's notification), the late-cancellation fee, and access."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys

from tests import builders as b
from tests.billing import helpers as h
from tests.nursing import builders as nb
from tests.nursing import pay_support as ps
from yihu.billing import sandbox
from yihu.billing.models import Bill, Payment
from yihu.nursing import orders
from yihu.nursing.models import NursingOrder

TOTAL = 6000 + 12000 + 2 * 1500 + 3 * 300  # item + home-visit fee + 2 dressing packs + 3 pairs of gloves


async def test_the_bill_is_item_price_plus_visit_fee_plus_consumables_used(client, session):
    w = await nb.world(session)
    o = await ps.completed(session, w)
    r = await client.get(f"/api/v1/nursing/orders/{o.id}/bill", headers=b.auth(w.resident))
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["kind"], body["order_status"], body["price_fen"], body["visit_fee_fen"]) == (
        "visit", "completed", 6000, 12000)
    assert [(c["code"], c["name"], c["count"], c["unit_fen"], c["amount_fen"]) for c in body["consumables"]] == [
        ("dressing_pack", "换药包", 2, 1500, 3000), ("gloves", "无菌手套", 3, 300, 900)]
    assert (body["consumables_fen"], body["total_fen"]) == (3900, TOTAL)
    assert (body["bill"]["id"], body["bill"]["status"], body["bill"]["amount_fen"]) == (o.bill_id, "unpaid", TOTAL)
    # institution and regulator read it; a stranger and another institution's admin do not
    for who in (w.admin, w.regulator):
        assert (await client.get(f"/api/v1/nursing/orders/{o.id}/bill", headers=b.auth(who))).status_code == 200
    stranger = await b.resident(session, name="李四")
    other_admin = await b.staff(session, role="institution_admin", inst=await b.institution(session))
    await b.done(session)
    for who in (stranger, other_admin):
        assert (await client.get(f"/api/v1/nursing/orders/{o.id}/bill", headers=b.auth(who))).status_code == 403


async def test_before_check_out_there_is_no_bill_yet(client, session):
    w = await nb.world(session)
    o = await ps.placed(session, w)
    await b.done(session)
    body = (await client.get(f"/api/v1/nursing/orders/{o.id}/bill", headers=b.auth(w.resident))).json()
    assert (body["total_fen"], body["consumables"], body["bill"]) == (18000, [], None)


async def test_paid_exactly_once_under_repeated_and_forged_notifications(client, session, db):
    w = await nb.world(session)
    o = await ps.completed(session, w)
    r = await h.start_payment(client, w.resident, o.bill_id, "wechat")
    assert r.status_code == 201, r.text
    assert await h.sandbox_pay(client, r.json()) is not None
    [note] = await h.notification_bodies(session)
    body = json.dumps(note).encode()
    # paid at the provider, but nothing moves before its signed notification arrives
    assert await ps.status_of(session, o.id) == "completed"
    forged = await client.post("/api/v1/payments/notify/sandbox", content=body,
                               headers=sandbox.signed_headers(body, secret="not-the-provider-secret"))
    assert forged.status_code == 401
    wrong = json.dumps({**note, "amount_fen": 1}).encode()
    r2 = await client.post("/api/v1/payments/notify/sandbox", content=wrong, headers=sandbox.signed_headers(wrong))
    assert (r2.status_code, r2.json()["code"]) == (400, "billing.notify_amount_mismatch")
    assert await ps.status_of(session, o.id) == "completed"
    assert await ps.events(session, o.id, "pay") == []

    results = []
    for _ in range(3):
        rr = await client.post("/api/v1/payments/notify/sandbox", content=body, headers=sandbox.signed_headers(body))
        results.append(rr.json()["result"])
    assert results == ["applied", "duplicate", "duplicate"]
    assert await h.deliver(db, client) == 1  # the sandbox's own deliveries (twice): duplicates as well
    order = await session.get(NursingOrder, o.id, populate_existing=True)
    bill = await h.fresh(session, Bill, o.bill_id)
    assert (order.status, bill.status, order.paid_at) == ("paid", "paid", bill.paid_at)
    [pay] = await ps.events(session, o.id, "pay")
    assert (pay.from_status, pay.to_status, pay.actor_role, pay.note) == ("completed", "paid", "system", "¥219.00")
    assert (await h.audit_count(session, "nursing.pay")) == 1
    # paying again is refused by billing: the bill is no longer payable
    again = await h.start_payment(client, w.resident, o.bill_id, "alipay")
    assert (again.status_code, again.json()["code"]) == (409, "billing.bill_not_payable")


async def test_every_channel_pays_and_the_insurance_card_splits(client, session, db):
    w = await nb.world(session, nurses=1)
    holder, card_id = await h.bind_insurance_card(session)
    await b.done(session)
    channels = ["wechat", "alipay", "bank_card", "kiosk", "insurance_card"]
    paid = []
    for i, channel in enumerate(channels):
        who = holder if channel == "insurance_card" else w.resident
        o = await ps.completed(session, w, who=who, patient_id=who.patient_id, days_ahead=i + 1)
        r = await h.start_payment(client, who, o.bill_id, channel, card_id if channel == "insurance_card" else None)
        assert r.status_code == 201, r.text
        assert (await h.sandbox_pay(client, r.json())).status_code == 200
        assert await h.deliver(db, client) == 1
        p = await h.fresh(session, Payment, r.json()["id"])
        paid.append((channel, await ps.status_of(session, o.id), p.insurance_fen, p.self_fen))
    half = TOTAL // 2
    assert paid == [("wechat", "paid", 0, TOTAL), ("alipay", "paid", 0, TOTAL), ("bank_card", "paid", 0, TOTAL),
                    ("kiosk", "paid", 0, TOTAL), ("insurance_card", "paid", half, TOTAL - half)]


async def test_a_late_cancellation_fee_is_payable_and_the_order_stays_cancelled(client, session, db):
    w = await nb.world(session)
    early = await ps.walk(session, w, await ps.placed(session, w), "assigned")
    late = await ps.walk(session, w, await ps.placed(session, w, start="14:00", end="16:00"), "en_route",
                         nurse=1, start="14:30")
    from yihu.auth.service import actor_of

    await orders.cancel(session, actor_of(w.resident), early, reason="不需要了", by_resident=True)
    await orders.cancel(session, actor_of(w.resident), late, reason="临时外出", by_resident=True)
    await b.done(session)
    free = (await client.get(f"/api/v1/nursing/orders/{early.id}/bill", headers=b.auth(w.resident))).json()
    assert (free["kind"], free["total_fen"], free["bill"]) == ("cancellation", 0, None)
    fee = (await client.get(f"/api/v1/nursing/orders/{late.id}/bill", headers=b.auth(w.resident))).json()
    assert (fee["kind"], fee["visit_fee_fen"], fee["total_fen"], fee["bill"]["status"]) == (
        "cancellation", 12000, 12000, "unpaid")
    await h.pay_fully(db, client, w.resident, fee["bill"]["id"], "alipay")
    assert await ps.status_of(session, late.id) == "cancelled"
    assert (await h.fresh(session, Bill, fee["bill"]["id"])).status == "paid"
    [pay] = await ps.events(session, late.id, "pay")
    assert (pay.from_status, pay.to_status, pay.note) == ("cancelled", "cancelled", "¥120.00")


async def test_in_process_sandbox_delivery_moves_the_order_too(session, db, client):
    """The CLI's ``billing sandbox-deliver`` applies notifications without the API: the listener is there too."""
    w = await nb.world(session)
    o = await ps.completed(session, w)
    r = await h.start_payment(client, w.resident, o.bill_id, "kiosk")
    await h.sandbox_pay(client, r.json())
    assert await sandbox.deliver_pending(db, sandbox.direct_poster(db)) == 1
    assert await ps.status_of(session, o.id) == "paid"


def test_a_fresh_process_that_never_imported_nursing_finds_the_listener():
    code = ("from yihu.billing import hooks\n"
            "import sys\n"
            "assert 'yihu.nursing.payment' not in sys.modules\n"
            "print([f.__module__ + '.' + f.__qualname__ for f in hooks.listeners('nursing')])\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['yihu.nursing.payment.on_paid']"


async def test_concurrent_notifications_pay_the_order_once(client, session, db):
    w = await nb.world(session)
    o = await ps.completed(session, w)
    r = await h.start_payment(client, w.resident, o.bill_id, "bank_card")
    await h.sandbox_pay(client, r.json())
    [note] = await h.notification_bodies(session)
    body = json.dumps(note).encode()
    rs = await asyncio.gather(*[client.post("/api/v1/payments/notify/sandbox", content=body,
                                            headers=sandbox.signed_headers(body)) for _ in range(5)])
    assert sorted(x.json()["result"] for x in rs) == ["applied"] + ["duplicate"] * 4, [x.text for x in rs]
    assert await ps.status_of(session, o.id) == "paid"
    assert len(await ps.events(session, o.id, "pay")) == 1


async def test_the_paid_hook_runs_in_the_notifications_transaction(client, session, db, monkeypatch):
    """A listener that fails refuses the notification: the bill is not paid either, and the retry applies both."""
    from yihu.billing import hooks
    from yihu.errors import DomainError
    from yihu.nursing import pay_errors

    w = await nb.world(session)
    o = await ps.completed(session, w)
    r = await h.start_payment(client, w.resident, o.bill_id, "wechat")
    await h.sandbox_pay(client, r.json())
    [note] = await h.notification_bodies(session)
    body = json.dumps(note).encode()

    async def failing(session, bill):
        raise DomainError(pay_errors.NOT_REFUNDABLE)

    monkeypatch.setitem(hooks._listeners, "nursing", [*hooks.listeners("nursing"), failing])
    refused = await client.post("/api/v1/payments/notify/sandbox", content=body, headers=sandbox.signed_headers(body))
    assert refused.status_code == 409
    assert (await h.fresh(session, Bill, o.bill_id)).status == "unpaid"
    assert (await h.fresh(session, Payment, r.json()["id"])).status == "created"
    assert (await ps.status_of(session, o.id), await ps.events(session, o.id, "pay")) == ("completed", [])
    monkeypatch.undo()
    ok = await client.post("/api/v1/payments/notify/sandbox", content=body, headers=sandbox.signed_headers(body))
    assert ok.json()["result"] == "applied"
    assert (await h.fresh(session, Bill, o.bill_id)).status == "paid"
    assert await ps.status_of(session, o.id) == "paid"
