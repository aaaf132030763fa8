"""The region's one catalogue (六统一): items kept by the regulator, versioned; institutions choose what they offer.

A change of an item's content or price adds a version; orders keep the version they were placed under.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from yihu.db import utcnow
from yihu.errors import DomainError
from yihu.nursing import errors
from yihu.nursing.models import NursingConsumable, NursingItem, NursingItemVersion, NursingOffering

POPULATIONS: dict[str, tuple[str, str]] = {
    "post_discharge": ("出院后需延续护理的患者", "Patients needing continued care after discharge"),
    "elderly_disabled": ("高龄失能及行动不便老年人", "Elderly, disabled or immobile people"),
    "maternal_infant": ("孕产妇及新生儿", "Pregnant women, mothers and newborns"),
    "specialty": ("需专科护理人群", "People needing specialty nursing"),
    "tcm": ("需中医护理人群", "People needing TCM nursing"),
    "hospice": ("安宁疗护需求人群", "People needing hospice and palliative care"),
}
# Categories of the catalogue (seeds 000, 004); the regulator may add others, shown by their code.
CATEGORIES: dict[str, tuple[str, str]] = {
    "basic": ("基础护理", "Basic nursing"),
    "pressure_sore": ("压疮护理", "Pressure-injury care"),
    "wound": ("伤口护理", "Wound care"),
    "tube": ("管道护理", "Tube and catheter care"),
    "picc_port": ("PICC/输液港护理", "PICC and implanted-port care"),
    "maternal_infant": ("母婴护理", "Maternal and newborn care"),
    "stoma": ("造口护理", "Stoma care"),
    "tcm": ("中医护理", "TCM nursing"),
    "rehab_chronic": ("慢病管理与康复指导", "Chronic-disease management and rehabilitation guidance"),
    "hospice": ("安宁疗护", "Hospice and palliative care"),
}
SPECIALTY_CREDENTIALS = ("picc", "wound_stoma", "midwifery", "tcm_nursing", "geriatric_nursing", "hospice_nursing")


@dataclass
class ItemContent:
    name_zh: str
    name_en: str
    duration_min: int
    price_fen: int
    visit_fee_fen: int
    risk_level: str
    description: str = ""
    credentials: list[str] = field(default_factory=list)
    nurses_required: int = 1
    kit: list[dict[str, Any]] = field(default_factory=list)
    risks: str = ""
    waste_kinds: list[str] = field(default_factory=list)


def _validate(c: ItemContent, consumables: set[str]) -> None:
    bad = [k for k in c.credentials if k not in SPECIALTY_CREDENTIALS]
    if bad:
        raise DomainError(errors.ITEM_INVALID, detail=f"credentials {','.join(bad)}")
    unknown = [str(k.get("consumable")) for k in c.kit if k.get("consumable") not in consumables]
    if unknown:
        raise DomainError(errors.ITEM_INVALID, detail=f"consumables {','.join(unknown)}")
    if any(int(k.get("count", 0)) <= 0 for k in c.kit):
        raise DomainError(errors.ITEM_INVALID, detail="kit counts")


async def consumable_codes(session: AsyncSession) -> set[str]:
    return set((await session.scalars(select(NursingConsumable.code))).all())


async def create_item(session: AsyncSession, *, code: str, category: str, populations: list[str],
                      content: ItemContent, account_id: str | None) -> tuple[NursingItem, NursingItemVersion]:
    if await session.scalar(select(NursingItem.id).where(NursingItem.code == code)):
        raise DomainError(errors.ITEM_CODE_TAKEN, item_code=code)
    if not populations or any(p not in POPULATIONS for p in populations):
        raise DomainError(errors.ITEM_INVALID, detail="populations")
    _validate(content, await consumable_codes(session))
    item = NursingItem(code=code, category=category, populations=populations, current_version=1)
    session.add(item)
    await session.flush()
    version = NursingItemVersion(item_id=item.id, version=1, created_at=utcnow(), created_by=account_id,
                                 **content.__dict__)
    session.add(version)
    await session.flush()
    return item, version


async def revise_item(session: AsyncSession, item_id: str, content: ItemContent, *,
                      account_id: str | None) -> NursingItemVersion:
    """A new version; the item row's counter is bumped with a conditional update so two revisions never clash."""
    item = await get_item(session, item_id)
    _validate(content, await consumable_codes(session))
    seen = item.current_version
    done = await session.execute(update(NursingItem).where(NursingItem.id == item.id,
                                                           NursingItem.current_version == seen)
                                 .values(current_version=seen + 1, updated_at=utcnow())
                                 .execution_options(synchronize_session=False))
    if getattr(done, "rowcount", 0) != 1:
        raise DomainError(errors.ITEM_INVALID, detail="changed meanwhile, retry")
    version = NursingItemVersion(item_id=item.id, version=seen + 1, created_at=utcnow(), created_by=account_id,
                                 **content.__dict__)
    session.add(version)
    await session.flush()
    await session.refresh(item)
    return version


