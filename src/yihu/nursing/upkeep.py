"""What the worker does for home nursing: an order nobody took up before its window closed is cancelled.

A request still waiting for review, acceptance or a nurse when its time window has ended would otherwise sit in the
console forever while the family waits; it is cancelled by the system (free of charge) and the family told.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from yihu.errors import DomainError
from yihu.kit import clock
from yihu.nursing import lifecycle, orders
from yihu.nursing.models import NursingOrder

WAITING = ("requested", "first_visit", "assessed", "accepted")
REASON = "超过预约时段仍未接单派单，系统自动取消"


async def cancel_overdue(session: AsyncSession, now: datetime | None = None, limit: int = 200) -> int:
    now = now or clock.now()
    rows = (await session.scalars(select(NursingOrder).where(NursingOrder.status.in_(WAITING),
                                                             NursingOrder.window_end_at < now)
                                  .order_by(NursingOrder.window_end_at).limit(limit))).all()
    done = 0
    for o in rows:
        try:  # another worker (or a person) may have moved it meanwhile: the conditional step decides
            await lifecycle.step(session, o, "cancel_institution", None, note=REASON, cancelled_at=now,
                                 cancel_reason=REASON, cancelled_by_role="system")
        except DomainError:
            continue
        await orders.tell(session, o, "cancel_institution", detail=REASON)
        done += 1
    return done
