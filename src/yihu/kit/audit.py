"""Append-only, hash-chained audit of every read or change of a patient's data.

Writing and sealing are apart, so no request waits on a region-wide lock:

- :func:`record` queues an event during a unit of work and :func:`flush` inserts it with the commit (or not at
  all). Events get a ``seq`` from the database and no hash yet.
- :func:`seal` chains committed events in ``seq`` order: ``chain_pos`` 1, 2, 3… and
  ``hash = sha256(prev_hash | canonical event)``. Only one sealer runs at a time (it holds the ``audit_head`` row);
  the API seals right after commit and ``yihu worker`` seals too, so events are sealed within moments.
- The migration's triggers refuse DELETE, and any UPDATE except the one that seals a not-yet-sealed event.
- :func:`verify` walks the chain 1..N and finds a changed, inserted or removed event, or a cut tail (the head no
  longer matches), and reports events waiting to be sealed.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import structlog
from sqlalchemy import BigInteger, Index, Integer, String, Text, bindparam, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from yihu.db import Base, Database, utcnow
from yihu.kit.context import request_info

GENESIS = "0" * 64
log = structlog.get_logger(__name__)


class AuditEvent(Base):
    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_unsealed", "seq", postgresql_where=text("hash IS NULL"),
                            sqlite_where=text("hash IS NULL")),)

    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
                                     autoincrement=True)
    occurred_at: Mapped[datetime]
    actor_id: Mapped[str | None] = mapped_column(String(36))
    actor_role: Mapped[str] = mapped_column(String(32))
    institution_id: Mapped[str | None] = mapped_column(String(36), index=True)
    action: Mapped[str] = mapped_column(String(64))
    patient_id: Mapped[str | None] = mapped_column(String(36), index=True)
    resource_type: Mapped[str | None] = mapped_column(String(64))
    resource_id: Mapped[str | None] = mapped_column(String(64))
    ip: Mapped[str] = mapped_column(String(64))
    request_id: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[str] = mapped_column(Text, default="{}")
    chain_pos: Mapped[int | None] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), unique=True)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))


class AuditHead(Base):
    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pos: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    hash: Mapped[str] = mapped_column(String(64))


class AuditActor(Protocol):
    @property
    def account_id(self) -> str | None: ...

    @property
    def role(self) -> str: ...

    @property
    def institution_id(self) -> str | None: ...


@dataclass(frozen=True)
class SystemActor:
    """The platform itself (CLI, worker, demo loader)."""

    account_id: str | None = None
    role: str = "system"
    institution_id: str | None = None


SYSTEM = SystemActor()
FIELDS = ("occurred_at", "actor_id", "actor_role", "institution_id", "action", "patient_id", "resource_type",
          "resource_id", "ip", "request_id", "detail")


def record(
    session: AsyncSession,
    actor: AuditActor,
    action: str,
    *,
    patient_id: str | None = None,
    resource_type: str | None = None,
    resource_id: str | None = None,
    institution_id: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Queue an audit event; it is written with the unit of work's commit and only then."""
    session.info.setdefault("audit_pending", []).append(event(
        actor, action, patient_id=patient_id, resource_type=resource_type, resource_id=resource_id,
        institution_id=institution_id, detail=detail))


def event(actor: AuditActor, action: str, *, patient_id: str | None = None, resource_type: str | None = None,
          resource_id: str | None = None, institution_id: str | None = None,
          detail: dict[str, Any] | None = None) -> dict[str, Any]:
    """An audit event's columns (``FIELDS``), with the request's id and IP: what :func:`record` queues and what
    the booking fast lane inserts itself."""
    info = request_info.get()
    return {
        "occurred_at": utcnow(),
        "actor_id": actor.account_id,
        "actor_role": actor.role,
        "institution_id": institution_id if institution_id is not None else actor.institution_id,
        "action": action,
        "patient_id": patient_id,
        "resource_type": resource_type,
        "resource_id": resource_id,
        "ip": info.ip if info else "local",
        "request_id": info.request_id if info else None,
        "detail": json.dumps(detail or {}, sort_keys=True, ensure_ascii=False),
    }


async def flush(session: AsyncSession) -> bool:
    """Insert the queued events into the unit of work. True when there were any."""
    pending: list[dict[str, Any]] = session.info.pop("audit_pending", [])
    if not pending:
        return False
    session.add_all([AuditEvent(**ev) for ev in pending])
    await session.flush()
    return True


def _canonical(pos: int, e: Any) -> bytes:
    """``e``: an AuditEvent, or a row with its ``seq`` and ``FIELDS``."""
    body: dict[str, Any] = {k: getattr(e, k) for k in FIELDS}
    body["occurred_at"] = e.occurred_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    body["seq"] = e.seq
    body["chain_pos"] = pos
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def chain_hash(prev_hash: str, pos: int, e: Any) -> str:
    return hashlib.sha256(prev_hash.encode() + b"|" + _canonical(pos, e)).hexdigest()


async def _take_head(session: AsyncSession) -> tuple[int, str] | None:
    """The head row, locked for this sealer; None when another sealer holds it (PostgreSQL)."""
    if session.bind.dialect.name == "sqlite":
        await session.execute(text("UPDATE audit_head SET pos = pos WHERE id = 1"))  # the write lock
        query = "SELECT pos, hash FROM audit_head WHERE id = 1"
    else:
        query = "SELECT pos, hash FROM audit_head WHERE id = 1 FOR UPDATE SKIP LOCKED"
    row = (await session.execute(text(query))).one_or_none()
    return None if row is None else (int(row.pos), str(row.hash))


