"""Patients and family cards. Every endpoint goes through the access policy and is audited."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, Field

from yihu.auth import phone_codes, policy
from yihu.auth.deps import CurrentActor, CurrentResident
from yihu.auth.service import get_account
from yihu.config import get_settings
from yihu.errors import FORBIDDEN, DomainError
from yihu.kit import audit
from yihu.kit.context import current_lang
from yihu.kit.crypto import mask_name, mask_phone
from yihu.kit.routing import CommittingRoute, SessionDep
from yihu.notify import service as notify
from yihu.registry import cards, codes
from yihu.registry import patients as patients_mod
from yihu.registry.idcard import normalize_phone

router = APIRouter(tags=["patients"], route_class=CommittingRoute)


class PatientOut(BaseModel):
    id: str
    name: str
    sex: str
    birth_date: date
    age: int
    id_number: str
    phone: str | None
    address: str
    revealed: bool


class PatientPage(BaseModel):
    items: list[PatientOut]
    total: int
    offset: int
    limit: int


class CardIn(BaseModel):
    card_type: Literal["insurance", "visit"]
    card_number: str = Field(max_length=40)
    relation: str = Field(max_length=16)
    name: str = Field(max_length=64)
    id_number: str = Field(max_length=32)
    institution_id: str | None = None
    phone: str | None = Field(default=None, max_length=20)
    guardian_consent: bool = False
    verification_code: str | None = Field(default=None, max_length=10)


class ConsentCodeIn(BaseModel):
    name: str = Field(max_length=64)
    id_number: str = Field(max_length=32)


class PatientPatch(BaseModel):
    phone: str | None = Field(default=None, max_length=20)
    address: str | None = Field(default=None, max_length=256)


class PatientSearch(BaseModel):
    name: str | None = Field(default=None, max_length=64)
    id_number: str | None = Field(default=None, max_length=32)
    institution_id: str | None = None
    offset: int = Field(default=0, ge=0)
    limit: int = Field(default=20, ge=1, le=100)


def _out(p: Any, reveal: bool = False) -> PatientOut:
    return PatientOut(**patients_mod.view(p, reveal=reveal).as_dict())


@router.get("/me/patients", response_model=list[PatientOut], summary="The holder and every patient bound by a card")
async def my_patients(session: SessionDep, actor: CurrentResident) -> list[PatientOut]:
    rows, _ = await patients_mod.search(session, policy.patient_scope(actor), limit=10)
    for p in rows:
        audit.record(session, actor, "patient.read", patient_id=p.id, resource_type="Patient", resource_id=p.id)
    return [_out(p) for p in rows]


@router.get("/me/cards", summary="Cards bound to my account (at most five)")
async def my_cards(session: SessionDep, actor: CurrentResident) -> dict[str, Any]:
    rows = await cards.list_for(session, actor.account_id)
    for _c, p in rows:
        audit.record(session, actor, "patient.read", patient_id=p.id, resource_type="Patient", resource_id=p.id)
    return {"items": [cards.card_view(c, p, current_lang()) for c, p in rows], "limit": cards.MAX_CARDS}


@router.post("/me/cards/consent-code", summary="Ask a family member already on record to agree to be bound")
async def send_consent_code(body: ConsentCodeIn, session: SessionDep, actor: CurrentResident) -> dict[str, Any]:
    """Sends a code to the phone on record of the person to bind (when there is one); they tell it to the holder."""
    phone = await cards.consent_phone(session, holder_patient_id=actor.patient_id, name=body.name,
                                      id_number=body.id_number)
    if phone is None:
        return {"required": False, "phone": None}
    code = await phone_codes.issue(session, phone, "bind")
    account = await get_account(session, actor.account_id)
    notify.enqueue_sms(session, phone=phone, template="bind_consent",
                       params={"holder": mask_name(account.display_name), "code": code,
                               "minutes": get_settings().sms_code_minutes})
    audit.record(session, actor, "card.consent_requested", detail={"phone_on_record": True})
    return {"required": True, "phone": mask_phone(phone)}


@router.post("/me/cards", status_code=status.HTTP_201_CREATED, summary="Bind a card for myself or a family member")
async def bind_card(body: CardIn, session: SessionDep, actor: CurrentResident) -> dict[str, Any]:
    async def consent(phone: str, code: str) -> bool:
        return await phone_codes.check(session, phone, "bind", code)

    card, patient = await cards.bind(session, account_id=actor.account_id, holder_patient_id=actor.patient_id,
                                     req=cards.BindRequest(**body.model_dump()), consent=consent)
    audit.record(session, actor, "card.bind", patient_id=patient.id, resource_type="Card", resource_id=card.id,
                 detail={"relation": card.relation, "card_type": card.card_type,
                         "guardian_consent": card.guardian_consent_at is not None})
    account = await get_account(session, actor.account_id)
    view = cards.card_view(card, patient, account.lang)
    zh, en = codes.CARD_TYPES[card.card_type]
    notify.enqueue_inapp(session, account_id=actor.account_id, template="card_bound",
                         params={"card_type": en if account.lang == "en" else zh,
                                 "tail": view["card_number"][-4:], "link": "/resident"}, lang=account.lang)
    return view


@router.delete("/me/cards/{card_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Unbind a card")
async def unbind_card(card_id: str, session: SessionDep, actor: CurrentResident) -> None:
    card = await cards.unbind(session, actor.account_id, card_id)
    audit.record(session, actor, "card.unbind", patient_id=card.patient_id, resource_type="Card", resource_id=card.id)


@router.get("/patients/{patient_id}", response_model=PatientOut, summary="A patient, ID number and phone masked")
async def get_patient(patient_id: str, session: SessionDep, actor: CurrentActor) -> PatientOut:
    await policy.require_patient(session, actor, patient_id, "read")
    p = await patients_mod.get(session, patient_id)
    audit.record(session, actor, "patient.read", patient_id=p.id, resource_type="Patient", resource_id=p.id)
    return _out(p)


@router.post("/patients/{patient_id}/reveal", response_model=PatientOut,
             summary="The full ID number and phone, for a role that needs them; audited")
async def reveal_patient(patient_id: str, session: SessionDep, actor: CurrentActor) -> PatientOut:
    await policy.require_patient(session, actor, patient_id, "reveal")
    p = await patients_mod.get(session, patient_id)
    audit.record(session, actor, "patient.reveal", patient_id=p.id, resource_type="Patient", resource_id=p.id,
                 detail={"fields": ["id_number", "phone"]})
    return _out(p, reveal=True)


@router.patch("/patients/{patient_id}", response_model=PatientOut, summary="Change a bound patient's phone or address")
async def patch_patient(patient_id: str, body: PatientPatch, session: SessionDep,
                        actor: CurrentActor) -> PatientOut:
    await policy.require_patient(session, actor, patient_id, "change")
    p = await patients_mod.get(session, patient_id)
    changed = []
    if body.phone is not None:
        patients_mod.set_phone(p, normalize_phone(body.phone))
        changed.append("phone")
    if body.address is not None:
        p.address = body.address.strip()
        changed.append("address")
    await session.flush()
    audit.record(session, actor, "patient.update", patient_id=p.id, resource_type="Patient", resource_id=p.id,
                 detail={"fields": changed})
    return _out(p)


@router.post("/patients/search", response_model=PatientPage,
             summary="Search patients in the caller's scope (POST: search terms stay out of URLs)")
async def search_patients(body: PatientSearch, session: SessionDep, actor: CurrentActor) -> PatientPage:
    scope = policy.patient_scope(actor)
    rows, total = await patients_mod.search(session, scope, name=body.name, id_number=body.id_number,
                                            institution_id=body.institution_id, offset=body.offset,
                                            limit=body.limit)
    for p in rows:
        audit.record(session, actor, "patient.search", patient_id=p.id, resource_type="Patient", resource_id=p.id)
    return PatientPage(items=[_out(p) for p in rows], total=total, offset=body.offset, limit=body.limit)


@router.get("/institutions/{institution_id}/patients", response_model=PatientPage,
            summary="Patients known to an institution: its staff and regulators")
async def institution_patients(institution_id: str, session: SessionDep, actor: CurrentActor,
                               offset: Annotated[int, Query(ge=0)] = 0,
                               limit: Annotated[int, Query(ge=1, le=100)] = 20) -> PatientPage:
    if actor.role != "regulator" and not (actor.is_staff and actor.institution_id == institution_id):
        raise DomainError(FORBIDDEN)
    rows, total = await patients_mod.search(session, policy.patient_scope(actor), institution_id=institution_id,
                                            offset=offset, limit=limit)
    for p in rows:
        audit.record(session, actor, "patient.read", patient_id=p.id, resource_type="Patient", resource_id=p.id)
    return PatientPage(items=[_out(p) for p in rows], total=total, offset=offset, limit=limit)
