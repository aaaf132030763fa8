"""FHIR date search on an instant column: ``start=ge2026-11-23``, ``date=lt2026-11-23T10:00:00+08:00``.

A value stands for the range its precision covers (a year, a month, a day, a minute, a second), in Asia/Shanghai
when it carries no offset (the server's local time). The prefixes compare the stored instant with that range:
``eq`` inside it, ``ne`` outside, ``lt``/``eb`` before it, ``gt``/``sa`` after it, ``le`` before its end,
``ge`` from its start, ``ap`` inside it widened on each side by a tenth of the time between now and the value (the
approximation the FHIR search specification recommends for dates), and by at least a day.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import ColumnElement, and_, not_
from sqlalchemy.orm import InstrumentedAttribute

from yihu.errors import DomainError
from yihu.fhir import errors
from yihu.fhir.filters import any_of
from yihu.fhir.search import Criterion
from yihu.kit import clock

PREFIXES = ("eq", "ne", "gt", "lt", "ge", "le", "sa", "eb", "ap")
_VALUE = re.compile(
    r"(?P<y>\d{4})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2})"
    r"(?:T(?P<H>\d{2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:\.(?P<f>\d{1,6}))?)?(?P<tz>Z|[+-]\d{2}:\d{2})?)?)?)?")


@dataclass(frozen=True)
class DateRange:
    """``[start, end)`` in UTC."""

    start: datetime
    end: datetime


def _add_months(day: date, months: int) -> date:
    total = day.year * 12 + day.month - 1 + months
    return date(total // 12, total % 12 + 1, 1)


def parse_range(raw: str) -> DateRange:
    """The range a FHIR date/dateTime value covers; ``ValueError`` (or ``OverflowError``) when it is not one."""
    m = _VALUE.fullmatch(raw.strip().replace(" ", "+"))  # an unencoded "+" in a query string arrives as a space
    if m is None:
        raise ValueError(raw)
    g = m.groupdict()
    year, month, day = int(g["y"]), int(g["m"] or 1), int(g["d"] or 1)
    if g["H"] is None:
        first = date(year, month, day)
        last = (date(year + 1, 1, 1) if g["m"] is None else _add_months(first, 1) if g["d"] is None
                else first + timedelta(days=1))
        return DateRange(clock.at_local(first, clock.parse_hhmm("00:00")),
                         clock.at_local(last, clock.parse_hhmm("00:00")))
    tz = clock.LOCAL if g["tz"] is None else datetime.fromisoformat(f"2000-01-01T00:00{g['tz']}").tzinfo
    micro = int((g["f"] or "0").ljust(6, "0"))
    at = datetime(year, month, day, int(g["H"]), int(g["M"]), int(g["S"] or 0), micro, tzinfo=tz)
    step = (timedelta(microseconds=10 ** (6 - len(g["f"]))) if g["f"] else timedelta(seconds=1) if g["S"]
            else timedelta(minutes=1))
    return DateRange(at.astimezone(UTC), (at + step).astimezone(UTC))


def approximately(r: DateRange, now: datetime) -> DateRange:
    """``r`` widened by 10% of the gap between now and the value, and by at least a day, on each side."""
    gap = max(abs(now - r.start), abs(now - r.end))
    margin = max(gap / 10, timedelta(days=1))
    lowest, highest = datetime.min.replace(tzinfo=UTC), datetime.max.replace(tzinfo=UTC)
    return DateRange(r.start - margin if r.start - lowest > margin else lowest,
                     r.end + margin if highest - r.end > margin else highest)


def _split_prefix(value: str) -> tuple[str, str]:
    head = value[:2]
    return (head, value[2:]) if head in PREFIXES else ("eq", value)


def value_match(column: InstrumentedAttribute[datetime], value: str, param: str) -> ColumnElement[bool]:
    prefix, rest = _split_prefix(value.strip())
    try:
        r = parse_range(rest)
    except (ValueError, OverflowError):  # not a date, or beyond what an instant can hold
        raise DomainError(errors.INVALID_PARAM, param=param) from None
    if prefix == "ap":
        r = approximately(r, clock.now())
    inside = and_(column >= r.start, column < r.end)
    match prefix:
        case "eq" | "ap":
            return inside
        case "ne":
            return not_(inside)
        case "gt" | "sa":
            return column >= r.end
        case "lt" | "eb":
            return column < r.start
        case "ge":
            return column >= r.start
        case _:  # "le"
            return column < r.end


def date_match(column: InstrumentedAttribute[datetime], c: Criterion) -> ColumnElement[bool]:
    """One occurrence of a date parameter: its comma-separated values are alternatives."""
    return any_of(value_match(column, v, c.param.name) for v in c.values)
