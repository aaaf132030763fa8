"""Fan-out across API processes: two app instances sharing Redis — an event published on one reaches a watcher on
the other. The same pair without Redis does not (so the test can fail)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest
import redis

from tests import builders as b
from tests.conftest import LiveServer, run_sync
from tests.queueing.clinic import checked_in_clinic
from tests.queueing.sse import Reader
from yihu.auth.models import Account
from yihu.config import get_settings

pytestmark = pytest.mark.live
REDIS = "redis://127.0.0.1:6379/0"


@pytest.fixture(scope="module")
def seeded(live_db_url: str) -> Iterator[tuple[str, Account, str]]:
    redis.Redis.from_url(REDIS).ping()
    doctor, qid = run_sync(checked_in_clinic(live_db_url, slots=4))
    yield live_db_url, doctor, qid


async def _call_on_a_watch_on_b(url: str, doctor: Account, qid: str, action: str, wait: float) -> list[str]:
    a, bb = LiveServer(url), LiveServer(url)
    a.start()
    bb.start()
    try:
        async with httpx.AsyncClient(timeout=10) as http, http.stream(
                "GET", f"{bb.url}/api/v1/queues/{qid}/events", headers=b.auth(doctor)) as resp:
            reader = Reader(resp)
            opening = await reader.next()
            r = await http.post(f"{a.url}/api/v1/queues/{qid}/{action}", headers=b.auth(doctor))
            assert r.status_code == 200, r.text
            got = []
            try:
                while True:
                    ev = await reader.next(timeout=wait)
                    got.append(f"{ev.id}:{ev.data['type']}")
            except TimeoutError:
                pass
            assert opening.id is not None
            return got
    finally:
        a.stop()
        bb.stop()


async def test_an_event_published_on_one_instance_reaches_a_watcher_on_another(seeded, monkeypatch):
    url, doctor, qid = seeded
    monkeypatch.setattr(get_settings(), "redis_url", REDIS)
    got = await _call_on_a_watch_on_b(url, doctor, qid, "call-next", 3.0)
    assert got == ["5:called"]  # four check-ins, then the call


async def test_without_redis_the_other_instance_hears_nothing(seeded, monkeypatch):
    url, doctor, qid = seeded
    monkeypatch.setattr(get_settings(), "redis_url", "")
    got = await _call_on_a_watch_on_b(url, doctor, qid, "recall", 1.5)
    assert got == []


async def test_a_reconnect_to_another_instance_replays_from_the_database(seeded):
    url, doctor, qid = seeded
    a = LiveServer(url)
    a.start()
    try:
        async with httpx.AsyncClient(timeout=10) as http, http.stream(
                "GET", f"{a.url}/api/v1/queues/{qid}/events", headers={**b.auth(doctor), "Last-Event-ID": "3"}) as r:
            events = await Reader(r).take(3)
            assert [(e.id, e.data["type"]) for e in events] == [(4, "checked_in"), (5, "called"), (6, "recalled")]
    finally:
        a.stop()
    await asyncio.sleep(0)
