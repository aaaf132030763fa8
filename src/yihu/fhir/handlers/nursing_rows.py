"""Loading what the home-nursing resources show, for a page of orders at once (a few queries, never one per row),
and the access rules they share.

Orders, their Tasks and consents follow the nursing API's own rule (``nursing.access``: the resident of a bound
patient, the institution's admins and nurses, the regulator). The visit's clinical record (Encounter, Procedure,
vital signs) is filed into the patient's record and read as the nursing records API reads it
(``policy.require_patient``): the resident of a bound patient, staff of any institution the patient is known to
(the patient's hospital too), the regulator.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from yihu.auth import policy
from yihu.auth.actor import Actor
from yihu.auth.models import Account
from yihu.errors import NOT_FOUND, DomainError
from yihu.fhir.handlers.base import Context, by_ids
from yihu.fhir.mappers.nursing import OrderRows
from yihu.kit import audit
from yihu.nursing.models import NursingItem, NursingItemVersion, NursingOrder, NursingOrderEvent
from yihu.nursing.visit_models import NursingConsent, NursingRecord
from yihu.registry.models import Institution, Patient, Practitioner


async def _consents(session: AsyncSession, order_ids: set[str]) -> dict[str, NursingConsent]:
    rows = await session.scalars(select(NursingConsent).where(NursingConsent.order_id.in_(order_ids)))
    return {r.order_id: r for r in rows.all()}


async def _records(session: AsyncSession, order_ids: set[str]) -> dict[str, NursingRecord]:
    rows = await session.scalars(select(NursingRecord).where(NursingRecord.order_id.in_(order_ids)))
    return {r.order_id: r for r in rows.all()}


async def load(session: AsyncSession, orders: Sequence[NursingOrder], *, events: bool = False) -> list[OrderRows]:
    if not orders:
        return []
    ids = {o.id for o in orders}
    versions = await by_ids(session, NursingItemVersion, {o.item_version_id for o in orders})
    items = await by_ids(session, NursingItem, {o.item_id for o in orders})
    insts = await by_ids(session, Institution, {o.institution_id for o in orders})
    nurses = await by_ids(session, Practitioner, {n for o in orders for n in (o.nurse_id, o.second_nurse_id) if n})
    consents = await _consents(session, ids)
    records = await _records(session, ids)
    signers = {c.nurse_id for c in consents.values()} | {r.nurse_id for r in records.values()}
    nurses.update(await by_ids(session, Practitioner, signers - set(nurses)))
    accounts = {a: p for a, p in (await session.execute(select(Account.id, Account.patient_id).where(
        Account.id.in_({o.account_id for o in orders})))).tuples()}
    trail: dict[str, list[NursingOrderEvent]] = {i: [] for i in ids}
    if events:
        for e in (await session.scalars(select(NursingOrderEvent).where(NursingOrderEvent.order_id.in_(ids))
                                        .order_by(NursingOrderEvent.at, NursingOrderEvent.id))).all():
            trail[e.order_id].append(e)
    out = []
    for o in orders:
        out.append(OrderRows(
            order=o, version=versions[o.item_version_id], item=items[o.item_id], institution=insts[o.institution_id],
            nurses=nurses, requester_patient_id=accounts.get(o.account_id), consent=consents.get(o.id),
            record=records.get(o.id), events=trail[o.id]))
    return out


async def one(session: AsyncSession, order_id: str | None, what: str, *, events: bool = False) -> OrderRows:
    order = await session.get(NursingOrder, order_id) if order_id else None
    if order is None:
        raise DomainError(NOT_FOUND, what=what)
    return (await load(session, [order], events=events))[0]


def record_scope(actor: Actor | None, patient_col: InstrumentedAttribute[str]) -> ColumnElement[bool] | None:
    """The records the caller may read, for search (``None``: the whole region)."""
    limit = policy.patient_scope(actor)
    return None if limit is None else patient_col.in_(select(Patient.id).where(limit))


async def require_record(session: AsyncSession, actor: Actor | None, patient_id: str) -> Actor:
    a = policy.require_actor(actor)
    await policy.require_patient(session, a, patient_id, "read")
    return a


def shown(ctx: Context, actor: Actor, verb: str, resource_type: str, resource_id: str, o: NursingOrder) -> None:
    """Audit one resource shown (read or found by a search)."""
    audit.record(ctx.session, actor, f"{resource_type.lower()}.{verb}", patient_id=o.patient_id,
                 resource_type=resource_type, resource_id=resource_id, institution_id=o.institution_id,
                 detail={"via": "fhir", "order": o.id})
