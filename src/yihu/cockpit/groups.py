"""The breakdowns by institution, by nurse and by item, and the totals, from one pass over the orders touched in the
period: PostgreSQL groups them with GROUPING SETS; SQLite (no grouping sets) runs the three GROUP BYs in one
UNION ALL. Names come after, in three small look-ups of the keys found."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, literal, null, select, tuple_, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from yihu.cockpit import schemas
from yihu.cockpit.nursing import MEASURES, Order, dialect_of, figures, measures, raw, touched_orders
from yihu.cockpit.window import Window, scoped
from yihu.nursing.models import NursingItem, NursingItemVersion
from yihu.registry.models import Institution, Practitioner

KEYS = {"institution": Order.institution_id, "nurse": Order.nurse_id, "item": Order.item_id}
# grouping(institution_id, nurse_id, item_id) sets a bit for each column NOT grouped on
GROUPING = {0b011: "institution", 0b101: "nurse", 0b110: "item"}


@dataclass
class Breakdowns:
    by_institution: list[schemas.GroupRow]
    by_nurse: list[schemas.GroupRow]
    by_item: list[schemas.GroupRow]
    totals: dict[str, Any]


def _statement(dialect: str, w: Window, institution_id: str | None) -> Any:
    cols, touched = measures(dialect, w)
    where = (scoped(Order.institution_id, institution_id), touched)
    if dialect == "postgresql":
        kind = func.grouping(Order.institution_id, Order.nurse_id, Order.item_id)
        return (select(kind.label("kind"), Order.institution_id.label("institution"), Order.nurse_id.label("nurse"),
                       Order.item_id.label("item"), *cols).select_from(touched_orders(w)).where(*where)
                .group_by(func.grouping_sets(tuple_(Order.institution_id), tuple_(Order.nurse_id),
                                             tuple_(Order.item_id))))
    parts = []
    for bits, name in GROUPING.items():
        keys = [(KEYS[k] if k == name else null()).label(k) for k in KEYS]
        parts.append(select(literal(bits).label("kind"), *keys, *cols).select_from(touched_orders(w)).where(*where)
                     .group_by(KEYS[name]))
    return union_all(*parts)


async def breakdowns(session: AsyncSession, w: Window, institution_id: str | None, top_nurses: int) -> Breakdowns:
    rows: dict[str, list[tuple[str, dict[str, Any]]]] = {"institution": [], "nurse": [], "item": []}
    for r in (await session.execute(_statement(dialect_of(session), w, institution_id))).all():
        name = GROUPING[int(r.kind)]
        key = getattr(r, name)
        if key is not None:  # orders with no nurse yet are not a nurse's
            rows[name].append((key, raw(r)))
    total = {k: sum(m[k] for _, m in rows["institution"]) for k in MEASURES}  # every order has an institution
    nurses = sorted(rows["nurse"], key=lambda km: (-km[1]["completed"], -km[1]["orders"], km[0]))[:top_nurses]
    return Breakdowns(
        by_institution=await _institutions(session, rows["institution"]),
        by_nurse=await _nurses(session, nurses),
        by_item=await _items(session, rows["item"]),
        totals=figures(total))


def _by_orders(out: list[schemas.GroupRow]) -> list[schemas.GroupRow]:
    return sorted(out, key=lambda g: (-g.orders, g.code, g.id))


async def _institutions(session: AsyncSession, rows: list[tuple[str, dict[str, Any]]]) -> list[schemas.GroupRow]:
    q = select(Institution.id, Institution.name, Institution.code).where(Institution.id.in_([k for k, _ in rows]))
    names = {i: (n, c) for i, n, c in (await session.execute(q)).tuples()}
    return _by_orders([schemas.GroupRow(id=k, name=names.get(k, ("", ""))[0], code=names.get(k, ("", ""))[1],
                                        **figures(m)) for k, m in rows])


async def _nurses(session: AsyncSession, rows: list[tuple[str, dict[str, Any]]]) -> list[schemas.GroupRow]:
    q = select(Practitioner.id, Practitioner.name).where(Practitioner.id.in_([k for k, _ in rows]))
    names = dict((await session.execute(q)).tuples().all())
    return [schemas.GroupRow(id=k, name=names.get(k, ""), **figures(m)) for k, m in rows]


async def _items(session: AsyncSession, rows: list[tuple[str, dict[str, Any]]]) -> list[schemas.GroupRow]:
    v = NursingItemVersion
    q = (select(NursingItem.id, NursingItem.code, v.name_zh)
         .join(v, and_(v.item_id == NursingItem.id, v.version == NursingItem.current_version))
         .where(NursingItem.id.in_([k for k, _ in rows])))
    names = {i: (n, c) for i, c, n in (await session.execute(q)).tuples()}
    return _by_orders([schemas.GroupRow(id=k, name=names.get(k, ("", ""))[0], code=names.get(k, ("", ""))[1],
                                        **figures(m)) for k, m in rows])
