"""A small Server-Sent Events reader for the live tests."""

from __future__ import annotations

import asyncio
import json
import socket
from dataclasses import dataclass
from typing import Any

import httpx


@dataclass
class Event:
    id: int | None
    event: str
    data: dict[str, Any]


def event_of(lines: list[str]) -> Event | None:
    """The event of one block of SSE lines (None for a block without data: a comment or the retry line)."""
    ev_id, name, data = None, "message", ""
    for line in lines:
        field, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if field == "id":
            ev_id = int(value)
        elif field == "event":
            name = value
        elif field == "data":
            data += value
    return Event(ev_id, name, json.loads(data)) if data else None


class Reader:
    def __init__(self, response: httpx.Response) -> None:
        self.lines = response.aiter_lines()
        self.comments: list[str] = []

    async def next(self, timeout: float = 5.0) -> Event:
        return await asyncio.wait_for(self._next(), timeout)

    async def _next(self) -> Event:
        block: list[str] = []
        async for line in self.lines:
            if line.startswith(":"):
                self.comments.append(line)
            elif line:
                block.append(line)
            elif (event := event_of(block)) is not None:
                return event
            else:
                block = []
        raise EOFError("stream closed")

    async def take(self, n: int, timeout: float = 5.0) -> list[Event]:
        return [await self.next(timeout) for _ in range(n)]


class RawWatcher:
    """One SSE connection on a bare socket: HTTP/1.1 chunked decoding by hand, so a test decides when it reads.

    ``rcvbuf`` shrinks the socket's receive buffer (before connecting) and the reader buffers little, so a watcher
    that does not read backs the server's connection up quickly.
    """

    def __init__(self) -> None:
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.raw = b""
        self.text = b""
        self.events: list[Event] = []

    async def open(self, port: int, path: str, *, rcvbuf: int | None = None) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        sock.setblocking(False)
        await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", port))
        self.reader, self.writer = await asyncio.open_connection(sock=sock, limit=1024 if rcvbuf else 1 << 16)
        self.writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n".encode())
        await self.writer.drain()
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = head.split(b"\r\n", 1)[0]
        if b" 200 " not in status or b"transfer-encoding: chunked" not in head.lower():
            raise AssertionError(head.decode())

    async def until(self, event_id: int, timeout: float = 10.0) -> list[Event]:
        """Read until the event ``event_id`` has arrived; every event read so far (in arrival order)."""
        await asyncio.wait_for(self._until(event_id), timeout)
        return self.events

    async def until_any(self, timeout: float = 10.0) -> Event:
        """The next event not read yet."""
        seen = len(self.events)
        await asyncio.wait_for(self._more(seen), timeout)
        return self.events[seen]

    async def _more(self, seen: int) -> None:
        await self._read_while(lambda: len(self.events) <= seen)

    async def _until(self, event_id: int) -> None:
        await self._read_while(lambda: not any(e.id == event_id for e in self.events[-1:]))

    async def _read_while(self, wanting: Any) -> None:
        assert self.reader is not None
        while wanting():
            data = await self.reader.read(1 << 16)
            if not data:
                raise EOFError("stream closed")
            self.raw += data
            self._decode()

    def _decode(self) -> None:
        while (eol := self.raw.find(b"\r\n")) >= 0:
            size = int(self.raw[:eol], 16)
            if len(self.raw) < eol + 2 + size + 2:
                break
            self.text += self.raw[eol + 2:eol + 2 + size]
            self.raw = self.raw[eol + 2 + size + 2:]
        while (end := self.text.find(b"\n\n")) >= 0:
            block, self.text = self.text[:end].decode(), self.text[end + 2:]
            if (event := event_of(block.split("\n"))) is not None:
                self.events.append(event)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
