"""Every access decision about a patient is made here, and every patient query is narrowed here.

| role              | which patients                          | read | change | reveal full ID/phone |
|-------------------|-----------------------------------------|------|--------|----------------------|
| resident          | self and the patients bound by a card   | yes  | yes    | yes                  |
| doctor, nurse     | patients known to their institution     | yes  | no     | yes (audited)        |
| pharmacist, admin | patients known to their institution     | yes  | no     | no                   |
| regulator         | all patients of the region              | yes  | no     | no                   |
| system admin      | none (runs the platform, not the care)  | no   | no     | no                   |
"""

from __future__ import annotations

from typing import Literal

from sqlalchemy import ColumnElement
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from yihu.auth import errors
from yihu.auth.actor import Actor
from yihu.auth.models import ROLE_NAMES
from yihu.errors import FORBIDDEN, UNAUTHENTICATED, DomainError, Localized
from yihu.registry import service as registry

Action = Literal["read", "change", "reveal"]

_INSTITUTION_ROLES: dict[str, set[str]] = {
    "doctor": {"read", "reveal"},
    "nurse": {"read", "reveal"},
    "pharmacist": {"read"},
    "institution_admin": {"read"},
}


def require_actor(actor: Actor | None) -> Actor:
    if actor is None:
        raise DomainError(UNAUTHENTICATED)
    return actor


def require_role(actor: Actor | None, *roles: str) -> Actor:
    a = require_actor(actor)
    if a.role not in roles:
        names = [ROLE_NAMES.get(r, (r, r)) for r in roles]
        raise DomainError(errors.ROLE_REQUIRED, roles=Localized("、".join(zh for zh, _ in names),
                                                                ", ".join(en for _, en in names)))
    return a


def require_institution_staff(actor: Actor | None, institution_id: str, *roles: str) -> Actor:
    """Staff of this institution (any of ``roles``); everyone else is refused."""
    a = require_role(actor, *roles)
    if a.institution_id != institution_id:
        raise DomainError(FORBIDDEN)
    return a


async def can_access_patient(session: AsyncSession, actor: Actor, patient_id: str, action: Action) -> bool:
    if actor.role == "resident":
        return patient_id == actor.patient_id or patient_id in await registry.bound_patient_ids(session,
                                                                                               actor.account_id)
    allowed = _INSTITUTION_ROLES.get(actor.role)
    if allowed is not None:
        return (action in allowed and actor.institution_id is not None
                and await registry.patient_is_linked(session, patient_id, actor.institution_id))
    if actor.role == "regulator":
        return action == "read"
    return False


async def require_patient(session: AsyncSession, actor: Actor | None, patient_id: str, action: Action) -> None:
    a = require_actor(actor)
    if not await can_access_patient(session, a, patient_id, action):
        raise DomainError(FORBIDDEN)


def patient_scope(actor: Actor | None) -> ColumnElement[bool] | None:
    """A filter on patients for list and search queries; ``None`` means the whole region."""
    a = require_actor(actor)
    if a.role == "resident":
        return registry.patients_bound_to(a.account_id, a.patient_id)
    if a.role in _INSTITUTION_ROLES and a.institution_id:
        return registry.patients_of_institution(a.institution_id)
    if a.role == "regulator":
        return None
    raise DomainError(FORBIDDEN)


# ---- practitioners: credentials and management ----

def may_see_credentials(actor: Actor | None, registered_institution_id: str) -> bool:
    """Licence details and credentials: regulators, and staff of the practitioner's registered institution."""
    if actor is None:
        return False
    if actor.role == "regulator":
        return True
    return actor.is_staff and actor.institution_id == registered_institution_id


def require_practitioner_manager(actor: Actor | None, registered_institution_id: str, *,
                                 regulator_too: bool = False) -> Actor:
    """Adds credentials or suspends: the registered institution's admin (and, for suspension, the regulator)."""
    a = require_actor(actor)
    if regulator_too and a.role == "regulator":
        return a
    if a.role != "institution_admin" or a.institution_id != registered_institution_id:
        raise DomainError(FORBIDDEN)
    return a


# ---- check-in and the queue ----

async def require_check_in(session: AsyncSession, actor: Actor | None, *, patient_id: str,
                           institution_id: str) -> Actor:
    """Checks a booking in: the resident for a patient bound to the account, or a kiosk (an institution's device
    account) for bookings at its own institution only."""
    a = require_actor(actor)
    if a.role == "kiosk":
        if a.institution_id is None or a.institution_id != institution_id:
            raise DomainError(FORBIDDEN)
        return a
    if a.role == "resident":
        await require_patient(session, a, patient_id, "change")
        return a
    raise DomainError(FORBIDDEN)


# ---- records an institution holds about a patient (appointments, and later reports, orders) ----

async def require_record(session: AsyncSession, actor: Actor | None, *, patient_id: str, institution_id: str,
                         action: Action = "read") -> Actor:
    """A resident reaches the records of patients bound to the account; staff those of their institution (read);
    the regulator reads every record."""
    a = require_actor(actor)
    if a.role == "resident":
        await require_patient(session, a, patient_id, action)
        return a
    if a.role == "regulator" and action == "read":
        return a
    if action == "read" and a.role in _INSTITUTION_ROLES and a.institution_id == institution_id:
        return a
    raise DomainError(FORBIDDEN)


def record_scope(actor: Actor | None, patient_col: ColumnElement[str] | InstrumentedAttribute[str],
                 institution_col: ColumnElement[str] | InstrumentedAttribute[str]) -> ColumnElement[bool] | None:
    """The filter matching :func:`require_record` for list and search queries; ``None`` means every record."""
    a = require_actor(actor)
    if a.role == "resident":
        return patient_col.in_(registry.patient_ids_bound_to(a.account_id, a.patient_id))
    if a.role in _INSTITUTION_ROLES and a.institution_id:
        return institution_col == a.institution_id
    if a.role == "regulator":
        return None
    raise DomainError(FORBIDDEN)
