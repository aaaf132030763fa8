from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from tests import builders as b
from yihu.config import get_settings
from yihu.kit import clock
from yihu.scheduling import booking, schedules, waitlist
from yihu.scheduling.models import Appointment, Slot


async def first_slot(session, sched) -> Slot:
    rows, _ = await schedules.search_slots(session, schedules.SlotQuery(schedule_id=sched.id))
    return rows[0][0]


def book_body(slot, patient_id):
    return {"slot_id": slot.id, "patient_id": patient_id}


def key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


async def booked_count(session, slot_id) -> tuple[int, int]:
    s = await session.get(Slot, slot_id, populate_existing=True)
    n = await session.scalar(select(func.count()).select_from(Appointment).where(
        Appointment.slot_id == slot_id, Appointment.status == "booked"))
    return s.booked, int(n)


async def test_slots_are_generated_from_weekly_sessions_with_their_release_instant(session):
    inst = await b.institution(session)
    sched = await b.doctor_schedule(session, inst, days_ahead=3, slots=4, release_days_ahead=2)
    rows, total = await schedules.search_slots(session, schedules.SlotQuery(schedule_id=sched.id))
    assert total == 4
    day = clock.local_date(clock.now()) + timedelta(days=3)
    first = rows[0][0]
    assert first.start_at == clock.at_local(day, clock.parse_hhmm("08:00"))
    assert first.end_at - first.start_at == timedelta(minutes=15)
    assert first.release_at == clock.at_local(day - timedelta(days=2), clock.parse_hhmm("08:00"))
    assert first.release_at.hour == 0  # 08:00 in Shanghai is 00:00 UTC
    assert await schedules.generate(session, sched, day, day) == 0


async def test_released_at_the_instant_and_not_a_moment_before(session):
    inst = await b.institution(session)
    sched = await b.doctor_schedule(session, inst, days_ahead=5, release_days_ahead=2)
    holder = await b.resident(session)
    slot = await first_slot(session, sched)
    req = booking.BookingRequest(slot_id=slot.id, patient_id=holder.patient_id, account_id=holder.id)
    with pytest.raises(Exception) as e:
        await booking.book(session, req, now=slot.release_at - timedelta(microseconds=1))
    assert e.value.code == "booking.not_released"
    appt = await booking.book(session, req, now=slot.release_at)
    assert appt.status == "booked"


async def test_booking_through_the_api(client, session):
    inst = await b.institution(session)
    sched = await b.doctor_schedule(session, inst, fee_fen=2500)
    holder = await b.resident(session, name="赵敏")
    await b.done(session)
    slot = await first_slot(session, sched)
    r = await client.post("/api/v1/appointments", headers={**b.auth(holder), **key()},
                          json=book_body(slot, holder.patient_id))
    assert r.status_code == 201, r.text
    body = r.json()
    assert (body["status"], body["fee_fen"], body["patient_name"], body["slot_id"]) == ("booked", 2500, "赵敏", slot.id)
    assert await booked_count(session, slot.id) == (1, 1)
    mine = (await client.get("/api/v1/me/appointments", headers=b.auth(holder))).json()
    assert [a["id"] for a in mine] == [body["id"]]
    r = await client.get("/api/v1/slots", params={"schedule_id": sched.id, "has_free": "true"})
    assert slot.id not in [s["id"] for s in r.json()["items"]] and r.json()["total"] == 3


async def test_many_concurrent_residents_never_overbook(client, session):
    inst = await b.institution(session)
    sched = await b.doctor_schedule(session, inst, slots=1, capacity=3)
    residents = [await b.resident(session) for _ in range(24)]
    await b.done(session)
    slot = await first_slot(session, sched)
    rs = await asyncio.gather(*[client.post("/api/v1/appointments", headers={**b.auth(r), **key()},
                                            json=book_body(slot, r.patient_id)) for r in residents])
    codes = [r.status_code for r in rs]
    assert codes.count(201) == 3, [r.text for r in rs if r.status_code not in (201, 409)]
    assert {r.json()["code"] for r in rs if r.status_code != 201} == {"booking.slot_taken"}
    assert await booked_count(session, slot.id) == (3, 3)


async def test_a_naive_read_then_write_harness_does_overbook(db, session):
    """The same rush against a check-then-write booking overbooks: the guard above is what prevents it."""
    inst = await b.institution(session)
    sched = await b.doctor_schedule(session, inst, slots=1, capacity=3)
    residents = [await b.resident(session) for _ in range(12)]
    await b.done(session)
    slot = await first_slot(session, sched)

    async def naive(patient_id):
        async with db.sessionmaker() as s:
            current = await s.scalar(select(Slot.booked).where(Slot.id == slot.id))
            await asyncio.sleep(0.01)
            if current >= 3:
                return False
            await s.execute(update(Slot).where(Slot.id == slot.id).values(booked=current + 1))
            s.add(Appointment(slot_id=slot.id, schedule_id=sched.id, institution_id=inst.id, patient_id=patient_id,
                              status="booked", fee_fen=0, day=slot.day, start_at=slot.start_at, booked_at=clock.now()))
            await s.commit()
            return True

    results = await asyncio.gather(*[naive(r.patient_id) for r in residents])
    assert sum(results) > 3


