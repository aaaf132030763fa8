"""Check-in: the window, numbers unique and gap-free under concurrency, kiosks, and refusals that change nothing."""

from __future__ import annotations

import asyncio

from tests import builders as b
from tests.queueing.clinic import booked, clinic_today, entry_count, queue_of, status_of


async def test_a_resident_checks_in_and_gets_number_one(client, session):
    c = await clinic_today(session)
    holder, appt = await booked(session, c.slots[0], name="赵敏")
    await b.done(session)
    r = await client.post(f"/api/v1/appointments/{appt.id}/check-in", headers=b.auth(holder))
    assert r.status_code == 201, r.text
    body = r.json()
    assert (body["number"], body["status"], body["position"], body["ahead"], body["kind"]) == (1, "waiting", 1, 0,
                                                                                               "booked")
    assert (body["patient_name"], body["appointment_id"], body["calling_number"]) == ("赵敏", appt.id, None)
    assert await status_of(session, appt.id) == "checked_in"
    again = await client.post(f"/api/v1/appointments/{appt.id}/check-in", headers=b.auth(holder))
    assert (again.status_code, again.json()["code"]) == (409, "queue.already_queued")
    assert await entry_count(session) == 1
    mine = (await client.get("/api/v1/me/queue-entries", headers=b.auth(holder))).json()
    assert [(e["id"], e["number"]) for e in mine] == [(body["id"], 1)]


async def test_check_in_window_too_early_and_too_late(client, session):
    early = await clinic_today(session, slots=1, first_in_minutes=61)
    late = await clinic_today(session, slots=1, first_in_minutes=-1)
    p1, a1 = await booked(session, early.slots[0])
    await b.done(session)
    r = await client.post(f"/api/v1/appointments/{a1.id}/check-in", headers=b.auth(p1))
    assert (r.status_code, r.json()["code"]) == (409, "queue.checkin_too_early")
    assert "60" in r.json()["message"]
    # A booking whose slot has just started (booked before it began).
    from datetime import timedelta

    from yihu.kit import clock
    from yihu.scheduling import booking

    p2 = await b.resident(session)
    a2 = await booking.book(session, booking.BookingRequest(late.slots[0].id, p2.patient_id, p2.id),
                            now=clock.now() - timedelta(minutes=30))
    await b.done(session)
    r = await client.post(f"/api/v1/appointments/{a2.id}/check-in", headers=b.auth(p2))
    assert (r.status_code, r.json()["code"]) == (409, "queue.checkin_too_late")
    assert (await status_of(session, a1.id), await status_of(session, a2.id)) == ("booked", "booked")
    assert await entry_count(session) == 0
    q = await queue_of(session, early.sched)
    assert q is None


async def test_concurrent_check_ins_get_distinct_gap_free_numbers(client, session):
    c = await clinic_today(session, slots=1, capacity=12)
    people = [await booked(session, c.slots[0]) for _ in range(12)]
    await b.done(session)
    rs = await asyncio.gather(*[client.post(f"/api/v1/appointments/{a.id}/check-in", headers=b.auth(h))
                                for h, a in people])
    assert [r.status_code for r in rs] == [201] * 12, [r.text for r in rs if r.status_code != 201]
    assert sorted(r.json()["number"] for r in rs) == list(range(1, 13))
    q = await queue_of(session, c.sched)
    assert q is not None and (q.last_number, q.event_seq) == (12, 12)


async def test_a_kiosk_checks_in_bookings_of_its_own_institution_only(client, session):
    c = await clinic_today(session)
    kiosk = await b.staff(session, role="kiosk", inst=c.inst)
    other_kiosk = await b.staff(session, role="kiosk", inst=await b.institution(session))
    _holder, appt = await booked(session, c.slots[0])
    await b.done(session)
    r = await client.post(f"/api/v1/appointments/{appt.id}/check-in", headers=b.auth(other_kiosk))
    assert (r.status_code, r.json()["code"]) == (403, "auth.forbidden")
    assert (await status_of(session, appt.id), await entry_count(session)) == ("booked", 0)
    r = await client.post(f"/api/v1/appointments/{appt.id}/check-in", headers=b.auth(kiosk))
    assert r.status_code == 201 and r.json()["number"] == 1
    # A kiosk reads no patient records.
    r = await client.get(f"/api/v1/patients/{appt.patient_id}", headers=b.auth(kiosk))
    assert r.status_code == 403


async def test_check_in_refusals_change_nothing(client, session):
    c = await clinic_today(session)
    _holder, appt = await booked(session, c.slots[0])
    stranger = await b.resident(session)
    await b.done(session)
    for headers, expected in ((b.auth(stranger), 403), (b.auth(c.doctor), 403), ({}, 401)):
        r = await client.post(f"/api/v1/appointments/{appt.id}/check-in", headers=headers)
        assert r.status_code == expected, r.text
    assert (await status_of(session, appt.id), await entry_count(session)) == ("booked", 0)
    assert await queue_of(session, c.sched) is None
