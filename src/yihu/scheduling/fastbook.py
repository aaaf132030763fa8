"""A resident's online booking as plain SQL on one asyncpg connection: the booking rush's fast lane on PostgreSQL.

The same unit of work as ``POST /api/v1/appointments`` through the ORM (``booking.book_with_slot`` behind
``idempotency.run``), with the same rules (``booking.check_slot``, ``booking.judge_patient_rules``,
``schedules.is_surely_full``), the same rows and the same answer, without the ORM's unit of work around each
statement. Measured with bench/booking_rush.py: the ORM path spent about 8 ms of CPU per booking in the API
process against 1.1 ms in PostgreSQL.

- The Idempotency-Key is claimed by one autocommitted INSERT. The booking, its bill, the slot's count, the stored
  answer and the audit event are one transaction: after a crash either all of them exist or none.
- The slot's place is taken last by one conditional UPDATE (the slot's check constraint backs it), so concurrent
  requests in any number of processes never overbook.
- A key already used is judged by ``idempotency.judge_used``, a refusal stored as ``idempotency.refusal`` says, on
  the same connection: a request never holds two pooled connections (under a burst larger than the pool, every
  request would wait for its second one).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from yihu.auth.actor import Actor
from yihu.errors import FORBIDDEN, NOT_FOUND, DomainError
from yihu.kit import audit, clock, idempotency
from yihu.scheduling import booking, errors, schedules, schemas

# Listeners that see every statement the lane sends (asyncpg's query loggers). Empty in service; the booking
# bench records the booking's SQL with one (bench/booking_sql.py).
QUERY_LOGGERS: list[Callable[[Any], None]] = []

USED = "SELECT id FROM idempotency_record WHERE scope = $1 AND key = $2"
FULLNESS = "SELECT booked, capacity, onsite, status, release_at, start_at FROM slot WHERE id = $1"
CLAIM = ("INSERT INTO idempotency_record (id, scope, key, fingerprint, state, claimed_at) "
         "VALUES ($1, $2, $3, $4, 'running', $5) ON CONFLICT (scope, key) DO NOTHING RETURNING id")
BOUND = "SELECT 1 FROM card WHERE account_id = $1 AND patient_id = $2 AND status = 'active' LIMIT 1"
SLOT_AND_SCHEDULE = (
    "SELECT sl.status, sl.start_at, sl.end_at, sl.release_at, sl.day, sc.id, sc.institution_id, sc.practitioner_id, "
    "sc.kind, sc.direct_booking, sc.fee_fen, sc.name, sc.preparation "
    "FROM slot sl JOIN schedule sc ON sc.id = sl.schedule_id WHERE sl.id = $1")
# The three per-patient rules (same doctor that day, no-show bar, open bookings) and the patient's name.
PATIENT = (
    "SELECT count(*) FILTER (WHERE day_guard = $2), "
    "count(*) FILTER (WHERE status = 'noshow' AND start_at >= $3), "
    "max(start_at) FILTER (WHERE status = 'noshow' AND start_at >= $3), "
    "count(*) FILTER (WHERE status IN ('booked', 'checked_in') AND start_at > $4), "
    "(SELECT name FROM patient WHERE id = $1) "
    "FROM appointment WHERE patient_id = $1")
INSERT_APPOINTMENT = (
    "INSERT INTO appointment (id, slot_id, schedule_id, institution_id, patient_id, account_id, status, channel, "
    "fee_fen, day, start_at, day_guard, booked_at, created_at, updated_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, 'booked', 'online', $7, $8, $9, $10, $11, $11, $11)")
LINK = ("INSERT INTO patient_link (id, patient_id, institution_id, reason, created_at) "
        "VALUES ($1, $2, $3, 'appointment', $4) ON CONFLICT (patient_id, institution_id) DO NOTHING")
INSERT_BILL = (
    "INSERT INTO bill (id, kind, patient_id, institution_id, account_id, reference, description, amount_fen, "
    "paid_fen, refunded_fen, status, created_at, updated_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, 0, 'unpaid', $9, $9)")
TAKE_PLACE = ("UPDATE slot SET booked = booked + 1 "
              "WHERE id = $1 AND status = 'open' AND booked < capacity - onsite")
USED_RECORD = "SELECT id, fingerprint, state, status_code, body FROM idempotency_record WHERE scope = $1 AND key = $2"
TAKE_OVER = ("UPDATE idempotency_record SET claimed_at = $2 "
             "WHERE id = $1 AND state = 'running' AND claimed_at < $3")
FREE = "DELETE FROM idempotency_record WHERE id = $1"
COMPLETE = "UPDATE idempotency_record SET state = 'done', status_code = $2, body = $3 WHERE id = $1"


@dataclass(frozen=True)
class Outcome:
    status: int
    body: Any
    replayed: bool = False


async def book(conn: asyncpg.Connection, actor: Actor, *, slot_id: str, patient_id: str, key: str,
               lang: str) -> Outcome:
    """Book ``slot_id`` for ``patient_id`` at most once per ``key``; a refusal raises ``DomainError``."""
    scope = f"acct:{actor.account_id}"
    fp = idempotency.fingerprint("POST", "/appointments",
                                 {"slot_id": slot_id, "patient_id": patient_id, "exam_order_id": None})
    now = clock.now()
    if await conn.fetchval(USED, scope, key) is None:
        # During a rush most requests ask for places already gone: refused before the key is claimed.
        row = await conn.fetchrow(FULLNESS, slot_id)
        if row is not None and schedules.is_surely_full(*row, now=now):
            raise DomainError(errors.SLOT_TAKEN)
    record_id = await conn.fetchval(CLAIM, str(uuid.uuid4()), scope, key, fp, clock.now())
    if record_id is None:
        used = await _used(conn, scope, key, fp)
        if isinstance(used, idempotency.Replay):
            return Outcome(used.status_code, used.body, replayed=True)
        record_id = used
    try:
        async with conn.transaction():
            body = await _book(conn, actor, slot_id, patient_id, record_id, now)
    except DomainError as exc:
        await _refused(conn, record_id, exc.status, exc.body(lang))
        raise
    except BaseException:
        await _refused(conn, record_id, 500, None)
        raise
    return Outcome(201, body)


async def _used(conn: asyncpg.Connection, scope: str, key: str, fp: str) -> idempotency.Replay | str:
    """The key exists already: its stored answer, or its record taken over from a process that died."""
    row = await conn.fetchrow(USED_RECORD, scope, key)
    if row is None:  # removed (a 5xx freed it) between the two statements: the caller may retry
        raise DomainError(idempotency.IN_PROGRESS)
    record_id, stored_fp, state, status_code, body = row
    replay = idempotency.judge_used(stored_fp, state, status_code, body, fp)
    if replay is not None:
        return replay
    if await conn.execute(TAKE_OVER, record_id, clock.now(), idempotency.stale_before()) != "UPDATE 1":
        raise DomainError(idempotency.IN_PROGRESS)
    return str(record_id)


async def _refused(conn: asyncpg.Connection, record_id: str, status: int, body: Any) -> None:
    stored = idempotency.refusal(status, body)
    if stored is None:
        await conn.execute(FREE, record_id)
    else:
        await conn.execute(COMPLETE, record_id, status, stored)


async def _book(conn: asyncpg.Connection, actor: Actor, slot_id: str, patient_id: str, record_id: str,
                now: datetime) -> dict[str, Any]:
    if patient_id != actor.patient_id and await conn.fetchval(BOUND, actor.account_id, patient_id) is None:
        raise DomainError(FORBIDDEN)
    row = await conn.fetchrow(SLOT_AND_SCHEDULE, slot_id)
    if row is None:
        raise DomainError(errors.SLOT_NOT_FOUND)
    (status, start_at, end_at, release_at, day, schedule_id, institution_id, practitioner_id, kind, direct_booking,
     fee_fen, schedule_name, preparation) = row
    booking.check_slot(status=status, start_at=start_at, release_at=release_at, kind=kind,
                       direct_booking=direct_booking, channel="online", exam_order_id=None, now=now)
    guard = booking.day_guard(practitioner_id, schedule_id, day)
    same_day, noshows, last_noshow, open_count, patient_name = await conn.fetchrow(
        PATIENT, patient_id, guard, booking.noshow_since(now), now)
    if patient_name is None:
        raise DomainError(NOT_FOUND, what="患者")
    booking.judge_patient_rules(same_day=same_day, noshows=noshows, last_noshow=last_noshow, open_count=open_count,
                                now=now)
    appointment_id = str(uuid.uuid4())
    try:
        await conn.execute(INSERT_APPOINTMENT, appointment_id, slot_id, schedule_id, institution_id, patient_id,
                           actor.account_id, fee_fen, day, start_at, guard, now)
    except asyncpg.UniqueViolationError:
        # A concurrent booking of the same patient with the same doctor that day won the unique guard.
        raise DomainError(errors.ONE_PER_DAY) from None
    await conn.execute(LINK, str(uuid.uuid4()), patient_id, institution_id, now)
    if fee_fen > 0:
        await conn.execute(INSERT_BILL, str(uuid.uuid4()), "exam" if kind == "exam" else "registration", patient_id,
                           institution_id, actor.account_id, f"appointment:{appointment_id}", schedule_name[:128],
                           fee_fen, now)
    # Taken last: the slot's row lock is held only for the few statements before commit.
    if await conn.execute(TAKE_PLACE, slot_id) != "UPDATE 1":
        raise DomainError(errors.SLOT_TAKEN)  # everything above rolls back
    body = schemas.AppointmentOut(
        id=appointment_id, status="booked", patient_id=patient_id, patient_name=patient_name, slot_id=slot_id,
        schedule_id=schedule_id, schedule_name=schedule_name, institution_id=institution_id, kind=kind,
        fee_fen=fee_fen, channel="online", day=day, start_at=start_at, end_at=end_at, preparation=preparation,
        booked_at=now, cancelled_at=None, cancel_reason=None).model_dump(mode="json")
    await conn.execute(COMPLETE, record_id, 201, json.dumps(body, ensure_ascii=False, default=str))
    event = audit.event(actor, "appointment.book", patient_id=patient_id, resource_type="Appointment",
                        resource_id=appointment_id, institution_id=institution_id)
    if await conn.execute(audit.APPEND, *(event[f] for f in audit.FIELDS), audit.digest(event),
                          audit.pick_chain()) != "INSERT 0 1":
        raise audit.MissingHead("an audit chain has no head row")
    return body
