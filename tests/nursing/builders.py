"""Nursing builders: a catalogue item, an institution offering it, eligible nurses with accounts, a resident."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tests import builders as b
from yihu.auth.models import Account
from yihu.kit import clock
from yihu.nursing import catalogue
from yihu.nursing.models import NursingConsumable, NursingItem
from yihu.registry import directory
from yihu.registry.models import Institution, Practitioner

# 嘉兴 秀洲区 (the demo district): the institution and a patient's home ~1.5 km away.
INST_LAT, INST_LON = 30.7637, 120.7096
HOME_LAT, HOME_LON = 30.7765, 120.7180


async def consumables(session: AsyncSession) -> None:
    for code, name, unit, price in (("dressing_pack", "换药包", "包", 1500), ("gloves", "无菌手套", "副", 300),
                                    ("saline", "生理盐水", "支", 500), ("picc_kit", "PICC维护包", "套", 6800)):
        session.add(NursingConsumable(code=code, name_zh=name, name_en=code, unit=unit, price_fen=price))
    await session.flush()


async def item(session: AsyncSession, *, code: str = "HN901", name: str = "伤口换药", price_fen: int = 6000,
               visit_fee_fen: int = 12000, credentials: list[str] | None = None, nurses_required: int = 1,
               duration_min: int = 40, kit: list[dict[str, Any]] | None = None) -> NursingItem:
    it, _ = await catalogue.create_item(session, code=code, category="wound", populations=["post_discharge"],
                                        content=catalogue.ItemContent(
                                            name_zh=name, name_en="Dressing change", duration_min=duration_min,
                                            price_fen=price_fen, visit_fee_fen=visit_fee_fen, risk_level="medium",
                                            credentials=credentials or [], nurses_required=nurses_required,
                                            kit=kit if kit is not None else [{"consumable": "dressing_pack",
                                                                              "count": 1}],
                                            risks="可能出现疼痛、出血或感染。", waste_kinds=["infectious"]),
                                        account_id=None)
    return it


async def nurse(session: AsyncSession, inst: Institution, *, specialties: tuple[str, ...] = (),
                training: bool = True, title: str = "supervisor_nurse", practice_start: date = date(2012, 3, 1),
                licence_valid_until: date | None = None, with_account: bool = True) -> tuple[Practitioner, Account | None]:
    n = b.unique()
    p = await directory.create_practitioner(session, inst.id, directory.PractitionerInput(
        name="护士" + b.GIVEN_NAMES[n % len(b.GIVEN_NAMES)], sex="female", kind="nurse", licence_no=f"NL{n:08d}",
        title=title, practice_start=practice_start,
        licence_valid_until=licence_valid_until or date.today() + timedelta(days=900)))
    issued = date.today() - timedelta(days=200)
    if training:
        await directory.add_credential(session, p.id, kind="home_care_training", number=f"HC{n}",
                                       issued_on=issued, expires_on=issued + timedelta(days=3 * 365))
    for s in specialties:
        await directory.add_credential(session, p.id, kind=s, number=f"SP{n}{s}", issued_on=issued,
                                       expires_on=issued + timedelta(days=5 * 365))
    acc = None
    if with_account:
        from yihu.auth import passwords
        from yihu.auth.service import new_account

        acc = new_account(phone=b.phone(), password_hash=passwords.hash_password(b.PASSWORD), role="nurse",
                          display_name=p.name, institution_id=inst.id, practitioner_id=p.id, totp_secret=None)
        session.add(acc)
        await session.flush()
    return p, acc


@dataclass
class World:
    inst: Institution
    admin: Account
    resident: Account
    patient_id: str
    item: NursingItem
    nurses: list[tuple[Practitioner, Account]] = field(default_factory=list)
    regulator: Account | None = None


async def world(session: AsyncSession, *, nurses: int = 2) -> World:
    inst = await b.institution(session)
    inst.latitude, inst.longitude = INST_LAT, INST_LON
    admin = await b.staff(session, role="institution_admin", inst=inst)
    res = await b.resident(session)
    await consumables(session)
    it = await item(session)
    await catalogue.set_offering(session, inst.id, it.id, True)
    w = World(inst=inst, admin=admin, resident=res, patient_id=res.patient_id or "", item=it)
    for _ in range(nurses):
        p, acc = await nurse(session, inst)
        assert acc is not None
        w.nurses.append((p, acc))
    w.regulator = await b.staff(session, role="regulator", inst=None)
    await b.done(session)
    return w


def tomorrow() -> date:
    return clock.local_date(clock.now()) + timedelta(days=1)


def at(day: date, hhmm: str) -> datetime:
    h, m = hhmm.split(":")
    return clock.at_local(day, time(int(h), int(m)))


def order_body(w: World, *, day: date | None = None, start: str = "09:00", end: str = "11:00",
               item_id: str | None = None, series: list[dict[str, int]] | None = None) -> dict[str, Any]:
    d = day or tomorrow()
    return {"patient_id": w.patient_id, "institution_id": w.inst.id, "item_id": item_id or w.item.id,
            "address": "嘉兴市秀洲区新城街道洪兴西路100号3幢501室", "latitude": HOME_LAT, "longitude": HOME_LON,
            "day": d.isoformat(), "window_start": at(d, start).isoformat(), "window_end": at(d, end).isoformat(),
            "condition": "术后伤口，需每日换药", "series": series or []}


def approve_body() -> dict[str, Any]:
    return {"decision": "approve", "condition": "术后第5天，伤口干燥", "need": "伤口换药",
            "home_environment": "电梯房，光线充足", "risk_level": "low"}
