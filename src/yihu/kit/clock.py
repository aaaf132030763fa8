"""Times are stored in UTC and shown in Asia/Shanghai; local wall-clock rules (08:00 release) live here."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LOCAL = ZoneInfo("Asia/Shanghai")


def now() -> datetime:
    return datetime.now(UTC)


def today() -> date:
    """Today in Asia/Shanghai (the server may run in UTC: between 16:00 and 24:00 UTC that is already tomorrow)."""
    return local_date(now())


def local_date(at: datetime) -> date:
    return at.astimezone(LOCAL).date()


def at_local(day: date, hhmm: time) -> datetime:
    """The UTC instant of a local wall-clock time on a local date."""
    return datetime.combine(day, hhmm, tzinfo=LOCAL).astimezone(UTC)


def parse_hhmm(value: str) -> time:
    h, _, m = value.partition(":")
    return time(int(h), int(m))


def days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]
