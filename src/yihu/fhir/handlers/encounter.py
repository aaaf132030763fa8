"""Encounter: the outpatient visits (one per check-in or walk-in), read and searched within the caller's scope;
every one shown is audited.

Scope is the records policy, as for Appointment: a resident sees the visits of the patients bound to the account,
staff those of their institution, the regulator all of them; anonymous callers are refused. A booking that was
never checked in has no Encounter.
"""

from __future__ import annotations

from typing import Any, ClassVar

from fhir.resources.R4B.resource import Resource
from sqlalchemy import ColumnElement, Select, and_, case, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from yihu.auth import policy
from yihu.errors import NOT_FOUND, DomainError
from yihu.fhir.dates import date_match
from yihu.fhir.filters import any_of, reference_match, token_codes
from yihu.fhir.handlers import schedule_rows
from yihu.fhir.handlers.base import Context, Page, ResourceHandler, count_of
from yihu.fhir.mappers import encounter as mapper
from yihu.fhir.search import Criterion, SearchParam, SearchRequest, id_param
from yihu.kit import audit
from yihu.queueing.models import Queue, QueueEntry
from yihu.scheduling.models import Appointment

_APPT_STATUS = func.coalesce(Appointment.status, literal(""))
# The FHIR status in SQL, the same rules as ``mapper.status``.
STATUS = case(
    (or_(_APPT_STATUS.in_(mapper.CANCELLED_APPOINTMENT), QueueEntry.status.in_(mapper.CANCELLED_ENTRY)), "cancelled"),
    (or_(QueueEntry.status == "done", _APPT_STATUS == "fulfilled"), "finished"),
    (QueueEntry.status == "called", "in-progress"),
    else_="arrived",
)


def _base() -> Select[tuple[QueueEntry, Queue, Appointment]]:
    return (select(QueueEntry, Queue, Appointment).join(Queue, Queue.id == QueueEntry.queue_id)
            .outerjoin(Appointment, Appointment.id == QueueEntry.appointment_id))


def _id_condition(ids: list[str]) -> ColumnElement[bool]:
    walkins = [i[len(mapper.WALKIN_PREFIX):] for i in ids if i.startswith(mapper.WALKIN_PREFIX)]
    booked = [i for i in ids if not i.startswith(mapper.WALKIN_PREFIX)]
    conds: list[ColumnElement[bool]] = []
    if booked:
        conds.append(QueueEntry.appointment_id.in_(booked))
    if walkins:
        conds.append(and_(QueueEntry.appointment_id.is_(None), QueueEntry.id.in_(walkins)))
    return any_of(conds)


def _ids(c: Criterion) -> ColumnElement[bool]:
    codes = token_codes(c, ())
    return literal(True) if codes is None else _id_condition(codes)


def _statuses(c: Criterion) -> ColumnElement[bool]:
    codes = token_codes(c, (mapper.STATUS_SYSTEM,))
    return literal(True) if codes is None else STATUS.in_([s for s in codes if s in mapper.FHIR_STATUSES])


async def _visits(session: AsyncSession, rows: list[Any]) -> list[mapper.Visit]:
    loaded = await schedule_rows.load_ids(session, {q.schedule_id for _e, q, _a in rows})
    return [mapper.Visit(e, a, loaded[q.schedule_id]) for e, q, a in rows]


class EncounterHandler(ResourceHandler):
    resource_type = "Encounter"
    documentation = ("Outpatient visits (class AMB): one per checked-in booking (its id is the Appointment's) and "
                     "one per walk-in (id walkin-<queue entry>), from check-in (arrived) through the call "
                     "(in-progress) to the end of the consultation (finished). Limited to the caller's patients "
                     "(residents), institution (staff) or region (regulator).")
    search_params: ClassVar[tuple[SearchParam, ...]] = (
        id_param("Encounter"),
        SearchParam("patient", "reference", "The patient (Patient)", ("Patient",)),
        SearchParam("date", "date", "The check-in time (prefixes eq ne gt lt ge le sa eb; dates are Asia/Shanghai)"),
        SearchParam("status", "token", "arrived | in-progress | finished | cancelled"),
        SearchParam("appointment", "reference", "The booking checked in (Appointment)", ("Appointment",)),
    )

    async def read(self, ctx: Context, resource_id: str) -> Resource:
        actor = policy.require_actor(ctx.actor)
        row = (await ctx.session.execute(_base().where(_id_condition([resource_id])))).tuples().first()
        if row is None:
            raise DomainError(NOT_FOUND, what="就诊记录")
        entry, queue, _appt = row
        await policy.require_record(ctx.session, actor, patient_id=entry.patient_id,
                                    institution_id=queue.institution_id)
        visit = (await _visits(ctx.session, [row]))[0]
        audit.record(ctx.session, actor, "encounter.read", patient_id=entry.patient_id, resource_type="Encounter",
                     resource_id=resource_id, detail={"via": "fhir"})
        return mapper.to_fhir(visit)

    async def search(self, ctx: Context, req: SearchRequest) -> Page:
        actor = policy.require_actor(ctx.actor)
        q = _base().order_by(QueueEntry.checked_in_at, QueueEntry.id)
        limit = policy.record_scope(actor, QueueEntry.patient_id, Queue.institution_id)
        if limit is not None:
            q = q.where(limit)
        for c in req.of("_id"):
            q = q.where(_ids(c))
        for c in req.of("patient"):
            q = q.where(reference_match(QueueEntry.patient_id, c, "Patient"))
        for c in req.of("date"):
            q = q.where(date_match(QueueEntry.checked_in_at, c))
        for c in req.of("status"):
            q = q.where(_statuses(c))
        for c in req.of("appointment"):
            q = q.where(reference_match(QueueEntry.appointment_id, c, "Appointment"))
        total = await count_of(ctx.session, q)
        rows = list((await ctx.session.execute(q.offset(req.offset).limit(req.count))).tuples().all()
                    ) if req.count > 0 else []
        visits = await _visits(ctx.session, rows)
        for v in visits:
            audit.record(ctx.session, actor, "encounter.search", patient_id=v.entry.patient_id,
                         resource_type="Encounter", resource_id=mapper.encounter_id(v.entry), detail={"via": "fhir"})
        return Page([mapper.to_fhir(v) for v in visits], total)

