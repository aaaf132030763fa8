"""The live queue over a real server: stream tokens, push on call, replay after Last-Event-ID, keep-alives,
the public department screen, and refusals."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import jwt
import pytest

from tests import builders as b
from tests.conftest import LiveServer, run_sync
from tests.queueing.clinic import booked, clinic_today
from tests.queueing.sse import Reader
from yihu.auth.models import Account
from yihu.config import get_settings
from yihu.db import Database
from yihu.queueing import service
from yihu.queueing.config import queue_settings
from yihu.scheduling import booking

pytestmark = pytest.mark.live


@dataclass
class Site:
    server: LiveServer
    doctor: Account
    residents: list[Account]
    entries: list[str]
    queue_id: str
    department_id: str


async def _seed(url: str) -> tuple[Account, list[Account], list[str], str, str]:
    db = Database(get_settings(), url)
    try:
        async with db.sessionmaker() as s:
            c = await clinic_today(s, slots=6)
            people = [await booked(s, slot, name=n) for slot, n in zip(c.slots, ["张三明", "李四海", "王五月",
                                                                            "赵六一", "钱七七", "孙八方"], strict=True)]
            entries = []
            for _h, appt in people:
                change = await service.check_in(s, await booking.get(s, appt.id), channel="online")
                entries.append(change.entry.id)
            await b.done(s)
            return c.doctor, [h for h, _ in people], entries, change.queue.id, c.sched.department_id
    finally:
        await db.dispose()


@pytest.fixture(scope="module")
def site(live_db_url: str) -> Iterator[Site]:
    doctor, residents, entries, qid, dep = run_sync(_seed(live_db_url))
    settings = queue_settings()
    keepalive = settings.sse_keepalive_seconds
    settings.sse_keepalive_seconds = 0.2  # one ticker per process: set before the server's first stream
    server = LiveServer(live_db_url)
    server.start()
    try:
        yield Site(server, doctor, residents, entries, qid, dep)
    finally:
        server.stop()
        settings.sse_keepalive_seconds = keepalive


async def test_the_resident_page_is_pushed_and_replays_after_a_reconnect(site):
    async with httpx.AsyncClient(base_url=site.server.url, timeout=10) as http:
        me = site.residents[4]
        r = await http.post(f"/api/v1/queue-entries/{site.entries[4]}/stream-token", headers=b.auth(me))
        assert r.status_code == 200, r.text
        token = r.json()["token"]
        claims = jwt.decode(token, options={"verify_signature": False})
        assert set(claims) == {"typ", "scope", "iss", "iat", "exp"} and claims["scope"] == f"entry:{site.entries[4]}"
        url = r.json()["url"]
        async with http.stream("GET", url, params={"token": token}) as resp:
            assert (resp.status_code, resp.headers["content-type"].split(";")[0]) == (200, "text/event-stream")
            reader = Reader(resp)
            first = await reader.next()
            assert (first.event, first.data["status"], first.data["ahead"], first.data["near"]) == ("entry", "waiting",
                                                                                                     4, False)
            opened_at = first.id
            assert (await http.post(f"/api/v1/queues/{site.queue_id}/call-next",
                                    headers=b.auth(site.doctor))).status_code == 200
            ev = await reader.next()
            assert (ev.id, ev.data["type"], ev.data["ahead"], ev.data["near"], ev.data["calling_number"]) == (
                opened_at + 1, "called", 3, True, 1)
            assert ev.data["estimated_wait_minutes"] == 4 * 8  # three waiting and one being seen
            assert set(ev.data) == {"entry_id", "number", "status", "position", "ahead", "estimated_wait_minutes",
                                    "calling_number", "near", "queue_name", "seq", "type"}
        # Disconnected: the queue moves on twice.
        h = b.auth(site.doctor)
        assert (await http.post(f"/api/v1/queues/{site.queue_id}/finish", headers=h)).status_code == 200
        assert (await http.post(f"/api/v1/queues/{site.queue_id}/call-next", headers=h)).status_code == 200
        async with http.stream("GET", url, params={"token": token},
                               headers={"Last-Event-ID": str(opened_at + 1)}) as resp:
            reader = Reader(resp)
            missed = await reader.take(2)
            assert [(e.id, e.data["type"], e.data["ahead"]) for e in missed] == [(opened_at + 2, "finished", 3),
                                                                                   (opened_at + 3, "called", 2)]
            await http.post(f"/api/v1/queues/{site.queue_id}/finish", headers=h)
            await http.post(f"/api/v1/queues/{site.queue_id}/call-next", headers=h)
            await http.post(f"/api/v1/queues/{site.queue_id}/finish", headers=h)
            await http.post(f"/api/v1/queues/{site.queue_id}/call-next", headers=h)
            await http.post(f"/api/v1/queues/{site.queue_id}/finish", headers=h)
            await http.post(f"/api/v1/queues/{site.queue_id}/call-next", headers=h)
            live = await reader.take(6)
            assert [e.data["type"] for e in live] == ["finished", "called"] * 3
            assert [e.id for e in live] == list(range(opened_at + 4, opened_at + 10))
            assert (live[-1].data["status"], live[-1].data["position"]) == ("called", 0)


async def test_stream_refusals(site):
    async with httpx.AsyncClient(base_url=site.server.url, timeout=10) as http:
        other = site.residents[1]
        token = (await http.post(f"/api/v1/queue-entries/{site.entries[1]}/stream-token",
                                 headers=b.auth(other))).json()["token"]
        # A token for one entry opens no other entry and not the whole queue.
        r = await http.get(f"/api/v1/queue-entries/{site.entries[0]}/events", params={"token": token})
        assert (r.status_code, r.json()["code"]) == (401, "queue.stream_token_invalid")
        r = await http.get(f"/api/v1/queues/{site.queue_id}/events", params={"token": token})
        assert (r.status_code, r.json()["code"]) == (401, "queue.stream_token_invalid")
        r = await http.get(f"/api/v1/queue-entries/{site.entries[0]}/events")
        assert r.status_code == 401
        r = await http.get(f"/api/v1/queue-entries/{site.entries[0]}/events", headers=b.auth(other))
        assert r.status_code == 403
        r = await http.get(f"/api/v1/queues/{site.queue_id}/events", headers=b.auth(other))
        assert r.status_code == 403
        r = await http.get(f"/api/v1/queue-entries/{site.entries[0]}/events", params={"token": token + "x"})
        assert r.status_code == 401


async def test_staff_stream_keepalive_and_the_public_screen(site):
    async with httpx.AsyncClient(base_url=site.server.url, timeout=10) as http:
        screen = await http.get(f"/api/v1/departments/{site.department_id}/screen")
        assert screen.status_code == 200
        [q] = screen.json()["queues"]
        names = [q["calling"]["name"]] + [n["name"] for n in q["next"]] if q["calling"] else [n["name"] for n in q["next"]]
        assert all("*" in n for n in names) and len(names) >= 1
        assert "张三明" not in screen.text and "孙八方" not in screen.text
        async with http.stream("GET", f"/api/v1/departments/{site.department_id}/screen/events") as sresp, \
                http.stream("GET", f"/api/v1/queues/{site.queue_id}/events", headers=b.auth(site.doctor)) as qresp:
            screen_reader, queue_reader = Reader(sresp), Reader(qresp)
            opening = await screen_reader.next()
            assert opening.event == "screen" and opening.data["queues"][0]["queue_id"] == site.queue_id
            snap = await queue_reader.next()
            assert snap.event == "queue" and snap.data["queue_id"] == site.queue_id
            await asyncio.sleep(0.5)
            h = b.auth(site.doctor)
            r = await http.post(f"/api/v1/queues/{site.queue_id}/finish", headers=h)
            if r.status_code == 409:
                r = await http.post(f"/api/v1/queues/{site.queue_id}/call-next", headers=h)
            assert r.status_code == 200
            pushed = await screen_reader.next()
            assert pushed.event == "queue" and set(pushed.data) == {"queue_id", "name", "seq", "type", "calling",
                                                                    "next", "waiting"}
            ev = await queue_reader.next()
            assert ev.id == snap.id + 1 and ev.data["seq"] == ev.id
            assert any(c.startswith(": keep-alive") for c in queue_reader.comments)
