"""Append-only, hash-chained audit of every read or change of a patient's data.

Every event is chained as it is written, in the transaction that writes it: there is no unsealed event and no
sealer. The trail is ``CHAINS`` independent chains, so writers do not queue behind one lock:

- :func:`record` queues an event during a unit of work, and :func:`flush` writes the queued events with the
  commit (or not at all), all on one chain picked at random for that transaction.
- An event's place is the next position of its chain's head row (``audit_head``), taken by the same statement that
  inserts it, so the head row stays locked only from the last statement of the transaction to its commit.
  ``hash = sha256(prev_hash | chain | chain_pos | digest)``, where ``digest`` is the SHA-256 of the event's
  canonical JSON (:func:`digest`). A single event on PostgreSQL is linked by the database (``APPEND``, one round
  trip). Several events of one unit of work (a stop-clinic cancels many bookings), and every event on SQLite, are
  linked by Python between locking the head and moving it: three statements, however many events.
- The migration's triggers refuse every UPDATE and DELETE of an event.
- :func:`verify` walks each chain 1..N and finds a changed, inserted or removed event, or a cut tail (the head no
  longer matches).
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import (
    BigInteger,
    Integer,
    RowMapping,
    String,
    Text,
    UniqueConstraint,
    insert,
    select,
    text,
    tuple_,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from yihu.db import Base, utcnow
from yihu.kit.context import request_info

GENESIS = "0" * 64
CHAINS = 64  # head rows 1..CHAINS (migration 0011); a transaction takes one, picked at random


class AuditEvent(Base):
    __tablename__ = "audit_event"
    __table_args__ = (UniqueConstraint("chain", "chain_pos", name="uq_audit_event_chain"),)

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
    chain: Mapped[int] = mapped_column(Integer)
    chain_pos: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pos: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    hash: Mapped[str] = mapped_column(String(64))
    prev: Mapped[str | None] = mapped_column(String(64))  # the hash before the last event (APPEND returns it)


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
    the booking fast lane writes itself."""
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


def digest(e: Mapping[Any, Any]) -> str:
    """SHA-256 of the event's canonical JSON: its ``FIELDS``, keys sorted, the time as UTC with microseconds."""
    body = {k: e[k] for k in FIELDS}
    body["occurred_at"] = e["occurred_at"].strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
                          ).hexdigest()


def link(prev_hash: str, chain: int, pos: int, event_digest: str) -> str:
    """The event's hash: what ``APPEND`` computes in PostgreSQL, and what :func:`verify` recomputes."""
    return hashlib.sha256(f"{prev_hash}|{chain}|{pos}|{event_digest}".encode()).hexdigest()


def pick_chain() -> int:
    return secrets.randbelow(CHAINS) + 1


# Take the chain's next position and insert the event, in one statement (PostgreSQL). The UPDATE's SET reads the
# head's old values, so ``prev`` returns the hash the event links to. Parameters (asyncpg, the booking fast lane):
# the values of FIELDS in order, then the event's digest and the chain.
APPEND = (
    "WITH head AS (UPDATE audit_head SET pos = pos + 1, prev = hash, hash = encode(sha256(convert_to("
    "hash || '|' || id || '|' || (pos + 1) || '|' || CAST($12 AS text), 'UTF8')), 'hex') "
    "WHERE id = CAST($13 AS integer) RETURNING id, pos, prev, hash) "
    "INSERT INTO audit_event (occurred_at, actor_id, actor_role, institution_id, action, patient_id, resource_type, "
    "resource_id, ip, request_id, detail, chain, chain_pos, prev_hash, hash) "
    "SELECT CAST($1 AS timestamptz), CAST($2 AS varchar), CAST($3 AS varchar), CAST($4 AS varchar), "
    "CAST($5 AS varchar), CAST($6 AS varchar), CAST($7 AS varchar), CAST($8 AS varchar), CAST($9 AS varchar), "
    "CAST($10 AS varchar), CAST($11 AS text), id, pos, prev, hash FROM head")
APPEND_PARAMS = (*FIELDS, "digest", "chain")
_APPEND_BOUND = text(re.sub(r"\$(\d+)", lambda m: ":" + APPEND_PARAMS[int(m[1]) - 1], APPEND))
# Locks the head row and reads it in one statement (on SQLite, the write lock is taken before the read).
_TAKE_HEAD = text("UPDATE audit_head SET pos = pos WHERE id = :c RETURNING pos, hash")
_MOVE_HEAD = text("UPDATE audit_head SET pos = :p, prev = :v, hash = :h WHERE id = :c")


class MissingHead(RuntimeError):
    """The chain's head row is gone: the event is not written (the unit of work fails instead)."""


