"""The booking fast lane (PostgreSQL): it books exactly as the FastAPI route does, leaves every request it does not
take to the route untouched, and never holds two pooled connections (a burst larger than the pool completes)."""

from __future__ import annotations

import asyncio
import json
import uuid

import httpx
import pytest
from sqlalchemy import func, select

from tests import builders as b
from tests.conftest import IS_PG, PG_URL
from yihu.app import create_app
from yihu.billing.models import Bill
from yihu.config import get_settings
from yihu.db import Database
from yihu.kit import audit
from yihu.kit.audit import AuditEvent
from yihu.kit.idempotency import IdempotencyRecord
from yihu.registry.models import PatientLink
from yihu.scheduling import fastbook, schedules
from yihu.scheduling.models import Appointment, Slot

pytestmark = pytest.mark.skipif(not IS_PG, reason="the fast lane serves PostgreSQL only")


@pytest.fixture
def lane_statements():
    """Every statement the lane sends while the test runs."""
    seen: list[str] = []

    def logger(q) -> None:
        seen.append(q.query)

    fastbook.QUERY_LOGGERS.append(logger)
    yield seen
    fastbook.QUERY_LOGGERS.remove(logger)


def lane_off(monkeypatch) -> None:
    monkeypatch.setattr(get_settings(), "booking_fast_lane", False)


async def slots_of(session, sched) -> list[Slot]:
    rows, _ = await schedules.search_slots(session, schedules.SlotQuery(schedule_id=sched.id))
    return [s for s, _ in rows]


async def booking_world(client, session):
    """A doctor's schedule with a fee, and a resident whose mother is bound by a card."""
    inst = await b.institution(session)
    sched = await b.doctor_schedule(session, inst, slots=4, fee_fen=1800)
    holder, mother = await resident_with_mother(client, session)
    return inst, holder, mother, await slots_of(session, sched)


async def what_a_booking_left(session, answer: httpx.Response, account_id: str) -> dict[str, object]:
    """The rows one booking wrote, checked against the answer and the account, then without what differs between
    two bookings (ids, instants, the person), so two bookings can be compared."""
    body = answer.json()
    appt = await session.get(Appointment, body["id"], populate_existing=True)
    bill = await session.scalar(select(Bill).where(Bill.reference == f"appointment:{appt.id}"))
    links = await session.scalar(select(func.count()).select_from(PatientLink).where(
        PatientLink.patient_id == appt.patient_id, PatientLink.institution_id == appt.institution_id))
    event = await session.scalar(select(AuditEvent).where(AuditEvent.resource_id == appt.id))
    record = await session.scalar(select(IdempotencyRecord).where(
        IdempotencyRecord.key == answer.request.headers["idempotency-key"]))
    assert appt.patient_id == body["patient_id"] == bill.patient_id == event.patient_id
    assert appt.account_id == bill.account_id == event.actor_id == account_id
    assert appt.booked_at.isoformat().replace("+00:00", "Z") == body["booked_at"]
    assert event.request_id == answer.headers["x-request-id"] and event.ip == "127.0.0.1"
    assert json.loads(record.body) == body
    return {
        "answer": {k: v for k, v in body.items() if k not in ("id", "patient_id", "booked_at", "slot_id", "start_at",
                                                               "end_at")},
        "appointment": (appt.status, appt.channel, appt.fee_fen, appt.day_guard is not None, appt.cancelled_at),
        "bill": (bill.kind, bill.amount_fen, bill.paid_fen, bill.refunded_fen, bill.status, bill.description),
        "links": links,
        "audit": (event.action, event.actor_role, event.resource_type, event.institution_id, event.detail,
                  event.hash == audit.link(event.prev_hash, event.chain, event.chain_pos,
                                           audit.digest({f: getattr(event, f) for f in audit.FIELDS}))),
        "stored": (record.state, record.status_code),
    }


