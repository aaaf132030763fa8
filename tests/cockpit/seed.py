"""A small hand-built home-nursing world with known figures for October 2026 (local dates).

Institution A: orders a1..a8 (a3 placed in September, a7 on 1 November at 00:10 local, a8 now); institution B: b1, b2.
Ratings 5 (a1), 4 (a2), 2 (a3), 5 (b1); an open alarm on a5, an acknowledged one on b2, a closed one on b1.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from tests import builders as b
from tests.nursing import builders as nb
from yihu.auth.models import Account
from yihu.db import utcnow
from yihu.nursing import catalogue
from yihu.nursing.models import NursingItem, NursingOrder, NursingOrderEvent
from yihu.nursing.visit_models import NursingAlarm, NursingConsumableUse, NursingRating, NursingWaste
from yihu.registry.models import Institution, Practitioner

PRICES = {"dressing_pack": 1500, "gloves": 300, "saline": 500, "picc_kit": 6800}


def oct_(day: int, hhmm: str) -> datetime:
    return nb.at(date(2026, 10, day), hhmm)


@dataclass
class Seed:
    w: nb.World
    inst_b: Institution
    admin_b: Account
    item_x: NursingItem
    item_y: NursingItem
    n1: Practitioner
    n2: Practitioner
    nb1: Practitioner
    orders: dict[str, NursingOrder] = field(default_factory=dict)


async def _order(session: AsyncSession, s: Seed, name: str, inst: Institution, item: NursingItem, status: str,
                 created: datetime, nurse: Practitioner | None = None, checked_in: datetime | None = None,
                 completed: datetime | None = None, paid: datetime | None = None, rated: datetime | None = None,
                 consumables_fen: int = 0) -> NursingOrder:
    v = await catalogue.current(session, item)
    day = created.date() + timedelta(days=1)
    o = NursingOrder(
        number=f"NO{b.unique():010d}", account_id=s.w.resident.id, patient_id=s.w.patient_id, institution_id=inst.id,
        item_id=item.id, item_version_id=v.id, status=status, address="嘉兴市秀洲区", latitude=nb.HOME_LAT,
        longitude=nb.HOME_LON, service_day=day, window_start_at=created + timedelta(days=1),
        window_end_at=created + timedelta(days=1, hours=2), price_fen=v.price_fen, visit_fee_fen=v.visit_fee_fen,
        nurse_id=nurse.id if nurse else None, checked_in_at=checked_in, completed_at=completed, paid_at=paid,
        rated_at=rated, consumables_fen=consumables_fen, created_at=created, updated_at=created)
    session.add(o)
    await session.flush()
    s.orders[name] = o
    return o


def _use(session: AsyncSession, o: NursingOrder, code: str, count: int, at: datetime) -> None:
    session.add(NursingConsumableUse(order_id=o.id, consumable_code=code, name_zh=code, unit="个", count=count,
                                     unit_fen=PRICES[code], amount_fen=count * PRICES[code], recorded_at=at))


def _rate(session: AsyncSession, o: NursingOrder, stars: int) -> None:
    assert o.rated_at is not None
    session.add(NursingRating(order_id=o.id, institution_id=o.institution_id, nurse_id=o.nurse_id, stars=stars,
                              rated_at=o.rated_at))


async def seed(session: AsyncSession) -> Seed:
    w = await nb.world(session)
    inst_b = await b.institution(session)
    admin_b = await b.staff(session, role="institution_admin", inst=inst_b)
    nb1, _ = await nb.nurse(session, inst_b)
    item_y = await nb.item(session, code="HN902", name="PICC维护", price_fen=10000)
    s = Seed(w=w, inst_b=inst_b, admin_b=admin_b, item_x=w.item, item_y=item_y, n1=w.nurses[0][0],
             n2=w.nurses[1][0], nb1=nb1)
    a, x, y = w.inst, s.item_x, item_y
    a1 = await _order(session, s, "a1", a, x, "rated", oct_(3, "09:00"), s.n1, oct_(5, "10:00"), oct_(5, "11:00"),
                      oct_(5, "12:00"), oct_(6, "08:00"), consumables_fen=1500)
    a2 = await _order(session, s, "a2", a, y, "rated", oct_(10, "08:00"), s.n2, oct_(10, "14:00"),
                      oct_(10, "15:00"), oct_(10, "16:00"), oct_(10, "18:00"), consumables_fen=1100)
    a3 = await _order(session, s, "a3", a, x, "rated", nb.at(date(2026, 9, 30), "23:30"), s.n1, oct_(1, "09:30"), oct_(1, "10:30"), oct_(1, "11:00"),
                      oct_(1, "12:00"))
    await _order(session, s, "a4", a, x, "requested", oct_(31, "23:30"))
    a5 = await _order(session, s, "a5", a, x, "en_route", oct_(20, "07:00"), s.n2)
    await _order(session, s, "a6", a, y, "cancelled", oct_(15, "09:00"))
    await _order(session, s, "a7", a, x, "assessed", nb.at(date(2026, 11, 1), "00:10"))
    a8 = await _order(session, s, "a8", a, x, "requested", utcnow())
    b1 = await _order(session, s, "b1", inst_b, x, "rated", oct_(8, "09:00"), nb1, oct_(9, "09:00"),
                      oct_(9, "10:00"), oct_(9, "11:00"), oct_(9, "12:00"), consumables_fen=6800)
    b2 = await _order(session, s, "b2", inst_b, y, "in_service", oct_(9, "09:00"), nb1, oct_(9, "11:00"))
    for o, stars in ((a1, 5), (a2, 4), (a3, 2), (b1, 5)):
        _rate(session, o, stars)
    _use(session, a1, "dressing_pack", 1, oct_(5, "10:30"))
    _use(session, a2, "gloves", 2, oct_(10, "14:30"))
    _use(session, a2, "saline", 1, oct_(10, "14:30"))
    _use(session, b1, "picc_kit", 1, oct_(9, "09:30"))
    _use(session, b2, "gloves", 1, nb.at(date(2026, 11, 2), "10:00"))  # November
    session.add_all([
        NursingWaste(order_id=a1.id, kind="infectious", count=2, weight_g=150, disposal="bag", recorded_at=oct_(5, "11:00")),
        NursingWaste(order_id=a2.id, kind="sharps", count=1, weight_g=None, disposal="box", recorded_at=oct_(10, "15:00")),
        NursingWaste(order_id=b1.id, kind="infectious", count=None, weight_g=80, disposal="bag",
                     recorded_at=oct_(9, "10:00")),
        NursingAlarm(order_id=a5.id, institution_id=a.id, nurse_id=s.n2.id, status="open", raised_at=utcnow()),
        NursingAlarm(order_id=b2.id, institution_id=inst_b.id, nurse_id=nb1.id, status="acknowledged",
                     raised_at=utcnow()),
        NursingAlarm(order_id=b1.id, institution_id=inst_b.id, nurse_id=nb1.id, status="closed",
                     raised_at=oct_(9, "09:40"), closed_at=oct_(9, "09:50")),
        NursingOrderEvent(order_id=b2.id, institution_id=inst_b.id, from_status="en_route", to_status="in_service",
                          action="check_in", actor_role="nurse", at=utcnow() - timedelta(minutes=5)),
        NursingOrderEvent(order_id=a8.id, institution_id=a.id, from_status=None, to_status="requested",
                          action="create", actor_role="resident", at=utcnow()),
    ])
    await b.done(session)
    return s
