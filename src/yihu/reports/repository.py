"""Queries of the reports domain."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from yihu.auth import service as accounts
from yihu.errors import NOT_FOUND, DomainError
from yihu.reports import errors
from yihu.reports.models import Report, ReportObservation


async def get(session: AsyncSession, report_id: str) -> Report:
    r = await session.get(Report, report_id)
    if r is None:
        raise DomainError(errors.REPORT_NOT_FOUND)
    return r


async def observations(session: AsyncSession, report_ids: list[str]) -> dict[str, list[ReportObservation]]:
    out: dict[str, list[ReportObservation]] = {i: [] for i in report_ids}
    if not report_ids:
        return out
    rows = await session.scalars(select(ReportObservation).where(ReportObservation.report_id.in_(report_ids))
                                 .order_by(ReportObservation.report_id, ReportObservation.seq))
    for o in rows.all():
        out[o.report_id].append(o)
    return out


async def versions(session: AsyncSession, lineage_id: str) -> list[Report]:
    return list((await session.scalars(select(Report).where(Report.lineage_id == lineage_id)
                                       .order_by(Report.version))).all())


@dataclass(frozen=True)
class ListQuery:
    patient_id: str | None = None
    institution_id: str | None = None
    kind: str | None = None
    offset: int = 0
    limit: int = 20


async def latest(session: AsyncSession, scope: ColumnElement[bool] | None, q: ListQuery) -> tuple[list[Report], int]:
    """The latest version of each report in scope, newest first."""
    stmt = select(Report).where(Report.current_of.is_not(None))
    if scope is not None:
        stmt = stmt.where(scope)
    for col, value in ((Report.patient_id, q.patient_id), (Report.institution_id, q.institution_id),
                       (Report.kind, q.kind)):
        if value is not None:
            stmt = stmt.where(col == value)
    total = int(await session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
    rows = await session.scalars(stmt.order_by(Report.published_at.desc(), Report.id.desc())
                                 .offset(q.offset).limit(q.limit))
    return list(rows.all()), total


async def recipients(session: AsyncSession, patient_id: str) -> list[tuple[str, str]]:
    """(account id, language) of every active account that is the patient or has the patient bound by a card."""
    return await accounts.accounts_for_patient(session, patient_id)


async def get_observation(session: AsyncSession, observation_id: str) -> tuple[ReportObservation, Report]:
    o = await session.get(ReportObservation, observation_id)
    if o is None:
        raise DomainError(NOT_FOUND, what="检验结果")
    return o, await get(session, o.report_id)
