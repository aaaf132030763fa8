"""Search conditions on a schedule's columns, shared by Schedule, Slot and Appointment searches."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, or_, select, true

from yihu.fhir import systems
from yihu.fhir.filters import any_of, reference_ids
from yihu.fhir.search import Criterion
from yihu.registry.models import Department, Room
from yihu.scheduling.models import Schedule

ACTOR_TYPES = ("Practitioner", "Location")


def _subject(code: str | None) -> ColumnElement[bool]:
    deps = select(Department.id) if code is None else select(Department.id).where(Department.code == code)
    return Schedule.department_id.in_(deps)


def _room_kind(code: str | None) -> ColumnElement[bool]:
    rooms = select(Room.id) if code is None else select(Room.id).where(Room.kind == code)
    return and_(Schedule.kind == "exam", Schedule.room_id.in_(rooms))


def _slot_class(code: str | None) -> ColumnElement[bool]:
    return true() if code is None else Schedule.slot_class == code


_SERVICE_TYPES = {systems.CLINICAL_SUBJECT: _subject, systems.ROOM_KIND: _room_kind, systems.SLOT_CLASS: _slot_class}


def service_type_match(c: Criterion) -> ColumnElement[bool]:
    """``code`` in any of our systems, ``system|code`` in one, ``system|`` for any code of that system."""
    conds: list[ColumnElement[bool]] = []
    for v in c.values:
        if "|" not in v:
            conds += [build(v) for build in _SERVICE_TYPES.values()]
            continue
        system, _, code = v.partition("|")
        build = _SERVICE_TYPES.get(system)
        if build is not None:
            conds.append(build(code or None))
    return any_of(conds)


def specialty_match(c: Criterion) -> ColumnElement[bool]:
    conds: list[ColumnElement[bool]] = []
    for v in c.values:
        system, bar, code = v.partition("|")
        if not bar:
            conds.append(_subject(v))
        elif system == systems.CLINICAL_SUBJECT:
            conds.append(_subject(code or None))
    return any_of(conds)


def actor_match(c: Criterion) -> ColumnElement[bool]:
    """The doctor (Practitioner) or the place (Location: the exam room of an exam schedule, else the site)."""
    doctors = reference_ids(c, "Practitioner")
    places = reference_ids(c, "Location")
    in_room = and_(Schedule.kind == "exam", Schedule.room_id.is_not(None))
    return or_(Schedule.practitioner_id.in_(doctors),
               and_(in_room, Schedule.room_id.in_(places)),
               and_(~in_room, Schedule.institution_id.in_(places)))
