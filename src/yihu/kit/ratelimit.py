"""Fixed-window rate limits per account and per IP. In-process by default; Redis (``YIHU_REDIS_URL``) when
several API workers must share the counts. Losing the counters (a restart) is harmless."""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Protocol

from yihu.errors import DomainError, code

RATE_LIMITED = code("common.rate_limited", 429, "操作过于频繁，请{seconds}秒后再试。",
                    "Too many requests; try again in {seconds} seconds.")


class Counter(Protocol):
    async def hit(self, key: str, window: int) -> int: ...


class MemoryCounter:
    def __init__(self, max_keys: int = 100_000) -> None:
        self._buckets: OrderedDict[str, tuple[int, int]] = OrderedDict()
        self._max = max_keys

    async def hit(self, key: str, window: int) -> int:
        slot = int(time.time()) // window
        start, n = self._buckets.get(key, (slot, 0))
        n = n + 1 if start == slot else 1
        self._buckets[key] = (slot, n)
        self._buckets.move_to_end(key)
        while len(self._buckets) > self._max:
            self._buckets.popitem(last=False)
        return n


class RedisCounter:
    def __init__(self, url: str) -> None:
        import redis.asyncio as redis

        self._r = redis.from_url(url)

    async def hit(self, key: str, window: int) -> int:
        slot = int(time.time()) // window
        k = f"yihu:rl:{key}:{slot}"
        pipe = self._r.pipeline()
        pipe.incr(k)
        pipe.expire(k, window + 1)
        n, _ = await pipe.execute()
        return int(n)


async def check(counter: Counter, key: str, *, limit: int, window: int) -> None:
    if await counter.hit(key, window) > limit:
        raise DomainError(RATE_LIMITED, seconds=window - int(time.time()) % window)
