"""Bill lists, narrowed by the access policy's filter."""

from __future__ import annotations

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from yihu.billing.models import Bill


async def list_bills(session: AsyncSession, scope: ColumnElement[bool] | None, *, status: str | None = None,
                     institution_id: str | None = None, offset: int = 0, limit: int = 50) -> list[Bill]:
    q = select(Bill)
    if scope is not None:
        q = q.where(scope)
    if status is not None:
        q = q.where(Bill.status == status)
    if institution_id is not None:
        q = q.where(Bill.institution_id == institution_id)
    q = q.order_by(Bill.created_at.desc(), Bill.id).offset(offset).limit(limit)
    return list((await session.scalars(q)).all())
