"""Live queue push: 5,000 SSE watchers on one queue; p50/p99 from "call next" to delivery at the watchers, and the
API process's memory per watcher.

    YIHU_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1/yihu_bench_queue python bench/queue_push.py

Every watcher is a bare asyncio protocol that notes when each event's bytes arrive (no task per watcher: the bench
client shares the cores with the server, and 5,000 reader tasks had been part of what was measured); the bench only
waits for the board to fill. Latency runs from just before the call-next request is sent to the moment a watcher's
bytes for that event are received; a watcher that never gets an event counts as missing.

The figures include each round's last delivery and the share of the cores used by the API, by this client and by
everything else during the rounds (the client shares the machine with the server, and often with other work).

Options: --watchers 5000 --rounds 20 --warmup 1 --waiting 60 (the warm-up rounds come first and are reported apart:
a fresh process's first call-next compiles its statements). Everything runs on 127.0.0.1; the server is started and stopped
here, every wait is bounded. The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import cast

import httpx
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1/yihu_bench_queue"
HOST = "127.0.0.1"


def log(msg: str) -> None:
    print(msg, flush=True)


async def recreate(url: str) -> None:
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        Path(str(u.database)).unlink(missing_ok=True)
        return
    admin = create_async_engine(u.set(database="postgres"), isolation_level="AUTOCOMMIT")
    async with admin.connect() as c:
        await c.execute(text(f'DROP DATABASE IF EXISTS "{u.database}" WITH (FORCE)'))
        await c.execute(text(f'CREATE DATABASE "{u.database}"'))
    await admin.dispose()


async def seed(url: str, waiting: int) -> dict[str, str]:
    """A doctor's clinic today with ``waiting`` patients checked in; the doctor's token and the queue."""
    from yihu.auth import passwords, tokens
    from yihu.auth.service import actor_of, new_account
    from yihu.config import get_settings
    from yihu.db import Database, commit
    from yihu.kit import clock
    from yihu.queueing import service
    from yihu.registry import directory
    from yihu.registry.idcard import make, parse
    from yihu.registry.patients import new_patient
    from yihu.scheduling import booking, schedules

    db = Database(get_settings(), url)
    async with db.sessionmaker() as s:
        inst = await directory.create_institution(s, directory.InstitutionInput(
            code="BENCH-Q1", name="压测医院", kind="tertiary_a", latitude=30.76, longitude=120.73))
        dep = await directory.create_department(s, inst.id, "03")
        doc = await directory.create_practitioner(s, inst.id, directory.PractitionerInput(
            name="叫号医生", sex="male", kind="doctor", licence_no="BENCHQ000001", title="chief_physician",
            practice_start=date(2005, 1, 1), department_id=dep.id))
        now = clock.now()
        today = clock.local_date(now)
        sched = await schedules.create(s, inst.id, schedules.ScheduleInput(
            kind="doctor", name="叫号压测门诊", fee_fen=0, slot_minutes=5, department_id=dep.id,
            practitioner_id=doc.id, capacity_per_slot=waiting, sessions=[schedules.SessionInput(
                weekday=today.weekday(), period="morning", start="08:00", end="08:05")]))
        await schedules.generate(s, sched, today, today)
        rows, _ = await schedules.search_slots(s, schedules.SlotQuery(schedule_id=sched.id))
        slot = rows[0][0]
        slot.start_at, slot.end_at, slot.release_at = now + timedelta(minutes=30), now + timedelta(minutes=35), now
        pw = passwords.hash_password("Bench2026ok")
        doctor = new_account(phone="13600000001", password_hash=pw, role="doctor", display_name="叫号医生",
                             institution_id=inst.id, practitioner_id=doc.id)
        s.add(doctor)
        for i in range(waiting):
            p = new_patient(name=f"候诊{i}", idn=parse(make("330411", date(1950 + i % 50, 3, 1), i * 2 + 1)),
                            phone=None)
            s.add(p)
            await s.flush()
            appt = await booking.book(s, booking.BookingRequest(slot_id=slot.id, patient_id=p.id, account_id=None,
                                                                channel="kiosk"))
            change = await service.check_in(s, appt, channel="kiosk")
        await commit(s)
        out = {"token": tokens.access_token(actor_of(doctor)), "queue_id": change.queue.id}
    await db.dispose()
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def start_server(url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "YIHU_DATABASE_URL": url, "YIHU_INLINE_DELIVERY": "false", "YIHU_LOG_JSON": "true",
           "YIHU_QUEUE_SSE_KEEPALIVE_SECONDS": "15", "YIHU_QUEUE_NOTIFY_AHEAD": "-1"}
    if workers > 1:  # several processes: events reach every process's watchers through Redis, as deployed
        env.setdefault("YIHU_REDIS_URL", "redis://127.0.0.1:6379/0")
    return subprocess.Popen([sys.executable, "-m", "yihu.cli", "serve", "--host", HOST, "--port", str(port),
                             "--workers", str(workers)], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)


def processes(root: int) -> list[int]:
    """The server's processes: uvicorn's supervisor and its workers (or the one process with one worker)."""
    out, i = [root], 0
    while i < len(out):
        with contextlib.suppress(OSError):
            out += [int(k) for k in Path(f"/proc/{out[i]}/task/{out[i]}/children").read_text().split()]
        i += 1
    return out


def rss_kib(pid: int, field: str = "VmRSS:") -> int:
    """The sum over the server's processes (VmRSS), or the largest of them (VmHWM: each process's peak)."""
    values = []
    for p in processes(pid):
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith(field):
                    values.append(int(line.split()[1]))
    return (max(values, default=0) if field == "VmHWM:" else sum(values))


def cpu_ticks(pid: int) -> tuple[float, int, int, int]:
    """Now, the machine's busy ticks, the API processes' ticks and this process's ticks."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    busy = sum(fields) - fields[3] - fields[4]  # all but idle and iowait

    def own(p: int | str) -> int:
        try:
            stat = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0
        return int(stat[11]) + int(stat[12])  # utime + stime

    return time.monotonic(), busy, sum(own(p) for p in processes(pid)), own("self")


