"""GB 11643-1999 citizen identity numbers: validation with one clear error per failure, and what they tell."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from stdnum import numdb

from yihu.errors import DomainError
from yihu.kit import clock
from yihu.registry import errors

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


@dataclass(frozen=True)
class IdentityNumber:
    value: str
    birth_date: date
    sex: str  # "male" | "female" (FHIR administrative-gender)
    region_code: str

    def age_on(self, day: date) -> int:
        b = self.birth_date
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))


def check_digit(first17: str) -> str:
    return _CHECK[sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True)) % 11]


@lru_cache(maxsize=4096)
def region_exists(code6: str) -> bool:
    """True when the 6-digit code is (or was) a county-level region code.

    Any period counts: a person born before a code was created still carries it on a card issued later.
    """
    parts = numdb.get("cn/loc").info(code6)
    info = {k: v for _part, props in parts for k, v in props.items()}
    return "province" in info and "county" in info


def parse(raw: str, today: date | None = None) -> IdentityNumber:
    today = today or clock.today()
    value = re.sub(r"[\s-]", "", raw or "").upper()
    if len(value) != 18:
        raise DomainError(errors.ID_LENGTH, length=len(value))
    if not re.fullmatch(r"\d{17}[\dX]", value):
        raise DomainError(errors.ID_FORMAT)
    if not region_exists(value[:6]):
        raise DomainError(errors.ID_REGION)
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise DomainError(errors.ID_BIRTH_DATE) from None
    if born > today or born.year < today.year - 130:
        raise DomainError(errors.ID_BIRTH_DATE)
    if check_digit(value[:17]) != value[17]:
        raise DomainError(errors.ID_CHECKSUM)
    sex = "male" if int(value[16]) % 2 == 1 else "female"
    return IdentityNumber(value=value, birth_date=born, sex=sex, region_code=value[:6])


def make(region_code: str, born: date, sequence: int) -> str:
    """A valid identity number (for synthetic demo data): sequence odd for men, even for women."""
    first17 = f"{region_code}{born:%Y%m%d}{sequence:03d}"
    return first17 + check_digit(first17)


PHONE_RE = re.compile(r"1[3-9]\d{9}")


def normalize_phone(raw: str) -> str:
    value = re.sub(r"[\s-]", "", raw or "")
    if value.startswith("+86"):
        value = value[3:]
    if not PHONE_RE.fullmatch(value):
        raise DomainError(errors.PHONE_FORMAT)
    return value


NAME_RE = re.compile(r"[^\d\s<>{}\[\]/\\;:\"']{2,30}")


def normalize_name(raw: str) -> str:
    value = " ".join((raw or "").split())
    if not NAME_RE.fullmatch(value.replace(" ", "·")):
        raise DomainError(errors.NAME_FORMAT)
    return value
