"""Enqueue inside the business transaction; deliver after commit (inline or by ``yihu worker``)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import structlog
from sqlalchemy import case, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from yihu.config import get_settings
from yihu.db import Database, after_commit, commit, new_id, utcnow
from yihu.kit.vault import vault
from yihu.notify import templates
from yihu.notify.gateway import gateway
from yihu.notify.models import InAppMessage, OutboxMessage, SentSms

log = structlog.get_logger(__name__)
_inline_tasks: set[asyncio.Task[int]] = set()


def _enqueue(session: AsyncSession, *, channel: str, template: str, params: dict[str, Any],
             account_id: str | None, phone: str | None, lang: str) -> OutboxMessage:
    v = vault()
    row_id = new_id()
    msg = OutboxMessage(
        id=row_id,
        channel=channel,
        account_id=account_id,
        recipient_enc=v.seal(phone, "outbox_message", "recipient", row_id) if phone else None,
        template=template,
        params_enc=v.seal(json.dumps({"params": params, "lang": lang}, ensure_ascii=False), "outbox_message", "params",
                          row_id),
        status="pending",
        created_at=utcnow(),
    )
    session.add(msg)
    db: Database | None = session.info.get("db")
    if db is not None and get_settings().inline_delivery:
        after_commit(session, lambda: _deliver_soon(db))
    return msg


def enqueue_sms(session: AsyncSession, *, phone: str, template: str, params: dict[str, Any],
                account_id: str | None = None, lang: str = "zh-CN") -> OutboxMessage:
    return _enqueue(session, channel="sms", template=template, params=params, account_id=account_id, phone=phone,
                    lang=lang)


def enqueue_inapp(session: AsyncSession, *, account_id: str, template: str, params: dict[str, Any],
                  lang: str = "zh-CN") -> OutboxMessage:
    return _enqueue(session, channel="inapp", template=template, params=params, account_id=account_id, phone=None,
                    lang=lang)


async def _deliver_soon(db: Database) -> None:
    task = asyncio.get_running_loop().create_task(deliver_pending(db))
    _inline_tasks.add(task)
    task.add_done_callback(_inline_tasks.discard)


async def deliver_pending(db: Database, limit: int = 100) -> int:
    """Send pending messages, each exactly once, even with several workers running.

    Each message is claimed by a conditional update (``pending`` → ``sending``) in its own transaction, sent, and
    marked ``sent`` in the same commit; a loser of the claim skips it. A failed send goes back to ``pending``.
    """
    sms = gateway(get_settings().sms_gateway)
    sent = 0
    async with db.sessionmaker() as session:
        ids = (await session.scalars(select(OutboxMessage.id).where(OutboxMessage.status == "pending")
                                     .order_by(OutboxMessage.created_at).limit(limit))).all()
        await session.rollback()
        for msg_id in ids:
            claim = await session.execute(
                update(OutboxMessage).where(OutboxMessage.id == msg_id, OutboxMessage.status == "pending")
                .values(status="sending", attempts=OutboxMessage.attempts + 1))
            if getattr(claim, "rowcount", 0) != 1:
                await session.rollback()
                continue
            msg = await session.get(OutboxMessage, msg_id, populate_existing=True)
            assert msg is not None  # noqa: S101 - claimed above
            try:
                await _send(session, msg, sms)
                msg.status = "sent"
                msg.sent_at = utcnow()
                await commit(session)
                sent += 1
            except Exception as exc:  # a gateway failure must not lose the message
                await session.rollback()
                await session.execute(
                    update(OutboxMessage).where(OutboxMessage.id == msg_id)
                    .values(status=case((OutboxMessage.attempts >= 5, "failed"), else_="pending"),
                            last_error=type(exc).__name__))
                await commit(session)
                log.warning("notify.delivery_failed", outbox_id=msg_id, error=type(exc).__name__)
    return sent


async def _send(session: AsyncSession, msg: OutboxMessage, sms: Any) -> None:
    v = vault()
    payload = json.loads(v.open(msg.params_enc, "outbox_message", "params", msg.id))
    text = templates.render(msg.template, payload["params"], payload.get("lang", "zh-CN"))
    if msg.channel == "sms" and msg.recipient_enc is not None:
        phone = v.open(msg.recipient_enc, "outbox_message", "recipient", msg.id)
        await sms.send(session, outbox_id=msg.id, phone=phone, text=text)
    elif msg.channel == "inapp" and msg.account_id is not None:
        row_id = new_id()
        session.add(InAppMessage(id=row_id, outbox_id=msg.id, account_id=msg.account_id,
                                 text_enc=v.seal(text, "inapp_message", "text", row_id), template=msg.template,
                                 link=str(payload["params"].get("link", "")), created_at=utcnow()))
        await session.flush()


async def recorded_sms(session: AsyncSession, phone: str, limit: int = 10) -> list[str]:
    """Texts the recording gateway 'sent' to a phone, newest first."""
    v = vault()
    rows = (
        await session.scalars(
            select(SentSms).where(SentSms.recipient_bidx == v.index("phone", phone)).order_by(SentSms.sent_at.desc())
            .limit(limit)
        )
    ).all()
    return [v.open(r.text_enc, "sent_sms", "text", r.id) for r in rows]


async def inbox(session: AsyncSession, account_id: str, limit: int = 50) -> list[dict[str, Any]]:
    v = vault()
    rows = (
        await session.scalars(
            select(InAppMessage).where(InAppMessage.account_id == account_id).order_by(InAppMessage.created_at.desc())
            .limit(limit)
        )
    ).all()
    return [{"id": r.id, "text": v.open(r.text_enc, "inapp_message", "text", r.id), "template": r.template,
             "link": r.link, "created_at": r.created_at, "read": r.read_at is not None} for r in rows]
