"""Refunds of a paid visit: the institution admin only, part or all, idempotent by request id, in the trail."""

from __future__ import annotations

from sqlalchemy import select

from tests import builders as b
from tests.billing import helpers as h
from tests.nursing import builders as nb
from tests.nursing import pay_support as ps
from yihu.billing.models import Bill, Payment, Refund
from yihu.nursing import orders

TOTAL = 6000 + 12000 + 3900


async def _paid(client, session, db, w):
    o = await ps.completed(session, w)
    await h.pay_fully(db, client, w.resident, o.bill_id, "wechat")
    assert await ps.status_of(session, o.id) == "paid"
    return o


def _body(rid: str, amount: int, reason: str = "服务未按约定完成") -> dict:
    return {"refund_request_id": rid, "amount_fen": amount, "reason": reason}


async def test_an_admin_refunds_part_then_the_rest_once_each(client, session, db):
    w = await nb.world(session)
    o = await _paid(client, session, db, w)
    url = f"/api/v1/nursing/orders/{o.id}/refunds"
    adm = b.auth(w.admin)
    r = await client.post(url, json=_body("r1", 3900, "耗材未使用"), headers=adm)
    assert r.status_code == 201, r.text
    assert (r.json()["amount_fen"], r.json()["status"], r.json()["replayed"]) == (3900, "requested", False)
    again = await client.post(url, json=_body("r1", 3900, "耗材未使用"), headers=adm)
    assert (again.status_code, again.json()["id"], again.json()["replayed"]) == (200, r.json()["id"], True)
    reused = await client.post(url, json=_body("r1", 100), headers=adm)
    assert (reused.status_code, reused.json()["code"]) == (409, "billing.refund_request_reused")
    too_much = await client.post(url, json=_body("r2", TOTAL - 3900 + 1), headers=adm)
    assert too_much.json()["code"] == "billing.refund_exceeds"
    await h.deliver(db, client)  # refund.succeeded
    bill = await h.fresh(session, Bill, o.bill_id)
    assert (bill.status, bill.refunded_fen) == ("partially_refunded", 3900)
    rest = await client.post(url, json=_body("r3", TOTAL - 3900), headers=adm)
    assert rest.status_code == 201, rest.text
    await h.deliver(db, client)
    bill = await h.fresh(session, Bill, o.bill_id)
    assert (bill.status, bill.refunded_fen) == ("refunded", TOTAL)
    trail = [(e.action, e.from_status, e.to_status, e.actor_role, e.note) for e in await ps.events(session, o.id, "refund")]
    assert trail == [("refund", "paid", "paid", "institution_admin", "¥39.00 耗材未使用"),
                     ("refund", "paid", "paid", "institution_admin", "¥180.00 服务未按约定完成")]
    assert await ps.status_of(session, o.id) == "paid"
    # the bill breakdown shows it
    view = (await client.get(f"/api/v1/nursing/orders/{o.id}/bill", headers=b.auth(w.resident))).json()
    assert (view["bill"]["status"], view["bill"]["refunded_fen"]) == ("refunded", TOTAL)


async def test_who_may_refund_and_when_and_denials_change_nothing(client, session, db):
    w = await nb.world(session)
    unpaid = await ps.completed(session, w)
    r = await client.post(f"/api/v1/nursing/orders/{unpaid.id}/refunds", json=_body("x", 100),
                          headers=b.auth(w.admin))
    assert (r.status_code, r.json()["code"]) == (409, "nursing.not_refundable")
    o = await _paid(client, session, db, w)
    other_admin = await b.staff(session, role="institution_admin", inst=await b.institution(session))
    await b.done(session)
    url = f"/api/v1/nursing/orders/{o.id}/refunds"
    for who in (w.resident, w.nurses[0][1], other_admin, w.regulator):
        assert (await client.post(url, json=_body("x", 100), headers=b.auth(who))).status_code == 403
    blank = await client.post(url, json=_body("x", 100, " "), headers=b.auth(w.admin))
    assert (blank.status_code, blank.json()["code"]) == (422, "nursing.reason_required")
    assert await ps.count(session, Refund) == 0
    payment = await h.fresh(session, Payment, await _payment_id(session, o.bill_id))
    assert (payment.refund_reserved_fen, payment.refunded_fen) == (0, 0)
    assert await ps.events(session, o.id, "refund") == []


async def _payment_id(session, bill_id):
    return await session.scalar(select(Payment.id).where(Payment.bill_id == bill_id, Payment.status == "paid"))


async def test_cancellation_rules_free_before_setting_off_fee_after(client, session):
    """Free until the nurse sets off; the home-visit fee once on the way; an institution's cancellation is free."""
    w = await nb.world(session, nurses=3)
    from yihu.auth.service import actor_of

    cases = []
    for i, (to, by_resident) in enumerate((("assigned", True), ("en_route", True), ("en_route", False))):
        o = await ps.walk(session, w, await ps.placed(session, w, days_ahead=i + 1), to, nurse=i)
        who = w.resident if by_resident else w.admin
        await orders.cancel(session, actor_of(who), o, reason="原因", by_resident=by_resident)
        bill = await session.get(Bill, o.bill_id) if o.bill_id else None
        cases.append((to, by_resident, bill.amount_fen if bill else 0))
    assert cases == [("assigned", True, 0), ("en_route", True, 12000), ("en_route", False, 0)]
