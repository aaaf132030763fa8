"""Online nursing consultation (护理咨询), the closed loop of seed 004: a resident asks a question (text and photos)
about a patient bound to the account, at an institution offering home nursing; a nurse of that institution answers
(the first to answer takes it); they write to each other; the nurse proposes a home visit; the resident confirms it
(an order is placed, ``requested``, carrying ``consult_id`` and ``proposed_by_nurse_id``) or declines; either
closes the consultation.

Who reads a consultation (and its photos): the account that asked it; while nobody has answered, the nurses of its
institution (to answer it); once answered, only the nurse who answered. Nobody else.

A message's ``author_role`` says what it is: ``resident`` and ``nurse`` are plain text written by them; ``home``
(the address given when asking), ``proposal`` (a proposed visit) and ``decision`` (the resident's answer to one)
are structured JSON written only by this module and :mod:`consult_proposals`, so a typed message can never pass
for a proposal. Messages are never changed: a proposal's state is read from what follows it (a decision, or a
newer proposal that supersedes it).
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from yihu.auth.actor import Actor
from yihu.db import utcnow
from yihu.errors import FORBIDDEN, DomainError
from yihu.notify import service as notify
from yihu.nursing import errors, pay_errors
from yihu.nursing.models import NursingDocument, NursingItem, NursingOffering
from yihu.nursing.visit_models import NursingConsult, NursingConsultMessage

MAX_PHOTOS = 4
MAX_PHOTO_BYTES = 2 * 1024 * 1024
MAGIC = {"image/jpeg": b"\xff\xd8\xff", "image/png": b"\x89PNG\r\n\x1a\n"}
PLAIN = ("resident", "nurse")
STRUCTURED = ("home", "proposal", "decision")


@dataclass(frozen=True)
class Photo:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Home:
    address: str
    latitude: float
    longitude: float


def decode_photos(items: list[tuple[str, str]]) -> list[Photo]:
    """(filename, base64) pairs → photos, each a JPEG or PNG by its magic bytes, ≤ 2 MB, at most four."""
    bad = DomainError(pay_errors.PHOTO_INVALID, max_kb=MAX_PHOTO_BYTES // 1024, max_count=MAX_PHOTOS)
    if len(items) > MAX_PHOTOS:
        raise bad
    out = []
    for filename, b64 in items:
        try:
            data = base64.b64decode(b64, validate=True)
        except (binascii.Error, ValueError):
            raise bad from None
        kind = next((ct for ct, magic in MAGIC.items() if data.startswith(magic)), None)
        if kind is None or len(data) > MAX_PHOTO_BYTES:
            raise bad
        out.append(Photo(filename=filename or ("photo.jpg" if kind == "image/jpeg" else "photo.png"),
                         content_type=kind, data=data))
    return out


def check_home(home: Home) -> None:
    if (not home.address.strip() or not (-90 <= home.latitude <= 90 and -180 <= home.longitude <= 180)
            or (home.latitude, home.longitude) == (0, 0)):
        raise DomainError(errors.LOCATION_INVALID)


async def offers_home_nursing(session: AsyncSession, institution_id: str) -> bool:
    found = await session.scalar(select(NursingOffering.id).join(NursingItem, NursingItem.id == NursingOffering.item_id)
                                 .where(NursingOffering.institution_id == institution_id,
                                        NursingOffering.active.is_(True), NursingItem.active.is_(True)).limit(1))
    return found is not None


async def _store_photos(session: AsyncSession, consult_id: str, actor: Actor, photos: list[Photo]) -> list[str]:
    ids = []
    for p in photos:
        doc = NursingDocument(consult_id=consult_id, kind="consult_photo", filename=p.filename[:128],
                              content_type=p.content_type, size_bytes=len(p.data), data=p.data,
                              uploaded_by=actor.account_id, created_at=utcnow())
        session.add(doc)
        await session.flush()
        ids.append(doc.id)
    return ids


def _message(consult: NursingConsult, actor: Actor, role: str, text: str,
             photo_ids: list[str] | None = None) -> NursingConsultMessage:
    return NursingConsultMessage(consult_id=consult.id, author_account_id=actor.account_id, author_role=role,
                                 text=text, photo_ids=photo_ids or [], at=utcnow())


def structured(consult: NursingConsult, actor: Actor, role: str, data: dict[str, Any]) -> NursingConsultMessage:
    return _message(consult, actor, role, json.dumps(data, ensure_ascii=False, sort_keys=True))


async def open_consult(session: AsyncSession, actor: Actor, *, patient_id: str, institution_id: str, subject: str,
                       text: str, photos: list[Photo], home: Home | None = None) -> NursingConsult:
    """The caller has checked that the patient is bound to the account."""
    if not await offers_home_nursing(session, institution_id):
        raise DomainError(pay_errors.CONSULT_NO_NURSING)
    if home is not None:
        check_home(home)
    now = utcnow()
    c = NursingConsult(account_id=actor.account_id, patient_id=patient_id, institution_id=institution_id,
                       subject=subject.strip()[:128], status="open", created_at=now, updated_at=now)
    session.add(c)
    await session.flush()
    session.add(_message(c, actor, "resident", text.strip(), await _store_photos(session, c.id, actor, photos)))
    if home is not None:
        session.add(structured(c, actor, "home", {"address": home.address.strip(), "latitude": home.latitude,
                                                   "longitude": home.longitude}))
    await session.flush()
    return c


async def get(session: AsyncSession, consult_id: str) -> NursingConsult:
    c = await session.get(NursingConsult, consult_id, populate_existing=True)
    if c is None:
        raise DomainError(pay_errors.CONSULT_NOT_FOUND)
    return c


def is_asker(actor: Actor, c: NursingConsult) -> bool:
    return actor.role == "resident" and actor.account_id == c.account_id


def is_institution_nurse(actor: Actor, c: NursingConsult) -> bool:
    return actor.role == "nurse" and actor.practitioner_id is not None and actor.institution_id == c.institution_id


def require_participant(actor: Actor, c: NursingConsult) -> None:
    if is_asker(actor, c):
        return
    if is_institution_nurse(actor, c) and (c.nurse_id == actor.practitioner_id
                                           or (c.nurse_id is None and c.status == "open")):
        return
    raise DomainError(FORBIDDEN)


def scope(actor: Actor) -> ColumnElement[bool]:
    """The list filter matching :func:`require_participant`."""
    if actor.role == "resident":
        return NursingConsult.account_id == actor.account_id
    if actor.role == "nurse" and actor.practitioner_id and actor.institution_id:
        return and_(NursingConsult.institution_id == actor.institution_id,
                    or_(NursingConsult.nurse_id == actor.practitioner_id,
                        and_(NursingConsult.nurse_id.is_(None), NursingConsult.status == "open")))
    raise DomainError(FORBIDDEN)


def refuse_closed(c: NursingConsult) -> None:
    if c.status == "closed":
        raise DomainError(pay_errors.CONSULT_CLOSED)


async def _claim(session: AsyncSession, actor: Actor, c: NursingConsult) -> None:
    """The first nurse to answer takes the consultation (one conditional update; a later nurse gets a 409)."""
    done = await session.execute(
        update(NursingConsult).where(NursingConsult.id == c.id, NursingConsult.status != "closed",
                                     or_(NursingConsult.nurse_id.is_(None),
                                         NursingConsult.nurse_id == actor.practitioner_id))
        .values(nurse_id=actor.practitioner_id, status="answered", updated_at=utcnow())
        .execution_options(synchronize_session=False))
    await session.refresh(c)
    if getattr(done, "rowcount", 0) != 1:
        refuse_closed(c)
        raise DomainError(pay_errors.CONSULT_TAKEN)


async def add_message(session: AsyncSession, actor: Actor, c: NursingConsult, text: str,
                      photos: list[Photo]) -> NursingConsultMessage:
    """The asker, or a nurse of the institution: the first nurse to answer takes the consultation, a nurse
    answering one another nurse has taken is refused with a 409 (and still reads nothing of it)."""
    if is_institution_nurse(actor, c) and c.nurse_id not in (None, actor.practitioner_id):
        raise DomainError(pay_errors.CONSULT_TAKEN)
    require_participant(actor, c)
    refuse_closed(c)
    if actor.role == "nurse":
        await _claim(session, actor, c)
        role = "nurse"
    else:
        role = "resident"
        c.updated_at = utcnow()
    msg = _message(c, actor, role, text.strip(), await _store_photos(session, c.id, actor, photos))
    session.add(msg)
    await session.flush()
    if role == "nurse":
        tell_asker(session, c, "answer")
    return msg


def tell_asker(session: AsyncSession, c: NursingConsult, what: str) -> None:
    """In-app notice to the resident who asked: a nurse answered, or proposed a home visit."""
    zh, en = {"answer": ("回复", "answer"), "proposal": ("上门服务建议", "home-visit proposal")}[what]
    notify.enqueue_inapp(session, account_id=c.account_id, template="nursing_consult",
                         params={"subject": c.subject[:30], "what": zh, "what_en": en})


async def messages(session: AsyncSession, consult_id: str) -> list[NursingConsultMessage]:
    return list((await session.scalars(select(NursingConsultMessage).where(
        NursingConsultMessage.consult_id == consult_id).order_by(NursingConsultMessage.at,
                                                                 NursingConsultMessage.id))).all())


def data_of(m: NursingConsultMessage) -> dict[str, Any] | None:
    if m.author_role not in STRUCTURED:
        return None
    loaded: dict[str, Any] = json.loads(m.text)
    return loaded


def home_of(msgs: list[NursingConsultMessage]) -> Home | None:
    homes = [data_of(m) for m in msgs if m.author_role == "home"]
    last = homes[-1] if homes else None
    return Home(**last) if last else None


async def close(session: AsyncSession, actor: Actor, c: NursingConsult) -> NursingConsult:
    """The resident who asked or the nurse who answered closes the consultation (once)."""
    if not (is_asker(actor, c) or (is_institution_nurse(actor, c) and c.nurse_id == actor.practitioner_id)):
        raise DomainError(FORBIDDEN)
    done = await session.execute(update(NursingConsult).where(NursingConsult.id == c.id,
                                                              NursingConsult.status != "closed")
                                 .values(status="closed", updated_at=utcnow())
                                 .execution_options(synchronize_session=False))
    await session.refresh(c)
    if getattr(done, "rowcount", 0) != 1:
        raise DomainError(pay_errors.CONSULT_CLOSED)
    return c


async def photo(session: AsyncSession, actor: Actor, c: NursingConsult, document_id: str) -> NursingDocument:
    require_participant(actor, c)
    doc = await session.get(NursingDocument, document_id)
    if doc is None or doc.consult_id != c.id:
        raise DomainError(pay_errors.CONSULT_NOT_FOUND)
    return doc
