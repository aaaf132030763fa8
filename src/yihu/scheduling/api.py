"""Schedules (institution console), region-wide slot search (anyone), bookings (residents)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, status
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession

from yihu.auth import policy
from yihu.auth.actor import Actor
from yihu.auth.deps import CurrentActor, CurrentResident
from yihu.config import get_settings
from yihu.errors import DomainError
from yihu.kit import audit, clock, idempotency, ratelimit
from yihu.kit.context import current_ip, current_lang
from yihu.kit.routing import CommittingRoute, SessionDep
from yihu.registry import service as registry
from yihu.scheduling import booking, errors, exams, flows, schedules, schemas
from yihu.scheduling.models import Appointment, Schedule, Slot

router = APIRouter(tags=["scheduling"], route_class=CommittingRoute)


def _require_admin_of(actor: Actor, institution_id: str) -> None:
    policy.require_institution_staff(actor, institution_id, "institution_admin")


async def _schedule_out(session: SessionDep, s: Schedule) -> schemas.ScheduleOut:
    sessions = [schemas.SessionIn(weekday=x.weekday, period=x.period, start=x.start, end=x.end)
                for x in await schedules.sessions_of(session, s.id)]
    return schemas.ScheduleOut(
        id=s.id, institution_id=s.institution_id, department_id=s.department_id, practitioner_id=s.practitioner_id,
        room_id=s.room_id, kind=s.kind, name=s.name, slot_class=s.slot_class, fee_fen=s.fee_fen,
        slot_minutes=s.slot_minutes, capacity_per_slot=s.capacity_per_slot, onsite_per_slot=s.onsite_per_slot,
        release_days_ahead=s.release_days_ahead, release_time=s.release_time, window_days=s.window_days,
        direct_booking=s.direct_booking, preparation=s.preparation, sessions=sessions)


@router.post("/institutions/{institution_id}/schedules", response_model=schemas.ScheduleOut,
             status_code=status.HTTP_201_CREATED, summary="Create a schedule with its weekly sessions and slots")
async def create_schedule(institution_id: str, body: schemas.ScheduleIn, session: SessionDep,
                          actor: CurrentActor) -> schemas.ScheduleOut:
    _require_admin_of(actor, institution_id)
    data = body.model_dump()
    data["sessions"] = [schedules.SessionInput(**x) for x in data["sessions"]]
    sched = await schedules.create(session, institution_id, schedules.ScheduleInput(**data))
    today = clock.local_date(clock.now())
    await schedules.generate(session, sched, today, today + timedelta(days=sched.window_days))
    audit.record(session, actor, "schedule.create", resource_type="Schedule", resource_id=sched.id)
    return await _schedule_out(session, sched)


@router.get("/schedules", response_model=list[schemas.ScheduleOut])
async def list_schedules(session: SessionDep, institution_id: str | None = None, department_id: str | None = None,
                         practitioner_id: str | None = None, kind: str | None = None) -> list[schemas.ScheduleOut]:
    rows = await schedules.list_schedules(session, institution_id=institution_id, department_id=department_id,
                                          practitioner_id=practitioner_id, kind=kind)
    return [await _schedule_out(session, s) for s in rows]


@router.put("/schedules/{schedule_id}/sessions", response_model=schemas.ScheduleOut)
async def replace_sessions(schedule_id: str, body: list[schemas.SessionIn], session: SessionDep,
                           actor: CurrentActor) -> schemas.ScheduleOut:
    sched = await schedules.get(session, schedule_id)
    _require_admin_of(actor, sched.institution_id)
    await schedules.replace_sessions(session, sched, [schedules.SessionInput(**x.model_dump()) for x in body])
    audit.record(session, actor, "schedule.sessions", resource_type="Schedule", resource_id=sched.id)
    return await _schedule_out(session, sched)


@router.post("/schedules/{schedule_id}/generate", summary="Generate slots for a date range (idempotent)")
async def generate(schedule_id: str, body: schemas.GenerateIn, session: SessionDep,
                   actor: CurrentActor) -> dict[str, int]:
    sched = await schedules.get(session, schedule_id)
    _require_admin_of(actor, sched.institution_id)
    if body.end < body.start or (body.end - body.start).days > 120:
        raise DomainError(errors.RANGE_INVALID)
    return {"created": await schedules.generate(session, sched, body.start, body.end)}


@router.post("/schedules/{schedule_id}/stop", response_model=schemas.StopOut,
             summary="Stop a session (停诊): cancel its bookings and notify each patient")
async def stop(schedule_id: str, body: schemas.StopIn, session: SessionDep, actor: CurrentActor) -> schemas.StopOut:
    sched = await schedules.get(session, schedule_id)
    _require_admin_of(actor, sched.institution_id)
    result = await flows.stop_session(session, sched, body.day, body.period, body.reason)
    for a in result.cancelled:
        audit.record(session, actor, "appointment.stop", patient_id=a.patient_id, resource_type="Appointment",
                     resource_id=a.id)
    return schemas.StopOut(slots_stopped=result.slots_stopped, appointments_cancelled=len(result.cancelled))


def _slot_out(s: Slot, sc: Schedule, now: datetime) -> schemas.SlotOut:
    free = max(0, s.capacity - s.onsite - s.booked) if s.status == "open" else 0
    return schemas.SlotOut(
        id=s.id, schedule_id=sc.id, schedule_name=sc.name, institution_id=s.institution_id,
        department_id=sc.department_id, practitioner_id=sc.practitioner_id, kind=sc.kind, slot_class=sc.slot_class,
        fee_fen=sc.fee_fen, day=s.day, period=s.period, start_at=s.start_at, end_at=s.end_at, release_at=s.release_at,
        capacity=s.capacity, onsite=s.onsite, booked=s.booked, free_online=free if s.release_at <= now else 0,
        status=s.status, released=s.release_at <= now)


@router.get("/slots", response_model=schemas.SlotPage, summary="Region-wide slot search")
async def search_slots(session: SessionDep, institution_id: str | None = None, department_id: str | None = None,
                       practitioner_id: str | None = None, schedule_id: str | None = None,
                       kind: str | None = None, day: date | None = None, has_free: bool = False,
                       offset: Annotated[int, Query(ge=0)] = 0,
                       limit: Annotated[int, Query(ge=1, le=200)] = 50) -> schemas.SlotPage:
    now = clock.now()
    q = schedules.SlotQuery(institution_id=institution_id, department_id=department_id,
                            practitioner_id=practitioner_id, schedule_id=schedule_id, kind=kind, day=day,
                            free_only=has_free, start_from=now if has_free else None, offset=offset, limit=limit)
    rows, total = await schedules.search_slots(session, q, now)
    return schemas.SlotPage(items=[_slot_out(s, sc, now) for s, sc in rows], total=total, offset=offset, limit=limit)


async def appointment_out(session: SessionDep, a: Appointment, slot: Slot | None = None,
                          sched: Schedule | None = None) -> schemas.AppointmentOut:
    slot = slot or await schedules.get_slot(session, a.slot_id)
    sched = sched or await schedules.get(session, a.schedule_id)
    return schemas.AppointmentOut(
        id=a.id, status=a.status, patient_id=a.patient_id, patient_name=await registry.name_of(session, a.patient_id), slot_id=a.slot_id,
        schedule_id=a.schedule_id, schedule_name=sched.name, institution_id=a.institution_id, kind=sched.kind,
        fee_fen=a.fee_fen, channel=a.channel, day=a.day, start_at=a.start_at, end_at=slot.end_at,
        preparation=sched.preparation, booked_at=a.booked_at, cancelled_at=a.cancelled_at,
        cancel_reason=a.cancel_reason)


@lru_cache
def _counter() -> ratelimit.Counter:
    url = get_settings().redis_url
    return ratelimit.RedisCounter(url) if url else ratelimit.MemoryCounter()


async def _rate_limit(actor: Actor) -> None:
    s = get_settings()
    w = s.booking_rate_window_seconds
    await ratelimit.check(_counter(), f"book:acct:{actor.account_id}", limit=s.booking_rate_per_account, window=w)
    await ratelimit.check(_counter(), f"book:ip:{current_ip()}", limit=s.booking_rate_per_ip, window=w)


async def check_booking_rate(actor: Actor) -> None:
    """The per-account and per-IP booking limits, shared by every booking entry point (REST and FHIR)."""
    await _rate_limit(actor)


@router.post("/appointments", response_model=schemas.AppointmentOut, status_code=status.HTTP_201_CREATED,
             summary="Book a slot for a patient bound to my account (Idempotency-Key required)")
async def book(body: schemas.BookIn, request: Request, session: SessionDep, actor: CurrentResident,
               idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None) -> Any:
    await _rate_limit(actor)

    async def action() -> tuple[int, Any]:
        await policy.require_patient(session, actor, body.patient_id, "change")
        appt, slot, sched = await booking.book_with_slot(session, booking.BookingRequest(
            slot_id=body.slot_id, patient_id=body.patient_id, account_id=actor.account_id,
            exam_order_id=body.exam_order_id))
        audit.record(session, actor, "appointment.book", patient_id=appt.patient_id, resource_type="Appointment",
                     resource_id=appt.id, institution_id=appt.institution_id)
        return 201, (await appointment_out(session, appt, slot, sched)).model_dump(mode="json")

    async def precheck(s: AsyncSession) -> None:
        # During a rush most requests ask for places already gone: refuse those before claiming the key.
        if await schedules.surely_full(s, body.slot_id, clock.now()):
            raise DomainError(errors.SLOT_TAKEN)

    code_, out, replayed = await idempotency.run(
        request.app.state.db, session, scope=f"acct:{actor.account_id}", key=idempotency_key,
        fp=idempotency.fingerprint("POST", "/appointments", body.model_dump()), lang=current_lang(), action=action,
        precheck=precheck)
    return JSONResponse(out, status_code=code_, headers={"Idempotent-Replayed": "true"} if replayed else None)


@router.get("/me/appointments", response_model=list[schemas.AppointmentOut],
            summary="Appointments of every patient bound to my account")
async def my_appointments(session: SessionDep, actor: CurrentResident) -> list[schemas.AppointmentOut]:
    ids = list(await registry.bound_patient_ids(session, actor.account_id) | {actor.patient_id or ""})
    rows = await booking.for_patients(session, [i for i in ids if i])
    out = []
    for a, _s, _sc in rows:
        audit.record(session, actor, "appointment.read", patient_id=a.patient_id, resource_type="Appointment",
                     resource_id=a.id)
        out.append(await appointment_out(session, a))
    return out


@router.post("/appointments/{appointment_id}/cancel", response_model=schemas.AppointmentOut)
async def cancel(appointment_id: str, session: SessionDep, actor: CurrentActor) -> schemas.AppointmentOut:
    appt = await booking.get(session, appointment_id)
    if actor.role == "institution_admin" and actor.institution_id == appt.institution_id:
        by_clinic = True
    else:
        await policy.require_record(session, actor, patient_id=appt.patient_id, institution_id=appt.institution_id,
                                    action="change")
        by_clinic = False
    appt = await booking.cancel(session, appt, reason="by_patient" if not by_clinic else "by_institution",
                                by_clinic=by_clinic)
    audit.record(session, actor, "appointment.cancel", patient_id=appt.patient_id, resource_type="Appointment",
                 resource_id=appt.id)
    return await appointment_out(session, appt)


def _order_out(o: exams.ExamOrder) -> schemas.ExamOrderOut:
    zh, en = exams.EXAM_KINDS[o.kind]
    return schemas.ExamOrderOut(id=o.id, patient_id=o.patient_id, institution_id=o.institution_id, kind=o.kind,
                                kind_label=en if current_lang() == "en" else zh, body_site=o.body_site,
                                reason=o.reason, status=o.status, appointment_id=o.appointment_id,
                                ordered_at=o.ordered_at)


@router.post("/institutions/{institution_id}/exam-orders", response_model=schemas.ExamOrderOut,
             status_code=status.HTTP_201_CREATED, summary="A doctor orders an exam for a patient of the institution")
async def order_exam(institution_id: str, body: schemas.ExamOrderIn, session: SessionDep,
                     actor: CurrentActor) -> schemas.ExamOrderOut:
    doctor = policy.require_institution_staff(actor, institution_id, "doctor")
    await policy.require_patient(session, doctor, body.patient_id, "read")
    order = await exams.create(session, patient_id=body.patient_id, institution_id=institution_id, kind=body.kind,
                               ordered_by=doctor.practitioner_id, body_site=body.body_site, reason=body.reason)
    audit.record(session, doctor, "exam.order", patient_id=body.patient_id, resource_type="ServiceRequest",
                 resource_id=order.id)
    return _order_out(order)


@router.get("/me/exam-orders", response_model=list[schemas.ExamOrderOut],
            summary="Exam orders of every patient bound to my account")
async def my_exam_orders(session: SessionDep, actor: CurrentResident) -> list[schemas.ExamOrderOut]:
    ids = [i for i in await registry.bound_patient_ids(session, actor.account_id) | {actor.patient_id or ""} if i]
    orders = await exams.for_patients(session, ids)
    for o in orders:
        audit.record(session, actor, "exam.read", patient_id=o.patient_id, resource_type="ServiceRequest",
                     resource_id=o.id)
    return [_order_out(o) for o in orders]
