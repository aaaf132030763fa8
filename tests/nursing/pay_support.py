"""Shared steps of the payment, rating and consultation tests: an order walked to ``completed`` with its bill
through the services (the visit's own code is another part's), and paying it through the sandbox."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests import builders as b
from tests.nursing import builders as nb
from yihu.auth.models import Account
from yihu.auth.service import actor_of
from yihu.db import utcnow
from yihu.nursing import assignment, lifecycle, orders, payment
from yihu.nursing.models import NursingOrder, NursingOrderEvent
from yihu.nursing.visit_models import NursingConsumableUse

KIT = (("dressing_pack", "换药包", "包", 2, 1500), ("gloves", "无菌手套", "副", 3, 300))


async def placed(session: AsyncSession, w: nb.World, *, start: str = "09:00", end: str = "11:00",
                 days_ahead: int = 1, who: Account | None = None, patient_id: str | None = None) -> NursingOrder:
    day = nb.tomorrow() + timedelta(days=days_ahead - 1)
    [o] = await orders.place(session, actor_of(who or w.resident), orders.OrderInput(
        patient_id=patient_id or w.patient_id, institution_id=w.inst.id, item_id=w.item.id,
        address="嘉兴市秀洲区新城街道洪兴西路100号3幢501室", latitude=nb.HOME_LAT, longitude=nb.HOME_LON, day=day,
        window_start=nb.at(day, start), window_end=nb.at(day, end), condition="术后伤口"))
    return o


async def walk(session: AsyncSession, w: nb.World, order: NursingOrder, to: str, *,
               nurse: int = 0, start: str = "09:30") -> NursingOrder:
    """Take the order through the life cycle up to ``to`` (assigned, en_route, recorded, completed)."""
    admin = actor_of(w.admin)
    p, acc = w.nurses[nurse]
    nurse_actor = actor_of(acc)
    await orders.assess(session, admin, order, decision="approve", assessment={"risk_level": "low"})
    await orders.accept(session, admin, order)
    await assignment.assign(session, admin, order, nurse_id=p.id, second_nurse_id=None,
                            start=nb.at(order.service_day, start))
    for action in ("consent", "depart", "check_in", "record"):
        if order.status == to:
            return order
        await lifecycle.step(session, order, action, nurse_actor)
    if to == "completed":
        now = utcnow()
        for code, name, unit, count, unit_fen in KIT:
            session.add(NursingConsumableUse(order_id=order.id, consumable_code=code, name_zh=name, unit=unit,
                                             count=count, unit_fen=unit_fen, amount_fen=count * unit_fen,
                                             recorded_at=now))
        await session.flush()
        bill = await payment.open_visit_bill(session, order)
        await lifecycle.step(session, order, "complete", nurse_actor, completed_at=now, checked_out_at=now,
                             bill_id=bill.id, consumables_fen=order.consumables_fen)
    assert order.status == to, order.status
    return order


async def completed(session: AsyncSession, w: nb.World, **kw: Any) -> NursingOrder:
    o = await walk(session, w, await placed(session, w, **kw), "completed")
    await b.done(session)
    return o


async def status_of(session: AsyncSession, order_id: str) -> str:
    return str(await session.scalar(select(NursingOrder.status).where(NursingOrder.id == order_id)
                                    .execution_options(populate_existing=True)))


async def events(session: AsyncSession, order_id: str, action: str | None = None) -> list[NursingOrderEvent]:
    q = select(NursingOrderEvent).where(NursingOrderEvent.order_id == order_id)
    if action:
        q = q.where(NursingOrderEvent.action == action)
    return list((await session.scalars(q.order_by(NursingOrderEvent.at, NursingOrderEvent.id)
                                       .execution_options(populate_existing=True))).all())


async def count(session: AsyncSession, model: Any, *where: Any) -> int:
    return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)
