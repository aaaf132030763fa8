"""``Idempotency-Key`` for requests that must not happen twice (bookings, payments).

The key is claimed in its own short transaction (state ``running``). The business change and the stored
response are committed together, so after a crash either both exist or neither does. A retry returns the stored
response; the same key with another body is a 422; a retry while the first is still running is a 409; a claim
older than ``idempotency_stale_seconds`` (its process died) may be taken over.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Integer, String, Text, UniqueConstraint, bindparam, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from yihu.config import get_settings
from yihu.db import Base, Database, IdMixin, utcnow
from yihu.errors import DomainError, code

KEY_INVALID = code("idempotency.key_invalid", 400, "Idempotency-Key 应为1至128位可见字符。",
                   "An Idempotency-Key has 1 to 128 visible characters.")
KEY_REUSED = code("idempotency.key_reused", 422, "该 Idempotency-Key 已用于另一个不同的请求。",
                  "This Idempotency-Key was already used for a different request.")
IN_PROGRESS = code("idempotency.in_progress", 409, "相同的请求正在处理中，请稍后重试。",
                   "The same request is still being processed; retry shortly.")


class IdempotencyRecord(IdMixin, Base):
    __tablename__ = "idempotency_record"
    __table_args__ = (UniqueConstraint("scope", "key"),)

    scope: Mapped[str] = mapped_column(String(80))
    key: Mapped[str] = mapped_column(String(128))
    fingerprint: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))  # running | done
    status_code: Mapped[int | None] = mapped_column(Integer)
    body: Mapped[str | None] = mapped_column(Text)
    claimed_at: Mapped[datetime]


@dataclass(frozen=True)
class Replay:
    status_code: int
    body: Any


@dataclass(frozen=True)
class Claim:
    record_id: str


def fingerprint(method: str, path: str, body: Any) -> str:
    raw = json.dumps([method, path, body], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(raw.encode()).hexdigest()


def check_key(key: str) -> str:
    key = (key or "").strip()
    if not 1 <= len(key) <= 128 or not key.isprintable():
        raise DomainError(KEY_INVALID)
    return key


# The hot statements are built once, with bound parameters: building a statement costs more than running it here.
_CLAIM = {name: insert(IdempotencyRecord).values(
    id=bindparam("b_id"), scope=bindparam("b_scope"), key=bindparam("b_key"), fingerprint=bindparam("b_fp"),
    state="running", claimed_at=bindparam("b_at")).on_conflict_do_nothing(index_elements=["scope", "key"])
    .returning(IdempotencyRecord.id) for name, insert in (("postgresql", pg_insert), ("sqlite", sqlite_insert))}
_USED = select(IdempotencyRecord.id).where(IdempotencyRecord.scope == bindparam("b_scope"),
                                           IdempotencyRecord.key == bindparam("b_key"))
_COMPLETE = update(IdempotencyRecord).where(IdempotencyRecord.id == bindparam("b_id")).values(
    state="done", status_code=bindparam("b_status"), body=bindparam("b_body"))


async def claim(db: Database, scope: str, key: str, fp: str) -> Claim | Replay:
    """Claim the key in one statement; only when it exists already look at what it holds."""
    stale = stale_before()
    async with db.sessionmaker() as s:
        new_id = await s.scalar(_CLAIM[db.engine.dialect.name], {
            "b_id": str(uuid.uuid4()), "b_scope": scope, "b_key": key, "b_fp": fp, "b_at": utcnow()})
        if new_id is not None:
            await s.commit()
            return Claim(str(new_id))
        rec = await s.scalar(select(IdempotencyRecord).where(IdempotencyRecord.scope == scope,
                                                             IdempotencyRecord.key == key))
        if rec is None:  # removed (a 5xx freed it) between the two statements: the caller may retry
            raise DomainError(IN_PROGRESS)
        replay = judge_used(rec.fingerprint, rec.state, rec.status_code, rec.body, fp)
        if replay is not None:
            return replay
        took = await s.execute(update(IdempotencyRecord).where(
            IdempotencyRecord.id == rec.id, IdempotencyRecord.state == "running",
            IdempotencyRecord.claimed_at < stale).values(claimed_at=utcnow()))
        if getattr(took, "rowcount", 0) != 1:
            raise DomainError(IN_PROGRESS)
        await s.commit()
        return Claim(rec.id)


def judge_used(stored_fp: str, state: str, status_code: int | None, body: str | None, fp: str) -> Replay | None:
    """A key found already used: its stored answer, or None when it is still running (it may be taken over once
    stale). Refused when it was used for another body."""
    if stored_fp != fp:
        raise DomainError(KEY_REUSED)
    if state == "done":
        return Replay(int(status_code or 200), json.loads(body or "null"))
    return None


def stale_before() -> datetime:
    """A running claim older than this belongs to a process that died: it may be taken over."""
    return utcnow() - timedelta(seconds=get_settings().idempotency_stale_seconds)


def refusal(status_code: int, body: Any) -> str | None:
    """What a refused request leaves under its key: the answer of a 4xx, stored as JSON; None (a 5xx) frees it."""
    return json.dumps(body, ensure_ascii=False) if 400 <= status_code < 500 else None


async def complete(session: AsyncSession, c: Claim, status_code: int, body: Any) -> None:
    """Store the response in the business transaction: committed with the change or not at all."""
    await session.execute(_COMPLETE, {"b_id": c.record_id, "b_status": status_code,
                                      "b_body": json.dumps(body, ensure_ascii=False, default=str)})


async def complete_refusal(db: Database, c: Claim, status_code: int, body: Any) -> None:
    """A refused request (4xx) is answered the same way on retry; anything else frees the key."""
    stored = refusal(status_code, body)
    async with db.sessionmaker() as s:
        if stored is not None:
            await s.execute(update(IdempotencyRecord).where(IdempotencyRecord.id == c.record_id).values(
                state="done", status_code=status_code, body=stored))
        else:
            await s.execute(delete(IdempotencyRecord).where(IdempotencyRecord.id == c.record_id))
        await s.commit()


KEY_REQUIRED = code("idempotency.key_required", 400, "此请求须带 Idempotency-Key 请求头（每次新操作用一个新值）。",
                    "This request needs an Idempotency-Key header (a new value for each new operation).")


async def run(db: Database, session: AsyncSession, *, scope: str, key: str | None, fp: str, lang: str,
              action: Any, precheck: Any = None) -> tuple[int, Any, bool]:
    """Run ``action()`` (returning ``(status, body)``) at most once per key. Returns ``(status, body, replayed)``.

    ``precheck(session)`` (optional) may refuse a new request cheaply before the key is claimed — e.g. a slot already full
    during a rush; a refusal then leaves no record, and a retry is judged afresh. It never runs for a key already
    used, so a retry of a request that succeeded still gets its answer back.
    """
    if key is None:
        raise DomainError(KEY_REQUIRED)
    key = check_key(key)
    if precheck is not None:
        # A session of its own, given back before the claim takes another: a request never holds two connections
        # at once, so a burst larger than the pool cannot leave every request waiting for a second one.
        async with db.sessionmaker() as s:
            if await s.scalar(_USED, {"b_scope": scope, "b_key": key}) is None:
                await precheck(s)
    c = await claim(db, scope, key, fp)
    if isinstance(c, Replay):
        return c.status_code, c.body, True
    try:
        status, body = await action()
    except DomainError as exc:
        await session.rollback()
        await complete_refusal(db, c, exc.status, exc.body(lang))
        raise
    except BaseException:
        await session.rollback()
        await complete_refusal(db, c, 500, None)
        raise
    await complete(session, c, status, body)
    return status, body, False
