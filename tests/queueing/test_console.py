"""The doctor's console: order (elderly first, booked by slot time, walk-ins after), call next, recall, pass at the
offset, finish; the "3 ahead" notice exactly once; refusals that change nothing."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from tests import builders as b
from tests.queueing.clinic import booked, clinic_today, near_notices, numbers, queue_of, status_of
from yihu.queueing.config import queue_settings
from yihu.queueing.models import QueueEntry


async def check_in_all(client, people) -> list[dict]:
    out = []
    for holder, appt in people:
        r = await client.post(f"/api/v1/appointments/{appt.id}/check-in", headers=b.auth(holder))
        assert r.status_code == 201, r.text
        out.append(r.json())
    return out


async def act(client, qid: str, action: str, headers: dict) -> dict:
    """A console action, then the console's view of the queue (as the doctor's page re-reads it)."""
    r = await client.post(f"/api/v1/queues/{qid}/{action}", headers=headers)
    assert r.status_code == 200, r.text
    assert (r.json()["action"], r.json()["queue_id"]) == (action, qid)
    q = await client.get(f"/api/v1/queues/{qid}", headers=headers)
    assert q.json()["last_event_id"] == r.json()["last_event_id"]
    return q.json()


async def test_order_elderly_first_then_booked_by_slot_time_then_walk_ins(client, session):
    c = await clinic_today(session, slots=4)
    late_slot = await booked(session, c.slots[3], name="李四海")
    early_slot = await booked(session, c.slots[0], name="王五月")
    elderly = await booked(session, c.slots[2], name="陈老伯", born=date(1940, 1, 1))
    middle = await booked(session, c.slots[1], name="周小川")
    walker = await b.resident(session, name="吴步行")
    await b.done(session)
    # Checked in in this order: numbers 1..4 follow arrival, the order follows the rules.
    entries = await check_in_all(client, [late_slot, early_slot, elderly, middle])
    assert [e["number"] for e in entries] == [1, 2, 3, 4]
    r = await client.post("/api/v1/queues/walk-ins", headers=b.auth(c.nurse),
                          json={"schedule_id": c.sched.id, "patient_id": walker.patient_id})
    assert r.status_code == 201, r.text
    assert (r.json()["number"], r.json()["kind"], r.json()["position"]) == (5, "walkin", 5)
    q = await client.get(f"/api/v1/queues/{entries[0]['queue_id']}", headers=b.auth(c.doctor))
    assert numbers(q.json()) == [3, 2, 4, 1, 5]
    assert [e["patient_name"] for e in q.json()["waiting"]] == ["陈老伯", "王五月", "周小川", "李四海", "吴步行"]
    assert [e["elderly"] for e in q.json()["waiting"]] == [True, False, False, False, False]
    # The resident sees the same place.
    r = await client.get(f"/api/v1/queue-entries/{entries[0]['id']}", headers=b.auth(late_slot[0]))
    assert (r.json()["position"], r.json()["ahead"], r.json()["estimated_wait_minutes"]) == (4, 3, 3 * 8)
    dup = await client.post("/api/v1/queues/walk-ins", headers=b.auth(c.nurse),
                            json={"schedule_id": c.sched.id, "patient_id": walker.patient_id})
    assert (dup.status_code, dup.json()["code"]) == (409, "queue.already_queued")


async def test_the_elderly_rule_is_configurable(client, session, monkeypatch):
    monkeypatch.setattr(queue_settings(), "elderly_age", 0)
    c = await clinic_today(session, slots=2)
    young = await booked(session, c.slots[0], name="王五月")
    old = await booked(session, c.slots[1], name="陈老伯", born=date(1940, 1, 1))
    await b.done(session)
    entries = await check_in_all(client, [old, young])
    q = await client.get(f"/api/v1/queues/{entries[0]['queue_id']}", headers=b.auth(c.doctor))
    assert numbers(q.json()) == [2, 1]


async def test_call_recall_pass_at_the_offset_and_finish(client, session):
    c = await clinic_today(session, slots=6)
    people = [await booked(session, s) for s in c.slots]
    await b.done(session)
    entries = await check_in_all(client, people)
    qid = entries[0]["queue_id"]
    h = b.auth(c.doctor)
    r = await client.post(f"/api/v1/queues/{qid}/call-next", headers=h)
    assert (r.json()["entry"]["number"], r.json()["entry"]["status"], r.json()["waiting"]) == (1, "called", 5)
    q = await client.get(f"/api/v1/queues/{qid}", headers=h)
    assert (q.json()["calling"]["number"], numbers(q.json())) == (1, [2, 3, 4, 5, 6])
    r = await client.post(f"/api/v1/queues/{qid}/call-next", headers=h)
    assert (r.status_code, r.json()["code"]) == (409, "queue.current_open")
    assert "1" in r.json()["message"]
    q = await act(client, qid, "recall", h)
    assert (q["calling"]["number"], q["calling"]["calls"]) == (1, 2)
    q = await act(client, qid, "pass", h)
    assert (q["calling"], numbers(q)) == (None, [2, 3, 4, 1, 5, 6])
    assert q["waiting"][3]["passes"] == 1
    me = await client.get(f"/api/v1/queue-entries/{entries[0]['id']}", headers=b.auth(people[0][0]))
    assert (me.json()["status"], me.json()["position"]) == ("waiting", 4)
    q = await act(client, qid, "call-next", h)
    assert q["calling"]["number"] == 2
    q = await act(client, qid, "finish", h)
    assert (q["calling"], q["done"], numbers(q)) == (None, 1, [3, 4, 1, 5, 6])
    assert await status_of(session, people[1][1].id) == "fulfilled"
    assert await status_of(session, people[0][1].id) == "checked_in"
    r = await client.post(f"/api/v1/queues/{qid}/finish", headers=h)
    assert (r.status_code, r.json()["code"]) == (409, "queue.nobody_called")
    me = await client.get(f"/api/v1/queue-entries/{entries[1]['id']}", headers=b.auth(people[1][0]))
    assert (me.json()["status"], me.json()["position"]) == ("done", 0)


async def test_pass_with_fewer_waiting_than_the_offset_goes_last(client, session, monkeypatch):
    monkeypatch.setattr(queue_settings(), "pass_offset", 5)
    c = await clinic_today(session, slots=3)
    people = [await booked(session, s) for s in c.slots]
    await b.done(session)
    entries = await check_in_all(client, people)
    qid = entries[0]["queue_id"]
    await act(client, qid, "call-next", b.auth(c.nurse))
    assert numbers(await act(client, qid, "pass", b.auth(c.nurse))) == [2, 3, 1]


async def test_nobody_waiting(client, session):
    c = await clinic_today(session, slots=1)
    people = [await booked(session, c.slots[0])]
    await b.done(session)
    entries = await check_in_all(client, people)
    qid = entries[0]["queue_id"]
    h = b.auth(c.doctor)
    assert (await client.post(f"/api/v1/queues/{qid}/call-next", headers=h)).status_code == 200
    assert (await client.post(f"/api/v1/queues/{qid}/finish", headers=h)).status_code == 200
    r = await client.post(f"/api/v1/queues/{qid}/call-next", headers=h)
    assert (r.status_code, r.json()["code"]) == (409, "queue.nobody_waiting")


async def test_the_three_ahead_notice_is_sent_exactly_once(client, session):
    c = await clinic_today(session, slots=7)
    people = [await booked(session, s) for s in c.slots[:6]]
    await b.done(session)
    entries = await check_in_all(client, people)
    qid = entries[0]["queue_id"]
    accounts = [h.id for h, _ in people]
    # Numbers 1-4 have at most 3 ahead at once; 5 and 6 not yet.
    assert await near_notices(session) == sorted([("inapp", a) for a in accounts[:4]] + [("sms", a) for a in
                                                                                          accounts[:4]])
    h = b.auth(c.doctor)
    await client.post(f"/api/v1/queues/{qid}/call-next", headers=h)  # 5 now has 3 ahead
    notified = {a for _, a in await near_notices(session)}
    assert notified == set(accounts[:5])
    # An elderly walk-in goes first: 5 has 4 ahead again; then the queue moves and 5 is back at 3: no second notice.
    elder = await b.resident(session, name="陈老伯", born=date(1938, 5, 5))
    await b.done(session)
    r = await client.post("/api/v1/queues/walk-ins", headers=b.auth(c.nurse),
                          json={"schedule_id": c.sched.id, "patient_id": elder.patient_id})
    assert r.json()["position"] == 1
    me = (await client.get(f"/api/v1/queue-entries/{entries[4]['id']}", headers=b.auth(people[4][0]))).json()
    assert me["ahead"] == 4
    await client.post(f"/api/v1/queues/{qid}/finish", headers=h)
    await client.post(f"/api/v1/queues/{qid}/call-next", headers=h)
    me = (await client.get(f"/api/v1/queue-entries/{entries[4]['id']}", headers=b.auth(people[4][0]))).json()
    assert (me["ahead"], me["near"]) == (3, True)
    notices = await near_notices(session)
    assert [a for ch, a in notices if ch == "inapp"].count(accounts[4]) == 1
    assert [a for ch, a in notices if ch == "sms"].count(accounts[4]) == 1
    # Numbers 1-5 and the walk-in (first at once), each once by each channel; number 6 (4 ahead) not yet.
    expected = [*accounts[:5], elder.id]
    assert notices == sorted([("inapp", a) for a in expected] + [("sms", a) for a in expected])


async def test_console_refusals_change_nothing(client, session):
    c = await clinic_today(session, slots=2)
    people = [await booked(session, s) for s in c.slots]
    other = await clinic_today(session, slots=1)
    admin = await b.staff(session, role="institution_admin", inst=c.inst)
    await b.done(session)
    entries = await check_in_all(client, people)
    qid = entries[0]["queue_id"]
    for action in ("call-next", "recall", "pass", "finish"):
        for headers, expected in ((b.auth(other.doctor), 403), (b.auth(people[0][0]), 403), ({}, 401),
                                  (b.auth(admin), 403)):
            r = await client.post(f"/api/v1/queues/{qid}/{action}", headers=headers)
            assert r.status_code == expected, (action, r.text)
    q = await queue_of(session, c.sched)
    assert (q.current_entry_id, q.event_seq) == (None, 2)
    statuses = (await session.scalars(select(QueueEntry.status).order_by(QueueEntry.number))).all()
    assert list(statuses) == ["waiting", "waiting"]
    # Another resident cannot see or watch someone else's place in the queue.
    for path in (f"/api/v1/queue-entries/{entries[0]['id']}", f"/api/v1/queue-entries/{entries[0]['id']}/stream-token"):
        method = client.get if path.endswith(entries[0]["id"]) else client.post
        assert (await method(path, headers=b.auth(people[1][0]))).status_code == 403
        assert (await method(path, headers=b.auth(other.doctor))).status_code == 403
        assert (await method(path)).status_code == 401
    assert (await client.get(f"/api/v1/queues/{qid}", headers=b.auth(other.doctor))).status_code == 403
    r = await client.post("/api/v1/queues/walk-ins", headers=b.auth(other.nurse),
                          json={"schedule_id": c.sched.id, "patient_id": people[0][0].patient_id})
    assert r.status_code == 403
