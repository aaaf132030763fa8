"""Who sees which scope, and the whole nursing cockpit assembled from its figure groups."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from yihu.auth.actor import Actor
from yihu.cockpit import nursing, schemas
from yihu.cockpit.errors import PERIOD_INVALID
from yihu.cockpit.groups import breakdowns
from yihu.cockpit.live import live
from yihu.cockpit.window import MAX_DAYS, Window
from yihu.db import utcnow
from yihu.errors import FORBIDDEN, DomainError
from yihu.registry import service as registry

TOP_NURSES = 20


def scope_for(actor: Actor, institution_id: str | None) -> str | None:
    """The regulator sees the region or any institution; an institution admin only their own; nobody else."""
    if actor.role == "regulator":
        return institution_id or None
    if actor.role == "institution_admin" and actor.institution_id:
        if institution_id and institution_id != actor.institution_id:
            raise DomainError(FORBIDDEN)
        return actor.institution_id
    raise DomainError(FORBIDDEN)


def check_window(w: Window) -> Window:
    if w.days <= 0 or w.days > MAX_DAYS:
        raise DomainError(PERIOD_INVALID, max_days=MAX_DAYS)
    return w


async def nursing_cockpit(session: AsyncSession, w: Window, institution_id: str | None) -> schemas.NursingCockpit:
    name = None
    if institution_id:
        name = (await registry.get_institution(session, institution_id)).name
    await nursing.tune(session)
    groups = await breakdowns(session, w, institution_id, TOP_NURSES)
    median, p90 = await nursing.to_visit(session, w, institution_id)
    used = await nursing.consumables(session, w, institution_id)
    waste = await nursing.waste(session, w, institution_id)
    return schemas.NursingCockpit(
        generated_at=utcnow(), scope=schemas.Scope(institution_id=institution_id, institution_name=name),
        period=schemas.Period(start=w.start_day, end=w.end_day, days=w.days),
        totals=schemas.Totals(**groups.totals, median_to_visit_min=median, p90_to_visit_min=p90,
                              consumables_count=sum(c.count for c in used),
                              consumables_fen=sum(c.amount_fen for c in used),
                              waste_records=sum(x.records for x in waste)),
        status=groups.status,
        live=await live(session, institution_id),
        by_institution=groups.by_institution, by_nurse=groups.by_nurse, by_item=groups.by_item,
        consumables=used, waste=waste,
        daily=await nursing.daily(session, w, institution_id))
