"""Publish/subscribe for live queue events: in-process (the embedded default) or Redis (several API workers).

Every process keeps one local fan-out: a watcher is a bounded buffer, so a slow reader never grows memory; it is
marked *lagged* instead and catches up from the database (the source of truth for replay). The Redis broker holds
one subscription per channel per process, whatever the number of local watchers.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any, Protocol

import structlog

log = structlog.get_logger(__name__)


Sink = Callable[[str], bool]


class Subscription:
    """One watcher: a bounded buffer of messages, or a *direct* sink while the watcher is caught up.

    A stream whose connection can be written synchronously parks on :meth:`park` with a sink: each message is then
    handed to the sink at delivery (no task wake-up per watcher). A sink that cannot take a message (a gap, a slow
    connection, the client gone) returns False: the stream leaves direct mode, the message goes to the buffer and
    the stream's task resumes with it, so order is kept. The buffer is made on first use.
    """

    __slots__ = ("_parked", "_queue", "channel", "closed", "lagged", "sink", "size")

    def __init__(self, channel: str, size: int) -> None:
        self.channel = channel
        self.size = size
        self._queue: asyncio.Queue[str] | None = None
        self.lagged = False
        self.closed = False
        self.sink: Sink | None = None
        self._parked: asyncio.Future[None] | None = None

    @property
    def queue(self) -> asyncio.Queue[str]:
        if self._queue is None:
            self._queue = asyncio.Queue(maxsize=self.size)
        return self._queue

    @property
    def idle(self) -> bool:
        """Nothing buffered and not behind: the stream may go direct."""
        return not self.lagged and not self.closed and (self._queue is None or self._queue.empty())

    async def park(self, sink: Sink) -> None:
        """Hand delivery to ``sink`` until it refuses a message or the client goes (the caller checks the buffer)."""
        self.sink = sink
        self._parked = asyncio.get_running_loop().create_future()
        try:
            await self._parked
        finally:
            self.sink = None
            self._parked = None

    def _unpark(self) -> None:
        self.sink = None
        if self._parked is not None and not self._parked.done():
            self._parked.set_result(None)

    def close(self, signal: str) -> None:
        """The watcher's client has gone: wake the stream so it ends (the flag holds even if the buffer is full)."""
        self.closed = True
        if self.sink is not None:
            self._unpark()
            return
        self.poke(signal)

    def offer(self, message: str) -> None:
        sink = self.sink
        if sink is not None:
            if sink(message):
                return
            self._unpark()
        try:
            self.queue.put_nowait(message)
        except asyncio.QueueFull:
            self.lagged = True

    def poke(self, signal: str) -> None:
        """A keep-alive tick or a close: dropped when the buffer is full (the watcher has work waiting anyway)."""
        sink = self.sink
        if sink is not None:
            if sink(signal):
                return
            self._unpark()
        if not self.queue.full():
            self.queue.put_nowait(signal)


class Fanout:
    """Channel → local watchers."""

    def __init__(self, buffer: int) -> None:
        self.buffer = buffer
        self.channels: dict[str, set[Subscription]] = {}
        self.busy: set[str] = set()  # channels with a delivery since the last keep-alive round

    def add(self, channel: str) -> tuple[Subscription, bool]:
        sub = Subscription(channel, self.buffer)
        subs = self.channels.setdefault(channel, set())
        subs.add(sub)
        return sub, len(subs) == 1

    def remove(self, sub: Subscription) -> bool:
        """True when the channel has no local watcher left."""
        subs = self.channels.get(sub.channel)
        if subs is None:
            return False
        subs.discard(sub)
        if not subs:
            del self.channels[sub.channel]
            return True
        return False

    def deliver(self, channel: str, message: str) -> int:
        subs = self.channels.get(channel)
        if not subs:
            return 0
        self.busy.add(channel)
        for s in tuple(subs):  # a refused direct write may end a stream, which leaves the set
            s.offer(message)
        return len(subs)

    def idle(self) -> list[Subscription]:
        """The watchers of channels with no delivery since the last call: those that need a keep-alive."""
        busy, self.busy = self.busy, set()
        return [s for channel, subs in self.channels.items() if channel not in busy for s in subs]

    def poke_all(self, signal: str) -> None:
        for s in self.idle():
            s.poke(signal)

    @property
    def watchers(self) -> int:
        return sum(len(s) for s in self.channels.values())


class Broker(Protocol):
    fanout: Fanout

    async def publish(self, channel: str, message: str) -> None: ...

    def subscribe(self, channel: str) -> contextlib.AbstractAsyncContextManager[Subscription]: ...

    async def close(self) -> None: ...


class InProcessBroker:
    """The embedded default: one process, no network."""

    def __init__(self, buffer: int = 64) -> None:
        self.fanout = Fanout(buffer)

    async def publish(self, channel: str, message: str) -> None:
        self.fanout.deliver(channel, message)

    @contextlib.asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[Subscription]:
        sub, _ = self.fanout.add(channel)
        try:
            yield sub
        finally:
            self.fanout.remove(sub)

    async def close(self) -> None:
        self.fanout.channels.clear()


class RedisBroker:
    """Redis PUBLISH/SUBSCRIBE between processes; a message published anywhere reaches every process's watchers."""

    PREFIX = "yihu:queue:"

    def __init__(self, url: str, buffer: int = 64) -> None:
        import redis.asyncio as redis

        self.fanout = Fanout(buffer)
        self.client: Any = redis.Redis.from_url(url)
        self.pubsub: Any = self.client.pubsub()
        self._reader: asyncio.Task[None] | None = None
        self._confirm: dict[str, list[asyncio.Future[None]]] = {}
        self._lock = asyncio.Lock()

    async def publish(self, channel: str, message: str) -> None:
        await self.client.publish(self.PREFIX + channel, message)

    async def _read(self) -> None:
        while True:
            try:
                msg = await self.pubsub.get_message(timeout=1.0)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # a dropped connection: redis-py reconnects and resubscribes
                log.warning("queue.redis_read_failed", error=type(exc).__name__)
                await asyncio.sleep(0.5)
                continue
            if msg is None:
                continue
            channel = msg["channel"].decode()[len(self.PREFIX):]
            if msg["type"] == "message":
                self.fanout.deliver(channel, msg["data"].decode())
            elif msg["type"] == "subscribe":
                for fut in self._confirm.pop(channel, []):
                    if not fut.done():
                        fut.set_result(None)

    @contextlib.asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[Subscription]:
        sub, first = self.fanout.add(channel)
        try:
            if first:
                # Wait for Redis to confirm, so that nothing published after this returns is missed.
                fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
                self._confirm.setdefault(channel, []).append(fut)
                async with self._lock:
                    await self.pubsub.subscribe(self.PREFIX + channel)
                    if self._reader is None or self._reader.done():
                        self._reader = asyncio.get_running_loop().create_task(self._read())
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(asyncio.shield(fut), 2.0)
            yield sub
        finally:
            if self.fanout.remove(sub):
                async with self._lock:
                    with contextlib.suppress(Exception):
                        await self.pubsub.unsubscribe(self.PREFIX + channel)

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(BaseException):
                await self._reader
        await self.pubsub.aclose()
        await self.client.aclose()


def make_broker(redis_url: str, buffer: int) -> Broker:
    return RedisBroker(redis_url, buffer) if redis_url else InProcessBroker(buffer)
