"""Rows for bulk inserts: families to patient, account, card and link rows (encrypted up front), and the
checks that keep ID numbers and account phones unique against what the database already holds."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from yihu.auth.models import Account
from yihu.auth.service import new_account
from yihu.config import get_settings
from yihu.db import Base
from yihu.demo.keys import uid
from yihu.demo.population import Family, Person
from yihu.kit.vault import vault
from yihu.registry import idcard
from yihu.registry.cards import GUARDIAN_CONSENT_TEXT, MAX_CARDS
from yihu.registry.cards import _card_index as card_index
from yihu.registry.models import Card, Patient, PatientLink
from yihu.registry.patients import new_patient

_IN_CHUNK = 900  # values per IN (...) look-up, under every backend's parameter limit


def columns(obj: Base, **extra: Any) -> dict[str, Any]:
    """The column values set on a new ORM object, as a row for ``insert()``."""
    row = {k: v for k, v in vars(obj).items() if not k.startswith("_")}
    row.update(extra)
    return row


async def insert_rows(
    session: AsyncSession, model: type[Base], rows: Sequence[dict[str, Any]], chunk: int = 2000
) -> None:
    """Core executemany INSERTs (the ORM's bulk path compiles far more statements for the same rows)."""
    table = cast(Table, model.__table__)
    for i in range(0, len(rows), chunk):
        await session.execute(insert(table), list(rows[i : i + chunk]))


async def _present(
    session: AsyncSession, column: InstrumentedAttribute[Any], values: Iterable[str]
) -> set[str]:
    wanted = list(values)
    found: set[str] = set()
    for i in range(0, len(wanted), _IN_CHUNK):
        found.update(
            (await session.scalars(select(column).where(column.in_(wanted[i : i + _IN_CHUNK])))).all()
        )
    return found


async def claim_id_numbers(session: AsyncSession, people: Sequence[Person], taken: set[str]) -> None:
    """Make every ID number unique against ``taken`` (this run) and the database: next sequence number."""
    pending = list(people)
    while pending:
        for p in pending:
            while p.id_bidx in taken:
                p.bump()
            taken.add(p.id_bidx)
        clash = await _present(session, Patient.id_number_bidx, (p.id_bidx for p in pending))
        pending = [p for p in pending if p.id_bidx in clash]
        for p in pending:
            p.bump()


async def taken_account_phones(session: AsyncSession, phones: Iterable[str]) -> set[str]:
    v = vault()
    by_bidx = {v.index("phone", ph): ph for ph in phones}
    return {by_bidx[b] for b in await _present(session, Account.phone_bidx, by_bidx)}


@dataclass
class Rows:
    patients: list[dict[str, Any]] = field(default_factory=list)
    accounts: list[dict[str, Any]] = field(default_factory=list)
    cards: list[dict[str, Any]] = field(default_factory=list)
    links: list[dict[str, Any]] = field(default_factory=list)

    async def insert(self, session: AsyncSession) -> None:
        await insert_rows(session, Patient, self.patients)
        await insert_rows(session, Account, self.accounts)
        await insert_rows(session, Card, self.cards)
        await insert_rows(session, PatientLink, self.links)


def patient_row(p: Person, f: Family, today: date, now: datetime) -> dict[str, Any]:
    idn = idcard.parse(p.id_number, today)
    if idn.sex != p.sex or idn.birth_date != p.birth_date:
        raise RuntimeError(f"synthetic ID number {p.key} does not say what was meant")
    obj = new_patient(
        name=p.name, idn=idn, phone=p.phone, address=f.address, latitude=f.lat, longitude=f.lon, row_id=p.id
    )
    return columns(obj, deceased=False, created_at=now, updated_at=now)


def family_rows(
    fams: Iterable[Family],
    *,
    institution_ids: dict[str, str],
    password_hash: str,
    today: date,
    now: datetime,
    blocked_phones: set[str] | None = None,
) -> Rows:
    """Rows for families whose ID numbers were claimed; a head whose phone is taken gets no account."""
    rows = Rows()
    guardian_age = get_settings().guardian_age
    v = vault()
    for f in fams:
        for p in f.members:
            rows.patients.append(patient_row(p, f, today, now))
        head = f.head
        if not f.has_account or head.phone is None or head.phone in (blocked_phones or ()):
            continue
        acc = new_account(
            phone=head.phone,
            password_hash=password_hash,
            role="resident",
            display_name=head.name,
            patient_id=head.id,
            row_id=f.account_id,
        )
        rows.accounts.append(columns(acc, lang="zh-CN", created_at=now, updated_at=now))
        for slot, p in enumerate(f.members[:MAX_CARDS], start=1):
            inst_id = (
                institution_ids[p.card_institution] if p.card_type == "visit" and p.card_institution else None
            )
            number = p.card_no()
            card_id = uid(f"card:{f.account_id}:{slot}")
            minor = p.age_on(today) < guardian_age
            rows.cards.append(
                {
                    "id": card_id,
                    "account_id": f.account_id,
                    "patient_id": p.id,
                    "card_type": p.card_type,
                    "card_no_enc": v.seal(number, "card", "card_no", card_id),
                    # the bind service's own index: binding the same card again by hand is a duplicate
                    "card_no_bidx": card_index(p.card_type, inst_id, number),
                    "institution_id": inst_id,
                    "relation": p.relation,
                    "slot_no": slot,
                    "status": "active",
                    "guardian_consent_at": now if minor else None,
                    "guardian_consent_text": GUARDIAN_CONSENT_TEXT if minor else None,
                    "unbound_at": None,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            if inst_id:
                rows.links.append(
                    {
                        "id": uid(f"link:{p.id}:{inst_id}"),
                        "patient_id": p.id,
                        "institution_id": inst_id,
                        "reason": "visit_card",
                        "created_at": now,
                    }
                )
    return rows
