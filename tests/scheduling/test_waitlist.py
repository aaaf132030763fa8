from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select

from tests import builders as b
from yihu.config import get_settings
from yihu.kit import clock
from yihu.notify.models import OutboxMessage
from yihu.scheduling import schedules, waitlist
from yihu.scheduling.models import Appointment, Slot
from yihu.scheduling.waitlist import WaitlistEntry


def k() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


async def full_day(client, session, *, waiting: int = 2):
    """A doctor's day of one slot, taken; ``waiting`` other residents then join its waitlist."""
    inst = await b.institution(session)
    sched = await b.doctor_schedule(session, inst, slots=1, days_ahead=2)
    booker = await b.resident(session, name="先约者")
    others = [await b.resident(session, name=f"候补{'甲乙丙丁'[i]}") for i in range(waiting)]
    await b.done(session)
    rows, _ = await schedules.search_slots(session, schedules.SlotQuery(schedule_id=sched.id))
    slot = rows[0][0]
    r = await client.post("/api/v1/appointments", headers={**b.auth(booker), **k()},
                          json={"slot_id": slot.id, "patient_id": booker.patient_id})
    assert r.status_code == 201
    return sched, slot, booker, r.json()["id"], others


async def test_join_only_when_full_and_once(client, session):
    inst = await b.institution(session)
    sched = await b.doctor_schedule(session, inst, slots=2, days_ahead=2)
    p = await b.resident(session)
    await b.done(session)
    day = str(clock.local_date(clock.now()) + timedelta(days=2))
    r = await client.post("/api/v1/waitlist", headers=b.auth(p),
                          json={"schedule_id": sched.id, "day": day, "patient_id": p.patient_id})
    assert (r.status_code, r.json()["code"]) == (409, "waitlist.day_not_full")

    sched, slot, booker, _appt, others = await full_day(client, session)
    body = {"schedule_id": sched.id, "day": str(slot.day), "patient_id": others[0].patient_id}
    r = await client.post("/api/v1/waitlist", headers=b.auth(others[0]), json=body)
    assert r.status_code == 201 and r.json()["position"] == 1
    r = await client.post("/api/v1/waitlist", headers=b.auth(others[0]), json=body)
    assert (r.status_code, r.json()["code"]) == (409, "waitlist.already_waiting")
    r = await client.post("/api/v1/waitlist", headers=b.auth(others[1]), json=body)
    assert (r.status_code, r.json()["code"]) == (403, "auth.forbidden")  # not their patient


async def test_a_freed_place_is_offered_to_the_first_then_passes_on(client, session, db):
    sched, slot, booker, appt_id, (first, second) = await full_day(client, session)
    for p in (first, second):
        r = await client.post("/api/v1/waitlist", headers=b.auth(p),
                              json={"schedule_id": sched.id, "day": str(slot.day), "patient_id": p.patient_id})
        assert r.status_code == 201
    assert (await client.post(f"/api/v1/appointments/{appt_id}/cancel", headers=b.auth(booker))).status_code == 200
    later = clock.now() + timedelta(seconds=get_settings().release_delay_max_seconds + 1)
    assert await waitlist.release_due(session, later) == 1
    await b.done(session)
    entries = {e.patient_id: e for e in (await session.scalars(select(WaitlistEntry))).all()}
    assert entries[first.patient_id].status == "offered" and entries[second.patient_id].status == "waiting"
    held = await session.get(Slot, slot.id, populate_existing=True)
    assert held.booked == 1  # held for the first in line, not back in the pool
    offers = (await session.scalars(select(OutboxMessage.template).where(OutboxMessage.account_id == first.id))).all()
    assert "waitlist_offer" in offers

    # the first lets it expire: it passes to the second, who accepts
    expiry = later + timedelta(minutes=get_settings().waitlist_offer_minutes, seconds=1)
    assert await waitlist.expire_offers(session, expiry) == 1
    await b.done(session)
    mine = (await client.get("/api/v1/me/waitlist", headers=b.auth(second))).json()
    assert mine[0]["status"] == "offered" and mine[0]["offered_slot_id"] == slot.id
    late = await client.post(f"/api/v1/waitlist/{entries[first.patient_id].id}/accept", headers=b.auth(first))
    assert (late.status_code, late.json()["code"]) == (409, "waitlist.no_offer")
    r = await client.post(f"/api/v1/waitlist/{mine[0]['id']}/accept", headers=b.auth(second))
    assert r.status_code == 200, r.text
    appt = await session.get(Appointment, r.json()["appointment_id"])
    assert (appt.patient_id, appt.status, appt.channel) == (second.patient_id, "booked", "waitlist")
    held = await session.get(Slot, slot.id, populate_existing=True)
    assert held.booked == 1  # still exactly one place used


async def test_no_one_waiting_returns_the_place_to_the_pool(client, session):
    sched, slot, booker, appt_id, _ = await full_day(client, session, waiting=0)
    await client.post(f"/api/v1/appointments/{appt_id}/cancel", headers=b.auth(booker))
    later = clock.now() + timedelta(seconds=get_settings().release_delay_max_seconds + 1)
    assert await waitlist.release_due(session, later) == 1
    await b.done(session)
    assert (await session.get(Slot, slot.id, populate_existing=True)).booked == 0


async def test_leaving_with_a_held_place_passes_it_on(client, session):
    sched, slot, booker, appt_id, (first, second) = await full_day(client, session)
    ids = []
    for p in (first, second):
        ids.append((await client.post("/api/v1/waitlist", headers=b.auth(p), json={
            "schedule_id": sched.id, "day": str(slot.day), "patient_id": p.patient_id})).json()["id"])
    await client.post(f"/api/v1/appointments/{appt_id}/cancel", headers=b.auth(booker))
    await waitlist.release_due(session, clock.now() + timedelta(seconds=get_settings().release_delay_max_seconds + 1))
    await b.done(session)
    r = await client.post(f"/api/v1/waitlist/{ids[0]}/leave", headers=b.auth(first))
    assert r.json()["status"] == "cancelled"
    second_entry = await session.get(WaitlistEntry, ids[1], populate_existing=True)
    assert second_entry.status == "offered"
    r = await client.post(f"/api/v1/waitlist/{ids[1]}/leave", headers=b.auth(first))
    assert r.status_code == 403
