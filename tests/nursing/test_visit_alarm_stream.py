"""The alarm reaches the institution's console by push: a live server, an SSE client, replay after a reconnect."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from tests import builders as b
from tests.conftest import LiveServer, run_sync
from tests.nursing import builders as nb
from tests.nursing import visit_builders as vb
from tests.queueing.sse import Reader
from yihu.auth.models import Account
from yihu.config import get_settings
from yihu.db import Database

pytestmark = pytest.mark.live


@dataclass
class Site:
    server: LiveServer
    w: nb.World
    other_admin: Account


async def _seed(url: str) -> tuple[nb.World, Account]:
    db = Database(get_settings(), url)
    try:
        async with db.sessionmaker() as s:
            w = await nb.world(s)
            other = await b.institution(s)
            other_admin = await b.staff(s, role="institution_admin", inst=other)
            await b.done(s)
            return w, other_admin
    finally:
        await db.dispose()


@pytest.fixture(scope="module")
def site(live_db_url: str) -> Iterator[Site]:
    w, other_admin = run_sync(_seed(live_db_url))
    server = LiveServer(live_db_url)
    server.start()
    try:
        yield Site(server, w, other_admin)
    finally:
        server.stop()


async def test_the_console_gets_the_alarm_at_once_and_replays_after_a_reconnect(site):
    w = site.w
    adm = b.auth(w.admin)
    stream = f"/api/v1/institutions/{w.inst.id}/nursing/alarms/stream"
    base = f"/api/v1/institutions/{w.inst.id}/nursing/alarms"
    async with httpx.AsyncClient(base_url=site.server.url, timeout=10) as http:
        o = await vb.on_the_way(http, w)
        alarm_url = f"/api/v1/nursing/orders/{o['id']}/alarms"
        async with http.stream("GET", stream, headers=adm) as resp:
            assert (resp.status_code, resp.headers["content-type"].split(";")[0]) == (200, "text/event-stream")
            reader = Reader(resp)
            r = await http.post(alarm_url, json=vb.NEAR | {"note": "被困电梯"}, headers=vb.nurse_h(w))
            assert r.status_code == 201, r.text
            first = r.json()
            ev = await reader.next(timeout=5)
            assert (ev.event, ev.id, ev.data["id"], ev.data["status"], ev.data["note"]) == (
                "alarm", first["event_id"], first["id"], "open", "被困电梯")
            r = await http.post(f"{base}/{first['id']}/acknowledge", headers=adm)
            ev = await reader.next(timeout=5)
            assert (ev.id, ev.data["id"], ev.data["status"]) == (r.json()["event_id"], first["id"], "acknowledged")
            seen = ev.id
        # while disconnected: the first alarm is closed and a second one raised
        r = await http.post(f"{base}/{first['id']}/close", json={"resolution": "物业已救出"}, headers=adm)
        closed = r.json()
        r = await http.post(alarm_url, json={"note": "第二次报警"}, headers=vb.nurse_h(w))
        second = r.json()
        async with http.stream("GET", stream, headers=adm | {"Last-Event-ID": str(seen)}) as resp:
            missed = await Reader(resp).take(2)
            assert [(e.id, e.data["id"], e.data["status"]) for e in missed] == [
                (closed["event_id"], first["id"], "closed"), (second["event_id"], second["id"], "open")]
        # a first connection gets every still-open alarm; EventSource uses a short token in the URL
        r = await http.post(f"{base}/stream-token", headers=adm)
        assert r.status_code == 200 and r.json()["url"] == stream
        async with http.stream("GET", stream, params={"token": r.json()["token"]}) as resp:
            ev = await Reader(resp).next()
            assert (ev.id, ev.data["id"], ev.data["status"]) == (second["event_id"], second["id"], "open")


async def test_only_the_institutions_admins_may_listen(site):
    w = site.w
    stream = f"/api/v1/institutions/{w.inst.id}/nursing/alarms/stream"
    async with httpx.AsyncClient(base_url=site.server.url, timeout=10) as http:
        assert (await http.get(stream, headers=b.auth(site.other_admin))).status_code == 403
        assert (await http.get(stream, headers=vb.nurse_h(w))).status_code == 403
        assert (await http.get(stream)).status_code == 401
        other_token = (await http.post(f"/api/v1/institutions/{site.other_admin.institution_id}/nursing/alarms/"
                                       "stream-token", headers=b.auth(site.other_admin))).json()["token"]
        r = await http.get(stream, params={"token": other_token})
        assert (r.status_code, r.json()["code"]) == (401, "queue.stream_token_invalid")
        r = await http.post(f"/api/v1/institutions/{w.inst.id}/nursing/alarms/stream-token",
                            headers=b.auth(site.other_admin))
        assert r.status_code == 403
