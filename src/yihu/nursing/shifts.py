"""Nurses' home-care shifts: when a nurse's round may start and must end on a day, and where it starts.

The start point defaults to the nurse's home, else the institution. Only nurses registered at the institution get
a shift there (the dispatcher sends only them).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, time

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from yihu.errors import DomainError
from yihu.kit import clock
from yihu.nursing import dispatch_errors as errs
from yihu.nursing.models import NursingShift
from yihu.registry import service as registry
from yihu.registry.models import Practitioner


async def our_nurse(session: AsyncSession, institution_id: str, practitioner_id: str) -> Practitioner:
    p = await session.get(Practitioner, practitioner_id)
    if p is None or p.kind != "nurse" or p.registered_institution_id != institution_id:
        raise DomainError(errs.NOT_OUR_NURSE)
    return p


def _valid_point(lat: float | None, lon: float | None) -> bool:
    return lat is not None and lon is not None and -90 <= lat <= 90 and -180 <= lon <= 180


async def set_shift(session: AsyncSession, institution_id: str, practitioner_id: str, day: date, *, start: time,
                    end: time, latitude: float | None = None, longitude: float | None = None) -> NursingShift:
    """Create or replace the nurse's shift of that day."""
    nurse = await our_nurse(session, institution_id, practitioner_id)
    if day < clock.local_date(clock.now()) or end <= start:
        raise DomainError(errs.SHIFT_INVALID)
    if latitude is None and longitude is None:
        if _valid_point(nurse.home_latitude, nurse.home_longitude):
            latitude, longitude = nurse.home_latitude, nurse.home_longitude
        else:
            inst = await registry.get_institution(session, institution_id)
            latitude, longitude = inst.latitude, inst.longitude
    if latitude is None or longitude is None or not _valid_point(latitude, longitude):
        raise DomainError(errs.SHIFT_INVALID)
    row = await session.scalar(select(NursingShift).where(NursingShift.practitioner_id == practitioner_id,
                                                          NursingShift.day == day))
    if row is None:
        row = NursingShift(practitioner_id=practitioner_id, institution_id=institution_id, day=day)
        session.add(row)
    row.start_at, row.end_at = clock.at_local(day, start), clock.at_local(day, end)
    row.start_latitude, row.start_longitude = latitude, longitude
    await session.flush()
    return row


async def remove_shift(session: AsyncSession, institution_id: str, practitioner_id: str, day: date) -> None:
    gone = await session.execute(delete(NursingShift).where(
        NursingShift.institution_id == institution_id, NursingShift.practitioner_id == practitioner_id,
        NursingShift.day == day).execution_options(synchronize_session=False))
    if not getattr(gone, "rowcount", 0):
        raise DomainError(errs.SHIFT_NOT_FOUND)


async def shifts_of(session: AsyncSession, institution_id: str, day: date) -> Sequence[tuple[NursingShift, Practitioner]]:
    """The day's shifts of the institution's registered nurses, earliest first."""
    rows = await session.execute(
        select(NursingShift, Practitioner).join(Practitioner, Practitioner.id == NursingShift.practitioner_id)
        .where(NursingShift.institution_id == institution_id, NursingShift.day == day,
               Practitioner.registered_institution_id == institution_id, Practitioner.kind == "nurse")
        .order_by(NursingShift.start_at, Practitioner.name, Practitioner.id))
    return rows.tuples().all()
