"""Waitlist endpoints for residents: join a full day, see the line, accept a held place, leave."""

from __future__ import annotations

from datetime import date, datetime

from fastapi import APIRouter, status
from pydantic import BaseModel, Field

from yihu.auth import policy
from yihu.auth.deps import CurrentResident
from yihu.kit import audit
from yihu.kit.routing import CommittingRoute, SessionDep
from yihu.registry import service as registry
from yihu.scheduling import waitlist

router = APIRouter(tags=["scheduling"], route_class=CommittingRoute)


class JoinIn(BaseModel):
    schedule_id: str = Field(max_length=36)
    day: date
    patient_id: str = Field(max_length=36)


class EntryOut(BaseModel):
    id: str
    schedule_id: str
    day: date
    patient_id: str
    status: str
    position: int | None
    offered_slot_id: str | None
    offer_expires_at: datetime | None
    appointment_id: str | None


async def _out(session: SessionDep, e: waitlist.WaitlistEntry) -> EntryOut:
    return EntryOut(id=e.id, schedule_id=e.schedule_id, day=e.day, patient_id=e.patient_id, status=e.status,
                    position=await waitlist.position(session, e), offered_slot_id=e.offered_slot_id,
                    offer_expires_at=e.offer_expires_at, appointment_id=e.appointment_id)


async def _own(session: SessionDep, actor: CurrentResident, entry_id: str) -> waitlist.WaitlistEntry:
    e = await waitlist.get(session, entry_id)
    await policy.require_patient(session, actor, e.patient_id, "change")
    return e


@router.post("/waitlist", response_model=EntryOut, status_code=status.HTTP_201_CREATED,
             summary="Wait for a place on a doctor's full day")
async def join(body: JoinIn, session: SessionDep, actor: CurrentResident) -> EntryOut:
    await policy.require_patient(session, actor, body.patient_id, "change")
    e = await waitlist.join(session, schedule_id=body.schedule_id, day=body.day, patient_id=body.patient_id,
                            account_id=actor.account_id)
    audit.record(session, actor, "waitlist.join", patient_id=e.patient_id, resource_type="Waitlist", resource_id=e.id)
    return await _out(session, e)


@router.get("/me/waitlist", response_model=list[EntryOut], summary="My family's waitlist entries")
async def mine(session: SessionDep, actor: CurrentResident) -> list[EntryOut]:
    ids = [i for i in await registry.bound_patient_ids(session, actor.account_id) | {actor.patient_id or ""} if i]
    return [await _out(session, e) for e in await waitlist.for_patients(session, ids)]


@router.post("/waitlist/{entry_id}/accept", summary="Book the place held for me")
async def accept(entry_id: str, session: SessionDep, actor: CurrentResident) -> dict[str, str]:
    e = await _own(session, actor, entry_id)
    appointment_id = await waitlist.accept(session, e)
    audit.record(session, actor, "appointment.book", patient_id=e.patient_id, resource_type="Appointment",
                 resource_id=appointment_id, detail={"via": "waitlist"})
    return {"appointment_id": appointment_id}


@router.post("/waitlist/{entry_id}/leave", response_model=EntryOut, summary="Leave the waitlist")
async def leave(entry_id: str, session: SessionDep, actor: CurrentResident) -> EntryOut:
    e = await _own(session, actor, entry_id)
    await waitlist.leave(session, e)
    audit.record(session, actor, "waitlist.leave", patient_id=e.patient_id, resource_type="Waitlist", resource_id=e.id)
    return await _out(session, e)
