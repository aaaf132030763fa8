"""The demo district's home nursing (seed 004, 常享护理): the region's 37-item catalogue with a few price revisions,
what each institution offers, the nurses' home-care shifts for today and tomorrow, three months of visits for the
cockpit, and a live today and tomorrow for the console, the nurse's phone and the demo resident.

Everything is derived from the load day with the demo's keyed random generators and uuid5 ids, and written with bulk
INSERTs in the demo's one loading transaction (so a second ``yihu demo`` finds the district and adds nothing).
Past visits are dispatched only to nurses eligible on the visit day by the product's own rule, and never to one nurse
twice at the same time.
"""

from __future__ import annotations

import time as timer
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from yihu.demo import district, logins, nursing_history, nursing_live
from yihu.demo.keys import rng, uid
from yihu.demo.nursing_catalogue import CONSUMABLES, ITEMS, ItemSpec
from yihu.demo.nursing_rows import Rows
from yihu.demo.nursing_trail import Builder
from yihu.demo.nursing_visit import Ctx
from yihu.demo.nursing_world import Diary, ItemRef, Residents, Staff, account_id, institution_id
from yihu.demo.staff import StaffPlan
from yihu.kit import clock
from yihu.nursing.models import (
    NursingConsumable,
    NursingItem,
    NursingItemVersion,
    NursingOffering,
    NursingOrder,
    NursingShift,
)
from yihu.registry.models import PatientLink

LAUNCH_DAYS = 150  # the catalogue was published this many days before the load day
REVISED_DAYS = 40  # and these items' prices revised then (动态调整): older orders keep the first price
REVISED_PRICES: dict[str, int] = {"HN009": 11000, "HN011": 4500, "HN019": 9000, "HN024": 6500, "HN030": 5500}

# Institutions that dispatch home nurses (two township centres have not joined yet), and what each kind offers.
DISPATCHING = ("XZ01", "XZ02", "XZ03", "XZ04", "XZ05", "XZ06", "XZ07", "XZ10", "XZ11")
_BASIC = ("HN001", "HN002", "HN003", "HN004", "HN005", "HN006", "HN007")
_OFFERS: dict[str, tuple[str, ...]] = {
    "tertiary_a": ("basic", "pressure_sore", "wound", "tube", "picc_port", "stoma", "rehab_chronic", "hospice"),
    "maternal_child": ("maternal_infant", "HN001", "HN002", "HN011", "HN013"),
    "secondary": ("basic", "HN008", "HN009", "wound", "HN014", "HN015", "HN016", "HN017", "HN026", "tcm",
                  "rehab_chronic"),
    "township": ("basic", "HN008", "HN011", "HN013", "HN014", "HN015", "tcm", "HN032", "HN033"),
    "chc": ("basic", "HN008", "HN009", "HN011", "HN013", "HN014", "HN015", "HN017", "HN032", "HN033", "HN034",
            "hospice"),
}
NURSE_LOGINS = ("nurse-lead", "nurse-chc")
ADMIN_LOGINS = ("admin-lead", "admin-chc")


@dataclass
class World:
    today: date
    items: dict[str, ItemRef]
    offers: dict[str, list[ItemRef]]  # institution code -> offered items
    staff: Staff
    residents: Residents
    shifts: dict[tuple[str, date], tuple[datetime, datetime]]
    diary: Diary
    builder: Builder
    rows: Rows


def _stamp(at: datetime) -> dict[str, Any]:
    return {"created_at": at, "updated_at": at}


def catalogue(rows: Rows, today: date) -> dict[str, ItemRef]:
    launch = clock.at_local(today - timedelta(days=LAUNCH_DAYS), time(9, 0))
    revised = clock.at_local(today - timedelta(days=REVISED_DAYS), time(9, 0))
    regulator = account_id("regulator")
    for c in CONSUMABLES.values():
        rows.add(NursingConsumable, id=uid(f"nursing_consumable:{c.code}"), code=c.code, name_zh=c.name_zh,
                 name_en=c.name_en, unit=c.unit, price_fen=c.price_fen, **_stamp(launch))
    out: dict[str, ItemRef] = {}
    for spec in ITEMS:
        item_id = uid(f"nursing_item:{spec.code}")
        prices = [(launch, spec.price_fen)] + ([(revised, REVISED_PRICES[spec.code])]
                                               if spec.code in REVISED_PRICES else [])
        rows.add(NursingItem, id=item_id, code=spec.code, category=spec.category, populations=list(spec.populations),
                 current_version=len(prices), active=True, created_at=launch, updated_at=prices[-1][0])
        versions = tuple(rows.add(
            NursingItemVersion, id=uid(f"nursing_item_version:{spec.code}:{n}"), item_id=item_id, version=n,
            name_zh=spec.name_zh, name_en=spec.name_en, description=spec.description_zh,
            duration_min=spec.duration_min, price_fen=price, visit_fee_fen=spec.visit_fee_fen,
            credentials=list(spec.credentials), nurses_required=spec.nurses_required, risk_level=spec.risk_level,
            kit=[{"consumable": k.consumable, "count": k.count} for k in spec.kit], risks=spec.risks_zh,
            waste_kinds=list(spec.waste_kinds), created_at=at, created_by=regulator)
            for n, (at, price) in enumerate(prices, start=1))
        out[spec.code] = ItemRef(spec, item_id, versions)
    return out