async def resident_with_mother(client, session):
    holder = await b.resident(session, name="钱多多")
    await b.done(session)
    r = await client.post("/api/v1/me/cards", headers=b.auth(holder), json={
        "card_type": "insurance", "card_number": f"INS{b.unique():07d}", "relation": "parent", "name": "孙丽",
        "id_number": b.id_number(female=True)})
    assert r.status_code == 201, r.text
    return holder, r.json()["patient"]["id"]


async def test_the_lane_books_exactly_as_the_route_does(client, session, monkeypatch, lane_statements):
    """Two residents of the same names, each booking for themselves and for their mother bound by a card: one
    through the lane, one through the route. What each booking leaves and answers is the same."""
    inst = await b.institution(session)
    sched = await b.doctor_schedule(session, inst, slots=4, fee_fen=1800)
    slots = await slots_of(session, sched)
    left: dict[str, list[dict[str, object]]] = {}
    for path, (first, second) in (("lane", slots[:2]), ("route", slots[2:])):
        if path == "route":
            lane_off(monkeypatch)
        holder, mother = await resident_with_mother(client, session)
        before = len(lane_statements)
        for slot, patient in ((first, holder.patient_id), (second, mother)):
            r = await client.post("/api/v1/appointments", json={"slot_id": slot.id, "patient_id": patient},
                                  headers={**b.auth(holder), "Idempotency-Key": uuid.uuid4().hex})
            assert r.status_code == 201, r.text
            assert r.headers["content-type"] == "application/json"
            assert (r.headers["x-content-type-options"], r.headers["cache-control"]) == ("nosniff", "no-store")
            left.setdefault(path, []).append(await what_a_booking_left(session, r, holder.id))
        # the lane answered the first two (its statements were seen), the route the last two
        assert (len(lane_statements) > before) == (path == "lane")
    assert left["lane"] == left["route"]
    assert [x["answer"]["patient_name"] for x in left["lane"]] == ["钱多多", "孙丽"]
    assert left["lane"][0]["bill"] == ("registration", 1800, 0, 0, "unpaid", sched.name)
    assert left["lane"][0]["links"] == 1 and left["lane"][0]["stored"][:2] == ("done", 201)


async def test_requests_the_lane_does_not_take_are_answered_by_the_route(client, session, lane_statements):
    inst, holder, _mother, slots = await booking_world(client, session)
    doctor = await b.staff(session, role="doctor", inst=inst)
    await b.done(session)
    h = {**b.auth(holder), "Idempotency-Key": uuid.uuid4().hex}
    body = {"slot_id": slots[0].id, "patient_id": holder.patient_id}
    json_type = {"Content-Type": "application/json"}
    cases = [
        ({"headers": {**h, **json_type}, "content": b"{not json"}, 400, "common.bad_json"),
        ({"headers": h, "json": {"slot_id": slots[0].id}}, 422, "common.validation"),
        ({"headers": h, "json": {**body, "slot_id": 7}}, 422, "common.validation"),
        ({"headers": h, "content": json.dumps(body).encode()}, 422, "common.validation"),  # not sent as JSON
        ({"headers": b.auth(holder), "json": body}, 400, "idempotency.key_required"),
        ({"headers": {**h, "Idempotency-Key": " "}, "json": body}, 400, "idempotency.key_invalid"),
        ({"headers": {"Idempotency-Key": "k"}, "json": body}, 401, "auth.unauthenticated"),
        ({"headers": {**h, "Authorization": "Bearer forged"}, "json": body}, 401, "auth.token_invalid"),
        ({"headers": {**b.auth(doctor), "Idempotency-Key": "k"}, "json": body}, 403, "auth.role_required"),
    ]
    for kwargs, status, code in cases:
        r = await client.post("/api/v1/appointments", **kwargs)
        assert (r.status_code, r.json()["code"]) == (status, code), r.text
    assert lane_statements == []
    assert (await session.get(Slot, slots[0].id, populate_existing=True)).booked == 0