async def test_one_booking_per_patient_per_doctor_per_day(client, session):
    inst = await b.institution(session)
    sched = await b.doctor_schedule(session, inst, slots=3)
    holder = await b.resident(session)
    await b.done(session)
    rows, _ = await schedules.search_slots(session, schedules.SlotQuery(schedule_id=sched.id))
    h = b.auth(holder)
    first = await client.post("/api/v1/appointments", headers={**h, **key()}, json=book_body(rows[0][0], holder.patient_id))
    assert first.status_code == 201
    r = await client.post("/api/v1/appointments", headers={**h, **key()}, json=book_body(rows[1][0], holder.patient_id))
    assert (r.status_code, r.json()["code"]) == (409, "booking.one_per_doctor_per_day")
    assert await booked_count(session, rows[1][0].id) == (0, 0)
    assert (await client.post(f"/api/v1/appointments/{first.json()['id']}/cancel", headers=h)).status_code == 200
    r = await client.post("/api/v1/appointments", headers={**h, **key()}, json=book_body(rows[1][0], holder.patient_id))
    assert r.status_code == 201


async def test_open_booking_limit_and_no_show_bar(client, session, monkeypatch):
    monkeypatch.setattr(get_settings(), "booking_max_open", 2)
    inst = await b.institution(session)
    scheds = [await b.doctor_schedule(session, inst) for _ in range(3)]
    holder = await b.resident(session)
    await b.done(session)
    h = b.auth(holder)
    for s in scheds[:2]:
        r = await client.post("/api/v1/appointments", headers={**h, **key()},
                              json=book_body(await first_slot(session, s), holder.patient_id))
        assert r.status_code == 201
    r = await client.post("/api/v1/appointments", headers={**h, **key()},
                          json=book_body(await first_slot(session, scheds[2]), holder.patient_id))
    assert (r.status_code, r.json()["code"]) == (409, "booking.too_many_open")
    await session.execute(update(Appointment).values(status="noshow", start_at=clock.now() - timedelta(days=10)))
    other = await b.doctor_schedule(session, inst)
    await b.done(session)
    r = await client.post("/api/v1/appointments", headers={**h, **key()},
                          json=book_body(await first_slot(session, scheds[2]), holder.patient_id))
    assert r.status_code == 201  # two no-shows: not yet barred
    await session.execute(update(Appointment).where(Appointment.status == "booked").values(
        status="noshow", start_at=clock.now() - timedelta(days=5)))
    await b.done(session)
    r = await client.post("/api/v1/appointments", headers={**h, **key()},
                          json=book_body(await first_slot(session, other), holder.patient_id))
    assert (r.status_code, r.json()["code"]) == (403, "booking.barred_for_no_shows")
    assert "3" in r.json()["message"]


async def test_idempotency_key(client, session):
    inst = await b.institution(session)
    sched = await b.doctor_schedule(session, inst, slots=2)
    holder = await b.resident(session)
    await b.done(session)
    rows, _ = await schedules.search_slots(session, schedules.SlotQuery(schedule_id=sched.id))
    h = {**b.auth(holder), "Idempotency-Key": "book-once-1"}
    first = await client.post("/api/v1/appointments", headers=h, json=book_body(rows[0][0], holder.patient_id))
    again = await client.post("/api/v1/appointments", headers=h, json=book_body(rows[0][0], holder.patient_id))
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json() and again.headers["idempotent-replayed"] == "true"
    assert await booked_count(session, rows[0][0].id) == (1, 1)
    other = await client.post("/api/v1/appointments", headers=h, json=book_body(rows[1][0], holder.patient_id))
    assert (other.status_code, other.json()["code"]) == (422, "idempotency.key_reused")
    missing = await client.post("/api/v1/appointments", headers=b.auth(holder), json=book_body(rows[1][0],
                                                                                              holder.patient_id))
    assert (missing.status_code, missing.json()["code"]) == (400, "idempotency.key_required")