def _offered_here(spec: ItemSpec, inst_kind: str) -> bool:
    wanted = _OFFERS[inst_kind]
    return spec.code in wanted or spec.category in wanted or ("basic" in wanted and spec.code in _BASIC)


def offerings(rows: Rows, items: dict[str, ItemRef], staff: Staff, today: date) -> dict[str, list[ItemRef]]:
    """What each dispatching institution offers: the items fitting its kind for which it has enough nurses eligible
    today (a two-nurse item needs two)."""
    out: dict[str, list[ItemRef]] = {}
    launch = clock.at_local(today - timedelta(days=LAUNCH_DAYS - 7), time(10, 0))
    for code in DISPATCHING:
        spec_inst = district.INSTITUTION_BY_CODE[code]
        inst = institution_id(code)
        mine = [ref for ref in items.values() if _offered_here(ref.spec, spec_inst.kind)
                and len(staff.eligible(inst, today, ref.required)) >= ref.spec.nurses_required]
        for ref in mine:
            rows.add(NursingOffering, id=uid(f"nursing_offering:{code}:{ref.spec.code}"), institution_id=inst,
                     item_id=ref.item_id, active=True, **_stamp(launch))
        out[code] = mine
    return out


def shifts(rows: Rows, staff: Staff, today: date,
           login_ids: set[str]) -> dict[tuple[str, date], tuple[datetime, datetime]]:
    """Home-care shifts today and tomorrow for most eligible nurses of the dispatching institutions (always for the
    nurse logins): a day shift, or a morning or afternoon round, from home or from the institution."""
    out: dict[tuple[str, date], tuple[datetime, datetime]] = {}
    for day in (today, today + timedelta(days=1)):
        for code in DISPATCHING:
            spec = district.INSTITUTION_BY_CODE[code]
            for p in staff.eligible(institution_id(code), day):
                r = rng("nursing-shift", p.licence_no, day.isoformat())
                mine = p.id in login_ids
                if not mine and r.random() < 0.2:
                    continue
                kind = "day" if mine else r.choices(("day", "morning", "afternoon"), weights=(50, 25, 25))[0]
                start = time(8, 0) if kind != "afternoon" else time(13, 30)
                end = time(12, 0) if kind == "morning" else time(17, 30)
                home = r.random() < 0.7 and p.home_latitude is not None and p.home_longitude is not None
                span = (clock.at_local(day, start), clock.at_local(day, end))
                rows.add(NursingShift, id=uid(f"nursing_shift:{p.id}:{day.isoformat()}"), practitioner_id=p.id,
                         institution_id=institution_id(code), day=day, start_at=span[0], end_at=span[1],
                         start_latitude=p.home_latitude if home else spec.lat,
                         start_longitude=p.home_longitude if home else spec.lon, assigned_version=0,
                         **_stamp(clock.at_local(day - timedelta(days=1), time(17, 0))))
                out[(p.id, day)] = span
    return out


async def _links(session: AsyncSession, rows: Rows, at: datetime) -> None:
    """Each patient served becomes known to the institution (as placing an order does)."""
    wanted = {(o["patient_id"], o["institution_id"]) for o in rows.of(NursingOrder)}
    patients = list({p for p, _ in wanted})
    have: set[tuple[str, str]] = set()
    for i in range(0, len(patients), 500):
        have |= set((await session.execute(select(PatientLink.patient_id, PatientLink.institution_id).where(
            PatientLink.patient_id.in_(patients[i:i + 500])))).tuples().all())
    for p, inst in sorted(wanted - have):
        rows.add(PatientLink, id=uid(f"link:{p}:{inst}"), patient_id=p, institution_id=inst, reason="nursing",
                 created_at=at)


async def load(session: AsyncSession, plans: list[StaffPlan], today: date, *, residents: int) -> dict[str, int]:
    """Load the home-nursing demo into the demo's loading transaction; returns row counts and the milliseconds."""
    started = timer.perf_counter()
    rows = Rows()
    staff = await Staff.load(session)
    items = catalogue(rows, today)
    offers = offerings(rows, items, staff, today)
    by_key = {p.key: p.id for p in plans}
    nurse_accounts = {by_key[s.practitioner]: account_id(s.key) for s in logins.LOGINS
                      if s.key in NURSE_LOGINS and s.practitioner}
    ctx = Ctx(rows, admins={institution_id(s.institution or ""): account_id(s.key) for s in logins.LOGINS
                            if s.key in ADMIN_LOGINS}, nurse_accounts=nurse_accounts)
    world = World(today, items, offers, staff, Residents(residents),
                  shifts(rows, staff, today, set(nurse_accounts)), Diary(), Builder(ctx), rows)
    nursing_history.build(world)
    nursing_live.build(world)
    await _links(session, rows, clock.at_local(today, time(7, 0)))
    await rows.insert(session)
    out = {m.__tablename__: len(v) for m, v in rows.by_model.items()}
    out["milliseconds"] = int((timer.perf_counter() - started) * 1000)
    return out
