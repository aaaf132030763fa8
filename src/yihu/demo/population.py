"""Synthetic residents in families: who they are, where they live, which cards the head binds.

Person ``index`` numbers run on from the demo load through every ``yihu seed``; everything about a family is
drawn from a random generator keyed by the index of its head, so the same index always gives the same family.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property

from yihu.demo import geo, names
from yihu.demo.keys import ANCHOR, insurance_card_no, resident_phone, rng, uid, visit_card_no
from yihu.kit.vault import vault
from yihu.registry import idcard

# Region codes of Jiaxing (嘉兴) for birthplaces: most residents were born in Xiuzhou itself.
REGIONS: tuple[tuple[str, int], ...] = (
    ("330411", 60),
    ("330402", 14),
    ("330421", 5),
    ("330424", 4),
    ("330481", 6),
    ("330482", 5),
    ("330483", 6),
)
MATERNAL_CHILD = "XZ02"
LEAD = "XZ01"
MAX_FAMILY = 6


@dataclass
class Person:
    key: str
    index: int | None
    name: str
    sex: str
    birth_date: date
    region: str
    seq: int  # the 3-digit sequence of the ID number: odd for men, even for women
    relation: str  # to the head of household: self, spouse, child, parent
    phone: str | None
    card_type: str = "insurance"
    card_institution: str | None = None  # institution code of a visit card
    card_number: str | None = None  # fixed number (demo logins); otherwise derived from the index
    _bidx: str | None = field(default=None, repr=False)

    @cached_property
    def id(self) -> str:
        return uid(f"patient:{self.key}")

    @property
    def id_number(self) -> str:
        return idcard.make(self.region, self.birth_date, self.seq)

    @property
    def id_bidx(self) -> str:
        if self._bidx is None:
            self._bidx = vault().index("id_number", self.id_number)
        return self._bidx

    def bump(self) -> None:
        """Take the next sequence number of the same sex (the ID number was taken)."""
        self.seq = (self.seq + 2) % 1000
        self._bidx = None

    def card_no(self) -> str:
        if self.card_number:
            return self.card_number
        if self.card_type == "visit" and self.card_institution:
            return visit_card_no(self.card_institution, self.index if self.index is not None else 0)
        return insurance_card_no(self.index if self.index is not None else 0)

    def age_on(self, day: date) -> int:
        b = self.birth_date
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))


@dataclass
class Family:
    key: str
    town: geo.Town
    address: str
    lat: float
    lon: float
    members: list[Person]  # the head first
    has_account: bool

    @property
    def head(self) -> Person:
        return self.members[0]

    @property
    def account_id(self) -> str:
        return uid(f"account:resident:{self.key}")


def born(r: random.Random, age: int) -> date:
    """A birthday making the person ``age`` years old on the anchor day."""
    try:
        birthday = ANCHOR.replace(year=ANCHOR.year - age)
    except ValueError:  # 29 February
        birthday = ANCHOR.replace(year=ANCHOR.year - age, day=28)
    return birthday - timedelta(days=r.randrange(1, 365))


def _region(r: random.Random) -> str:
    return r.choices([c for c, _ in REGIONS], weights=[w for _, w in REGIONS])[0]


def _seq(r: random.Random, sex: str) -> int:
    return r.randrange(0, 500) * 2 + (1 if sex == "male" else 0)


def _person(
    r: random.Random, index: int, *, sex: str, age: int, relation: str, surname: str | None
) -> Person:
    b = born(r, age)
    has_phone = age >= 18 and (age < 70 or r.random() < 0.7)
    return Person(
        key=str(index),
        index=index,
        name=names.full_name(r, sex, b.year, surname),
        sex=sex,
        birth_date=b,
        region=_region(r),
        seq=_seq(r, sex),
        relation=relation,
        phone=resident_phone(index) if has_phone else None,
    )


def _other(sex: str) -> str:
    return "female" if sex == "male" else "male"


def family(first_index: int, max_size: int = MAX_FAMILY) -> Family:
    """The family whose head has person index ``first_index`` (at most ``max_size`` people)."""
    r = rng("family", first_index)
    head_age = r.randint(24, 72)
    head_sex = "male" if r.random() < 0.55 else "female"
    head_surname = names.surname(r)
    plan: list[tuple[str, int, str, str | None]] = [(head_sex, head_age, "self", head_surname)]
    spouse_surname = names.surname(r)
    has_spouse = r.random() < 0.82
    if has_spouse:
        gap = r.randint(0, 5)
        plan.append(
            (
                _other(head_sex),
                max(20, head_age - gap if head_sex == "male" else head_age + gap),
                "spouse",
                spouse_surname,
            )
        )
    if head_age <= 58:
        father_surname = head_surname if head_sex == "male" or not has_spouse else spouse_surname
        for _ in range(r.choices((0, 1, 2), weights=(20, 55, 25))[0]):
            age = head_age - r.randint(24, 34)
            if age >= 0:
                plan.append(("male" if r.random() < 0.52 else "female", age, "child", father_surname))
    if 30 <= head_age <= 62 and r.random() < 0.4:
        parent_age = min(90, max(70, head_age + r.randint(25, 32)))
        if r.random() < 0.45:
            plan.append(("male", parent_age, "parent", head_surname))
        plan.append(("female", max(70, parent_age - r.randint(0, 3)), "parent", None))
    members = [
        _person(r, first_index + i, sex=s, age=a, relation=rel, surname=sn)
        for i, (s, a, rel, sn) in enumerate(plan[:max_size])
    ]
    town = geo.pick_town(r)
    for m in members[1:]:
        if r.random() < 0.5:
            m.card_type = "visit"
            young = m.relation == "child" and m.age_on(ANCHOR) < 14
            m.card_institution = (
                MATERNAL_CHILD
                if young and r.random() < 0.5
                else LEAD
                if r.random() < 0.25
                else town.institution
            )
    lat, lon = geo.near(r, town.lat, town.lon)
    return Family(
        key=str(first_index),
        town=town,
        address=geo.home_address(r, town),
        lat=lat,
        lon=lon,
        members=members,
        has_account=r.random() < 0.9,
    )


def families(start: int, count: int) -> Iterator[Family]:
    """Families filling person indexes ``start`` .. ``start + count - 1`` (the last one cut to fit)."""
    index, end = start, start + count
    while index < end:
        f = family(index, min(MAX_FAMILY, end - index))
        index += len(f.members)
        yield f
