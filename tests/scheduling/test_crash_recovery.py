"""The API process is killed (SIGKILL) in the middle of a booking rush and restarted: every booking acknowledged with
a 2xx is there, and clients retrying with their idempotency keys create no duplicate."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time

import httpx
from sqlalchemy import func, select

from tests import builders as b
from tests.conftest import free_port
from yihu.scheduling import schedules
from yihu.scheduling.models import Appointment, Slot


def start(db_url: str, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "YIHU_DATABASE_URL": db_url, "YIHU_IDEMPOTENCY_STALE_SECONDS": "1",
           "YIHU_BOOKING_RATE_PER_IP": "100000", "YIHU_BOOKING_RATE_PER_ACCOUNT": "100000"}
    return subprocess.Popen([sys.executable, "-m", "yihu.cli", "serve", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


async def ready(base: str) -> None:
    async with httpx.AsyncClient() as c:
        for _ in range(300):
            try:
                if (await c.get(f"{base}/healthz")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.05)
    raise AssertionError("server did not start")


async def test_sigkill_mid_rush_loses_no_acknowledged_booking_and_duplicates_none(db, session):
    inst = await b.institution(session)
    sched = await b.doctor_schedule(session, inst, slots=8, capacity=3)
    people = [await b.resident(session) for _ in range(40)]
    await b.done(session)
    rows, _ = await schedules.search_slots(session, schedules.SlotQuery(schedule_id=sched.id))
    slot_ids = [s.id for s, _ in rows]
    requests = [(f"crash-{i}", p, slot_ids[i % len(slot_ids)]) for i, p in enumerate(people)]
    url = db.engine.url.render_as_string(hide_password=False)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    acked: dict[str, str] = {}

    async def attempt(c: httpx.AsyncClient, key: str, person, slot_id: str) -> None:
        try:
            r = await c.post("/api/v1/appointments", json={"slot_id": slot_id, "patient_id": person.patient_id},
                             headers={**b.auth(person), "Idempotency-Key": key})
        except httpx.HTTPError:
            return  # no answer: the client will retry
        if r.status_code == 201:
            acked[key] = r.json()["id"]

    server = start(url, port)
    try:
        await ready(base)
        async with httpx.AsyncClient(base_url=base, timeout=10) as c:
            tasks = [asyncio.create_task(attempt(c, k, p, s)) for k, p, s in requests]
            while len(acked) < 3:  # the rush is under way
                await asyncio.sleep(0.005)
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)
            await asyncio.gather(*tasks)
        before_restart = dict(acked)
        assert 3 <= len(before_restart) < 24  # killed mid-rush: some acknowledged, not all
        server = start(url, port)
        await ready(base)
        time.sleep(1.1)  # claims of requests that died with the process become stale
        async with httpx.AsyncClient(base_url=base, timeout=30) as c:
            await asyncio.gather(*[attempt(c, k, p, s) for k, p, s in requests])
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)

    await session.rollback()
    booked = (await session.scalars(select(Appointment).where(Appointment.status == "booked"))).all()
    by_id = {a.id: a for a in booked}
    # every booking acknowledged before the crash is still there, and the retry answered with the same booking
    for key, appt_id in before_restart.items():
        assert appt_id in by_id and acked[key] == appt_id
    # no duplicate: one booking per acknowledged key, one per patient, and no slot over capacity
    assert len(booked) == len(set(acked.values())) == len(acked)
    assert len({a.patient_id for a in booked}) == len(booked)
    for sid in slot_ids:
        slot = await session.get(Slot, sid, populate_existing=True)
        n = await session.scalar(select(func.count()).select_from(Appointment).where(
            Appointment.slot_id == sid, Appointment.status == "booked"))
        assert slot.booked == n <= slot.capacity
    assert len(booked) == 24  # 8 slots × 3 places, all taken after the retries
