"""Loading the rows that schedules refer to (institution, department, doctor, room) for a page at a time."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession

from yihu.fhir.handlers.base import by_ids
from yihu.fhir.mappers.schedule import ScheduleRows
from yihu.registry.models import Department, Institution, Practitioner, Room
from yihu.scheduling.models import Schedule


async def load(session: AsyncSession, schedules: Iterable[Schedule]) -> dict[str, ScheduleRows]:
    """Every schedule's rows, keyed by the schedule's id; four queries whatever the number of schedules."""
    items = {s.id: s for s in schedules}
    values = list(items.values())
    insts = await by_ids(session, Institution, {s.institution_id for s in values})
    deps = await by_ids(session, Department, {s.department_id for s in values if s.department_id})
    docs = await by_ids(session, Practitioner, {s.practitioner_id for s in values if s.practitioner_id})
    rooms = await by_ids(session, Room, {s.room_id for s in values if s.room_id})
    return {s.id: ScheduleRows(s, insts[s.institution_id], deps.get(s.department_id or ""),
                               docs.get(s.practitioner_id or ""), rooms.get(s.room_id or ""))
            for s in values}


async def load_ids(session: AsyncSession, schedule_ids: set[str]) -> dict[str, ScheduleRows]:
    return await load(session, (await by_ids(session, Schedule, schedule_ids)).values())
