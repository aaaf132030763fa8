"""What the cockpit answers: one JSON with every figure group, and a light live part the page polls."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel


class Figures(BaseModel):
    """One row of a breakdown (or the totals). Each figure counts what happened in the period:
    orders placed, visits completed, orders paid (revenue = item price + visit fee + consumables of those orders),
    ratings given, visits checked in (order → visit time)."""

    orders: int = 0
    completed: int = 0
    paid: int = 0
    revenue_fen: int = 0
    rated: int = 0
    avg_rating: float | None = None
    satisfied: int = 0
    satisfied_share: float | None = None
    visited: int = 0
    avg_to_visit_min: float | None = None


class GroupRow(Figures):
    id: str
    name: str
    code: str = ""


class StatusCount(BaseModel):
    status: str
    text: str
    count: int


class Totals(Figures):
    median_to_visit_min: float | None = None
    p90_to_visit_min: float | None = None
    consumables_count: int = 0
    consumables_fen: int = 0
    waste_records: int = 0


class ConsumableRow(BaseModel):
    code: str
    name: str
    unit: str
    count: int
    amount_fen: int
    visits: int


class WasteRow(BaseModel):
    kind: str
    records: int
    count: int
    weight_g: int


class DayRow(BaseModel):
    day: date
    orders: int
    completed: int


class RecentEvent(BaseModel):
    at: datetime
    order_number: str
    action: str
    action_text: str
    to_status: str
    institution_name: str


class Today(BaseModel):
    orders: int
    completed: int
    paid: int
    revenue_fen: int


class Live(BaseModel):
    generated_at: datetime
    institution_id: str | None
    in_progress: int
    en_route: int
    in_service: int
    alarms_open: int
    alarms_unacknowledged: int
    awaiting_review: int
    awaiting_acceptance: int
    awaiting_dispatch: int
    today: Today
    recent: list[RecentEvent]


class Scope(BaseModel):
    institution_id: str | None
    institution_name: str | None


class Period(BaseModel):
    start: date
    end: date
    days: int


class NursingCockpit(BaseModel):
    generated_at: datetime
    scope: Scope
    period: Period
    totals: Totals
    status: list[StatusCount]
    live: Live
    by_institution: list[GroupRow]
    by_nurse: list[GroupRow]
    by_item: list[GroupRow]
    consumables: list[ConsumableRow]
    waste: list[WasteRow]
    daily: list[DayRow]
