"""Family cards: an account binds at most five cards, each for the holder or a family member."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from yihu.config import get_settings
from yihu.db import new_id, utcnow
from yihu.errors import NOT_FOUND, DomainError
from yihu.kit import clock
from yihu.kit.crypto import mask_card_number, mask_phone
from yihu.kit.vault import vault
from yihu.registry import codes, errors, idcard
from yihu.registry import patients as patients_mod
from yihu.registry.models import Card, Institution, Patient

MAX_CARDS = 5  # the platform's rule (seed 001); the database's slot_range check enforces it too
GUARDIAN_CONSENT_TEXT = "guardian-consent-v1"


@dataclass(frozen=True)
class BindRequest:
    card_type: str
    card_number: str
    relation: str
    name: str
    id_number: str
    institution_id: str | None = None
    phone: str | None = None
    guardian_consent: bool = False
    verification_code: str | None = None


ConsentCheck = Callable[[str, str], Awaitable[bool]]


def _card_index(card_type: str, institution_id: str | None, number: str) -> str:
    return vault().index("card", f"{card_type}:{institution_id or '-'}:{number}")


async def _lock_account(session: AsyncSession, account_id: str) -> None:
    """Serialise binds of one account: a row lock on PostgreSQL, the write lock on SQLite."""
    await session.execute(text("UPDATE account SET updated_at = :now WHERE id = :id"),
                          {"now": utcnow(), "id": account_id})


async def consent_phone(session: AsyncSession, *, holder_patient_id: str | None, name: str,
                        id_number: str) -> str | None:
    """The phone that must agree before this person is bound: someone already known to the region, with a phone
    on record, who is not the holder. None when no one need agree (a new record, or no phone on record)."""
    idn = idcard.parse(id_number)
    existing = await patients_mod.find_by_id_number(session, idn.value)
    if existing is None or existing.id == holder_patient_id or existing.phone_enc is None:
        return None
    if existing.name != idcard.normalize_name(name):
        raise DomainError(errors.NAME_MISMATCH)
    return patients_mod.phone_of(existing)


async def bind(session: AsyncSession, *, account_id: str, holder_patient_id: str | None, req: BindRequest,
               consent: ConsentCheck | None = None, today: date | None = None) -> tuple[Card, Patient]:
    """Bind a card. Binding someone already known to the region with a phone on record needs their consent: the
    code sent to that phone (``consent(phone, code)`` checks it)."""
    today = today or clock.today()
    if req.card_type not in codes.CARD_TYPES:
        raise DomainError(errors.CARD_TYPE)
    number = re.sub(r"\s", "", req.card_number or "").upper()
    if not re.fullmatch(r"[0-9A-Z]{6,32}", number):
        raise DomainError(errors.CARD_NUMBER)
    if req.card_type == "visit":
        if not req.institution_id or await session.get(Institution, req.institution_id) is None:
            raise DomainError(errors.CARD_INSTITUTION)
    institution_id = req.institution_id if req.card_type == "visit" else None
    if req.relation not in codes.RELATIONS:
        raise DomainError(errors.RELATION_INVALID)
    name = idcard.normalize_name(req.name)
    idn = idcard.parse(req.id_number, today)
    phone = idcard.normalize_phone(req.phone) if req.phone else None

    holder = await session.get(Patient, holder_patient_id) if holder_patient_id else None
    is_holder = holder is not None and holder.id_number_bidx == patients_mod.id_index(idn.value)
    if (req.relation == "self") != is_holder:
        raise DomainError(errors.CARD_SELF_MISMATCH)
    guardian_age = get_settings().guardian_age
    minor = idn.age_on(today) < guardian_age
    if minor and (req.relation not in codes.GUARDIAN_RELATIONS or not req.guardian_consent):
        raise DomainError(errors.CARD_GUARDIAN, age=guardian_age)

    consent_from = await consent_phone(session, holder_patient_id=holder_patient_id, name=name, id_number=idn.value)
    if consent_from is not None:
        if not req.verification_code:
            raise DomainError(errors.CARD_CONSENT_REQUIRED, phone=mask_phone(consent_from))
        if consent is None or not await consent(consent_from, req.verification_code):
            raise DomainError(errors.CARD_CONSENT_INVALID, commit=True)

    await _lock_account(session, account_id)
    active = (await session.scalars(select(Card).where(Card.account_id == account_id, Card.status == "active"))).all()
    bidx = _card_index(req.card_type, institution_id, number)
    if any(c.card_no_bidx == bidx for c in active):
        raise DomainError(errors.CARD_DUPLICATE)
    used = {c.slot_no for c in active}
    free = [s for s in range(1, MAX_CARDS + 1) if s not in used]
    if not free:
        raise DomainError(errors.CARD_LIMIT, limit=MAX_CARDS)

    patient, _created = await patients_mod.get_or_create(session, name=name, idn=idn, phone=phone)
    row_id = new_id()
    card = Card(
        id=row_id,
        account_id=account_id,
        patient_id=patient.id,
        card_type=req.card_type,
        card_no_enc=vault().seal(number, "card", "card_no", row_id),
        card_no_bidx=bidx,
        institution_id=institution_id,
        relation=req.relation,
        slot_no=free[0],
        status="active",
        guardian_consent_at=utcnow() if minor else None,
        guardian_consent_text=GUARDIAN_CONSENT_TEXT if minor else None,
    )
    session.add(card)
    await session.flush()
    if institution_id:
        await patients_mod.link(session, patient.id, institution_id, "visit_card")
    return card, patient


async def list_for(session: AsyncSession, account_id: str) -> list[tuple[Card, Patient]]:
    rows = await session.execute(
        select(Card, Patient).join(Patient, Patient.id == Card.patient_id)
        .where(Card.account_id == account_id, Card.status == "active").order_by(Card.slot_no)
    )
    return [(c, p) for c, p in rows.tuples().all()]


async def get_own(session: AsyncSession, account_id: str, card_id: str) -> Card:
    card = await session.get(Card, card_id)
    if card is None or card.account_id != account_id or card.status != "active":
        raise DomainError(NOT_FOUND, what="卡")
    return card


async def unbind(session: AsyncSession, account_id: str, card_id: str) -> Card:
    card = await get_own(session, account_id, card_id)
    card.status = "unbound"
    card.slot_no = None
    card.unbound_at = utcnow()
    await session.flush()
    return card


def card_view(card: Card, patient: Patient, lang: str = "zh-CN") -> dict[str, Any]:
    number = vault().open(card.card_no_enc, "card", "card_no", card.id)
    pv = patients_mod.view(patient)
    t_zh, t_en = codes.CARD_TYPES[card.card_type]
    r_zh, r_en = codes.RELATIONS[card.relation]
    return {
        "id": card.id,
        "slot": card.slot_no,
        "card_type": card.card_type,
        "card_type_label": t_en if lang == "en" else t_zh,
        "card_number": mask_card_number(number),
        "institution_id": card.institution_id,
        "relation": card.relation,
        "relation_label": r_en if lang == "en" else r_zh,
        "guardian_consent_at": card.guardian_consent_at,
        "bound_at": card.created_at,
        "patient": pv.as_dict(),
    }
