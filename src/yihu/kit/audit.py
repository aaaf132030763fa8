"""Append-only, hash-chained audit of every read or change of a patient's data.

Events are collected during a unit of work with :func:`record` and written just before commit by
:func:`flush`, which bumps the single ``audit_head`` row first (a write lock on every backend), then
chains each event to the previous one: ``hash = sha256(prev_hash | canonical event)``. The migration adds
triggers that refuse UPDATE and DELETE on ``audit_event``. :func:`verify` recomputes the chain and finds a
changed, inserted or removed event, or a cut tail (the head no longer matches).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import BigInteger, Integer, String, Text, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from yihu.db import Base, utcnow
from yihu.kit.context import request_info

GENESIS = "0" * 64


class AuditEvent(Base):
    __tablename__ = "audit_event"

    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False)
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
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
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
    info = request_info.get()
    session.info.setdefault("audit_pending", []).append(
        {
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
    )


def _canonical(seq: int, ev: dict[str, Any]) -> bytes:
    occurred: datetime = ev["occurred_at"]
    body = {
        "seq": seq,
        "occurred_at": occurred.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        **{k: ev[k] for k in ("actor_id", "actor_role", "institution_id", "action", "patient_id",
                              "resource_type", "resource_id", "ip", "request_id", "detail")},
    }
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def chain_hash(prev_hash: str, seq: int, ev: dict[str, Any]) -> str:
    return hashlib.sha256(prev_hash.encode() + b"|" + _canonical(seq, ev)).hexdigest()


async def flush(session: AsyncSession) -> None:
    pending: list[dict[str, Any]] = session.info.pop("audit_pending", [])
    if not pending:
        return
    n = len(pending)
    # Write first: takes the row lock (PostgreSQL) or the write lock (SQLite) before we read the head.
    await session.execute(text("UPDATE audit_head SET seq = seq + :n WHERE id = 1"), {"n": n})
    row = (await session.execute(text("SELECT seq, hash FROM audit_head WHERE id = 1"))).one()
    seq = int(row.seq) - n
    prev = str(row.hash)
    for ev in pending:
        seq += 1
        digest = chain_hash(prev, seq, ev)
        session.add(AuditEvent(seq=seq, prev_hash=prev, hash=digest, **ev))
        prev = digest
    await session.flush()
    await session.execute(text("UPDATE audit_head SET hash = :h WHERE id = 1"), {"h": prev})


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    problem: str | None = None
    at_seq: int | None = None


def _event_dict(e: AuditEvent) -> dict[str, Any]:
    return {
        "occurred_at": e.occurred_at,
        "actor_id": e.actor_id,
        "actor_role": e.actor_role,
        "institution_id": e.institution_id,
        "action": e.action,
        "patient_id": e.patient_id,
        "resource_type": e.resource_type,
        "resource_id": e.resource_id,
        "ip": e.ip,
        "request_id": e.request_id,
        "detail": e.detail,
    }


async def _events(session: AsyncSession, batch: int = 5000) -> AsyncIterator[AuditEvent]:
    last = 0
    while True:
        rows = (
            await session.scalars(select(AuditEvent).where(AuditEvent.seq > last).order_by(AuditEvent.seq).limit(batch))
        ).all()
        if not rows:
            return
        for r in rows:
            yield r
        last = rows[-1].seq
        session.expunge_all()


async def verify(session: AsyncSession, progress: Any = None) -> VerifyResult:
    head = (await session.execute(text("SELECT seq, hash FROM audit_head WHERE id = 1"))).one_or_none()
    if head is None:
        return VerifyResult(False, 0, "audit head row is missing")
    expected_seq, prev, checked = 0, GENESIS, 0
    async for e in _events(session):
        expected_seq += 1
        if e.seq != expected_seq:
            return VerifyResult(False, checked, f"event {expected_seq} is missing", expected_seq)
        if e.prev_hash != prev:
            return VerifyResult(False, checked, f"event {e.seq} does not link to its predecessor", e.seq)
        if chain_hash(prev, e.seq, _event_dict(e)) != e.hash:
            return VerifyResult(False, checked, f"event {e.seq} was changed", e.seq)
        prev = e.hash
        checked += 1
        if progress is not None:
            progress(1)
    if int(head.seq) != expected_seq or str(head.hash) != prev:
        return VerifyResult(False, checked, f"the chain ends at {expected_seq} but the head says {head.seq}: events were removed",
                            expected_seq + 1)
    return VerifyResult(True, checked)


async def count(session: AsyncSession) -> int:
    return int((await session.execute(text("SELECT count(*) FROM audit_event"))).scalar_one())
