"""A small Server-Sent Events reader for the live tests."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

import httpx


@dataclass
class Event:
    id: int | None
    event: str
    data: dict[str, Any]


class Reader:
    def __init__(self, response: httpx.Response) -> None:
        self.lines = response.aiter_lines()
        self.comments: list[str] = []

    async def next(self, timeout: float = 5.0) -> Event:
        return await asyncio.wait_for(self._next(), timeout)

    async def _next(self) -> Event:
        ev_id, name, data = None, "message", ""
        async for line in self.lines:
            if line == "":
                if data:
                    return Event(ev_id, name, json.loads(data))
                continue
            if line.startswith(":"):
                self.comments.append(line)
                continue
            field, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if field == "id":
                ev_id = int(value)
            elif field == "event":
                name = value
            elif field == "data":
                data += value
        raise EOFError("stream closed")

    async def take(self, n: int, timeout: float = 5.0) -> list[Event]:
        return [await self.next(timeout) for _ in range(n)]
