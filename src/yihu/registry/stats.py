"""Counts per institution for the regulator's and the institution's home pages."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from yihu.registry.models import Department, Institution, PatientLink, Practitioner


async def per_institution(session: AsyncSession, institution_id: str | None = None) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    dq = select(Department.institution_id, func.count()).where(Department.active.is_(True)).group_by(
        Department.institution_id)
    pq = select(Practitioner.registered_institution_id, Practitioner.kind, Practitioner.suspended, func.count()).group_by(
        Practitioner.registered_institution_id, Practitioner.kind, Practitioner.suspended)
    lq = select(PatientLink.institution_id, func.count()).group_by(PatientLink.institution_id)
    if institution_id:
        dq = dq.where(Department.institution_id == institution_id)
        pq = pq.where(Practitioner.registered_institution_id == institution_id)
        lq = lq.where(PatientLink.institution_id == institution_id)
    for inst, n in (await session.execute(dq)).tuples():
        out[inst]["departments"] = n
    for inst, kind, suspended, n in (await session.execute(pq)).tuples():
        key = {"doctor": "doctors", "nurse": "nurses", "pharmacist": "pharmacists"}.get(kind, "technicians")
        out[inst][key] += n
        if suspended:
            out[inst]["suspended"] += n
    for inst, n in (await session.execute(lq)).tuples():
        out[inst]["patients"] = n
    return out


async def institutions_for_overview(session: AsyncSession, institution_id: str | None) -> list[Institution]:
    q = select(Institution).where(Institution.active.is_(True)).order_by(Institution.code)
    if institution_id:
        q = q.where(Institution.id == institution_id)
    return list((await session.scalars(q)).all())
