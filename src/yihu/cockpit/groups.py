"""The breakdowns of the period by institution, nurse, item and status from one pass over the orders touched in it.
PostgreSQL groups them with GROUPING SETS; SQLite (no grouping sets) runs the GROUP BYs in one UNION ALL. Names
come after, in three small look-ups of the keys found. (The daily series stays a query of its own: the planner has
no statistics on a local-day expression, guesses millions of days and then sorts every row instead of hashing.)"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, literal, null, select, tuple_, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from yihu.cockpit import schemas
from yihu.cockpit.nursing import MEASURES, Order, dialect_of, figures, measures, raw, touched_orders
from yihu.cockpit.window import Window, scoped
from yihu.nursing.lifecycle import status_text
from yihu.nursing.models import ORDER_STATUSES, NursingItem, NursingItemVersion
from yihu.registry.models import Institution, Practitioner

SETS = ("institution", "nurse", "item", "status")


@dataclass
class Breakdowns:
    by_institution: list[schemas.GroupRow]
    by_nurse: list[schemas.GroupRow]
    by_item: list[schemas.GroupRow]
    status: list[schemas.StatusCount]
    totals: dict[str, Any]


def _keys() -> dict[str, Any]:
    return {"institution": Order.institution_id, "nurse": Order.nurse_id, "item": Order.item_id,
            "status": Order.status}


def _bits(name: str) -> int:
    """What grouping(<every key>) answers for the set of ``name``: a bit for each key NOT grouped on."""
    n = len(SETS)
    return (1 << n) - 1 - (1 << (n - 1 - SETS.index(name)))


def _statement(dialect: str, w: Window, institution_id: str | None) -> Any:
    cols, touched = measures(dialect, w)
    where = (scoped(Order.institution_id, institution_id), touched)
    keys = _keys()
    if dialect == "postgresql":
        return (select(func.grouping(*keys.values()).label("kind"), *(k.label(n) for n, k in keys.items()), *cols)
                .select_from(touched_orders(w)).where(*where)
                .group_by(func.grouping_sets(*(tuple_(k) for k in keys.values()))))
    parts = []
    for name in SETS:
        labelled = [(keys[k] if k == name else null()).label(k) for k in SETS]
        parts.append(select(literal(_bits(name)).label("kind"), *labelled, *cols).select_from(touched_orders(w))
                     .where(*where).group_by(keys[name]))
    return union_all(*parts)


async def breakdowns(session: AsyncSession, w: Window, institution_id: str | None, top_nurses: int) -> Breakdowns:
    by_bits = {_bits(n): n for n in SETS}
    rows: dict[str, list[tuple[Any, dict[str, Any]]]] = {n: [] for n in SETS}
    for r in (await session.execute(_statement(dialect_of(session), w, institution_id))).all():
        name = by_bits[int(r.kind)]
        key = getattr(r, name)
        if key is not None:  # orders with no nurse yet are not a nurse's
            rows[name].append((key, raw(r)))
    total = {k: sum(m[k] for _, m in rows["institution"]) for k in MEASURES}  # every order has an institution
    nurses = sorted(rows["nurse"], key=lambda km: (-km[1]["completed"], -km[1]["orders"], km[0]))[:top_nurses]
    states = {k: int(m["orders"]) for k, m in rows["status"]}
    return Breakdowns(
        by_institution=await _institutions(session, rows["institution"]),
        by_nurse=await _nurses(session, nurses),
        by_item=await _items(session, rows["item"]),
        status=[schemas.StatusCount(status=s, text=status_text(s), count=states.get(s, 0)) for s in ORDER_STATUSES],
        totals=figures(total))


def _by_orders(out: list[schemas.GroupRow]) -> list[schemas.GroupRow]:
    return sorted(out, key=lambda g: (-g.orders, g.code, g.id))


async def _institutions(session: AsyncSession, rows: list[tuple[Any, dict[str, Any]]]) -> list[schemas.GroupRow]:
    q = select(Institution.id, Institution.name, Institution.code).where(Institution.id.in_([k for k, _ in rows]))
    names = {i: (n, c) for i, n, c in (await session.execute(q)).tuples()}
    return _by_orders([schemas.GroupRow(id=k, name=names.get(k, ("", ""))[0], code=names.get(k, ("", ""))[1],
                                        **figures(m)) for k, m in rows])


async def _nurses(session: AsyncSession, rows: list[tuple[Any, dict[str, Any]]]) -> list[schemas.GroupRow]:
    q = select(Practitioner.id, Practitioner.name).where(Practitioner.id.in_([k for k, _ in rows]))
    names = dict((await session.execute(q)).tuples().all())
    return [schemas.GroupRow(id=k, name=names.get(k, ""), **figures(m)) for k, m in rows]


async def _items(session: AsyncSession, rows: list[tuple[Any, dict[str, Any]]]) -> list[schemas.GroupRow]:
    v = NursingItemVersion
    q = (select(NursingItem.id, NursingItem.code, v.name_zh)
         .join(v, and_(v.item_id == NursingItem.id, v.version == NursingItem.current_version))
         .where(NursingItem.id.in_([k for k, _ in rows])))
    names = {i: (n, c) for i, c, n in (await session.execute(q)).tuples()}
    return _by_orders([schemas.GroupRow(id=k, name=names.get(k, ("", ""))[0], code=names.get(k, ("", ""))[1],
                                        **figures(m)) for k, m in rows])
