"""Direct delivery on a live uvicorn server: caught-up watchers are written at delivery, with no task wake-up each.

200 watchers get every event in order through the direct path; a watcher that does not read backs its connection
up, leaves the direct path, falls behind and catches up from the database, losing nothing; a disconnect frees
every watcher.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests import builders as b
from tests.conftest import LiveServer, run_sync
from tests.queueing.clinic import checked_in_clinic
from tests.queueing.sse import RawWatcher
from yihu.auth.models import Account
from yihu.db import Database
from yihu.queueing import fastpath, stream
from yihu.queueing.broker import Broker
from yihu.queueing.config import queue_settings

pytestmark = pytest.mark.live
WATCHERS = 200
RECALLS = 40


@dataclass
class Site:
    server: LiveServer
    doctor: Account
    queue_id: str


@pytest.fixture(scope="module")
def site(live_db_url: str) -> Iterator[Site]:
    doctor, qid = run_sync(checked_in_clinic(live_db_url, slots=3))
    settings = queue_settings()
    saved = settings.sse_keepalive_seconds, settings.sse_buffer
    settings.sse_keepalive_seconds = 600  # no keep-alive in the counts below
    settings.sse_buffer = 4  # the slow watcher overflows its buffer quickly
    server = LiveServer(live_db_url)
    server.start()
    try:
        yield Site(server, doctor, qid)
    finally:
        server.stop()
        settings.sse_keepalive_seconds, settings.sse_buffer = saved


def _broker(site: Site) -> Broker:
    broker: Broker = site.server.server.config.app.state.queue_broker
    return broker


async def _eventually(check: Any, timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.02)


async def test_direct_delivery_in_order_a_slow_watcher_catches_up_and_disconnect_frees(site, monkeypatch):
    writes: list[list[int]] = []  # per connection, in opening order: the frames written directly
    make = fastpath.direct_writer

    def counting(receive: Any, send: Any) -> Any:
        write = make(receive, send)
        assert write is not None  # uvicorn's httptools cycle: the direct path is available
        if len(writes) == WATCHERS:  # the slow watcher: small buffers, so its connection backs up within a few events
            transport = receive.__self__.transport
            transport.get_extra_info("socket").setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
            transport.set_write_buffer_limits(high=2048)
        n = [0]
        writes.append(n)

        def counted(data: bytes) -> bool:
            ok = write(data)
            n[0] += ok
            return ok

        return counted

    catch_ups: list[int] = []
    read_back = stream._catch_up

    async def counting_catch_up(db: Database, queue_id: str, after: int) -> list[str]:
        catch_ups.append(after)
        return await read_back(db, queue_id, after)

    monkeypatch.setattr(fastpath, "direct_writer", counting)
    monkeypatch.setattr(stream, "_catch_up", counting_catch_up)
    h = b.auth(site.doctor)
    async with httpx.AsyncClient(base_url=site.server.url, timeout=10) as http:
        token = (await http.post(f"/api/v1/queues/{site.queue_id}/stream-token", headers=h)).json()["token"]
        path = f"/api/v1/queues/{site.queue_id}/events?token={token}"
        fast = [RawWatcher() for _ in range(WATCHERS)]
        await asyncio.gather(*[w.open(site.server.port, path) for w in fast])
        openings = await asyncio.gather(*[w.until_any() for w in fast])
        opened_at = openings[0].id
        assert {e.id for e in openings} == {opened_at}
        slow = RawWatcher()
        await slow.open(site.server.port, path, rcvbuf=2048)
        broker = _broker(site)
        subs = broker.fanout.channels[stream.queue_channel(site.queue_id)]
        await _eventually(lambda: len(subs) == WATCHERS + 1 and all(s.sink is not None for s in subs))
        assert len(writes) == WATCHERS + 1 and all(n == [0] for n in writes)

        # One call and forty recalls; the fast watchers read all along, the slow one reads nothing yet.
        reading = [asyncio.ensure_future(w.until(opened_at + 1 + RECALLS, timeout=60)) for w in fast]
        assert (await http.post(f"/api/v1/queues/{site.queue_id}/call-next", headers=h)).status_code == 200
        for _ in range(RECALLS):
            assert (await http.post(f"/api/v1/queues/{site.queue_id}/recall", headers=h)).status_code == 200
        last = opened_at + 1 + RECALLS
        expected = list(range(opened_at, last + 1))
        for got in await asyncio.gather(*reading):
            assert [e.id for e in got] == expected
            assert [e.data["type"] for e in got[1:]] == ["called"] + ["recalled"] * RECALLS
        # Every fast watcher was written directly, once per event; none read the database after its opening.
        assert [n[0] for n in writes[:WATCHERS]] == [RECALLS + 1] * WATCHERS
        assert catch_ups == []
        assert writes[WATCHERS][0] < RECALLS + 1  # the slow watcher left the direct path ...

        got = await slow.until(last, timeout=30)
        assert [e.id for e in got] == expected  # ... and got everything, in order, each once ...
        assert len(catch_ups) == 1 and opened_at < catch_ups[0] < last  # ... reading what it missed back once
        assert got[-1].data == fast[0].events[-1].data

        # The slow watcher is caught up again: direct once more.
        slow_sub = [s for s in subs if s.sink is None]
        await _eventually(lambda: all(s.sink is not None for s in subs))
        assert len(slow_sub) <= 1
        assert (await http.post(f"/api/v1/queues/{site.queue_id}/recall", headers=h)).status_code == 200
        for w in [*fast[:3], slow]:
            assert [e.id for e in await w.until(last + 1)][-2:] == [last, last + 1]

        for w in [*fast, slow]:
            w.close()
        await _eventually(lambda: broker.fanout.watchers == 0)
        assert stream.queue_channel(site.queue_id) not in broker.fanout.channels
