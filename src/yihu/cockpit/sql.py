"""Dialect-aware SQL pieces: a local (Asia/Shanghai) day, minutes between two instants, percentiles.

PostgreSQL computes percentiles with ``percentile_cont``; SQLite (no ordered-set aggregates) gets the same linear
interpolation from window functions: with the values ranked 1..n and the position ``pos = 1 + p * (n - 1)``, the
percentile is ``sum(value * (1 - |rank - pos|))`` over the one or two ranks closer than 1 to ``pos``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Date, Float, Select, case, cast, func, literal, select

# Asia/Shanghai has kept UTC+8 without daylight saving since 1991: SQLite can shift by a fixed offset.
LOCAL_ZONE = "Asia/Shanghai"


def local_day(dialect: str, column: Any) -> ColumnElement[Any]:
    if dialect == "postgresql":
        return cast(func.timezone(LOCAL_ZONE, column), Date)
    return func.date(column, "+8 hours")


def as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def minutes_between(dialect: str, start: Any, end: Any) -> ColumnElement[Any]:
    if dialect == "postgresql":
        return cast(func.extract("epoch", end - start), Float) / 60.0
    return (func.julianday(end) - func.julianday(start)) * 1440.0


def percentiles(dialect: str, minutes: ColumnElement[Any], where: list[ColumnElement[bool]], source: Any,
                ps: tuple[float, ...]) -> Select[Any]:
    """One row: the ``ps`` percentiles of ``minutes`` over the rows of ``source`` matching ``where``."""
    if dialect == "postgresql":
        return select(*(func.percentile_cont(p).within_group(minutes) for p in ps)).select_from(source).where(*where)
    ranked = (select(minutes.label("m"), func.row_number().over(order_by=minutes).label("rn"),
                     func.count().over().label("n")).select_from(source).where(*where).subquery())
    cols = []
    for p in ps:
        pos = literal(1.0) + literal(p) * (ranked.c.n - 1)
        gap = func.abs(ranked.c.rn - pos)
        cols.append(func.sum(case((gap < 1, ranked.c.m * (1 - gap)), else_=None)))
    return select(*cols).select_from(ranked)
