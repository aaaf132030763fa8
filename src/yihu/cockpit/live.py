"""The live part of the cockpit: what is happening now, and today's counts. Light enough to poll every few seconds."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from yihu.cockpit import schemas
from yihu.cockpit.nursing import Order, dialect_of, measures, touched_orders, tune
from yihu.cockpit.window import scoped, today_window
from yihu.db import utcnow
from yihu.kit import clock
from yihu.nursing.lifecycle import ACTION_TEXT
from yihu.nursing.models import NursingOrderEvent
from yihu.nursing.visit_models import NursingAlarm
from yihu.registry.models import Institution

LIVE_STATUSES = ("requested", "first_visit", "assessed", "accepted", "en_route", "in_service")
RECENT = 10


async def live(session: AsyncSession, institution_id: str | None) -> schemas.Live:
    await tune(session)
    now = utcnow()
    q = (select(Order.status, func.count()).where(scoped(Order.institution_id, institution_id), Order.status.in_(LIVE_STATUSES))
         .group_by(Order.status))
    n = {s: int(c) for s, c in (await session.execute(q)).tuples()}
    a = NursingAlarm
    aq = (select(a.status, func.count()).where(scoped(a.institution_id, institution_id),
                                               a.status.in_(("open", "acknowledged"))).group_by(a.status))
    alarms = {s: int(c) for s, c in (await session.execute(aq)).tuples()}
    today = today_window(clock.local_date(now))
    cols, touched = measures(dialect_of(session), today)
    tq = (select(*cols[:4]).select_from(touched_orders(today))
          .where(scoped(Order.institution_id, institution_id), touched))
    orders, completed, paid, revenue = (await session.execute(tq)).one()
    e = NursingOrderEvent
    rq = (select(e.at, Order.number, e.action, e.to_status, Institution.name).select_from(e)
          .join(Order, Order.id == e.order_id).outerjoin(Institution, Institution.id == e.institution_id)
          .where(scoped(e.institution_id, institution_id)).order_by(e.at.desc(), e.id.desc()).limit(RECENT))
    recent = [schemas.RecentEvent(at=at, order_number=num, action=act, action_text=ACTION_TEXT.get(act, (act, act))[0],
                                  to_status=to, institution_name=name or "")
              for at, num, act, to, name in (await session.execute(rq)).tuples()]
    return schemas.Live(
        generated_at=now, institution_id=institution_id,
        in_progress=n.get("en_route", 0) + n.get("in_service", 0), en_route=n.get("en_route", 0),
        in_service=n.get("in_service", 0), alarms_open=sum(alarms.values()), alarms_unacknowledged=alarms.get("open", 0),
        awaiting_review=n.get("requested", 0) + n.get("first_visit", 0), awaiting_acceptance=n.get("assessed", 0),
        awaiting_dispatch=n.get("accepted", 0),
        today=schemas.Today(orders=int(orders), completed=int(completed), paid=int(paid), revenue_fen=int(revenue)),
        recent=recent)

