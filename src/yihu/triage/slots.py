"""Free slots of the departments a suggestion names: departments whose clinical-subject code is the suggested
one (or its parent: 内科 for 呼吸内科), region-wide or at one institution, through the scheduling search."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from yihu.registry import service as registry
from yihu.scheduling import schedules

MAX_DEPARTMENTS = 30


@dataclass(frozen=True)
class DepartmentRef:
    id: str
    code: str
    name: str
    institution_id: str


@dataclass(frozen=True)
class FreeSlot:
    slot_id: str
    schedule_id: str
    schedule_name: str
    institution_id: str
    institution_name: str
    department_id: str
    department_name: str
    slot_class: str
    fee_fen: int
    start_at: datetime
    end_at: datetime
    free_online: int


def codes_for(code: str) -> list[str]:
    return [code, code.split(".")[0]] if "." in code else [code]


async def departments_for(session: AsyncSession, code: str, institution_id: str | None) -> list[DepartmentRef]:
    """Departments of exactly this subject first, then of its parent; a bounded, stable list."""
    rows = await registry.departments_by_code(session, codes_for(code), first=code, institution_id=institution_id,
                                              limit=MAX_DEPARTMENTS)
    return [DepartmentRef(d.id, d.code, d.name, d.institution_id) for d in rows]


async def free_slots(session: AsyncSession, departments: list[DepartmentRef], now: datetime,
                     limit: int) -> list[FreeSlot]:
    """The earliest free online slots of these departments, walking them in order until ``limit`` are found."""
    found: list[FreeSlot] = []
    for dep in departments:
        rows, _ = await schedules.search_slots(session, schedules.SlotQuery(
            department_id=dep.id, free_only=True, start_from=now, limit=limit), now)
        inst = await registry.get_institution(session, dep.institution_id) if rows else None
        for slot, sched in rows:
            found.append(FreeSlot(
                slot_id=slot.id, schedule_id=sched.id, schedule_name=sched.name, institution_id=slot.institution_id,
                institution_name=inst.name if inst else "", department_id=dep.id, department_name=dep.name,
                slot_class=sched.slot_class, fee_fen=sched.fee_fen, start_at=slot.start_at, end_at=slot.end_at,
                free_online=max(0, slot.capacity - slot.onsite - slot.booked)))
        if len(found) >= limit:
            break
    return sorted(found, key=lambda s: (s.start_at, s.slot_id))[:limit]