async def set_active(session: AsyncSession, item_id: str, active: bool) -> NursingItem:
    item = await get_item(session, item_id)
    item.active = active
    await session.flush()
    return item


async def get_item(session: AsyncSession, item_id: str) -> NursingItem:
    item = await session.get(NursingItem, item_id)
    if item is None:
        raise DomainError(errors.ITEM_NOT_FOUND)
    return item


async def current(session: AsyncSession, item: NursingItem) -> NursingItemVersion:
    v = await session.scalar(select(NursingItemVersion).where(NursingItemVersion.item_id == item.id,
                                                             NursingItemVersion.version == item.current_version))
    if v is None:
        raise DomainError(errors.ITEM_NOT_FOUND)
    return v


async def versions(session: AsyncSession, item_id: str) -> list[NursingItemVersion]:
    return list((await session.scalars(select(NursingItemVersion).where(NursingItemVersion.item_id == item_id)
                                       .order_by(NursingItemVersion.version))).all())


async def items(session: AsyncSession, *, institution_id: str | None = None, category: str | None = None,
                population: str | None = None, active_only: bool = True) -> list[tuple[NursingItem, NursingItemVersion]]:
    q = (select(NursingItem, NursingItemVersion)
         .join(NursingItemVersion, (NursingItemVersion.item_id == NursingItem.id)
               & (NursingItemVersion.version == NursingItem.current_version)))
    if active_only:
        q = q.where(NursingItem.active.is_(True))
    if category:
        q = q.where(NursingItem.category == category)
    if institution_id:
        q = q.join(NursingOffering, (NursingOffering.item_id == NursingItem.id)
                   & (NursingOffering.institution_id == institution_id) & NursingOffering.active.is_(True))
    rows = [(i, v) for i, v in (await session.execute(q.order_by(NursingItem.code))).tuples()]
    if population:
        rows = [(i, v) for i, v in rows if population in (i.populations or [])]
    return rows


async def offering_institutions(session: AsyncSession, item_ids: Iterable[str]) -> dict[str, list[str]]:
    ids = list(item_ids)
    out: dict[str, list[str]] = {i: [] for i in ids}
    if not ids:
        return out
    rows = await session.execute(select(NursingOffering.item_id, NursingOffering.institution_id).where(
        NursingOffering.item_id.in_(ids), NursingOffering.active.is_(True)))
    for item_id, inst in rows.tuples():
        out[item_id].append(inst)
    return out


async def set_offering(session: AsyncSession, institution_id: str, item_id: str, active: bool) -> NursingOffering:
    await get_item(session, item_id)
    row = await session.scalar(select(NursingOffering).where(NursingOffering.institution_id == institution_id,
                                                             NursingOffering.item_id == item_id))
    if row is None:
        row = NursingOffering(institution_id=institution_id, item_id=item_id, active=active)
        session.add(row)
    else:
        row.active = active
    await session.flush()
    return row


async def is_offered(session: AsyncSession, institution_id: str, item_id: str) -> bool:
    return bool(await session.scalar(select(NursingOffering.id).where(
        NursingOffering.institution_id == institution_id, NursingOffering.item_id == item_id,
        NursingOffering.active.is_(True))))


async def consumables(session: AsyncSession) -> dict[str, NursingConsumable]:
    return {c.code: c for c in (await session.scalars(select(NursingConsumable))).all()}
