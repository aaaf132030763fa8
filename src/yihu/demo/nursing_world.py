"""Who takes part in the home-nursing demo: the catalogue as loaded (item and version rows), the nurses with their
eligibility on a given day (the product's own rule), the residents who order for a family member, and a nurse's
day so that no nurse is ever in two homes at once."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from yihu.demo import district, logins, population
from yihu.demo.keys import uid
from yihu.demo.nursing_catalogue import ItemSpec
from yihu.nursing.eligibility import evaluate
from yihu.registry.cards import MAX_CARDS
from yihu.registry.models import Credential, Practitioner

TRAVEL = timedelta(minutes=20)  # kept free between two visits of one nurse
STEP = timedelta(minutes=10)


def institution_id(code: str) -> str:
    return uid(f"institution:{code}")


def account_id(login_key: str) -> str:
    return uid(f"account:{login_key}")


@dataclass(frozen=True)
class ItemRef:
    spec: ItemSpec
    item_id: str
    versions: tuple[dict[str, Any], ...]  # version rows, oldest first

    def version_at(self, at: datetime) -> dict[str, Any]:
        """The version in force when an order was placed at ``at``."""
        current = self.versions[0]
        for v in self.versions:
            if v["created_at"] <= at:
                current = v
        return current

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(self.spec.credentials)


@dataclass
class Staff:
    """The nurses of every institution as stored, and who of them may go on a visit on a day."""

    nurses: dict[str, list[Practitioner]]  # institution id -> nurses, by licence number
    creds: dict[str, list[Credential]]
    _cache: dict[tuple[str, date, tuple[str, ...]], list[Practitioner]] = field(default_factory=dict)

    @classmethod
    async def load(cls, session: AsyncSession) -> Staff:
        people = (await session.scalars(select(Practitioner).where(Practitioner.kind == "nurse")
                                        .order_by(Practitioner.licence_no))).all()
        creds: dict[str, list[Credential]] = {}
        for c in (await session.scalars(select(Credential).where(
                Credential.practitioner_id.in_([p.id for p in people])).order_by(Credential.number))).all():
            creds.setdefault(c.practitioner_id, []).append(c)
        nurses: dict[str, list[Practitioner]] = {}
        for p in people:
            if p.registered_institution_id:
                nurses.setdefault(p.registered_institution_id, []).append(p)
        return cls(nurses, creds)

    def eligible(self, inst_id: str, day: date, required: Sequence[str] = ()) -> list[Practitioner]:
        key = (inst_id, day, tuple(required))
        if key not in self._cache:
            self._cache[key] = [
                p for p in self.nurses.get(inst_id, [])
                if evaluate(p, self.creds.get(p.id, []), institution_id=inst_id, on=day, required=required).eligible
            ]
        return self._cache[key]


@dataclass(frozen=True)
class Recipient:
    """A patient bound to a resident account (by a card), living at the family's address."""

    patient_id: str
    account_id: str
    name: str
    sex: str
    birth_date: date
    relation: str  # to the account holder: self, spouse, child, parent
    head_name: str
    address: str
    lat: float
    lon: float
    card_id: str
    card_type: str

    def age_on(self, day: date) -> int:
        b = self.birth_date
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))


def recipients_of(f: population.Family) -> list[Recipient]:
    if not f.has_account or f.head.phone is None:
        return []
    return [Recipient(p.id, f.account_id, p.name, p.sex, p.birth_date, p.relation, f.head.name, f.address, f.lat,
                      f.lon, uid(f"card:{f.account_id}:{slot}"), p.card_type)
            for slot, p in enumerate(f.members[:MAX_CARDS], start=1)]


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    dy = (lat2 - lat1) * 111.2
    dx = (lon2 - lon1) * 111.2 * math.cos(math.radians((lat1 + lat2) / 2))
    return math.hypot(dx, dy)


MATERNAL_AGES = (20, 42)
ELDERLY_AGE = 60


class Residents:
    """The demo's resident families (not the demo login's own), nearest first for each institution."""

    def __init__(self, residents: int) -> None:
        fams = [(f, recipients_of(f)) for f in population.families(0, residents)]
        fams = [(f, people) for f, people in fams if people]
        self.by_inst: dict[str, list[Recipient]] = {}
        for spec in district.INSTITUTIONS:
            dist = {f.key: km(spec.lat, spec.lon, f.lat, f.lon) for f, _ in fams}
            ranked = sorted(fams, key=lambda fp: dist[fp[0].key])
            near = [fp for fp in ranked if dist[fp[0].key] <= 6.0]
            self.by_inst[spec.code] = [p for _, people in (near if len(near) >= 15 else ranked[:15]) for p in people]
        self.everyone = [p for _, people in fams for p in people]
        self._fits: dict[tuple[str, str, date], list[tuple[Recipient, int]]] = {}

    @staticmethod
    def kind(spec: ItemSpec) -> str:
        """Who an item is for: mothers, older people, or any adult."""
        if spec.category == "maternal_infant":
            return "maternal"
        if spec.category == "hospice" or spec.populations[0] in ("elderly_disabled", "hospice"):
            return "elderly"
        return "adult"

    @staticmethod
    def fits(r: Recipient, kind: str, day: date) -> bool:
        age = r.age_on(day)
        if kind == "maternal":
            return r.sex == "female" and MATERNAL_AGES[0] <= age <= MATERNAL_AGES[1]
        return age >= (ELDERLY_AGE if kind == "elderly" else 18)

    def pick(self, r: random.Random, inst_code: str, spec: ItemSpec, day: date) -> Recipient | None:
        kind = self.kind(spec)
        key = (inst_code, kind, day)
        if key not in self._fits:
            self._fits[key] = []
            for pool in (self.by_inst[inst_code], self.everyone):
                fits = [p for p in pool if self.fits(p, kind, day)]
                if fits:  # older people need home nursing more often
                    self._fits[key] = [(p, max(5, p.age_on(day) - 10)) for p in fits]
                    break
        fits_ = self._fits[key]
        if not fits_:
            return None
        return r.choices([p for p, _ in fits_], weights=[w for _, w in fits_])[0]


def demo_family() -> list[Recipient]:
    return recipients_of(logins.demo_family())


class Diary:
    """Each nurse's booked visits per day; a visit takes its duration plus travel on either side."""

    def __init__(self) -> None:
        self.busy: dict[tuple[str, date], list[tuple[datetime, datetime]]] = {}

    def free(self, nurse_id: str, day: date, start: datetime, end: datetime) -> bool:
        return all(end + TRAVEL <= a or start >= b + TRAVEL for a, b in self.busy.get((nurse_id, day), []))

    def slot(self, nurse_ids: Sequence[str], day: date, window: tuple[datetime, datetime],
             minutes: int) -> datetime | None:
        """The earliest start inside the window at which every nurse is free."""
        t, dur = window[0], timedelta(minutes=minutes)
        while t + dur <= window[1]:
            if all(self.free(n, day, t, t + dur) for n in nurse_ids):
                return t
            t += STEP
        return None

    def book(self, nurse_ids: Sequence[str], day: date, start: datetime, minutes: int) -> None:
        for n in nurse_ids:
            self.busy.setdefault((n, day), []).append((start, start + timedelta(minutes=minutes)))

    def load(self, nurse_id: str, day: date) -> int:
        return len(self.busy.get((nurse_id, day), []))