async def test_refusals_through_the_lane_change_nothing_and_are_replayed(client, session, lane_statements):
    _inst, holder, _mother, slots = await booking_world(client, session)
    stranger = await b.resident(session)
    await b.done(session)
    h = {**b.auth(holder), "Idempotency-Key": "not-mine"}
    body = {"slot_id": slots[0].id, "patient_id": stranger.patient_id}
    first = await client.post("/api/v1/appointments", headers=h, json=body)
    again = await client.post("/api/v1/appointments", headers=h, json=body)
    assert (first.status_code, first.json()["code"]) == (403, "auth.forbidden")
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
    other_body = await client.post("/api/v1/appointments", headers=h, json={**body, "patient_id": holder.patient_id})
    assert (other_body.status_code, other_body.json()["code"]) == (422, "idempotency.key_reused")
    assert lane_statements  # the lane judged these
    assert await session.scalar(select(func.count()).select_from(Appointment)) == 0
    assert await session.scalar(select(func.count()).select_from(Bill)) == 0
    assert (await session.get(Slot, slots[0].id, populate_existing=True)).booked == 0


async def test_a_burst_larger_than_the_pool_completes(session):
    """Four pooled connections, 48 requests at once (24 residents, each sending its request twice with one key):
    every request is answered, and the slot holds exactly its capacity."""
    settings = get_settings().model_copy(update={"db_pool_size": 2})
    small = Database(settings, PG_URL)
    inst = await b.institution(session)
    sched = await b.doctor_schedule(session, inst, slots=1, capacity=3)
    residents = [await b.resident(session) for _ in range(24)]
    await b.done(session)
    slot = (await slots_of(session, sched))[0]
    app = create_app(settings, db=small)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t", timeout=20) as c:
            calls = [c.post("/api/v1/appointments", headers={**b.auth(r), "Idempotency-Key": f"burst-{i}"},
                            json={"slot_id": slot.id, "patient_id": r.patient_id})
                     for i, r in enumerate(residents) for _ in range(2)]
            rs = await asyncio.wait_for(asyncio.gather(*calls), timeout=15)
    finally:
        await small.dispose()
    assert {r.status_code for r in rs} <= {201, 409}
    assert {r.json()["code"] for r in rs if r.status_code == 409} <= {"booking.slot_taken", "idempotency.in_progress"}
    booked = {r.json()["id"] for r in rs if r.status_code == 201}
    assert len(booked) == 3
    s = await session.get(Slot, slot.id, populate_existing=True)
    assert s.booked == 3 == await session.scalar(select(func.count()).select_from(Appointment).where(
        Appointment.slot_id == slot.id))


async def test_a_connection_that_broke_is_discarded_and_the_retry_books(session):
    """The database drops the lane's pooled connection between two bookings (a restart, a failover): the request
    that meets it gets a clear 500 and changes nothing, the broken connection is not handed out again, and the
    retry with the same key books."""
    from sqlalchemy import text
    from sqlalchemy.util import greenlet_spawn

    settings = get_settings().model_copy(update={"db_pool_size": 1})
    one = Database(settings, PG_URL)
    inst = await b.institution(session)
    sched = await b.doctor_schedule(session, inst, slots=2)
    holder, other = await b.resident(session), await b.resident(session)
    await b.done(session)
    first, second = await slots_of(session, sched)
    app = create_app(settings, db=one)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
            def book(who, slot, key):
                return c.post("/api/v1/appointments", headers={**b.auth(who), "Idempotency-Key": key},
                              json={"slot_id": slot.id, "patient_id": who.patient_id})

            assert (await book(holder, first, "before")).status_code == 201
            fairy = await greenlet_spawn(one.engine.sync_engine.raw_connection)
            pid = fairy.driver_connection.get_server_pid()
            await greenlet_spawn(fairy.close)
            await session.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            broken = await book(other, second, "after")
            assert (broken.status_code, broken.json()["code"]) == (500, "common.internal")
            assert await session.scalar(select(func.count()).select_from(Appointment)) == 1
            retry = await book(other, second, "after")
            assert retry.status_code == 201, retry.text
    finally:
        await one.dispose()
    assert (await session.get(Slot, second.id, populate_existing=True)).booked == 1

