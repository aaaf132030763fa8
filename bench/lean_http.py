"""A lean HTTP/1.1 keep-alive client for the benchmarks: one connection per simulated client, requests written as
bytes and answers read by Content-Length, so the load generator costs a small fraction of what the server spends
(httpx costs about as much CPU per request as the server on a 2-core machine, and that CPU was taken from the
server under test). pgbench, the reference, is a C client: this keeps the comparison about the server.

Only what the benchmarks send is supported: JSON bodies, answers with a Content-Length (no chunked answers).
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class Connection:
    """One keep-alive connection; requests on it go one after another (like one browser tab)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def _open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self.reader is None or self.writer is None or self.writer.is_closing():
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        return self.reader, self.writer

    async def post_json(self, path: str, payload: Any, headers: dict[str, str]) -> Answer:
        body = json.dumps(payload, separators=(",", ":")).encode()
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        raw = (f"POST {path} HTTP/1.1\r\nHost: {self.host}\r\nContent-Type: application/json\r\n"
               f"Content-Length: {len(body)}\r\n{head}\r\n").encode() + body
        return await self._exchange(raw)

    async def _exchange(self, raw: bytes) -> Answer:
        for attempt in (1, 2):  # a keep-alive connection the server closed meanwhile is opened again once
            reader, writer = await self._open()
            try:
                writer.write(raw)
                head = await reader.readuntil(b"\r\n\r\n")
            except (ConnectionError, asyncio.IncompleteReadError):
                self.close()
                if attempt == 2:
                    raise
                continue
            status = int(head[9:12])
            length = 0
            close = False
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                name = name.strip().lower()
                if name == b"content-length":
                    length = int(value)
                elif name == b"connection" and value.strip().lower() == b"close":
                    close = True
            body = await reader.readexactly(length) if length else b""
            if close:
                self.close()
            return Answer(status, body)
        raise ConnectionError("unreachable")

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None