_UNSEALED = (select(AuditEvent.seq, *(getattr(AuditEvent, f) for f in FIELDS)).where(AuditEvent.hash.is_(None))
             .order_by(AuditEvent.seq).limit(bindparam("n")))
_SEAL = text("UPDATE audit_event SET chain_pos = :pos, prev_hash = :prev, hash = :hash WHERE seq = :seq")
# PostgreSQL: the whole batch as four arrays in one statement (executemany costs about 30 µs of Python a row).
_SEAL_PG = text("UPDATE audit_event AS e SET chain_pos = v.pos, prev_hash = v.prev, hash = v.hash "
                "FROM unnest(CAST(:seqs AS bigint[]), CAST(:poss AS bigint[]), CAST(:prevs AS varchar[]), "
                "CAST(:hashes AS varchar[])) AS v(seq, pos, prev, hash) WHERE e.seq = v.seq")


async def seal(db: Database, batch: int = 2000) -> int:
    """Chain every committed, unsealed event. Safe to call from many processes at once.

    Plain rows and one UPDATE for the whole batch: no ORM object per event, and the partial index
    ix_audit_event_unsealed finds the batch without reading the sealed part of the table."""
    total = 0
    while True:
        async with db.sessionmaker() as s:
            head = await _take_head(s)
            if head is None:
                return total
            pos, prev = head
            events = (await s.execute(_UNSEALED, {"n": batch})).all()
            if not events:
                await s.rollback()
                return total
            seqs, poss, prevs, hashes = [], [], [], []
            for e in events:
                pos += 1
                seqs.append(e.seq)
                poss.append(pos)
                prevs.append(prev)
                prev = chain_hash(prev, pos, e)
                hashes.append(prev)
            if s.bind.dialect.name == "postgresql":
                await s.execute(_SEAL_PG, {"seqs": seqs, "poss": poss, "prevs": prevs, "hashes": hashes})
            else:
                await s.execute(_SEAL, [{"seq": q, "pos": p, "prev": v, "hash": h}
                                        for q, p, v, h in zip(seqs, poss, prevs, hashes, strict=True)])
            await s.execute(text("UPDATE audit_head SET pos = :p, hash = :h WHERE id = 1"), {"p": pos, "h": prev})
            await s.commit()
            total += len(events)


class _Sealer:
    """Seals after commits in this process, one run at a time. A run starts at once when the process has been quiet;
    requests that arrive during a run or within ``audit_seal_interval_seconds`` of its start are sealed together by
    one more run, so a rush costs a few sealing transactions a second instead of one per request."""

    def __init__(self) -> None:
        self.running: asyncio.Task[None] | None = None
        self.again = False
        self.started = float("-inf")

    def request(self, db: Database) -> None:
        if self.running is not None and not self.running.done():
            self.again = True
            return
        loop = asyncio.get_running_loop()
        wait = max(0.0, self.started + db.settings.audit_seal_interval_seconds - loop.time())
        self.running = loop.create_task(self._run(db, wait))

    async def _run(self, db: Database, wait: float) -> None:
        loop = asyncio.get_running_loop()
        while True:
            if wait > 0:
                await asyncio.sleep(wait)
            self.again = False
            self.started = loop.time()
            try:
                await seal(db)
            except Exception as exc:  # the worker seals later; never fail a request for it
                log.warning("audit.seal_failed", error=type(exc).__name__)
            if not self.again:
                return
            wait = db.settings.audit_seal_interval_seconds


sealer = _Sealer()


def seal_soon(db: Database) -> None:
    """Events were just committed: seal them in this process too, unless the worker alone seals
    (``YIHU_INLINE_AUDIT_SEAL=false``)."""
    if db.settings.inline_audit_seal:
        sealer.request(db)


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    problem: str | None = None
    at_pos: int | None = None
    unsealed: int = 0


async def _chain(session: AsyncSession, batch: int = 5000) -> AsyncIterator[AuditEvent]:
    last = 0
    while True:
        rows = (await session.scalars(select(AuditEvent).where(AuditEvent.chain_pos > last)
                                      .order_by(AuditEvent.chain_pos).limit(batch))).all()
        if not rows:
            return
        for r in rows:
            yield r
        last = int(rows[-1].chain_pos or 0)
        session.expunge_all()


async def verify(session: AsyncSession, progress: Any = None) -> VerifyResult:
    head = (await session.execute(text("SELECT pos, hash FROM audit_head WHERE id = 1"))).one_or_none()
    if head is None:
        return VerifyResult(False, 0, "the audit head row is missing")
    unsealed = int(await session.scalar(select(func.count()).select_from(AuditEvent)
                                        .where(AuditEvent.hash.is_(None))) or 0)
    expected, prev, checked = 0, GENESIS, 0
    async for e in _chain(session):
        expected += 1
        if e.chain_pos != expected:
            return VerifyResult(False, checked, f"event {expected} of the chain is missing", expected, unsealed)
        if e.prev_hash != prev:
            return VerifyResult(False, checked, f"event {expected} does not link to its predecessor", expected,
                                unsealed)
        if chain_hash(prev, expected, e) != e.hash:
            return VerifyResult(False, checked, f"event {expected} was changed", expected, unsealed)
        prev = str(e.hash)
        checked += 1
        if progress is not None:
            progress(1)
    if int(head.pos) != expected or str(head.hash) != prev:
        return VerifyResult(False, checked, f"the chain ends at {expected} but the head says {head.pos}: "
                            "events were removed", expected + 1, unsealed)
    return VerifyResult(True, checked, unsealed=unsealed)


async def count(session: AsyncSession) -> int:
    return int((await session.execute(text("SELECT count(*) FROM audit_event"))).scalar_one())