def cpu_share(before: tuple[float, int, int, int], after: tuple[float, int, int, int]) -> dict[str, float]:
    """Share of the machine's cores used by the API, by this client and by everything else (PostgreSQL included)."""
    total = (after[0] - before[0]) * os.sysconf("SC_CLK_TCK") * (os.cpu_count() or 1)
    api, client = after[2] - before[2], after[3] - before[3]
    other = after[1] - before[1] - api - client
    return {k: round(v / total, 2) for k, v in (("api", api), ("client", client), ("other", other))}


async def wait_ready(base: str) -> None:
    async with httpx.AsyncClient() as c:
        for _ in range(300):
            try:
                if (await c.get(f"{base}/healthz")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError("server did not start")


class Watcher(asyncio.Protocol):
    """One SSE connection as a bare asyncio protocol: no task per watcher, arrivals noted as bytes come in.

    It still speaks HTTP/1.1 (the status line, chunked transfer coding) and parses each SSE event's ``id`` and
    ``event`` lines; an event counts when its blank line has arrived, at the time its last bytes were received.
    """

    def __init__(self, board: Board) -> None:
        self.board = board
        self.transport: asyncio.Transport | None = None
        self.head: bytes | None = b""  # the response head until it is complete, then None
        self.raw = b""  # received, not yet de-chunked
        self.text = b""  # de-chunked SSE text, not yet a complete event
        self.opened: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.lost: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's transports are not registered subclasses

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.opened.done():
            self.opened.set_exception(exc or ConnectionError("closed before the opening event"))
        if not self.lost.done():
            self.lost.set_result(None)

    def data_received(self, data: bytes) -> None:
        at = time.perf_counter()
        if self.head is not None:
            self.head += data
            end = self.head.find(b"\r\n\r\n")
            if end < 0:
                return
            status, rest = self.head[:end], self.head[end + 4:]
            self.head = None
            if b" 200 " not in status.split(b"\r\n", 1)[0] or b"transfer-encoding: chunked" not in status.lower():
                self.opened.set_exception(RuntimeError(status.split(b"\r\n", 1)[0].decode()))
                self.close()
                return
            data = rest
        raw = self.raw + data if self.raw else data
        pos, n = 0, len(raw)
        while (eol := raw.find(b"\r\n", pos, pos + 18)) >= 0:  # one chunk: its size line, its data, CRLF
            start = eol + 2
            end = start + int(raw[pos:eol], 16)
            if n < end + 2:
                break
            if self.text:  # an event split across chunks (the server sends whole ones; a client must not care)
                buf, s, e = self.text + raw[start:end], 0, len(self.text) + end - start
            else:
                buf, s, e = raw, start, end
            done = self.events(buf, s, e, at)
            self.text = buf[done:e] if done < e else b""
            pos = end + 2
        self.raw = raw[pos:] if pos < n else b""

    def events(self, buf: bytes, pos: int, end: int, at: float) -> int:
        """The complete events in ``buf[pos:end]``, line by line without copying; the offset after the last one."""
        seq, has_data, done = -1, False, pos
        while (eol := buf.find(b"\n", pos, end)) >= 0:  # one byte: memchr, where b"\n\n" would not be
            if eol == pos:  # a blank line ends an event
                if has_data and not self.opened.done():
                    self.opened.set_result(None)  # the opening picture: not a measured delivery
                elif has_data:
                    self.board.arrived(seq, at)
                seq, has_data = -1, False  # without data: a keep-alive comment or the retry line
                done = eol + 1
            elif buf.startswith(b"id: ", pos, eol):
                seq = int(buf[pos + 4:eol])
            elif buf.startswith(b"data: ", pos, eol):
                has_data = True  # the payload is not parsed: the bench measures the server, not JSON decoding
            pos = eol + 1
        return done

    async def open(self, port: int, path: str) -> None:
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_connection(lambda: self, HOST, port)
        self.transport = transport
        transport.write(f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\nAccept: text/event-stream\r\n\r\n".encode())
        await self.opened

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


class Board:
    """Arrival times per event id, and a wake-up when every watcher has seen the awaited id."""

    def __init__(self, watchers: int) -> None:
        self.watchers = watchers
        self.times: dict[int, list[float]] = {}
        self.want = -1
        self.done = asyncio.Event()

    def arrived(self, seq: int, at: float) -> None:
        got = self.times.setdefault(seq, [])
        got.append(at)
        if seq == self.want and len(got) >= self.watchers:
            self.done.set()

    async def wait(self, seq: int, timeout: float) -> list[float]:
        self.want = seq
        if len(self.times.get(seq, [])) < self.watchers:
            self.done.clear()
            with contextlib.suppress(TimeoutError):  # a watcher that never got it counts as missing
                await asyncio.wait_for(self.done.wait(), timeout)
        return self.times.get(seq, [])


async def bench(port: int, pid: int, info: dict[str, str], watchers_n: int, rounds: int,
                warmup: int = 1) -> dict[str, object]:
    base = f"http://{HOST}:{port}"
    qid = info["queue_id"]
    auth = {"Authorization": f"Bearer {info['token']}"}
    async with httpx.AsyncClient(base_url=base, headers=auth, timeout=30) as http:
        token = (await http.post(f"/api/v1/queues/{qid}/stream-token")).json()["token"]
        path = f"/api/v1/queues/{qid}/events?token={token}"
        warm = Watcher(Board(1))
        await asyncio.wait_for(warm.open(port, path), 30)  # modules loaded and pools warm before the baseline
        warm.close()
        await asyncio.sleep(1.0)
        base_rss = rss_kib(pid)
        board = Board(watchers_n)
        watchers = [Watcher(board) for _ in range(watchers_n)]
        started = time.perf_counter()
        sem = asyncio.Semaphore(200)

        async def open_one(w: Watcher) -> bool:
            async with sem:
                try:
                    await asyncio.wait_for(w.open(port, path), 30)
                    return True
                except Exception:  # counted below
                    return False

        ok = await asyncio.gather(*[open_one(w) for w in watchers])
        live = [w for w, good in zip(watchers, ok, strict=True) if good]
        log(f"connected {len(live)}/{watchers_n} watchers in {time.perf_counter() - started:.1f} s")
        await asyncio.sleep(2.0)
        with_rss = rss_kib(pid)
        per_watcher_kib = (with_rss - base_rss) / max(1, len(live))
        log(f"API RSS {base_rss / 1024:.1f} MB → {with_rss / 1024:.1f} MB: {per_watcher_kib:.1f} KiB per watcher")

        samples: list[float] = []
        request_ms: list[float] = []
        round_max: list[float] = []  # the last delivery of each round: a slow round says the cores were busy
        cpu_before = cpu_ticks(pid)
        missing = 0
        board.watchers = len(live)
        warmup_ms: list[float] = []
        for i in range(-warmup, rounds):
            t0 = time.perf_counter()
            r = await http.post(f"/api/v1/queues/{qid}/call-next")
            if r.status_code != 200:
                raise RuntimeError(f"call-next: {r.status_code} {r.text[:200]}")
            seq = int(r.json()["last_event_id"])
            got = await board.wait(seq, 20)
            if i < 0:  # a first call-next in a fresh process compiles its statements: not what a clinic sees
                warmup_ms.append(round((max(got) - t0) * 1000, 1) if got else float("nan"))
                fin = await http.post(f"/api/v1/queues/{qid}/finish")
                await board.wait(int(fin.json()["last_event_id"]), 20)
                continue
            request_ms.append((time.perf_counter() - t0) * 1000)
            missing += len(live) - len(got)
            samples.extend((at - t0) * 1000 for at in got)
            round_max.append(round((max(got) - t0) * 1000, 1) if got else float("nan"))
            fin = await http.post(f"/api/v1/queues/{qid}/finish")
            await board.wait(int(fin.json()["last_event_id"]), 20)
            if i % 5 == 4:
                log(f"round {i + 1}/{rounds}: p99 so far {percentile(samples, 99):.1f} ms")
        for w in live:
            w.close()
    return {"watchers": watchers_n, "api_processes": len(processes(pid)), "connected": len(live), "rounds": rounds, "deliveries": len(samples),
            "missing": missing, "p50_ms": round(percentile(samples, 50), 1), "p99_ms": round(percentile(samples, 99), 1),
            "max_ms": round(max(samples), 1) if samples else None,
            "call_next_request_p50_ms": round(percentile(request_ms, 50), 1), "rss_base_mb": round(base_rss / 1024, 1),
            "rss_watchers_mb": round(with_rss / 1024, 1), "kib_per_watcher": round(per_watcher_kib, 1),
            "peak_rss_mb": round(rss_kib(pid, "VmHWM:") / 1024, 1), "round_max_ms": round_max,
            "cpu_share_during_rounds": cpu_share(cpu_before, cpu_ticks(pid)), "warmup_rounds_max_ms": warmup_ms}


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1] if p < 100 else max(values)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--watchers", type=int, default=5000)
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--waiting", type=int, default=60)
    ap.add_argument("--warmup", type=int, default=1, help="unmeasured rounds first (reported apart)")
    ap.add_argument("--workers", type=int, default=1, help="API processes (more than one: fan-out through Redis)")
    args = ap.parse_args()
    args.watchers = max(1, min(args.watchers, 15000))
    args.waiting = max(args.rounds + args.warmup, args.waiting)
    url = os.environ.get("YIHU_DATABASE_URL", DEFAULT_URL)
    asyncio.run(recreate(url))
    from yihu import migrate

    migrate.upgrade(url)  # Alembic runs its own event loop
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    out = asyncio.run(run(url, args))
    log(f"call next → delivery at {out['connected']} watchers: p50 {out['p50_ms']} ms, p99 {out['p99_ms']} ms "
        f"(goal ≤ 100 ms); {out['kib_per_watcher']} KiB per watcher (goal ≤ 50); API peak RSS {out['peak_rss_mb']} MB")
    print(json.dumps(out), flush=True)


async def run(url: str, args: argparse.Namespace) -> dict[str, object]:
    info = await seed(url, args.waiting)
    port = free_port()
    server = start_server(url, port, args.workers)
    try:
        await wait_ready(f"http://{HOST}:{port}")
        out = await asyncio.wait_for(bench(port, server.pid, info, args.watchers, args.rounds, args.warmup), 900)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
    return out


if __name__ == "__main__":
    main()
