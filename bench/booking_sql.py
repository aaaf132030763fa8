"""The reference for the booking rush: the SQL that one real booking sends, replayed by pgbench.

One booking is made through the real application (in this process, same settings as the server) while every
statement it sends to PostgreSQL is recorded with its parameters and its transaction. The recording becomes a
pgbench script, statement for statement and transaction for transaction, in which only what differs between two
bookings varies: the slot, the patient (and their account), the Idempotency-Key, the rows' new ids and the day
guard. Constants stay as recorded, but for the audit chain the event is appended to, picked at random per booking
as the application does. pgbench runs it in prepared mode, like asyncpg.

So the ratio ``bookings/s ÷ pgbench tps`` is what the application adds on top of the database for the same work.
"""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
PLACEHOLDER = re.compile(r"\$(\d+)")
UUID_IN = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
DAY_GUARD = re.compile(r"^[^:]+:\d{4}-\d{2}-\d{2}$")  # who:day, unique per patient among active bookings


@dataclass
class Txn:
    statements: list[tuple[str, tuple[Any, ...]]] = field(default_factory=list)
    committed: bool = False
    explicit: bool | None = None  # sent inside BEGIN ... COMMIT (None: as SQLAlchemy does, when it wrote)

    @property
    def wrapped(self) -> bool:
        return self.explicit if self.explicit is not None else self.writes and self.committed

    @property
    def writes(self) -> bool:
        return any(not s.lstrip().upper().startswith("SELECT") for s, _ in self.statements)


@dataclass
class Recording:
    txns: list[Txn]

    def shapes(self) -> list[str]:
        """Each statement as verb + table, in order (what the script must match)."""
        out = []
        for t in self.txns:
            for s, _ in t.statements:
                words = s.split()
                verb = words[0].upper()
                if verb == "WITH":  # a data-modifying CTE (the audit append): named by its main statement
                    words = words[words.index("INSERT"):]
                    verb = "INSERT"
                key = {"INSERT": "INTO", "UPDATE": "UPDATE"}.get(verb, "FROM")
                table = words[words.index(key) + 1] if key in words else ""
                out.append(f"{verb} {table}".strip())
        return out


async def book_once(app: Any, *, token: str, patient_id: str, slot_id: str, key: str) -> int:
    import httpx

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as c:
        r = await c.post("/api/v1/appointments", json={"slot_id": slot_id, "patient_id": patient_id},
                         headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key})
    return r.status_code


async def record_booking(app: Any, *, token: str, patient_id: str, slot_id: str, key: str) -> tuple[int, Recording]:
    """Book ``slot_id`` for ``patient_id`` through the application and record its SQL."""
    from sqlalchemy import event

    txns: dict[int, Txn] = {}
    done: list[Txn] = []

    def on_execute(conn: Any, cursor: Any, statement: str, params: Any, context: Any, executemany: bool) -> None:
        rows = params if executemany else [params]
        t = txns.setdefault(id(conn), Txn())
        for p in rows:
            t.statements.append((statement, tuple(p or ())))

    def on_end(committed: bool) -> Any:
        def end(conn: Any) -> None:
            t = txns.pop(id(conn), None)
            if t is not None and t.statements:
                t.committed = committed
                done.append(t)
        return end

    lane: list[Txn] = []  # the fast lane's statements (asyncpg): BEGIN ... COMMIT, or one autocommitted each

    def on_lane(q: Any) -> None:
        word = q.query.strip().rstrip(";").upper()
        if word == "BEGIN":
            lane.append(Txn(explicit=True))
        elif word in ("COMMIT", "ROLLBACK"):
            lane[-1].committed = word == "COMMIT"
            done.append(lane.pop())
        elif lane:
            lane[-1].statements.append((q.query, tuple(q.args or ())))
        else:
            done.append(Txn([(q.query, tuple(q.args or ()))], committed=True, explicit=False))

    from yihu.scheduling import fastbook

    engine = app.state.db.engine.sync_engine
    listeners = [("before_cursor_execute", on_execute), ("commit", on_end(True)), ("rollback", on_end(False))]
    for name, fn in listeners:
        event.listen(engine, name, fn)
    fastbook.QUERY_LOGGERS.append(on_lane)
    try:
        status = await book_once(app, token=token, patient_id=patient_id, slot_id=slot_id, key=key)
        for _ in range(3):  # asyncpg hands each statement to its loggers with call_soon: let them run
            await asyncio.sleep(0)
    finally:
        fastbook.QUERY_LOGGERS.remove(on_lane)
        for name, fn in listeners:
            event.remove(engine, name, fn)
    done.extend(t for t in txns.values() if t.statements)  # connections closed without an explicit end
    return status, Recording(done)


