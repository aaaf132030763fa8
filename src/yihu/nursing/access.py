"""Who may see or move a nursing order (one place; the API calls it before every read or step).

| who                                    | read | resident steps (cancel, consent, pay, rate) | manage (assess, accept, dispatch, cancel, blacklist) | visit steps |
|----------------------------------------|------|---------------------------------------------|-----------------------------------------------------|-------------|
| resident bound to the order's patient  | yes  | yes                                         | no                                                  | no          |
| institution admin of the institution   | yes  | no                                          | yes                                                 | no          |
| nurse of the institution               | yes  | no                                          | no                                                  | if assigned |
| regulator                              | yes  | no                                          | no                                                  | no          |
"""

from __future__ import annotations

from typing import Literal

from sqlalchemy import ColumnElement, or_
from sqlalchemy.ext.asyncio import AsyncSession

from yihu.auth import policy
from yihu.auth.actor import Actor
from yihu.errors import FORBIDDEN, DomainError
from yihu.nursing import errors
from yihu.nursing.models import NursingOrder
from yihu.registry import service as registry

Need = Literal["read", "resident", "manage", "nurse"]
MANAGERS = ("institution_admin",)


def is_assigned(actor: Actor, order: NursingOrder) -> bool:
    return actor.practitioner_id is not None and actor.practitioner_id in (order.nurse_id, order.second_nurse_id)


async def require_order(session: AsyncSession, actor: Actor | None, order: NursingOrder, need: Need) -> Actor:
    a = policy.require_actor(actor)
    if need == "read":
        if a.role == "resident":
            await policy.require_patient(session, a, order.patient_id, "read")
        elif a.role != "regulator" and not (a.role in ("institution_admin", "nurse")
                                            and a.institution_id == order.institution_id):
            raise DomainError(FORBIDDEN)
        return a
    if need == "resident":
        if a.role != "resident":
            raise DomainError(FORBIDDEN)
        await policy.require_patient(session, a, order.patient_id, "change")
        return a
    if need == "manage":
        return policy.require_institution_staff(a, order.institution_id, *MANAGERS)
    if a.role != "nurse" or a.institution_id != order.institution_id:
        raise DomainError(FORBIDDEN)
    if not is_assigned(a, order):
        raise DomainError(errors.NOT_ASSIGNED_NURSE)
    return a


def order_scope(actor: Actor | None) -> ColumnElement[bool] | None:
    """The filter matching :func:`require_order` (read) for lists; ``None`` means the whole region."""
    a = policy.require_actor(actor)
    if a.role == "resident":
        return NursingOrder.patient_id.in_(registry.patient_ids_bound_to(a.account_id, a.patient_id))
    if a.role in ("institution_admin", "nurse") and a.institution_id:
        return NursingOrder.institution_id == a.institution_id
    if a.role == "regulator":
        return None
    raise DomainError(FORBIDDEN)


def nurse_scope(actor: Actor) -> ColumnElement[bool]:
    pid = actor.practitioner_id or "-"
    return or_(NursingOrder.nurse_id == pid, NursingOrder.second_nurse_id == pid)
