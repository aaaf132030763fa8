"""Home-nursing cockpit figures for a period and a scope, each group one aggregate query in the database.

Each figure counts what happened in the period, on the order's own time columns: orders placed (created_at),
visits completed (completed_at), orders paid (paid_at; revenue = the order's item price + home-visit fee +
consumables, i.e. what its nursing bill charged), ratings given (rated_at; satisfied = 4 or 5 stars), visits
checked in (checked_in_at; order → visit time = checked_in_at − created_at). A nurse is credited through the
order's (first) nurse. Consumables and waste count by the time they were recorded.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func, literal, or_, select, text, true, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from yihu.cockpit import schemas, sql
from yihu.cockpit.window import Window, scoped
from yihu.nursing.models import NursingOrder
from yihu.nursing.visit_models import NursingConsumableUse, NursingRating, NursingWaste

Order = NursingOrder
R = NursingRating
MEASURES = ("orders", "completed", "paid", "revenue_fen", "rated", "stars", "satisfied", "visited", "to_visit_min")


def dialect_of(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


async def tune(session: AsyncSession) -> None:
    """For this transaction on PostgreSQL: no JIT (it spent longer compiling these one-off aggregates than running
    them), and a plan for the actual period and scope every time (asyncpg prepares statements; after five runs a
    generic plan, blind to how many days the period spans, chose index scans for a year and took seconds more)."""
    if dialect_of(session) == "postgresql":
        await session.execute(text("SET LOCAL jit = off"))
        await session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))


def measures(dialect: str, w: Window) -> tuple[list[Any], ColumnElement[bool]]:
    """The figures of one group, and the filter of the orders touched in the period. A rating row is joined only
    when it was given in the period (see :func:`touched_orders`), so its stars count as they are."""
    placed, done, paid = w.holds(Order.created_at), w.holds(Order.completed_at), w.holds(Order.paid_at)
    rated, seen = w.holds(Order.rated_at), w.holds(Order.checked_in_at)
    amount = Order.price_fen + Order.visit_fee_fen + Order.consumables_fen
    cols = [
        func.count().filter(placed).label("orders"),
        func.count().filter(done).label("completed"),
        func.count().filter(paid).label("paid"),
        func.coalesce(func.sum(amount).filter(paid), 0).label("revenue_fen"),
        func.count(R.stars).label("rated"),
        func.coalesce(func.sum(R.stars), 0).label("stars"),
        func.count(R.stars).filter(R.stars >= 4).label("satisfied"),
        func.count().filter(seen).label("visited"),
        func.sum(sql.minutes_between(dialect, Order.created_at, Order.checked_in_at)).filter(seen).label("to_visit_min"),
    ]
    return cols, or_(placed, done, paid, rated, seen)


def touched_orders(w: Window) -> Any:
    """The orders with their rating when it was given in the period (the rating's time index keeps this small)."""
    return Order.__table__.outerjoin(R, and_(R.order_id == Order.id, w.holds(R.rated_at)))


def raw(row: Any) -> dict[str, Any]:
    return {k: getattr(row, k) or 0 for k in MEASURES}


def figures(row: Any) -> dict[str, Any]:
    m = row if isinstance(row, dict) else raw(row)
    rated, visited = int(m["rated"] or 0), int(m["visited"] or 0)
    return {
        "orders": int(m["orders"] or 0), "completed": int(m["completed"] or 0), "paid": int(m["paid"] or 0),
        "revenue_fen": int(m["revenue_fen"] or 0), "rated": rated, "satisfied": int(m["satisfied"] or 0),
        "avg_rating": round(int(m["stars"]) / rated, 2) if rated else None,
        "satisfied_share": round(int(m["satisfied"]) / rated, 4) if rated else None,
        "visited": visited,
        "avg_to_visit_min": round(float(m["to_visit_min"]) / visited, 1) if visited else None,
    }


async def to_visit(session: AsyncSession, w: Window, institution_id: str | None) -> tuple[float | None, float | None]:
    """Median and 90th percentile of order → visit minutes over the visits checked in during the period."""
    d = dialect_of(session)
    minutes = sql.minutes_between(d, Order.created_at, Order.checked_in_at)
    q = sql.percentiles(d, minutes, [scoped(Order.institution_id, institution_id), w.holds(Order.checked_in_at)], Order,
                        (0.5, 0.9))
    row = (await session.execute(q)).one()
    return (None if row[0] is None else round(float(row[0]), 1), None if row[1] is None else round(float(row[1]), 1))


async def daily(session: AsyncSession, w: Window, institution_id: str | None) -> list[schemas.DayRow]:
    d = dialect_of(session)
    scope = scoped(Order.institution_id, institution_id)
    placed = select(sql.local_day(d, Order.created_at).label("day"), literal("orders").label("kind")).where(
        scope, w.holds(Order.created_at))
    done = select(sql.local_day(d, Order.completed_at).label("day"), literal("completed").label("kind")).where(
        scope, w.holds(Order.completed_at))
    u = union_all(placed, done).subquery()
    q = select(u.c.day, u.c.kind, func.count()).group_by(u.c.day, u.c.kind)
    found: dict[tuple[Any, str], int] = {(sql.as_date(day), kind): int(n) for day, kind, n in
                                          (await session.execute(q)).tuples()}
    days = [w.start_day + timedelta(days=i) for i in range(w.days)]
    return [schemas.DayRow(day=day, orders=found.get((day, "orders"), 0), completed=found.get((day, "completed"), 0))
            for day in days]


def _of_scope(order_id: InstrumentedAttribute[str], institution_id: str | None) -> ColumnElement[bool]:
    """Rows of orders of one institution (an index-only semi-join); the whole region needs no join at all."""
    if not institution_id:
        return true()
    return order_id.in_(select(Order.id).where(Order.institution_id == institution_id))


async def consumables(session: AsyncSession, w: Window, institution_id: str | None) -> list[schemas.ConsumableRow]:
    c = NursingConsumableUse
    q = (select(c.consumable_code, func.max(c.name_zh), func.max(c.unit), func.sum(c.count), func.sum(c.amount_fen),
                func.count())  # one row per order and consumable: count = visits
         .where(_of_scope(c.order_id, institution_id), w.holds(c.recorded_at))
         .group_by(c.consumable_code).order_by(func.sum(c.amount_fen).desc(), c.consumable_code))
    return [schemas.ConsumableRow(code=code, name=name, unit=unit, count=int(n), amount_fen=int(fen), visits=int(v))
            for code, name, unit, n, fen, v in (await session.execute(q)).tuples()]


async def waste(session: AsyncSession, w: Window, institution_id: str | None) -> list[schemas.WasteRow]:
    x = NursingWaste
    q = (select(x.kind, func.count(), func.coalesce(func.sum(x.count), 0), func.coalesce(func.sum(x.weight_g), 0))
         .where(_of_scope(x.order_id, institution_id), w.holds(x.recorded_at)).group_by(x.kind).order_by(x.kind))
    return [schemas.WasteRow(kind=k, records=int(r), count=int(n or 0), weight_g=int(g or 0))
            for k, r, n, g in (await session.execute(q)).tuples()]
