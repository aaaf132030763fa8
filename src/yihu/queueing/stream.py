"""Server-Sent Events for the live queue: short signed stream tokens, replay from the database, live push.

A stream subscribes first, then replays the stored events after ``Last-Event-ID`` (or sends the current picture),
then forwards live events. A live event that skips numbers, or a watcher whose buffer overflowed, catches up from
the database, so any worker can serve a reconnect. A comment line keeps idle connections open.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncGenerator, Callable
from datetime import timedelta
from functools import lru_cache
from typing import Any

import jwt
from fastapi import FastAPI

from yihu.config import get_settings
from yihu.db import Database, utcnow
from yihu.errors import DomainError
from yihu.queueing import errors, events, queues
from yihu.queueing.broker import Broker, Subscription, make_broker
from yihu.queueing.config import queue_settings

TOKEN_TYPE = "queue_stream"  # noqa: S105 - a token type, not a secret
KEEPALIVE = b": keep-alive\n\n"
KEEPALIVE_CHUNK = b"%x\r\n%s\r\n" % (len(KEEPALIVE), KEEPALIVE)


KEEPALIVE_SIGNAL = ""  # in a watcher's buffer: time for a keep-alive comment
CLOSE_SIGNAL = "\x00close"  # in a watcher's buffer: the client has gone


def broker_of(app: FastAPI) -> Broker:
    """The app's broker, made on first use, with one keep-alive ticker for all its watchers (no timer each)."""
    broker: Broker | None = getattr(app.state, "queue_broker", None)
    if broker is None:
        broker = make_broker(get_settings().redis_url, queue_settings().sse_buffer)
        app.state.queue_broker = broker
        app.state.queue_ticker = asyncio.get_running_loop().create_task(_tick(broker))
    return broker


KEEPALIVE_SLICE = 500  # watchers poked per turn of the event loop: a live event waits for one slice at most


async def _tick(broker: Broker) -> None:
    """Keep-alives for the watchers of channels that had no event since the last round, a slice at a time."""
    while True:
        await asyncio.sleep(queue_settings().sse_keepalive_seconds)
        idle = broker.fanout.idle()
        for i in range(0, len(idle), KEEPALIVE_SLICE):
            if i:
                await asyncio.sleep(0)
            for sub in idle[i:i + KEEPALIVE_SLICE]:
                if not sub.closed:
                    sub.poke(KEEPALIVE_SIGNAL)


def queue_channel(queue_id: str) -> str:
    return f"queue:{queue_id}"


def department_channel(department_id: str) -> str:
    return f"dept:{department_id}"


# ---- stream tokens: EventSource sends no headers, so the URL carries a short-lived token with no personal data ----

def stream_token(scope: str) -> tuple[str, int]:
    minutes = queue_settings().sse_token_minutes
    now = utcnow()
    claims = {"typ": TOKEN_TYPE, "scope": scope, "iss": "yihu", "iat": int(now.timestamp()),
              "exp": int((now + timedelta(minutes=minutes)).timestamp())}
    return jwt.encode(claims, get_settings().jwt_secret, algorithm="HS256"), minutes * 60


def token_allows(token: str, scope: str) -> bool:
    try:
        claims = jwt.decode(token, get_settings().jwt_secret, algorithms=["HS256"], issuer="yihu",
                            options={"require": ["exp", "iat"]})
    except jwt.PyJWTError:
        return False
    return claims.get("typ") == TOKEN_TYPE and claims.get("scope") == scope


# ---- frames ----

@lru_cache(maxsize=128)
def parsed(message: str) -> dict[str, Any]:
    """One parse per event and process, shared by every watcher (treat as read-only)."""
    data: dict[str, Any] = json.loads(message)
    return data


@lru_cache(maxsize=128)
def queue_frame(message: str) -> bytes:
    return f"id: {parsed(message)['seq']}\nevent: queue\ndata: {message}\n\n".encode()


def frame(event: str, data: dict[str, Any], event_id: int | None = None) -> bytes:
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


def parse_last_id(value: str | None) -> int | None:
    if value is None or not value.strip():
        return None
    try:
        n = int(value.strip())
    except ValueError:
        return None
    return n if n >= 0 else None


Render = Callable[[str], bytes | None]


async def _catch_up(db: Database, queue_id: str, after: int) -> list[str]:
    async with db.sessionmaker() as s:
        return [e.payload for e in await queues.events_after(s, queue_id, after)]


async def _opening(db: Database, queue_id: str, last_id: int | None) -> tuple[list[str], int]:
    """The stored events after ``last_id``, or the current picture; and the sequence reached."""
    if last_id is not None:
        payloads = await _catch_up(db, queue_id, last_id)
        return payloads, (parsed(payloads[-1])["seq"] if payloads else last_id)
    async with db.sessionmaker() as s:
        last = await queues.last_event(s, queue_id)
        if last is not None:
            return [last.payload], last.seq
        fresh = await queues.get(s, queue_id)
        data = await events.picture(s, fresh, seq=0, kind="snapshot", number=None, now=utcnow())
    return [json.dumps(data, ensure_ascii=False, separators=(",", ":"))], 0


