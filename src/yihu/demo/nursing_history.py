"""Three months of home visits before the load day (about 500–600 a month across the dispatching institutions),
some recurring series with one nurse, and their outcomes: mostly completed, paid and rated 4 or 5 stars; a few
rejected at assessment or cancelled; a handful of low ratings with follow-ups; two alarms, closed."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from yihu.demo import nursing_texts as texts
from yihu.demo.keys import rng, uid
from yihu.demo.nursing_trail import PATH
from yihu.demo.nursing_visit import Plan, Visit
from yihu.demo.nursing_world import ItemRef, Recipient, institution_id
from yihu.kit import clock
from yihu.nursing.models import NursingOrderEvent, NursingSeries

if TYPE_CHECKING:
    from yihu.demo.nursing import World

DAYS = 90
HORIZON = time(8, 0)  # what happened before 08:00 of the load day is history
WEIGHTS = {"XZ01": 30, "XZ02": 12, "XZ03": 9, "XZ04": 8, "XZ05": 8, "XZ06": 7, "XZ07": 5, "XZ10": 11, "XZ11": 10}
CATEGORY_WEIGHTS = {"basic": 3.0, "wound": 3.0, "tube": 2.5, "pressure_sore": 2.0, "picc_port": 2.0, "stoma": 1.2,
                    "maternal_infant": 3.0, "tcm": 1.5, "rehab_chronic": 1.5, "hospice": 0.8}
WINDOWS = ((time(8, 0), time(12, 0)), (time(13, 30), time(17, 30)), (time(8, 0), time(10, 0)),
           (time(9, 0), time(11, 0)), (time(10, 0), time(12, 0)), (time(14, 0), time(16, 0)),
           (time(15, 30), time(17, 30)))
CHANNELS = (("wechat", 45), ("alipay", 30), ("insurance_card", 15), ("bank_card", 10))
ALARM_DAYS = (41, 13)  # a visit on these days (days before the load day) had an alarm, closed since
ALARM_PLACES = ("XZ01", "XZ10")  # where an admin login closed it
# Recurring care: item, pattern (phases of every_days × count).
SERIES: tuple[tuple[str, list[dict[str, int]]], ...] = (
    ("HN011", [{"every_days": 1, "count": 5}, {"every_days": 2, "count": 3}]),
    ("HN009", [{"every_days": 2, "count": 6}]),
    ("HN019", [{"every_days": 7, "count": 4}]),
    ("HN006", [{"every_days": 3, "count": 5}]),
    ("HN026", [{"every_days": 7, "count": 3}]),
)
SERIES_COUNT = 15


def _window(r: random.Random, day: date) -> tuple[datetime, datetime]:
    a, b = r.choice(WINDOWS)
    return clock.at_local(day, a), clock.at_local(day, b)


def _created(r: random.Random, day: date) -> datetime:
    lead = r.choices((1, 2, 3, 4, 5, 7), weights=(30, 25, 18, 12, 10, 5))[0]
    last_hour = 13 if lead == 1 else 21  # a next-day order is placed early enough to be reviewed that day
    return clock.at_local(day - timedelta(days=lead), time(r.randint(7, last_hour), r.randint(0, 59)))


def _plan(r: random.Random, ref: ItemRef) -> Plan:
    x = r.random()
    p = Plan(at_door=r.random() < 0.25, channel=r.choices([c for c, _ in CHANNELS], [w for _, w in CHANNELS])[0],
             first_visit=ref.spec.risk_level == "high" and r.random() < 0.15)
    if x < 0.03:
        p.reject = r.choice(texts.REJECT_REASONS)
    elif x < 0.05:
        p.cancel = (r.choice(("create", "assess_approve", "accept")), "resident", r.choice(texts.CANCEL_RESIDENT))
    elif x < 0.06:
        p.cancel = ("assign", "resident", r.choice(texts.CANCEL_RESIDENT))
    elif x < 0.064:
        p.cancel = ("depart", "resident", texts.CANCEL_AT_DOOR[0])
    elif x < 0.072:
        p.cancel = (r.choice(("accept", "assign")), "institution", r.choice(texts.CANCEL_INSTITUTION))
    else:
        p.until = "rate" if r.random() < 0.9 else "pay"
    if r.random() < 0.006:
        p.stars = r.choice((3, 3, 2, 1))
        p.complaint = p.stars == 3
        p.followup_closed = r.random() < 0.7
    else:
        p.stars = 5 if r.random() < 0.86 else 4
    return p


def needs_nurse(p: Plan) -> bool:
    return p.reject is None and (p.cancel is None or PATH.index(p.cancel[0]) >= PATH.index("assign"))


def dispatch(w: World, r: random.Random, v: Visit, prefer: str | None = None) -> bool:
    """Give the visit to eligible nurse(s) free at some time in its window; False when nobody can go."""
    need = v.item.spec.nurses_required
    nurses = [p.id for p in w.staff.eligible(v.inst_id, v.day, v.item.required)]
    if len(nurses) < need:
        return False
    r.shuffle(nurses)
    nurses.sort(key=lambda n: (n != prefer, w.diary.load(n, v.day)))
    minutes_ = int(v.version["duration_min"])
    for i, first in enumerate(nurses):
        team = [first] if need == 1 else [first, *nurses[i + 1:i + 2]]
        if len(team) < need:
            break
        start = w.diary.slot(team, v.day, v.window, minutes_)
        if start is not None:
            w.diary.book(team, v.day, start, minutes_)
            v.nurse_id, v.second_nurse_id, v.start = team[0], (team[1] if need == 2 else None), start
            return True
    return False


def _visit(w: World, r: random.Random, key: str, code: str, ref: ItemRef, who: Recipient, day: date,
           created: datetime) -> Visit:
    v = Visit(key=key, number="", inst_id=institution_id(code), item=ref, who=who, day=day,
              window=_window(r, day), created=created, condition=texts.condition(r, ref.spec))
    v.number = w.builder.ctx.number(r, created)
    return v


def _one(w: World, day: date, i: int, horizon: datetime, alarm: bool) -> bool:
    """One order of the day; True when it got the alarm asked for (only where an admin login can close it)."""
    r = rng("nursing-visit", w.today.isoformat(), day.isoformat(), i)
    codes = list(WEIGHTS)
    for _ in range(8):
        code = r.choices(codes, weights=[WEIGHTS[c] for c in codes])[0]
        offered = w.offers.get(code) or []
        if not offered:
            continue
        ref = r.choices(offered, weights=[CATEGORY_WEIGHTS[o.spec.category] / o.spec.nurses_required
                                          for o in offered])[0]
        who = w.residents.pick(r, code, ref.spec, day)
        if who is None:
            continue
        v = _visit(w, r, f"{day.isoformat()}:{i}", code, ref, who, day, _created(r, day))
        p = _plan(r, ref)
        p.first_visit = p.first_visit and (day - clock.local_date(v.created)).days >= 3  # time for the first visit
        if needs_nurse(p) and not dispatch(w, r, v):
            continue
        if alarm and code in ALARM_PLACES and p.until == "rate" and not (p.cancel or p.reject):
            p.alarm = "closed"
        w.builder.build(r, v, p, horizon)
        return p.alarm is not None
    return False


def _series(w: World, n: int, horizon: datetime) -> None:
    """Recurring care: assessed and accepted once, each visit dispatched on its own, the same nurse preferred."""
    r = rng("nursing-series", w.today.isoformat(), n)
    code_item, pattern = SERIES[n % len(SERIES)]
    places = [c for c in WEIGHTS if any(o.spec.code == code_item for o in w.offers.get(c, []))]
    if not places:
        return
    code = r.choice(places)
    ref = w.items[code_item]
    days: list[date] = []
    span = sum(ph["every_days"] * ph["count"] for ph in pattern)
    first = w.today - timedelta(days=r.randint(span + 2, DAYS - 2))
    day = first
    for ph in pattern:
        for _ in range(ph["count"]):
            if days:
                day += timedelta(days=ph["every_days"])
            days.append(day)
    who = w.residents.pick(r, code, ref.spec, first)
    if who is None:
        return
    key = f"series:{n}"
    series_id = uid(f"nursing_series:{w.today.isoformat()}:{n}")
    created = _created(r, first)
    shared: dict[str, datetime] = {}
    nurse: str | None = None
    visits: list[tuple[Visit, Plan]] = []
    for seq, d in enumerate(days, start=1):
        v = _visit(w, r, f"{key}:{seq}", code, ref, who, d, created)
        v.series_id, v.sequence = series_id, seq
        v.next_visit_on = days[seq] if seq < len(days) else None
        v.window = (clock.at_local(d, time(8, 0)), clock.at_local(d, time(12, 0)))
        if not dispatch(w, r, v, prefer=nurse):
            continue
        nurse = nurse or v.nurse_id
        p = Plan(channel="wechat", at_door=False, until="rate", stars=5 if r.random() < 0.9 else 4)
        visits.append((v, p))
    if not visits:
        return
    w.rows.add(NursingSeries, id=series_id, pattern=pattern, visits=len(days), created_at=created,
               updated_at=created)
    for v, p in visits:
        p.times = shared
        w.builder.build(r, v, p, horizon)
        if not shared:  # the whole series was assessed and accepted together, with the first visit
            shared.update({e["action"]: e["at"] for e in w.rows.of(NursingOrderEvent)[-30:]
                           if e["order_id"] == v.id and e["action"] in ("create", "assess_approve", "accept")})


def build(w: World) -> None:
    horizon = clock.at_local(w.today, HORIZON)
    for offset in range(DAYS, 0, -1):
        day = w.today - timedelta(days=offset)
        r = rng("nursing-day", w.today.isoformat(), day.isoformat())
        n = r.randint(16, 22) if day.weekday() < 5 else r.randint(11, 15)
        alarm = offset in ALARM_DAYS
        for i in range(n):
            if _one(w, day, i, horizon, alarm):
                alarm = False
    for n in range(SERIES_COUNT):
        _series(w, n, horizon)
