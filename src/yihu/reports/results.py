"""Rules on a report's content: exact decimals, the H/L/N flag from the reference range, what each kind needs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation

from yihu.errors import DomainError
from yihu.reports import errors


@dataclass(frozen=True)
class ObservationInput:
    code: str
    display: str
    code_system: str = "local"
    value: Decimal | None = None
    unit: str = ""
    value_text: str | None = None
    low: Decimal | None = None
    high: Decimal | None = None
    reference_text: str | None = None
    abnormal: bool | None = None  # for text results only: the lab's own judgement (阳性 → abnormal)


@dataclass(frozen=True)
class ReportInput:
    kind: str
    code: str
    title: str
    effective_at: datetime
    code_system: str = "local"
    conclusion: str = ""
    modality: str | None = None
    body_site: str | None = None
    appointment_id: str | None = None
    observations: list[ObservationInput] = field(default_factory=list)


def decimal_text(value: Decimal | None) -> str | None:
    """``Decimal('5.60')`` → ``'5.60'``: the precision the lab reported is kept; never an exponent."""
    if value is None:
        return None
    return format(value, "f")


def parse_decimal(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:  # written by this module only; a bad row is a bug, not an input
        raise ValueError(text) from None


def flag_of(o: ObservationInput) -> str | None:
    """H above the high end, L below the low end, N inside; for text results A or N when the lab judged it."""
    if o.value is None:
        return None if o.abnormal is None else ("A" if o.abnormal else "N")
    if o.low is not None and o.value < o.low:
        return "L"
    if o.high is not None and o.value > o.high:
        return "H"
    if o.low is None and o.high is None:
        return None
    return "N"


def check(data: ReportInput) -> None:
    if data.kind == "lab" and not data.observations:
        raise DomainError(errors.KIND_CONTENT)
    if data.kind == "imaging" and (not data.conclusion.strip() or data.observations):
        raise DomainError(errors.KIND_CONTENT)
    for i, o in enumerate(data.observations, start=1):
        numeric = o.value is not None
        text = o.value_text is not None and o.value_text.strip() != ""
        if numeric == text:
            raise DomainError(errors.VALUE_INVALID, index=i)
        if o.value is not None and not o.value.is_finite():
            raise DomainError(errors.VALUE_INVALID, index=i)
        if not numeric and (o.low is not None or o.high is not None):
            raise DomainError(errors.VALUE_INVALID, index=i)
        if o.low is not None and o.high is not None and o.low > o.high:
            raise DomainError(errors.VALUE_INVALID, index=i)
        if numeric and o.abnormal is not None:
            raise DomainError(errors.VALUE_INVALID, index=i)