Write = Callable[[bytes], bool]


def chunk(frame: bytes) -> bytes:
    """``frame`` as one HTTP/1.1 chunk."""
    return b"%x\r\n%s\r\n" % (len(frame), frame)


@lru_cache(maxsize=128)
def shared_chunk(message: str) -> tuple[int, bytes]:
    """An event's sequence and its frame as one chunk, made once per event for every watcher of the queue."""
    return int(parsed(message)["seq"]), chunk(queue_frame(message))


async def queue_events(db: Database, broker: Broker, queue_id: str, last_id: int | None, render: Render,
                       on_subscribed: Callable[[Subscription], None] | None = None,
                       direct: Write | None = None) -> AsyncGenerator[bytes, None]:
    """The queue's events as SSE frames, rendered per watcher by ``render`` (None skips an event).

    It keeps only the queue's id while it streams (not the row: thousands of watchers each holding one add up).

    With ``direct`` (writes one already chunk-encoded frame straight to the connection, False when it cannot), the
    stream hands delivery to the broker while it is caught up: each next event is written at delivery, with no
    wake-up of this generator. Anything else (a gap, a lagged or slow connection, a refused write, the client gone)
    comes back here, in order.
    """
    if broker.fanout.watchers >= queue_settings().sse_max_watchers:
        raise DomainError(errors.TOO_MANY_WATCHERS)
    seen = 0
    shared = render is queue_frame  # the same bytes for every watcher: framed once per event

    def sink(message: str) -> bool:
        nonlocal seen
        assert direct is not None  # noqa: S101 - only parked with a writer
        try:
            if message == KEEPALIVE_SIGNAL:
                direct(KEEPALIVE_CHUNK)  # dropped when the connection is backed up: it has data waiting anyway
                return True
            if shared:
                seq, data = shared_chunk(message)
            else:
                seq, data = int(parsed(message)["seq"]), b""
            if seq <= seen:
                return True
            if seq != seen + 1:
                return False  # a gap: the stream reads it from the database
            if not shared:
                out = render(message)
                data = chunk(out) if out is not None else b""
            if data and not direct(data):
                return False
            seen = seq
            return True
        except Exception:  # the stream meets it again on its own path
            return False

    async with broker.subscribe(queue_channel(queue_id)) as sub:
        if on_subscribed is not None:
            on_subscribed(sub)
        yield b"retry: 3000\n\n"
        payloads, seen = await _opening(db, queue_id, last_id)
        for p in payloads:
            out = render(p)
            if out is not None:
                yield out
        while True:
            if direct is not None and sub.idle:
                await sub.park(sink)
                if sub.closed:
                    return
                if sub.idle:
                    continue
            message = await sub.queue.get()
            if sub.closed:
                return
            if message == KEEPALIVE_SIGNAL:
                yield KEEPALIVE
                continue
            seq = int(parsed(message)["seq"])
            if seq <= seen:
                continue
            batch = [message]
            if seq > seen + 1 or sub.lagged:
                # A gap (another worker's event not seen, or this watcher fell behind): read it from the database.
                sub.lagged = False
                while not sub.queue.empty():
                    sub.queue.get_nowait()
                batch = await _catch_up(db, queue_id, seen)
            for p in batch:
                out = render(p)
                if out is not None:
                    yield out
                seen = max(seen, int(parsed(p)["seq"]))


def entry_renderer(entry_id: str, number: int, status: str) -> Render:
    """A resident's view of the queue: only where this entry stands, never the other patients.

    An entry missing from a picture is ``done`` once it has been seen in the queue (or is done already), and
    ``pending`` in pictures older than its check-in (a replay from far back).
    """
    seen = {"in_queue": status == "done"}

    def render(message: str) -> bytes:
        data = parsed(message)
        view = events.entry_view(data, entry_id, number, gone_status="done" if seen["in_queue"] else "pending")
        if view.status in ("waiting", "called"):
            seen["in_queue"] = True
        return frame("entry", {**view.as_dict(), "seq": data["seq"], "type": data["type"]}, int(data["seq"]))

    return render


async def department_events(broker: Broker, department_id: str, opening: dict[str, Any],
                            on_subscribed: Callable[[Subscription], None] | None = None
                            ) -> AsyncGenerator[bytes, None]:
    """The waiting-room screen: the whole screen first, then each queue's new state (no personal data)."""
    if broker.fanout.watchers >= queue_settings().sse_max_watchers:
        raise DomainError(errors.TOO_MANY_WATCHERS)
    async with broker.subscribe(department_channel(department_id)) as sub:
        if on_subscribed is not None:
            on_subscribed(sub)
        yield b"retry: 3000\n\n"
        yield frame("screen", opening)
        while True:
            message = await sub.queue.get()
            if sub.closed:
                return
            if message == KEEPALIVE_SIGNAL:
                yield KEEPALIVE
            else:
                yield f"event: queue\ndata: {message}\n\n".encode()
