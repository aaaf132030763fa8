"""Publish/subscribe for live queue events: in-process (the embedded default) or Redis (several API workers).

Every process keeps one local fan-out: a watcher is a bounded buffer, so a slow reader never grows memory; it is
marked *lagged* instead and catches up from the database (the source of truth for replay). The Redis broker holds
one subscription per channel per process, whatever the number of local watchers.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any, Protocol

import structlog

log = structlog.get_logger(__name__)


class Subscription:
    """One watcher's bounded buffer of messages."""

    __slots__ = ("channel", "closed", "lagged", "queue")

    def __init__(self, channel: str, size: int) -> None:
        self.channel = channel
        self.queue: asyncio.Queue[str] = asyncio.Queue(maxsize=size)
        self.lagged = False
        self.closed = False

    def close(self, signal: str) -> None:
        """The watcher's client has gone: wake the stream so it ends (the flag holds even if the buffer is full)."""
        self.closed = True
        self.poke(signal)

    def offer(self, message: str) -> None:
        try:
            self.queue.put_nowait(message)
        except asyncio.QueueFull:
            self.lagged = True

    def poke(self, signal: str) -> None:
        """A keep-alive tick or a close: dropped when the buffer is full (the watcher has work waiting anyway)."""
        if not self.queue.full():
            self.queue.put_nowait(signal)


class Fanout:
    """Channel → local watchers."""

    def __init__(self, buffer: int) -> None:
        self.buffer = buffer
        self.channels: dict[str, set[Subscription]] = {}

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
        for s in subs:
            s.offer(message)
        return len(subs)

    def poke_all(self, signal: str) -> None:
        for subs in self.channels.values():
            for s in subs:
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
