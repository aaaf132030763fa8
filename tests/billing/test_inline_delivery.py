from __future__ import annotations

import asyncio

from tests.billing import helpers as h
from yihu.billing import sandbox
from yihu.billing.models import Bill, SandboxNotification
from yihu.config import get_settings


async def test_the_sandbox_notifies_by_itself_after_commit(client, session, db, monkeypatch):
    """The embedded default: after the sandbox pays, its notification reaches our handler without a worker."""
    monkeypatch.setattr(get_settings(), "inline_delivery", True)
    w = await h.world(session)
    p = (await h.start_payment(client, w.holder, w.bill.id)).json()
    assert (await h.sandbox_pay(client, p)).status_code == 200
    for _ in range(100):
        if not sandbox._tasks:
            break
        await asyncio.gather(*list(sandbox._tasks))
    note = (await session.scalars(SandboxNotification.__table__.select())).all()
    assert len(note) == 1
    got = await h.fresh(session, SandboxNotification, note[0])
    assert (got.status, got.deliveries, got.last_status) == ("delivered", 2, 200)
    assert (await h.fresh(session, Bill, w.bill.id)).status == "paid"
    assert await h.audit_count(session, "payment.paid") == 1