async def test_concurrent_retries_with_one_key_book_once(client, session):
    inst = await b.institution(session)
    sched = await b.doctor_schedule(session, inst, slots=1, capacity=5)
    holder = await b.resident(session)
    await b.done(session)
    slot = await first_slot(session, sched)
    h = {**b.auth(holder), "Idempotency-Key": "same-key"}
    rs = await asyncio.gather(*[client.post("/api/v1/appointments", headers=h, json=book_body(slot, holder.patient_id))
                                for _ in range(6)])
    assert {r.status_code for r in rs} <= {201, 409}
    assert all(r.json()["code"] == "idempotency.in_progress" for r in rs if r.status_code == 409)
    assert await booked_count(session, slot.id) == (1, 1)


async def test_a_refusal_is_replayed_too(client, session):
    inst = await b.institution(session)
    sched = await b.doctor_schedule(session, inst, slots=1, release_days_ahead=0, days_ahead=3)
    holder = await b.resident(session)
    await b.done(session)
    slot = await first_slot(session, sched)
    h = {**b.auth(holder), "Idempotency-Key": "early"}
    r1 = await client.post("/api/v1/appointments", headers=h, json=book_body(slot, holder.patient_id))
    r2 = await client.post("/api/v1/appointments", headers=h, json=book_body(slot, holder.patient_id))
    assert r1.status_code == r2.status_code == 409
    assert r1.json() == r2.json() and r1.json()["code"] == "booking.not_released"


async def test_cancel_returns_the_place_after_a_delay(client, session):
    inst = await b.institution(session)
    sched = await b.doctor_schedule(session, inst, slots=1)
    holder = await b.resident(session)
    await b.done(session)
    slot = await first_slot(session, sched)
    h = b.auth(holder)
    appt = (await client.post("/api/v1/appointments", headers={**h, **key()}, json=book_body(slot, holder.patient_id))).json()
    r = await client.post(f"/api/v1/appointments/{appt['id']}/cancel", headers=h)
    assert r.json()["status"] == "cancelled"
    assert await booked_count(session, slot.id) == (1, 0)  # not back in the pool yet
    assert await waitlist.release_due(session, clock.now()) == 0
    s = get_settings()
    assert await waitlist.release_due(session, clock.now() + timedelta(seconds=s.release_delay_max_seconds + 1)) == 1
    await b.done(session)
    assert await booked_count(session, slot.id) == (0, 0)
    r = await client.post(f"/api/v1/appointments/{appt['id']}/cancel", headers=h)
    assert (r.status_code, r.json()["code"]) == (409, "booking.cannot_cancel")


async def test_cancel_window_closes_before_the_visit(session):
    inst = await b.institution(session)
    sched = await b.doctor_schedule(session, inst, slots=1)
    holder = await b.resident(session)
    slot = await first_slot(session, sched)
    appt = await booking.book(session, booking.BookingRequest(slot.id, holder.patient_id, holder.id))
    with pytest.raises(Exception) as e:
        await booking.cancel(session, appt, reason="x", now=slot.start_at - timedelta(minutes=10))
    assert e.value.code == "booking.cancel_window_closed"


async def test_the_onsite_share_is_kept_from_online_booking(client, session):
    inst = await b.institution(session)
    sched = await b.doctor_schedule(session, inst, slots=1, capacity=2, onsite=1)
    a, c = await b.resident(session), await b.resident(session)
    await b.done(session)
    slot = await first_slot(session, sched)
    assert (await client.post("/api/v1/appointments", headers={**b.auth(a), **key()},
                              json=book_body(slot, a.patient_id))).status_code == 201
    r = await client.post("/api/v1/appointments", headers={**b.auth(c), **key()}, json=book_body(slot, c.patient_id))
    assert (r.status_code, r.json()["code"]) == (409, "booking.slot_taken")
    kiosk = await booking.book(session, booking.BookingRequest(slot.id, c.patient_id, None, channel="kiosk"))
    assert kiosk.channel == "kiosk"


async def test_booking_for_someone_not_bound_is_refused_and_changes_nothing(client, session):
    inst = await b.institution(session)
    sched = await b.doctor_schedule(session, inst, slots=1)
    holder, stranger = await b.resident(session), await b.resident(session)
    await b.done(session)
    slot = await first_slot(session, sched)
    r = await client.post("/api/v1/appointments", headers={**b.auth(stranger), **key()},
                          json=book_body(slot, holder.patient_id))
    assert (r.status_code, r.json()["code"]) == (403, "auth.forbidden")
    assert await booked_count(session, slot.id) == (0, 0)
    r = await client.post("/api/v1/appointments", headers=key(), json=book_body(slot, holder.patient_id))
    assert r.status_code == 401


