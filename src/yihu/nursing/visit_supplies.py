"""What a visit used and left behind: consumables from the item's kit (billed by use) and medical waste.

Both are recorded while the nurse is in service or after the record, until check-out. A consumable must be in the
kit of the order's item version; its unit price is the catalogue's at the time of use. The order's
``consumables_fen`` is the sum of the uses, moved by a conditional update so a check-out racing it cannot bill a
stale sum.
"""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from yihu.auth.actor import Actor
from yihu.db import utcnow
from yihu.errors import DomainError
from yihu.kit import audit
from yihu.nursing import assignment, lifecycle
from yihu.nursing import visit_errors as errors
from yihu.nursing.models import NursingConsumable, NursingOrder
from yihu.nursing.visit_models import NursingConsumableUse, NursingWaste
from yihu.nursing.visit_schemas import ConsumableLineIn, WasteIn

OPEN_STATES = ("in_service", "recorded")


def _require_open(order: NursingOrder) -> None:
    if order.status not in OPEN_STATES:
        raise DomainError(errors.CONSUMABLES_CLOSED, status=lifecycle.status_text(order.status))


async def use(session: AsyncSession, actor: Actor, order: NursingOrder,
              lines: list[ConsumableLineIn]) -> NursingOrder:
    """Set the counts used (one row per consumable code, replaced on a second report) and the order's sum."""
    _require_open(order)
    version = await assignment.requirements(session, order)
    kit = {str(k.get("consumable", "")) for k in version.kit or []}
    for line in lines:
        if line.code not in kit:
            raise DomainError(errors.NOT_IN_KIT, consumable=line.code)
    catalogue = {c.code: c for c in (await session.scalars(select(NursingConsumable).where(
        NursingConsumable.code.in_({line.code for line in lines})))).all()}
    existing = {u.consumable_code: u for u in (await session.scalars(select(NursingConsumableUse).where(
        NursingConsumableUse.order_id == order.id))).all()}
    now = utcnow()
    for line in lines:
        c = catalogue.get(line.code)
        if c is None:
            raise DomainError(errors.NOT_IN_KIT, consumable=line.code)
        row = existing.get(line.code)
        if row is None:
            row = NursingConsumableUse(order_id=order.id, consumable_code=c.code)
            session.add(row)
            existing[c.code] = row
        row.name_zh, row.unit, row.count, row.unit_fen = c.name_zh, c.unit, line.count, c.price_fen
        row.amount_fen, row.recorded_at = line.count * c.price_fen, now
    await session.flush()
    total = int(await session.scalar(select(func.coalesce(func.sum(NursingConsumableUse.amount_fen), 0)).where(
        NursingConsumableUse.order_id == order.id)) or 0)
    result = await session.execute(update(NursingOrder).where(NursingOrder.id == order.id,
                                                              NursingOrder.status.in_(OPEN_STATES))
                                   .values(consumables_fen=total, updated_at=now)
                                   .execution_options(synchronize_session=False))
    await session.refresh(order)
    if getattr(result, "rowcount", 0) != 1:
        raise DomainError(errors.CONSUMABLES_CLOSED, status=lifecycle.status_text(order.status))
    audit.record(session, actor, "nursing.consumables", patient_id=order.patient_id, resource_type="NursingOrder",
                 resource_id=order.id, institution_id=order.institution_id,
                 detail={"lines": len(lines), "consumables_fen": total})
    return order


async def uses(session: AsyncSession, order_id: str) -> list[NursingConsumableUse]:
    return list((await session.scalars(select(NursingConsumableUse).where(NursingConsumableUse.order_id == order_id)
                                       .order_by(NursingConsumableUse.consumable_code))).all())


async def record_waste(session: AsyncSession, actor: Actor, order: NursingOrder, body: WasteIn) -> NursingWaste:
    _require_open(order)
    if body.kind == "sharps" and body.disposal != "sealed_sharps_box":
        raise DomainError(errors.SHARPS_NEED_BOX)
    row = NursingWaste(order_id=order.id, kind=body.kind, count=body.count, weight_g=body.weight_g,
                       disposal=body.disposal, recorded_at=utcnow())
    session.add(row)
    await session.flush()
    audit.record(session, actor, "nursing.waste", patient_id=order.patient_id, resource_type="NursingWaste",
                 resource_id=row.id, institution_id=order.institution_id, detail={"kind": body.kind})
    return row


async def waste(session: AsyncSession, order_id: str) -> list[NursingWaste]:
    return list((await session.scalars(select(NursingWaste).where(NursingWaste.order_id == order_id)
                                       .order_by(NursingWaste.recorded_at, NursingWaste.id))).all())
