from __future__ import annotations

from tests import builders as b
from tests.billing import helpers as h
from yihu.billing.models import Bill, Payment
from yihu.db import Database
from yihu.kit import clock
from yihu.notify import service as notify
from yihu.scheduling import schedules


async def booked(client, session, *, fee_fen=2500):
    inst = await b.institution(session, name="秀洲区人民医院")
    sched = await b.doctor_schedule(session, inst, fee_fen=fee_fen)
    holder = await b.resident(session, name="赵敏")
    admin = await b.staff(session, role="institution_admin", inst=inst)
    await b.done(session)
    rows, _ = await schedules.search_slots(session, schedules.SlotQuery(schedule_id=sched.id))
    slot = rows[0][0]
    r = await client.post("/api/v1/appointments", headers={**b.auth(holder), **h.key()},
                          json={"slot_id": slot.id, "patient_id": holder.patient_id})
    assert r.status_code == 201, r.text
    return sched, slot, holder, admin, r.json()


async def the_bill(client, holder) -> dict:
    [bill] = (await client.get("/api/v1/me/bills", headers=b.auth(holder))).json()
    return bill


async def test_booking_with_a_fee_opens_a_bill_and_paying_it_marks_it_paid(client, session, db):
    _s, _slot, holder, _a, appt = await booked(client, session, fee_fen=2500)
    bill = await the_bill(client, holder)
    assert (bill["kind"], bill["amount_fen"], bill["status"], bill["reference"]) == (
        "registration", 2500, "unpaid", f"appointment:{appt['id']}")
    await h.pay_fully(db, client, holder, bill["id"])
    assert (await the_bill(client, holder))["status"] == "paid"


async def test_a_free_booking_has_no_bill(client, session, db):
    _s, _slot, holder, _a, _appt = await booked(client, session, fee_fen=0)
    assert (await client.get("/api/v1/me/bills", headers=b.auth(holder))).json() == []


async def test_cancelling_a_paid_booking_refunds_it_and_an_unpaid_one_cancels_the_bill(client, session, db):
    _s, _slot, holder, _a, appt = await booked(client, session)
    bill = await the_bill(client, holder)
    p = await h.pay_fully(db, client, holder, bill["id"])
    r = await client.post(f"/api/v1/appointments/{appt['id']}/cancel", headers=b.auth(holder))
    assert r.status_code == 200
    payment = await h.fresh(session, Payment, p["id"])
    assert (payment.refund_reserved_fen, payment.refunded_fen) == (2500, 0)
    await h.deliver(db, client)
    got = await h.fresh(session, Bill, bill["id"])
    assert (got.status, got.refunded_fen) == ("refunded", 2500)

    _s2, _slot2, holder2, _a2, appt2 = await booked(client, session)
    unpaid = await the_bill(client, holder2)
    await h.start_payment(client, holder2, unpaid["id"])
    await client.post(f"/api/v1/appointments/{appt2['id']}/cancel", headers=b.auth(holder2))
    got = await h.fresh(session, Bill, unpaid["id"])
    assert got.status == "cancelled"
    assert await h.count(session, Payment, Payment.bill_id == unpaid["id"], Payment.status == "closed") == 1


async def test_stop_clinic_refunds_what_was_paid_and_says_so(client, session, db: Database):
    sched, slot, holder, admin, _appt = await booked(client, session, fee_fen=2500)
    bill = await the_bill(client, holder)
    await h.pay_fully(db, client, holder, bill["id"])
    r = await client.post(f"/api/v1/schedules/{sched.id}/stop", headers=b.auth(admin),
                          json={"day": slot.day.isoformat(), "period": "morning", "reason": "专家外出会诊"})
    assert r.status_code == 200, r.text
    assert r.json()["appointments_cancelled"] == 1
    await h.deliver(db, client)
    got = await h.fresh(session, Bill, bill["id"])
    assert (got.status, got.refunded_fen) == ("refunded", 2500)
    await notify.deliver_pending(db)
    [msg] = await notify.inbox(session, holder.id)
    assert "停诊" in msg["text"] and "已付的25.00元将原路退回" in msg["text"]
    assert msg["template"] == "clinic_stopped_refund"
    assert clock.local_date(slot.start_at) == slot.day
