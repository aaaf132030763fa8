"""The period [start, end) in local dates, as UTC instants, and the scope (the region or one institution)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, true
from sqlalchemy.orm import InstrumentedAttribute

from yihu.kit import clock

MAX_DAYS = 400


@dataclass(frozen=True)
class Window:
    start_day: date
    end_day: date  # exclusive

    @property
    def start(self) -> datetime:
        return clock.at_local(self.start_day, time(0, 0))

    @property
    def end(self) -> datetime:
        return clock.at_local(self.end_day, time(0, 0))

    @property
    def days(self) -> int:
        return (self.end_day - self.start_day).days

    def holds(self, column: ColumnElement[datetime] | InstrumentedAttribute[datetime] | Any) -> ColumnElement[bool]:
        return and_(column >= self.start, column < self.end)


def this_month(today: date) -> Window:
    first = today.replace(day=1)
    nxt = (first + timedelta(days=32)).replace(day=1)
    return Window(first, nxt)


def today_window(today: date) -> Window:
    return Window(today, today + timedelta(days=1))


def scoped(column: InstrumentedAttribute[str], institution_id: str | None) -> ColumnElement[bool]:
    return column == institution_id if institution_id else true()
