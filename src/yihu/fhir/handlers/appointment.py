"""Appointment: read and search within the caller's scope, and booking by create; every one shown is audited.

Scope: a resident sees the appointments of the patients bound to the account, staff those of their institution,
the regulator all of them; anonymous callers are refused. A create books the referenced slot for the patient
through the scheduling domain, under the same policy and rate limits as the REST booking endpoint.
"""

from __future__ import annotations

from typing import ClassVar

from fhir.resources.R4B.appointment import Appointment as FhirAppointment
from fhir.resources.R4B.resource import Resource
from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from yihu.auth import policy
from yihu.auth.actor import Actor
from yihu.errors import DomainError
from yihu.fhir import errors
from yihu.fhir.dates import date_match
from yihu.fhir.filters import reference_match, token_codes, token_match
from yihu.fhir.handlers import schedule_rows
from yihu.fhir.handlers.base import Context, Page, ResourceHandler, by_ids, concat_page
from yihu.fhir.mappers import appointment as mapper
from yihu.fhir.operations.book import booking_ask
from yihu.fhir.search import Criterion, SearchParam, SearchRequest, id_param
from yihu.kit import audit
from yihu.scheduling import api as scheduling_api
from yihu.scheduling import booking
from yihu.scheduling.models import Appointment, Schedule, Slot

STATUS_SYSTEM = "http://hl7.org/fhir/appointmentstatus"


def scope(actor: Actor) -> ColumnElement[bool] | None:
    """The appointments ``actor`` may see; ``None`` means all of them."""
    return policy.record_scope(actor, Appointment.patient_id, Appointment.institution_id)


async def require_access(session: AsyncSession, actor: Actor, appt: Appointment) -> None:
    await policy.require_record(session, actor, patient_id=appt.patient_id, institution_id=appt.institution_id)


def _statuses(c: Criterion) -> list[str]:
    codes = token_codes(c, (STATUS_SYSTEM,))
    wanted = mapper.OUR_STATUSES if codes is None else {k: v for k, v in mapper.OUR_STATUSES.items() if k in codes}
    return [ours for group in wanted.values() for ours in group]


class AppointmentHandler(ResourceHandler):
    resource_type = "Appointment"
    documentation = ("Bookings of outpatient and exam slots, limited to the caller's patients (residents), "
                     "institution (staff) or region (regulator). Create books a free Slot for a Patient bound to "
                     "the resident's account; a taken slot is a 409. An Idempotency-Key header makes retries safe.")
    interactions = ("read", "search-type", "create")
    search_params: ClassVar[tuple[SearchParam, ...]] = (
        id_param("Appointment"),
        SearchParam("patient", "reference", "The patient (Patient)", ("Patient",)),
        SearchParam("date", "date", "The start (prefixes eq ne gt lt ge le sa eb; dates are Asia/Shanghai)"),
        SearchParam("status", "token", "booked | arrived | fulfilled | cancelled | noshow"),
        SearchParam("slot", "reference", "The booked slot (Slot)", ("Slot",)),
        SearchParam("practitioner", "reference", "The doctor of the schedule (Practitioner)", ("Practitioner",)),
    )

    async def _resources(self, ctx: Context, rows: list[Appointment]) -> list[Resource]:
        slots = await by_ids(ctx.session, Slot, {a.slot_id for a in rows})
        loaded = await schedule_rows.load_ids(ctx.session, {a.schedule_id for a in rows})
        return [mapper.to_fhir(a, slots[a.slot_id], loaded[a.schedule_id]) for a in rows]

    async def read(self, ctx: Context, resource_id: str) -> Resource:
        actor = policy.require_actor(ctx.actor)
        appt = await booking.get(ctx.session, resource_id)
        await require_access(ctx.session, actor, appt)
        audit.record(ctx.session, actor, "appointment.read", patient_id=appt.patient_id, resource_type="Appointment",
                     resource_id=appt.id, detail={"via": "fhir"})
        return (await self._resources(ctx, [appt]))[0]

    async def search(self, ctx: Context, req: SearchRequest) -> Page:
        actor = policy.require_actor(ctx.actor)
        q = select(Appointment).order_by(Appointment.start_at, Appointment.id)
        limit = scope(actor)
        if limit is not None:
            q = q.where(limit)
        for c in req.of("_id"):
            q = q.where(token_match(Appointment.id, c, ()))
        for c in req.of("patient"):
            q = q.where(reference_match(Appointment.patient_id, c, "Patient"))
        for c in req.of("date"):
            q = q.where(date_match(Appointment.start_at, c))
        for c in req.of("status"):
            q = q.where(Appointment.status.in_(_statuses(c)))
        for c in req.of("slot"):
            q = q.where(reference_match(Appointment.slot_id, c, "Slot"))
        for c in req.of("practitioner"):
            doctors = select(Schedule.id).where(reference_match(Schedule.practitioner_id, c, "Practitioner"))
            q = q.where(Appointment.schedule_id.in_(doctors))
        rows, total = await concat_page(ctx.session, [q], req.offset, req.count)
        for a in rows:
            audit.record(ctx.session, actor, "appointment.search", patient_id=a.patient_id,
                         resource_type="Appointment", resource_id=a.id, detail={"via": "fhir"})
        return Page(await self._resources(ctx, rows), total)

    async def admit_create(self, ctx: Context) -> None:
        await scheduling_api.check_booking_rate(policy.require_actor(ctx.actor))

    async def create(self, ctx: Context, resource: Resource) -> Resource:
        actor = policy.require_actor(ctx.actor)
        if not isinstance(resource, FhirAppointment):
            raise DomainError(errors.WRONG_TYPE, resource_type=self.resource_type)
        ask = booking_ask(resource)
        await policy.require_patient(ctx.session, actor, ask.patient_id, "change")
        appt = await booking.book(ctx.session, booking.BookingRequest(slot_id=ask.slot_id, patient_id=ask.patient_id,
                                                                      account_id=actor.account_id))
        audit.record(ctx.session, actor, "appointment.book", patient_id=appt.patient_id, resource_type="Appointment",
                     resource_id=appt.id, institution_id=appt.institution_id, detail={"via": "fhir"})
        return (await self._resources(ctx, [appt]))[0]
