"""The worker cancels a nursing order nobody took up before its window closed, and nothing else."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests import builders as b
from tests.nursing import builders as nb
from yihu.nursing import upkeep
from yihu.nursing.models import NursingOrder, NursingOrderEvent


async def test_overdue_unhandled_orders_are_cancelled_by_the_system_once(client, session):
    w = await nb.world(session)
    h = b.auth(w.resident)
    waiting = (await client.post("/api/v1/nursing/orders", json=nb.order_body(w), headers=h)).json()[0]
    taken = (await client.post("/api/v1/nursing/orders", json=nb.order_body(w, start="14:00", end="16:00"),
                               headers=h)).json()[0]
    adm = b.auth(w.admin)
    await client.post(f"/api/v1/nursing/orders/{taken['id']}/assess", json=nb.approve_body(), headers=adm)
    await client.post(f"/api/v1/nursing/orders/{taken['id']}/accept", headers=adm)
    await client.post(f"/api/v1/nursing/orders/{taken['id']}/assign", headers=adm, json={
        "nurse_id": w.nurses[0][0].id, "start": nb.at(nb.tomorrow(), "14:30").isoformat()})
    later = nb.at(nb.tomorrow(), "23:00")
    assert await upkeep.cancel_overdue(session, now=later - timedelta(hours=13)) == 0  # window still open
    assert await upkeep.cancel_overdue(session, now=later) == 1
    await b.done(session)
    assert await upkeep.cancel_overdue(session, now=later) == 0
    rows = {o.id: o for o in (await session.scalars(select(NursingOrder))).all()}
    for o in rows.values():
        await session.refresh(o)
    assert (rows[waiting["id"]].status, rows[waiting["id"]].cancelled_by_role) == ("cancelled", "system")
    assert rows[taken["id"]].status == "assigned"
    last = (await session.scalars(select(NursingOrderEvent).where(NursingOrderEvent.order_id == waiting["id"])
                                  .order_by(NursingOrderEvent.at.desc()))).first()
    assert (last.action, last.actor_role, last.to_status) == ("cancel_institution", "system", "cancelled")