async def test_stop_clinic_cancels_and_notifies(client, session, db):
    from yihu.notify.models import OutboxMessage

    inst = await b.institution(session)
    admin = await b.staff(session, role="institution_admin", inst=inst)
    other_admin = await b.staff(session, role="institution_admin", inst=await b.institution(session))
    sched = await b.doctor_schedule(session, inst, slots=2)
    people = [await b.resident(session), await b.resident(session)]
    await b.done(session)
    rows, _ = await schedules.search_slots(session, schedules.SlotQuery(schedule_id=sched.id))
    for (slot, _), p in zip(rows, people, strict=True):
        assert (await client.post("/api/v1/appointments", headers={**b.auth(p), **key()},
                                  json=book_body(slot, p.patient_id))).status_code == 201
    body = {"day": str(rows[0][0].day), "period": "morning", "reason": "专家临时外出会诊"}
    assert (await client.post(f"/api/v1/schedules/{sched.id}/stop", headers=b.auth(other_admin),
                              json=body)).status_code == 403
    r = await client.post(f"/api/v1/schedules/{sched.id}/stop", headers=b.auth(admin), json=body)
    assert r.json() == {"slots_stopped": 2, "appointments_cancelled": 2}
    statuses = (await session.scalars(select(Appointment.status))).all()
    assert sorted(statuses) == ["stopped", "stopped"]
    outbox = (await session.scalars(select(OutboxMessage.channel).where(
        OutboxMessage.template == "clinic_stopped"))).all()
    assert sorted(outbox) == ["inapp", "inapp", "sms", "sms"]
    r = await client.post("/api/v1/appointments", headers={**b.auth(people[0]), **key()},
                          json=book_body(rows[0][0], people[0].patient_id))
    assert (r.status_code, r.json()["code"]) == (409, "booking.slot_stopped")


async def test_booking_is_rate_limited(client, session, monkeypatch):
    from yihu.scheduling import api

    monkeypatch.setattr(get_settings(), "booking_rate_per_account", 3)
    api._counter.cache_clear()
    inst = await b.institution(session)
    sched = await b.doctor_schedule(session, inst, slots=1)
    holder = await b.resident(session)
    await b.done(session)
    slot = await first_slot(session, sched)
    codes = [(await client.post("/api/v1/appointments", headers={**b.auth(holder), **key()},
                                json=book_body(slot, "nobody"))).status_code for _ in range(4)]
    assert codes == [403, 403, 403, 429]
    api._counter.cache_clear()


async def test_bookings_never_checked_in_become_no_shows_that_count(client, session):
    inst = await b.institution(session)
    scheds = [await b.doctor_schedule(session, inst, slots=1) for _ in range(4)]
    holder = await b.resident(session)
    appts = [await booking.book(session, booking.BookingRequest((await first_slot(session, s)).id, holder.patient_id,
                                                                 holder.id)) for s in scheds]
    await b.done(session)
    late = max(a.start_at for a in appts[:3]) + timedelta(minutes=get_settings().noshow_grace_minutes + 1)
    await session.execute(update(Appointment).where(Appointment.id == appts[3].id).values(status="checked_in"))
    assert await booking.mark_no_shows(session, appts[0].start_at) == 0  # not yet: the grace period runs
    assert await booking.mark_no_shows(session, late) == 3
    await b.done(session)
    statuses = sorted((await session.scalars(select(Appointment.status).execution_options(
        populate_existing=True))).all())
    assert statuses == ["checked_in", "noshow", "noshow", "noshow"]
    other = await b.doctor_schedule(session, inst, slots=1, days_ahead=2)
    slot = await first_slot(session, other)
    with pytest.raises(Exception) as e:
        await booking.book(session, booking.BookingRequest(slot.id, holder.patient_id, holder.id), now=late)
    assert e.value.code == "booking.barred_for_no_shows"


async def test_a_full_slot_is_refused_before_the_key_is_claimed(client, session):
    from yihu.kit.idempotency import IdempotencyRecord

    inst = await b.institution(session)
    sched = await b.doctor_schedule(session, inst, slots=1)
    first, late = await b.resident(session), await b.resident(session)
    await b.done(session)
    slot = await first_slot(session, sched)
    won = await client.post("/api/v1/appointments", headers={**b.auth(first), "Idempotency-Key": "won"},
                            json=book_body(slot, first.patient_id))
    assert won.status_code == 201
    r = await client.post("/api/v1/appointments", headers={**b.auth(late), "Idempotency-Key": "too-late"},
                          json=book_body(slot, late.patient_id))
    assert (r.status_code, r.json()["code"]) == (409, "booking.slot_taken")
    keys = (await session.scalars(select(IdempotencyRecord.key))).all()
    assert keys == ["won"]  # the refusal claimed nothing
    again = await client.post("/api/v1/appointments", headers={**b.auth(first), "Idempotency-Key": "won"},
                              json=book_body(slot, first.patient_id))
    assert again.status_code == 201 and again.json() == won.json()  # the full slot still replays the winner
