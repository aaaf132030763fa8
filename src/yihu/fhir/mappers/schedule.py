"""Schedule: who or what is booked (the doctor, the institution's site or the exam room), what service, for how long.

The concepts built here (kind, department, exam room, slot class) are shared with Slot and Appointment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from fhir.resources.R4B.schedule import Schedule as FhirSchedule

from yihu.fhir import systems
from yihu.fhir.mappers.common import concept, meta, reference, without_none
from yihu.kit import clock
from yihu.registry import codes
from yihu.registry.models import Department, Institution, Practitioner, Room
from yihu.scheduling.models import Schedule

SCHEDULE_KINDS: dict[str, tuple[str, str]] = {
    "doctor": ("医生门诊", "Doctor's clinic"),
    "department": ("科室门诊", "Department clinic"),
    "exam": ("检查预约", "Examination"),
}
SLOT_CLASSES: dict[str, tuple[str, str]] = {
    "general": ("普通号", "General"),
    "expert": ("专家号", "Expert"),
    "special": ("特需号", "Special needs"),
}


@dataclass(frozen=True)
class ScheduleRows:
    """A schedule with the rows it refers to."""

    schedule: Schedule
    institution: Institution
    department: Department | None = None
    practitioner: Practitioner | None = None
    room: Room | None = None


def local_instant(at: datetime) -> str:
    """An instant shown in Asia/Shanghai with its offset, e.g. ``2026-11-23T08:00:00+08:00``."""
    return at.astimezone(clock.LOCAL).isoformat()


def service_category(rows: ScheduleRows) -> list[dict[str, Any]]:
    return [concept(systems.SCHEDULE_KIND, rows.schedule.kind, SCHEDULE_KINDS)]


def specialty(rows: ScheduleRows) -> list[dict[str, Any]] | None:
    """The department's clinical subject (诊疗科目), shown with the department's own name."""
    if rows.department is None:
        return None
    out = concept(systems.CLINICAL_SUBJECT, rows.department.code, codes.CLINICAL_SUBJECTS)
    out["text"] = rows.department.name
    return [out]


def service_type(rows: ScheduleRows) -> list[dict[str, Any]]:
    """The department's clinical subject, the exam resource's kind (CT, ultrasound…) and the slot class."""
    out = list(specialty(rows) or [])
    if rows.room is not None and rows.schedule.kind == "exam":
        out.append(concept(systems.ROOM_KIND, rows.room.kind, codes.ROOM_KINDS))
    out.append(concept(systems.SLOT_CLASS, rows.schedule.slot_class, SLOT_CLASSES))
    return out


def location(rows: ScheduleRows) -> dict[str, str]:
    """The exam room for exam schedules, otherwise the institution's site."""
    if rows.room is not None and rows.schedule.kind == "exam":
        return reference("Location", rows.room.id, rows.room.name)
    return reference("Location", rows.institution.id, rows.institution.name)


def actors(rows: ScheduleRows) -> list[dict[str, str]]:
    doctor = rows.practitioner
    head = [reference("Practitioner", doctor.id, doctor.name)] if doctor is not None else []
    return [*head, location(rows)]


def fee(fen: int) -> dict[str, Any]:
    """A registration fee as an extension with a Money value (yuan, two decimals)."""
    return {"url": systems.FEE, "valueMoney": {"value": f"{fen // 100}.{fen % 100:02d}", "currency": "CNY"}}


def to_fhir(rows: ScheduleRows, today: date) -> FhirSchedule:
    """``today`` is the local date: the planning horizon is the rolling window of generated slots."""
    s = rows.schedule
    midnight = clock.parse_hhmm("00:00")
    horizon = {"start": local_instant(clock.at_local(today, midnight)),
               "end": local_instant(clock.at_local(today + timedelta(days=s.window_days + 1), midnight))}
    comment = s.name if not s.preparation else f"{s.name}\n{s.preparation}"
    body: dict[str, Any] = without_none({
        "resourceType": "Schedule",
        "id": s.id,
        "meta": meta(s.updated_at),
        "extension": [fee(s.fee_fen)],
        "active": s.active,
        "serviceCategory": service_category(rows),
        "serviceType": service_type(rows),
        "specialty": specialty(rows),
        "actor": actors(rows),
        "planningHorizon": horizon,
        "comment": comment,
    })
    return FhirSchedule.model_validate(body)
