"""Booking rush on PostgreSQL: 2,000 residents grab 50 expert slots released at one instant, then sustained
booking across 1,000 schedules. Compared with pgbench running the same booking SQL in the same run.

    YIHU_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1/yihu_bench python bench/booking_rush.py

The reference is the SQL one real booking sends: before the server starts, one booking goes through the
application in this process while its statements are recorded (bench/booking_sql.py); pgbench replays them,
transaction for transaction, in prepared mode (saved in var/bench/booking.pgbench.sql). pgbench of the slot update
and appointment insert alone is printed beside it. The load client is a lean keep-alive HTTP/1.1 client
(bench/lean_http.py) and the CPU per request of the API, PostgreSQL and the client are measured during the
sustained phase, so what bounds the ratio is visible.

The sustained phase and pgbench take turns (``--rounds``, 3 by default: 5 s of each, three times, the server kept
running), so that a shared machine whose speed drifts over a minute slows both sides alike; each round's ratio is
printed too. pgbench's rows (ids ``n<number>``) are left out of the overbooking and duplicate checks.

Options: --residents 2000 --rush-slots 50 --schedules 1000 --sustain-seconds 15 --pgbench-seconds 15 --rounds 3
--workers 2 --concurrency 64. The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import resource
import signal
import subprocess
import sys
import time
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from booking_sql import Recording, Variation, book_once, pgbench_script, record_booking  # noqa: E402
from lean_http import Answer, Connection  # noqa: E402

DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1/yihu_bench"


def log(msg: str) -> None:
    print(msg, flush=True)


async def recreate(url: str) -> None:
    u = make_url(url)
    admin = create_async_engine(u.set(database="postgres"), isolation_level="AUTOCOMMIT")
    async with admin.connect() as c:
        await c.execute(text(f'DROP DATABASE IF EXISTS "{u.database}" WITH (FORCE)'))
        await c.execute(text(f'CREATE DATABASE "{u.database}"'))
    await admin.dispose()


async def seed(url: str, residents: int, rush_slots: int, schedules_n: int, release_in: float) -> dict[str, object]:
    """Institution, doctors, schedules, slots and residents, inserted in bulk."""
    from yihu.auth import passwords, tokens
    from yihu.auth.service import actor_of, new_account
    from yihu.config import get_settings
    from yihu.db import Database, commit
    from yihu.kit import clock
    from yihu.registry import directory
    from yihu.registry.idcard import make, parse
    from yihu.registry.models import Practitioner
    from yihu.registry.patients import new_patient
    from yihu.scheduling.models import Schedule, ScheduleSession, Slot

    db = Database(get_settings(), url)
    out: dict[str, object] = {}
    async with db.sessionmaker() as s:
        inst = await directory.create_institution(s, directory.InstitutionInput(
            code="BENCH-H1", name="压测医院", kind="tertiary_a", latitude=30.76, longitude=120.73))
        dep = await directory.create_department(s, inst.id, "03")
        doctors = []
        for i in range(schedules_n + 1):
            doctors.append(Practitioner(
                name=f"医生{i}", sex="male", kind="doctor", licence_no=f"BENCH{i:06d}", title="chief_physician",
                practice_start=clock.local_date(clock.now()) - timedelta(days=5000),
                registered_institution_id=inst.id))
        s.add_all(doctors)
        await s.flush()
        day = clock.local_date(clock.now()) + timedelta(days=1)
        start = clock.at_local(day, clock.parse_hhmm("08:00"))
        release_now = clock.now() - timedelta(seconds=1)
        release_rush = clock.now() + timedelta(seconds=release_in)
        scheds, slots, sessions = [], [], []
        for i, doc in enumerate(doctors):
            rush = i == 0
            sc = Schedule(id=str(uuid.uuid4()), institution_id=inst.id, department_id=dep.id,
                          practitioner_id=doc.id, kind="doctor", name=f"{doc.name}门诊",
                          slot_class="expert" if rush else "general", fee_fen=5000 if rush else 1000,
                          slot_minutes=10, capacity_per_slot=1 if rush else 1000, onsite_per_slot=0,
                          release_days_ahead=1, release_time="08:00", window_days=7, direct_booking=True,
                          preparation="", active=True)
            scheds.append(sc)
            sessions.append(ScheduleSession(schedule_id=sc.id, weekday=day.weekday(), period="morning",
                                            start="08:00", end="12:00"))
            n = rush_slots if rush else 4
            for k in range(n):
                sid = str(uuid.uuid4()) if rush else f"bs-{len(slots) - rush_slots + 1}"
                at = start + timedelta(minutes=(k % 24) * 10)
                if rush:
                    at = start + timedelta(minutes=k * 4)
                slots.append(Slot(id=sid, schedule_id=sc.id, institution_id=inst.id, day=day,
                                  period="morning", start_at=at, end_at=at + timedelta(minutes=10),
                                  release_at=release_rush if rush else release_now,
                                  capacity=sc.capacity_per_slot, onsite=0, booked=0, status="open"))
        s.add_all(scheds)
        s.add_all(sessions)
        s.add_all(slots)
        await s.flush()
        pw = passwords.hash_password("Bench2026ok")
        accounts = []
        for i in range(residents):
            idn = parse(make("330411", date(1950 + i % 50, 3, 1), (i // 50) * 2 + 1))
            # Predictable ids (bp-1, ba-1, bs-1 ...) let the pgbench reference pick patients and slots at random.
            p = new_patient(name=f"居民{i}", idn=idn, phone=None, row_id=f"bp-{i + 1}")
            s.add(p)
            accounts.append(new_account(phone=f"137{i:08d}", password_hash=pw, role="resident",
                                        display_name=p.name, patient_id=p.id, row_id=f"ba-{i + 1}"))
        await s.flush()  # patients before the accounts that refer to them
        s.add_all(accounts)
        await commit(s)
        out["tokens"] = [(tokens.access_token(actor_of(a)), a.patient_id) for a in accounts]
        out["rush_slots"] = [sl.id for sl in slots if sl.schedule_id == scheds[0].id]
        out["sustain_slots"] = [sl.id for sl in slots if sl.schedule_id != scheds[0].id]
        out["release_at"] = release_rush.timestamp()
    await db.dispose()
    return out


# The rate limits are lifted (every simulated resident books from 127.0.0.1); everything else is as deployed.
SERVER_ENV = {"YIHU_BOOKING_RATE_PER_IP": "100000000", "YIHU_BOOKING_RATE_PER_ACCOUNT": "100000000",
              "YIHU_BOOKING_MAX_OPEN": "100000", "YIHU_DB_POOL_SIZE": "12", "YIHU_INLINE_DELIVERY": "false",
              "YIHU_LOG_JSON": "true"}


def start_server(url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "YIHU_DATABASE_URL": url, **SERVER_ENV}
    return subprocess.Popen([sys.executable, "-m", "yihu.cli", "serve", "--port", str(port), "--workers",
                             str(workers)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)


def peak_rss_mb(root_pid: int) -> list[float]:
    """VmHWM of every process in the server's tree (uvicorn's manager and its workers)."""
    pids, out = [root_pid], []
    seen = set()
    while pids:
        pid = pids.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                out.append(round(int(line.split()[1]) / 1024, 1))
        pids.extend(int(k) for k in kids)
    return out


async def wait_ready(base: str) -> None:
    async with httpx.AsyncClient() as c:
        for _ in range(200):
            try:
                if (await c.get(f"{base}/healthz")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError("server did not start")


class Pool:
    """``size`` keep-alive connections shared by any number of simulated residents (a browser's pool)."""

    def __init__(self, port: int, size: int) -> None:
        self.free: asyncio.Queue[Connection] = asyncio.Queue()
        for _ in range(size):
            self.free.put_nowait(Connection("127.0.0.1", port))

    async def book(self, token: str, patient: str, slot: str) -> Answer:
        conn = await self.free.get()
        try:
            return await conn.post_json("/api/v1/appointments", {"slot_id": slot, "patient_id": patient},
                                        {"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex})
        finally:
            self.free.put_nowait(conn)

    def close(self) -> None:
        while not self.free.empty():
            self.free.get_nowait().close()


async def rush(port: int, data: dict[str, object], concurrency: int) -> dict[str, object]:
    tokens: list[tuple[str, str]] = data["tokens"]  # type: ignore[assignment]
    slots: list[str] = list(data["rush_slots"])  # type: ignore[arg-type]
    release_at = float(data["release_at"])  # type: ignore[arg-type]
    taken: set[str] = set()
    acked: list[tuple[str, str]] = []
    lat: list[float] = []
    pool = Pool(port, concurrency)
    await asyncio.sleep(max(0.0, release_at - time.time()))

    async def resident(tok: str, patient: str) -> None:
        rnd = random.Random(patient)
        while True:
            free = [s for s in slots if s not in taken]
            if not free:
                return
            slot = rnd.choice(free)
            t0 = time.perf_counter()  # the tap: waiting for a connection counts in the latency
            r = await pool.book(tok, patient, slot)
            lat.append((time.perf_counter() - t0) * 1000)
            code = r.json().get("code") if r.status == 409 else None
            if r.status == 201:
                acked.append((patient, slot))
                taken.add(slot)
                return
            if code == "booking.slot_taken":
                taken.add(slot)
                continue
            if code == "booking.one_per_doctor_per_day":
                return
            if code == "booking.not_released":
                await asyncio.sleep(0.05)
                continue
            raise RuntimeError(f"unexpected {r.status} {r.body[:200]!r}")

    t0 = time.perf_counter()
    try:
        await asyncio.gather(*[resident(t, p) for t, p in tokens])
    finally:
        pool.close()
    return {"acked": acked, "seconds": time.perf_counter() - t0, "requests": len(lat), "lat": lat}


def cpu_by_pid(pids: list[int]) -> dict[int, float]:
    """User + system CPU seconds of each of these processes still running."""
    out = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return out


class PostgresCpu:
    """CPU of every PostgreSQL process over a stretch of time, backends opened meanwhile included (a pool grows
    under load). A backend that ends meanwhile counts what it had used when last sampled (``sample``)."""

    def __init__(self) -> None:
        self.start = cpu_by_pid(postgres_pids())
        self.last = dict(self.start)

    def sample(self) -> None:
        self.last.update(cpu_by_pid(postgres_pids()))

    def seconds(self) -> float:
        self.sample()
        return sum(v - self.start.get(pid, 0.0) for pid, v in self.last.items())


def machine_cpu() -> tuple[float, float]:
    """Seconds of CPU the whole machine has spent busy, and of that in softirq (network), from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, idle, iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    tick = os.sysconf("SC_CLK_TCK")
    return (user + nice + system + irq + softirq + steal) / tick, softirq / tick


def cpu_seconds(pids: list[int]) -> float:
    return sum(cpu_by_pid(pids).values())


def tree(root: int) -> list[int]:
    out, i = [root], 0
    while i < len(out):
        with contextlib.suppress(OSError):  # a process that ended meanwhile has no children to list
            out += [int(k) for k in Path(f"/proc/{out[i]}/task/{out[i]}/children").read_text().split()]
        i += 1
    return out


def postgres_pids() -> list[int]:
    out = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                if (d / "comm").read_text().startswith("postgres"):
                    out.append(int(d.name))
            except OSError:
                continue
    return out


async def sustained(port: int, server_pid: int, data: dict[str, object], seconds: float,
                    concurrency: int, turn: int = 0) -> dict[str, object]:
    tokens: list[tuple[str, str]] = data["tokens"]  # type: ignore[assignment]
    slots: list[str] = list(data["sustain_slots"])  # type: ignore[arg-type]
    lat: list[float] = []
    acked = 0
    refused = 0
    errors = 0
    stop = time.perf_counter() + seconds

    async def client(i: int) -> None:
        nonlocal acked, refused, errors
        rnd = random.Random(f"{turn}:{i}")  # each turn asks for other bookings than the last
        conn = Connection("127.0.0.1", port)
        try:
            while time.perf_counter() < stop:
                tok, patient = tokens[rnd.randrange(len(tokens))]
                t0 = time.perf_counter()
                r = await conn.post_json("/api/v1/appointments", {"slot_id": rnd.choice(slots), "patient_id": patient},
                                         {"Authorization": f"Bearer {tok}", "Idempotency-Key": uuid.uuid4().hex})
                lat.append((time.perf_counter() - t0) * 1000)
                if r.status == 201:
                    acked += 1
                elif r.status == 409:
                    refused += 1  # one booking per patient per doctor per day
                else:
                    errors += 1
        finally:
            conn.close()

    api = tree(server_pid)
    pg = PostgresCpu()
    m0 = machine_cpu()
    cpu0 = (cpu_seconds(api), 0.0, time.process_time())
    t0 = time.perf_counter()

    async def sample_postgres() -> None:  # short-lived backends (autovacuum workers) count too
        while time.perf_counter() < stop:
            pg.sample()
            await asyncio.sleep(0.2)

    await asyncio.gather(sample_postgres(), *[client(i) for i in range(concurrency)])
    elapsed = time.perf_counter() - t0
    cpu1 = (cpu_seconds(api), pg.seconds(), time.process_time())
    m1 = machine_cpu()
    cpu = {k: b - a for k, a, b in zip(("api", "postgres", "client"), cpu0, cpu1, strict=True)}
    cpu["machine"] = m1[0] - m0[0]  # everything, the kernel's network work included
    cpu["softirq"] = m1[1] - m0[1]
    return {"acked": acked, "refused": refused, "seconds": elapsed, "lat": lat, "errors": errors, "cpu": cpu}


async def integrity(url: str) -> tuple[int, int]:
    """Slots holding more bookings than places, and patients booked twice with one doctor on one day. The
    pgbench reference's rows (ids ``n<number>``) are not the application's and are left out."""
    eng = create_async_engine(url)
    async with eng.connect() as c:
        over = await c.scalar(text(
            "SELECT count(*) FROM (SELECT s.id FROM slot s JOIN appointment a ON a.slot_id = s.id "
            "WHERE a.status = 'booked' AND a.id NOT LIKE 'n%' GROUP BY s.id, s.capacity "
            "HAVING count(*) > s.capacity) x"))
        over2 = await c.scalar(text("SELECT count(*) FROM slot WHERE booked > capacity"))
        dup = await c.scalar(text(
            "SELECT count(*) FROM (SELECT patient_id, schedule_id, day FROM appointment WHERE status = 'booked' "
            "AND id NOT LIKE 'n%' GROUP BY patient_id, schedule_id, day HAVING count(*) > 1) x"))
    await eng.dispose()
    return int(over or 0) + int(over2 or 0), int(dup or 0)


async def record_reference(url: str, data: dict[str, object]) -> tuple[Recording, Variation, datetime]:
    """One real booking through the application (this process, the server's settings), its SQL recorded."""
    from yihu.app import create_app
    from yihu.kit import clock

    tokens: list[tuple[str, str]] = data["tokens"]  # type: ignore[assignment]
    token, patient = tokens[0]
    slot = "bs-1"
    eng = create_async_engine(url)
    async with eng.connect() as c:
        existing = set((await c.execute(text(
            "SELECT id FROM institution UNION ALL SELECT id FROM department UNION ALL SELECT id FROM practitioner "
            "UNION ALL SELECT id FROM schedule"))).scalars().all())
    await eng.dispose()
    app = create_app()
    at = clock.now()
    key = uuid.uuid4().hex
    async with app.router.lifespan_context(app):
        # The patient's first booking at the institution also links them to it; in a steady rush they are linked
        # already, so the booking recorded is their second one (with another doctor).
        first = await book_once(app, token=token, patient_id=patient, slot_id="bs-5", key=uuid.uuid4().hex)
        status, rec = await record_booking(app, token=token, patient_id=patient, slot_id=slot, key=key)
    if (first, status) != (201, 201):
        raise RuntimeError(f"the recorded bookings were refused: {first}, {status}")
    return rec, Variation(slot_id=slot, patient_id=patient, account_id=patient.replace("bp-", "ba-"), key=key,
                          existing_ids=existing), at


def pgbench_args(url: str, path: str) -> list[str]:
    u = make_url(url)
    return ["pgbench", "-n", "-M", "prepared", "-h", u.host or "127.0.0.1", "-U", u.username or "postgres", "-f", path]


def pgbench_check(url: str, path: str) -> None:
    check = subprocess.run([*pgbench_args(url, path), "-c", "1", "-t", "1", make_url(url).database or ""],
                           capture_output=True, text=True)
    if check.returncode != 0 or "actually processed: 1/1" not in check.stdout:
        raise RuntimeError("the pgbench script does not run:\n" + check.stdout + check.stderr)


PGBENCH_WARM_SECONDS = 2
PROGRESS = re.compile(r"progress: ([\d.]+) s, ([\d.]+) tps")


def pgbench(url: str, path: str, clients: int, seconds: int) -> dict[str, Any]:
    """pgbench's steady rate: transactions and seconds after its first ``PGBENCH_WARM_SECONDS``, read from its
    progress lines. Its backends start with cold caches (every prepared statement planned anew): the first second
    runs at about a third of the rate, so it would count against the reference while the application's pooled
    connections are warm. Also the CPU milliseconds per transaction of PostgreSQL, pgbench and the whole machine
    over the whole run."""
    pg, own, m0 = PostgresCpu(), resource.getrusage(resource.RUSAGE_CHILDREN), machine_cpu()
    with subprocess.Popen([*pgbench_args(url, path), "-c", str(clients), "-j", "2", "-P", "1",
                           "-T", str(seconds + PGBENCH_WARM_SECONDS), make_url(url).database or ""],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as run:
        while run.poll() is None:  # pgbench's backends end with it: sample them while they run
            pg.sample()
            time.sleep(0.2)
        out, err = run.communicate()
    if run.returncode != 0:
        raise RuntimeError(out + err)
    pg_s, after, m1 = pg.seconds(), resource.getrusage(resource.RUSAGE_CHILDREN), machine_cpu()
    done = steady = steady_seconds = 0.0
    last = 0.0
    for m in PROGRESS.finditer(err):  # pgbench writes its progress to stderr
        at, rate = float(m.group(1)), float(m.group(2))
        if last >= PGBENCH_WARM_SECONDS:
            steady += rate * (at - last)
            steady_seconds += at - last
        last = at
    for line in out.splitlines():
        if line.startswith("number of transactions actually processed:"):
            done = float(line.split(":")[1].split("/")[0])
    if not done or not steady:
        raise RuntimeError(out + err)
    return {"done": steady, "seconds": steady_seconds, "all": done,
            "cpu": {"postgres": pg_s, "pgbench": after.ru_utime + after.ru_stime - own.ru_utime - own.ru_stime,
                    "machine": m1[0] - m0[0], "softirq": m1[1] - m0[1]}}


def per_unit(cpu: dict[str, float], n: float) -> dict[str, float]:
    """CPU milliseconds per request (or transaction)."""
    return {k: round(v / max(n, 1.0) * 1000, 2) for k, v in cpu.items()}


def add(total: dict[str, float], more: dict[str, float]) -> None:
    for k, v in more.items():
        total[k] = total.get(k, 0.0) + v


CORE_SCRIPT = """\\set s random(1, {slots})
BEGIN;
UPDATE slot SET booked = booked + 1 WHERE id = ('bs-' || :s) AND status = 'open' AND booked < capacity - onsite;
INSERT INTO appointment (id, slot_id, schedule_id, institution_id, patient_id, status, channel, fee_fen, day, start_at,
  booked_at, created_at, updated_at) SELECT gen_random_uuid()::text, id, schedule_id, institution_id, '{patient}',
  'bench', 'online', 1000, day, start_at, now(), now(), now() FROM slot WHERE id = ('bs-' || :s);
COMMIT;
"""


def pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    values = sorted(values)
    return round(values[min(len(values) - 1, int(q * len(values)))], 1)


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--residents", type=int, default=2000)
    ap.add_argument("--rush-slots", type=int, default=50)
    ap.add_argument("--schedules", type=int, default=1000)
    ap.add_argument("--sustain-seconds", type=float, default=15)
    ap.add_argument("--pgbench-seconds", type=int, default=15)
    ap.add_argument("--rounds", type=int, default=3, help="turns the application and pgbench take")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--concurrency", type=int, default=64)
    ap.add_argument("--port", type=int, default=8765)
    args = ap.parse_args()
    url = os.environ.get("YIHU_DATABASE_URL") or DEFAULT_URL
    if not url.startswith("postgresql"):
        raise SystemExit("booking_rush runs on PostgreSQL: set YIHU_DATABASE_URL=postgresql+asyncpg://...")
    os.environ.update({"YIHU_DATABASE_URL": url, **SERVER_ENV})
    os.environ.setdefault("YIHU_ARGON2_MEMORY_KIB", "8192")
    os.environ.setdefault("YIHU_ARGON2_TIME_COST", "1")
    from yihu import migrate

    log(f"database {make_url(url).database}: recreate and migrate")
    await recreate(url)
    await asyncio.to_thread(migrate.upgrade, url)
    t0 = time.perf_counter()
    data = await seed(url, args.residents, args.rush_slots, args.schedules, release_in=10.0)
    log(f"seeded {args.residents} residents, {args.schedules + 1} schedules in {time.perf_counter() - t0:.1f}s")
    rec, variation, at = await record_reference(url, data)
    sustain_slots = len(data["sustain_slots"])  # type: ignore[arg-type]
    script = pgbench_script(rec, variation, slots=sustain_slots, patients=args.residents, at=at)
    saved = ROOT / "var" / "bench" / "booking.pgbench.sql"
    saved.parent.mkdir(parents=True, exist_ok=True)
    saved.write_text(script)
    log(f"one booking sends {len(rec.shapes())} statements: {', '.join(rec.shapes())}; pgbench script: {saved}")
    core_path = saved.with_name("core.pgbench.sql")
    core_path.write_text(CORE_SCRIPT.format(slots=sustain_slots, patient="bp-1"))
    pgbench_check(url, str(saved))
    pg_seconds = max(1, round(args.pgbench_seconds / args.rounds))
    server = start_server(url, args.port, args.workers)
    try:
        await wait_ready(f"http://127.0.0.1:{args.port}")
        r = await rush(args.port, data, args.concurrency)
        log(f"rush: {len(r['acked'])} of {args.rush_slots} expert slots taken by {args.residents} residents in "
            f"{r['seconds']:.2f}s ({r['requests']} requests, p50 {pct(r['lat'], .5)} ms, p99 {pct(r['lat'], .99)} ms)")
        # The application and pgbench take turns, so a machine whose speed drifts (a shared host) slows both alike.
        rounds = []
        for i in range(args.rounds):
            s = await sustained(args.port, server.pid, data, args.sustain_seconds / args.rounds, args.concurrency, i)
            p = await asyncio.to_thread(pgbench, url, str(saved), args.concurrency, pg_seconds)
            rounds.append((s, p))
            log(f"round {i + 1}: application {s['acked'] / s['seconds']:.0f} bookings/s, pgbench "
                f"{p['done'] / p['seconds']:.0f} tps, ratio {s['acked'] / s['seconds'] / (p['done'] / p['seconds']):.3f}")
        rss = peak_rss_mb(server.pid)
        log(f"peak RSS per server process (MB): {rss}")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    overbooked, duplicated = await integrity(url)
    acked_pairs = r["acked"]
    if len({slot for _p, slot in acked_pairs}) != len(acked_pairs):
        duplicated += 1
    core = await asyncio.to_thread(pgbench, url, str(core_path), args.concurrency, pg_seconds)

    acked = sum(s["acked"] for s, _ in rounds)
    lat = [x for s, _ in rounds for x in s["lat"]]
    app_cpu: dict[str, float] = {}
    ref_cpu: dict[str, float] = {}
    for s, p in rounds:
        add(app_cpu, s["cpu"])
        add(ref_cpu, p["cpu"])
    bps = acked / sum(s["seconds"] for s, _ in rounds)
    tps = sum(p["done"] for _, p in rounds) / sum(p["seconds"] for _, p in rounds)
    done = sum(p["all"] for _, p in rounds)  # CPU per transaction: over whole runs
    ratio = round(bps / tps, 3)
    log(f"sustained: {acked} bookings = {bps:.0f}/s ({sum(s['refused'] for s, _ in rounds)} refused as a second "
        f"booking with the same doctor that day), p50 {pct(lat, .5)} ms, p99 {pct(lat, .99)} ms, errors "
        f"{sum(s['errors'] for s, _ in rounds)}; CPU per request (ms): {per_unit(app_cpu, len(lat))}")
    log(f"pgbench, the booking's own SQL ({len(rec.shapes())} statements), {args.concurrency} clients: {tps:.0f} tps; "
        f"ratio {ratio}; CPU per transaction (ms): {per_unit(ref_cpu, done)}. (The slot update and appointment "
        f"insert alone: {core['done'] / core['seconds']:.0f} tps.)")
    print(json.dumps({"bookings_per_s": round(bps, 1), "p50_ms": pct(lat, .5), "p99_ms": pct(lat, .99),
                      "overbooked": overbooked, "duplicated": duplicated, "pgbench_tps": round(tps, 1),
                      "ratio": ratio, "ratio_by_round": [round(s["acked"] / s["seconds"] / (p["done"] / p["seconds"]),
                                                               3) for s, p in rounds],
                      "pgbench_core_tps": round(core["done"] / core["seconds"], 1),
                      "statements_per_booking": len(rec.shapes()), "cpu_ms_per_request": per_unit(app_cpu, len(lat)),
                      "pgbench_cpu_ms_per_transaction": per_unit(ref_cpu, done),
                      "rush_taken": len(acked_pairs), "rush_seconds": round(r["seconds"], 2),
                      "rush_p99_ms": pct(r["lat"], .99), "peak_rss_mb": rss}))


if __name__ == "__main__":
    with contextlib.suppress(ImportError):  # uvloop comes with uvicorn[standard]; the plain loop works too
        import uvloop

        uvloop.install()
    asyncio.run(main())
