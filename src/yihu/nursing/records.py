"""The nursing record of a visit: structured, signed by the nurse, filed into the patient's record.

The signature is the sha256 of a canonical JSON of the content with the nurse's id and the signing time. A signed
record never changes (a database trigger refuses it); a wrong one is marked entered-in-error with a reason by its
nurse or the institution's admin, and stays readable. Readers: the resident bound to the patient, staff of any
institution the patient is linked to (the patient's hospital), the regulator (:mod:`yihu.auth.policy`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from yihu.auth.actor import Actor
from yihu.db import utcnow
from yihu.errors import FORBIDDEN, DomainError
from yihu.kit import audit
from yihu.nursing import lifecycle, orders, visits
from yihu.nursing import visit_errors as errors
from yihu.nursing.models import NursingItemVersion, NursingOrder
from yihu.nursing.visit_models import NursingRecord
from yihu.nursing.visit_schemas import Assessment, RecordIn, RecordOut, Vitals
from yihu.registry.models import Institution, Practitioner

IN_ERROR = "entered-in-error"


def signature(content: dict[str, Any], nurse_id: str, signed_at: datetime) -> str:
    canonical = json.dumps({"content": content, "nurse_id": nurse_id, "signed_at": signed_at.isoformat()},
                           ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def content_of(body: RecordIn) -> dict[str, Any]:
    return {"vitals": body.vitals.model_dump(mode="json", exclude_none=True),
            "assessment": body.assessment.model_dump(mode="json", exclude_none=True),
            "actions": body.actions.strip(), "advice": body.advice.strip(),
            "next_visit_on": body.next_visit_on.isoformat() if body.next_visit_on else None}


def content_of_row(r: NursingRecord) -> dict[str, Any]:
    return {"vitals": r.vitals, "assessment": r.assessment, "actions": r.actions, "advice": r.advice,
            "next_visit_on": r.next_visit_on.isoformat() if r.next_visit_on else None}


def verify(r: NursingRecord) -> bool:
    return signature(content_of_row(r), r.nurse_id, r.signed_at) == r.signature_sha256


async def write(session: AsyncSession, actor: Actor, order: NursingOrder, body: RecordIn) -> NursingRecord:
    """in_service → recorded: the record is signed by the nurse and filed; the resident is told."""
    lifecycle.require_step(order, "record")
    nurse_id = visits.nurse_id_of(actor)
    content = content_of(body)
    now = utcnow().replace(microsecond=0)
    row = NursingRecord(order_id=order.id, patient_id=order.patient_id, institution_id=order.institution_id,
                        nurse_id=nurse_id, vitals=content["vitals"], assessment=content["assessment"],
                        actions=content["actions"], advice=content["advice"], next_visit_on=body.next_visit_on,
                        signed_at=now, signature_sha256=signature(content, nurse_id, now), status="final")
    session.add(row)
    await session.flush()
    await lifecycle.step(session, order, "record", actor)
    audit.record(session, actor, "nursing.record_signed", patient_id=order.patient_id,
                 resource_type="NursingRecord", resource_id=row.id, institution_id=order.institution_id)
    await orders.tell(session, order, "record", detail="护理记录已归档，可在健康档案中查看")
    return row


async def of_order(session: AsyncSession, order_id: str) -> NursingRecord:
    row: NursingRecord | None = await session.scalar(select(NursingRecord).where(NursingRecord.order_id == order_id))
    if row is None:
        raise DomainError(errors.RECORD_NOT_FOUND)
    return row


async def get(session: AsyncSession, record_id: str) -> NursingRecord:
    row = await session.get(NursingRecord, record_id)
    if row is None:
        raise DomainError(errors.RECORD_NOT_FOUND)
    return row


def require_corrector(actor: Actor, r: NursingRecord) -> None:
    """The nurse who signed it, or the admin of the institution that filed it."""
    if actor.role == "nurse" and actor.practitioner_id == r.nurse_id:
        return
    if actor.role == "institution_admin" and actor.institution_id == r.institution_id:
        return
    raise DomainError(FORBIDDEN)


async def mark_in_error(session: AsyncSession, actor: Actor, r: NursingRecord, reason: str) -> NursingRecord:
    require_corrector(actor, r)
    result = await session.execute(update(NursingRecord).where(NursingRecord.id == r.id,
                                                               NursingRecord.status == "final")
                                   .values(status=IN_ERROR, error_reason=reason.strip()[:256])
                                   .execution_options(synchronize_session=False))
    await session.refresh(r)
    if getattr(result, "rowcount", 0) != 1:
        raise DomainError(errors.RECORD_IN_ERROR)
    audit.record(session, actor, "nursing.record_entered_in_error", patient_id=r.patient_id,
                 resource_type="NursingRecord", resource_id=r.id, institution_id=r.institution_id)
    return r


async def of_patient(session: AsyncSession, patient_id: str, limit: int = 200) -> list[NursingRecord]:
    return list((await session.scalars(select(NursingRecord).where(NursingRecord.patient_id == patient_id)
                                       .order_by(NursingRecord.signed_at.desc(), NursingRecord.id)
                                       .limit(limit))).all())


async def views(session: AsyncSession, rows: Sequence[NursingRecord]) -> list[RecordOut]:
    if not rows:
        return []
    order_rows = {o.id: o for o in (await session.scalars(select(NursingOrder).where(
        NursingOrder.id.in_({r.order_id for r in rows})))).all()}
    names = dict((await session.execute(select(NursingItemVersion.id, NursingItemVersion.name_zh).where(
        NursingItemVersion.id.in_({o.item_version_id for o in order_rows.values()})))).tuples().all())
    nurses = dict((await session.execute(select(Practitioner.id, Practitioner.name).where(
        Practitioner.id.in_({r.nurse_id for r in rows})))).tuples().all())
    insts = dict((await session.execute(select(Institution.id, Institution.name).where(
        Institution.id.in_({r.institution_id for r in rows})))).tuples().all())
    out = []
    for r in rows:
        o = order_rows[r.order_id]
        out.append(RecordOut(
            id=r.id, order_id=r.order_id, order_number=o.number, patient_id=r.patient_id,
            institution_id=r.institution_id, institution_name=insts.get(r.institution_id, ""), nurse_id=r.nurse_id,
            nurse_name=nurses.get(r.nurse_id, ""), item_name=names.get(o.item_version_id, ""),
            vitals=Vitals.model_validate(r.vitals or {}), assessment=Assessment.model_validate(r.assessment or {}),
            actions=r.actions, advice=r.advice, next_visit_on=r.next_visit_on, signed_at=r.signed_at,
            signature_sha256=r.signature_sha256, status=r.status, error_reason=r.error_reason))
    return out
