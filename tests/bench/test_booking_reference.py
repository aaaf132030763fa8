"""The booking bench's reference: the SQL recorded from one real booking becomes a pgbench script that runs.

PostgreSQL only (pgbench replays PostgreSQL's SQL); on SQLite there is nothing to compare against.
"""

from __future__ import annotations

import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from tests import builders as b
from tests.conftest import IS_PG
from yihu.kit import clock
from yihu.scheduling import schedules
from yihu.scheduling.models import Appointment

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from booking_sql import Variation, book_once, pgbench_script, record_booking  # noqa: E402

pytestmark = pytest.mark.skipif(not IS_PG, reason="pgbench replays PostgreSQL's SQL")


async def test_the_recorded_booking_replays_in_pgbench_with_fresh_values_each_time(app, session, db):
    inst = await b.institution(session)
    first = await b.doctor_schedule(session, inst, days_ahead=1, slots=1)
    sched = await b.doctor_schedule(session, inst, days_ahead=1, slots=4, capacity=1000)
    holder = await b.resident(session)
    await b.done(session)
    token = b.auth(holder)["Authorization"].removeprefix("Bearer ")
    (warm, _sc), = (await schedules.search_slots(session, schedules.SlotQuery(schedule_id=first.id)))[0]
    rows, _ = await schedules.search_slots(session, schedules.SlotQuery(schedule_id=sched.id))
    slot = rows[0][0]
    assert await book_once(app, token=token, patient_id=holder.patient_id, slot_id=warm.id,
                           key=uuid.uuid4().hex) == 201  # linked to the institution already, as in a rush
    key = uuid.uuid4().hex
    at = clock.now()
    status, rec = await record_booking(app, token=token, patient_id=holder.patient_id, slot_id=slot.id, key=key)
    assert status == 201
    shapes = rec.shapes()
    assert shapes[:3] == ["SELECT idempotency_record", "SELECT slot", "INSERT idempotency_record"]
    assert "UPDATE slot" in shapes and "INSERT appointment" in shapes and shapes[-1] == "INSERT audit_event"

    existing = set((await session.execute(text(
        "SELECT id FROM institution UNION ALL SELECT id FROM department UNION ALL SELECT id FROM practitioner "
        "UNION ALL SELECT id FROM schedule"))).scalars().all())
    # The script picks slots and patients by number: give this slot and patient those names' expressions.
    script = pgbench_script(rec, Variation(slot_id=slot.id, patient_id=holder.patient_id, account_id=holder.id,
                                           key=key, existing_ids=existing,
                                           slot_expr=f"'{slot.id}'::text", patient_expr=f"'{holder.patient_id}'::text",
                                           account_expr=f"'{holder.id}'::text"),
                            slots=1, patients=1, at=at)
    body = [line for line in script.splitlines() if not line.startswith("\\")]
    assert len([line for line in body if line not in ("BEGIN;", "COMMIT;")]) == len(shapes)
    assert key not in script  # the key, the new ids and the day guard are fresh in every pgbench transaction
    appt_id = (await session.scalars(select(Appointment.id).where(Appointment.slot_id == slot.id))).one()
    assert appt_id not in script.split("INSERT INTO appointment", 1)[1].split(";", 1)[0]
    assert re.search(r"\\set v\d+ random", script)
    assert "\\set c random(1, 64)" in script and script.count("CAST(:c AS integer)") == 1  # the audit chain

    slot_id = slot.id
    before = await session.scalar(select(func.count()).select_from(Appointment).where(Appointment.slot_id == slot_id))
    path = Path(db.settings.var_dir) / f"bench-{uuid.uuid4().hex}.sql"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(script)
    u = make_url(str(db.engine.url))
    try:
        run = subprocess.run(["pgbench", "-n", "-M", "prepared", "-h", u.host or "127.0.0.1", "-U",
                              u.username or "postgres", "-c", "1", "-t", "3", "-f", str(path), u.database or ""],
                             capture_output=True, text=True, timeout=60)
    finally:
        path.unlink()
    assert run.returncode == 0, run.stdout + run.stderr
    assert "actually processed: 3/3" in run.stdout
    after = await session.scalar(select(func.count()).select_from(Appointment).where(Appointment.slot_id == slot_id))
    assert after == before + 3  # three bookings of the same slot, each with its own ids, key and day guard