async def flush(session: AsyncSession) -> bool:
    """Write the queued events into the unit of work, chained. True when there were any."""
    pending: list[dict[str, Any]] = session.info.pop("audit_pending", [])
    if not pending:
        return False
    await append(session, pending)
    return True


async def append(session: AsyncSession, events: list[dict[str, Any]], chain: int | None = None) -> None:
    """Chain ``events`` (dicts of ``FIELDS``) onto one chain and insert them, in the session's transaction."""
    chain = chain or pick_chain()
    if len(events) == 1 and session.bind.dialect.name == "postgresql":
        ev = events[0]
        result = await session.execute(_APPEND_BOUND, {**ev, "digest": digest(ev), "chain": chain})
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise MissingHead(f"audit chain {chain} has no head row")
        return
    head = (await session.execute(_TAKE_HEAD, {"c": chain})).one_or_none()
    if head is None:
        raise MissingHead(f"audit chain {chain} has no head row")
    pos, prev = int(head.pos), str(head.hash)
    rows, before = [], prev
    for ev in events:
        pos += 1
        before, prev = prev, link(prev, chain, pos, digest(ev))
        rows.append({**ev, "chain": chain, "chain_pos": pos, "prev_hash": before, "hash": prev})
    await session.execute(insert(AuditEvent), rows)
    await session.execute(_MOVE_HEAD, {"p": pos, "v": before, "h": prev, "c": chain})


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    problem: str | None = None
    chain: int | None = None
    at_pos: int | None = None


_COLUMNS = (AuditEvent.chain, AuditEvent.chain_pos, AuditEvent.prev_hash, AuditEvent.hash,
            *(getattr(AuditEvent, f) for f in FIELDS))


async def _events(session: AsyncSession, batch: int = 5000) -> AsyncIterator[RowMapping]:
    """Every event as plain columns, chain by chain in position order."""
    after = (0, 0)
    while True:
        rows = (await session.execute(select(*_COLUMNS).where(tuple_(AuditEvent.chain, AuditEvent.chain_pos) > after)
                                      .order_by(AuditEvent.chain, AuditEvent.chain_pos).limit(batch))).all()
        if not rows:
            return
        for r in rows:
            yield r._mapping
        after = (rows[-1].chain, rows[-1].chain_pos)


def _end_of_chain(chain: int, pos: int, last: str, head: tuple[int, str], checked: int) -> VerifyResult | None:
    if head == (pos, last):
        return None
    if head[0] > pos:
        problem = f"chain {chain} ends at {pos} but its head says {head[0]}: events were removed"
    elif head[0] < pos:
        problem = f"chain {chain} goes on to {pos} past its head at {head[0]}: events were added"
    else:
        problem = f"chain {chain}: its head does not match event {pos}"
    return VerifyResult(False, checked, problem, chain, min(pos, head[0]) + 1)


async def verify(session: AsyncSession, progress: Any = None) -> VerifyResult:
    heads = {int(r.id): (int(r.pos), str(r.hash))
             for r in (await session.execute(text("SELECT id, pos, hash FROM audit_head"))).all()}
    if not heads:
        return VerifyResult(False, 0, "the audit head rows are missing")
    chain, expected, prev, checked = 0, 0, GENESIS, 0
    seen: set[int] = set()
    async for e in _events(session):
        if e["chain"] != chain:
            if chain and (bad := _end_of_chain(chain, expected, prev, heads[chain], checked)):
                return bad
            chain, expected, prev = int(e["chain"]), 0, GENESIS
            seen.add(chain)
            if chain not in heads:
                return VerifyResult(False, checked, f"chain {chain} has no head: its events were added", chain, 1)
        expected += 1
        if e["chain_pos"] != expected:
            return VerifyResult(False, checked, f"chain {chain}: event {expected} is missing", chain, expected)
        if e["prev_hash"] != prev:
            return VerifyResult(False, checked, f"chain {chain}: event {expected} does not link to its predecessor",
                                chain, expected)
        if link(prev, chain, expected, digest(e)) != e["hash"]:
            return VerifyResult(False, checked, f"chain {chain}: event {expected} was changed", chain, expected)
        prev = str(e["hash"])
        checked += 1
        if progress is not None:
            progress(1)
    if chain and (bad := _end_of_chain(chain, expected, prev, heads[chain], checked)):
        return bad
    for c, head in sorted(heads.items()):
        if c not in seen and (bad := _end_of_chain(c, 0, GENESIS, head, checked)):
            return bad
    return VerifyResult(True, checked)


async def count(session: AsyncSession) -> int:
    return int((await session.execute(text("SELECT count(*) FROM audit_event"))).scalar_one())
