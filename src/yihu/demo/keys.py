"""Deterministic identifiers of the demo data: row ids, phones and card numbers derived from stable keys."""

from __future__ import annotations

import random
import uuid
from datetime import date

# Every demo row id is uuid5(NAMESPACE, "<table>:<natural key>"), so two loads give the same ids.
NAMESPACE = uuid.UUID("6f1d2c8e-3b7a-5c4d-9e21-0a5b8c7d6e4f")
SEED = 20181031  # the day seed 001 was published
# Birth dates are fixed relative to this day (not today), so ID numbers never change between loads.
ANCHOR = date(2026, 1, 1)

DEMO_PASSWORD = "Yihu@2026"  # noqa: S105 - the documented password of every demo account


def uid(key: str) -> str:
    return str(uuid.uuid5(NAMESPACE, key))


def rng(*parts: object) -> random.Random:
    """A random generator of its own for one named piece of the demo (a family, the staff of one place)."""
    return random.Random(":".join(str(p) for p in (SEED, *parts)))


_PHONE_SPACE = 10**9
_PHONE_MULT = 387_420_489  # 3**18: coprime with 10, so i -> phone is a bijection on the space
_PHONE_OFFSET = 271_828_182


def resident_phone(index: int) -> str:
    """The mobile number of synthetic resident ``index`` (unique for every index below 10**9)."""
    return f"15{(index * _PHONE_MULT + _PHONE_OFFSET) % _PHONE_SPACE:09d}"


def insurance_card_no(index: int) -> str:
    return f"330400{index:010d}"


def visit_card_no(institution_code: str, index: int) -> str:
    return f"{institution_code}{index:010d}"