def _literal(v: Any) -> str:
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float | Decimal):
        return str(v)
    if isinstance(v, datetime | date):
        return "'" + v.isoformat() + "'"
    if isinstance(v, bytes):
        return "'\\x" + v.hex() + "'"
    if isinstance(v, dict | list):
        v = json.dumps(v, ensure_ascii=False)
    s = str(v)
    return "'" + s.replace("'", "''") + "'"


@dataclass
class Variation:
    """What varies between bookings, as pgbench expressions."""

    slot_id: str
    patient_id: str
    account_id: str
    key: str
    existing_ids: set[str]  # uuids that were there before the booking (institution, schedule, ...)
    slot_expr: str = "('bs-' || :s::text)"
    patient_expr: str = "('bp-' || :p::text)"
    account_expr: str = "('ba-' || :p::text)"


def pgbench_script(rec: Recording, var: Variation, *, slots: int, patients: int, at: datetime) -> str:
    """The recording as a pgbench script (one booking per pgbench transaction)."""
    fresh: dict[str, str] = {}  # a new id of this booking -> its pgbench variable
    from yihu.kit import audit

    lines = [f"\\set s random(1, {slots})", f"\\set p random(1, {patients})", f"\\set c random(1, {audit.CHAINS})"]
    chain = audit.APPEND_PARAMS.index("chain") + 1

    def fresh_var(v: str) -> str:
        if v not in fresh:
            fresh[v] = f"v{len(fresh)}"
            lines.append(f"\\set {fresh[v]} random(1, 999999999999999)")
        return f"('n' || :{fresh[v]}::text)"

    def is_new(v: str) -> bool:
        return bool(UUID_RE.match(v)) and v not in var.existing_ids

    def expr(v: Any) -> str:
        if isinstance(v, str):
            if v == var.slot_id:
                return var.slot_expr
            if v == var.patient_id:
                return var.patient_expr
            if v == var.account_id:
                return var.account_expr
            if v == f"acct:{var.account_id}":
                return "('acct:' || " + var.account_expr + ")"
            if v == var.key or is_new(v) or DAY_GUARD.match(v):
                # a new row id, the key, or the day guard (unique per patient and doctor and day): fresh each time
                return fresh_var(v)
            inner = UUID_IN.search(v)
            if inner and len(v) < 200 and is_new(inner.group(0)):  # e.g. a bill's reference "appointment:<id>"
                return f"({_literal(v[:inner.start()])} || {fresh_var(inner.group(0))} || {_literal(v[inner.end():])})"
        if isinstance(v, datetime) and abs(v - at) < timedelta(minutes=2):
            return "now()"
        return _literal(v)

    body: list[str] = []
    for t in rec.txns:
        explicit = t.wrapped
        if explicit:
            body.append("BEGIN;")
        for statement, params in t.statements:
            appends = statement == audit.APPEND
            sql = PLACEHOLDER.sub(lambda m, ps=params, a=appends: ":c" if a and int(m.group(1)) == chain
                                  else expr(ps[int(m.group(1)) - 1]), statement)
            body.append(" ".join(sql.split()) + ";")
        if explicit:
            body.append("COMMIT;")
    return "\n".join(lines + body) + "\n"
