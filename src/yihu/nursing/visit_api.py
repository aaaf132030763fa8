"""The visit on the nurse's phone (and consent in the resident's app): today's visits, consent, set off, check in,
location pings, consumables, waste, check out. The record is in :mod:`visit_record_api`, alarms in
:mod:`visit_alarm_api`."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, status
from sqlalchemy import select

from yihu.auth import policy
from yihu.auth.deps import CurrentActor
from yihu.db import utcnow
from yihu.errors import FORBIDDEN, DomainError
from yihu.kit import clock
from yihu.kit.context import current_lang
from yihu.kit.crypto import mask_phone
from yihu.kit.routing import CommittingRoute, SessionDep
from yihu.nursing import access, catalogue, lifecycle, orders, visit_consent, visit_supplies, visits
from yihu.nursing import visit_schemas as s
from yihu.nursing.models import NursingItemVersion, NursingOrder
from yihu.nursing.visit_models import NursingWaste
from yihu.registry import service as registry

router = APIRouter(tags=["nursing visit"], route_class=CommittingRoute)


async def _order(session: SessionDep, order_id: str, actor: CurrentActor, need: access.Need) -> NursingOrder:
    order = await orders.get(session, order_id)
    await access.require_order(session, actor, order, need)
    return order


def step_out(o: NursingOrder, bill_amount_fen: int | None = None) -> s.StepOut:
    return s.StepOut(order_id=o.id, status=o.status, status_text=lifecycle.status_text(o.status, current_lang()),
                     departed_at=o.departed_at, checked_in_at=o.checked_in_at, checkin_distance_m=o.checkin_distance_m,
                     checked_out_at=o.checked_out_at, completed_at=o.completed_at, consumables_fen=o.consumables_fen,
                     bill_id=o.bill_id, bill_amount_fen=bill_amount_fen)


# ---- the nurse's day ----

@router.get("/nursing/visits/today", response_model=list[s.VisitOut],
            summary="The nurse's visits of a day (default today, Asia/Shanghai) in route order")
async def today(session: SessionDep, actor: CurrentActor, day: date | None = None) -> list[s.VisitOut]:
    a = policy.require_role(actor, "nurse")
    rows, consented = await visits.day_of(session, visits.nurse_id_of(a), day or clock.local_date(utcnow()))
    if not rows:
        return []
    lang = current_lang()
    versions = (await session.execute(select(NursingItemVersion.id, NursingItemVersion.name_zh,
                                             NursingItemVersion.name_en).where(
        NursingItemVersion.id.in_({o.item_version_id for o in rows})))).tuples().all()
    names = {i: en if lang == "en" else zh for i, zh, en in versions}
    out = []
    for o in rows:
        p = await registry.get_patient(session, o.patient_id)
        phone = registry.phone_of(p)
        out.append(s.VisitOut(
            order_id=o.id, number=o.number, status=o.status, status_text=lifecycle.status_text(o.status, lang),
            next_action=visits.next_action(o.status, o.id in consented), consent_signed=o.id in consented,
            item_name=names.get(o.item_version_id, ""), patient_name=p.name,
            phone_masked=mask_phone(phone) if phone else None, address=o.address, latitude=o.latitude,
            longitude=o.longitude, service_day=o.service_day, window_start_at=o.window_start_at,
            window_end_at=o.window_end_at, planned_start_at=o.planned_start_at, planned_end_at=o.planned_end_at,
            checked_in_at=o.checked_in_at))
    return out


# ---- consent ----

async def _consent_out(session: SessionDep, order: NursingOrder) -> s.ConsentOut:
    row = await visit_consent.get(session, order.id)
    if row is None:
        content, process, fee, risks = await visit_consent.texts(session, order)
        return s.ConsentOut(order_id=order.id, content=content, process=process, fee_text=fee, risks=risks,
                            text_sha256=visit_consent.text_hash(content, process, fee, risks), signed=False,
                            status=order.status)
    return s.ConsentOut(order_id=order.id, content=row.content, process=row.process, fee_text=row.fee_text,
                        risks=row.risks, text_sha256=row.text_sha256, signed=True, signer_name=row.signer_name,
                        signer_relation=row.signer_relation,
                        signature_kind="drawn" if row.signature.startswith("data:") else "typed",
                        nurse_id=row.nurse_id, signed_at=row.signed_at, status=order.status)


@router.get("/nursing/orders/{order_id}/consent", response_model=s.ConsentOut,
            summary="The consent text to show (content, process, fee, risks) or the signed consent")
async def get_consent(order_id: str, session: SessionDep, actor: CurrentActor) -> s.ConsentOut:
    return await _consent_out(session, await _order(session, order_id, actor, "read"))


@router.post("/nursing/orders/{order_id}/consent", response_model=s.ConsentOut, status_code=status.HTTP_201_CREATED,
             summary="Sign the consent: the resident in the app, or the assigned nurse at the door")
async def sign_consent(order_id: str, body: s.ConsentIn, session: SessionDep, actor: CurrentActor) -> s.ConsentOut:
    order = await _order(session, order_id, actor, "nurse" if actor.role == "nurse" else "resident")
    await visit_consent.sign(session, actor, order, signer_name=body.signer_name, relation=body.signer_relation,
                             signature=body.signature, shown_sha256=body.text_sha256)
    return await _consent_out(session, order)


# ---- on the way, at the door, out ----

@router.post("/nursing/orders/{order_id}/depart", response_model=s.StepOut, summary="The nurse sets off")
async def depart(order_id: str, body: s.DepartIn, session: SessionDep, actor: CurrentActor) -> s.StepOut:
    order = await _order(session, order_id, actor, "nurse")
    return step_out(await visits.depart(session, actor, order, latitude=body.latitude, longitude=body.longitude))


@router.post("/nursing/orders/{order_id}/check-in", response_model=s.StepOut,
             summary="Check in at the address (consent signed, within the radius, still eligible)")
async def check_in(order_id: str, body: s.LocationIn, session: SessionDep, actor: CurrentActor) -> s.StepOut:
    order = await _order(session, order_id, actor, "nurse")
    return step_out(await visits.check_in(session, actor, order, latitude=body.latitude, longitude=body.longitude))


@router.post("/nursing/orders/{order_id}/locations", response_model=s.LocationOut,
             status_code=status.HTTP_201_CREATED, summary="A location ping while out on the visit")
async def ping(order_id: str, body: s.LocationIn, session: SessionDep, actor: CurrentActor) -> s.LocationOut:
    order = await _order(session, order_id, actor, "nurse")
    row = await visits.ping(session, actor, order, latitude=body.latitude, longitude=body.longitude)
    return s.LocationOut(kind=row.kind, latitude=row.latitude, longitude=row.longitude, at=row.at)


@router.get("/nursing/orders/{order_id}/locations", response_model=list[s.LocationOut],
            summary="Where the nurse was during the visit (the institution, the nurse, the regulator)")
async def locations(order_id: str, session: SessionDep, actor: CurrentActor) -> list[s.LocationOut]:
    order = await _order(session, order_id, actor, "read")
    if actor.role == "resident" or (actor.role == "nurse" and not access.is_assigned(actor, order)):
        raise DomainError(FORBIDDEN)
    return [s.LocationOut(kind=r.kind, latitude=r.latitude, longitude=r.longitude, at=r.at)
            for r in await visits.locations(session, order.id)]


@router.post("/nursing/orders/{order_id}/check-out", response_model=s.StepOut,
             summary="Check out: completes the visit and opens its bill (price + visit fee + consumables)")
async def check_out(order_id: str, body: s.LocationIn, session: SessionDep, actor: CurrentActor) -> s.StepOut:
    order = await _order(session, order_id, actor, "nurse")
    done = await visits.check_out(session, actor, order, latitude=body.latitude, longitude=body.longitude)
    return step_out(done.order, done.bill_amount_fen)


# ---- consumables and waste ----

async def _consumables_out(session: SessionDep, order: NursingOrder) -> s.ConsumablesOut:
    v = await session.get(NursingItemVersion, order.item_version_id)
    used = [s.ConsumableUseOut(code=u.consumable_code, name_zh=u.name_zh, unit=u.unit, count=u.count,
                               unit_fen=u.unit_fen, amount_fen=u.amount_fen, recorded_at=u.recorded_at)
            for u in await visit_supplies.uses(session, order.id)]
    known = await catalogue.consumables(session)
    kit: list[dict[str, object]] = []
    for line in (v.kit or []) if v else []:
        c = known.get(str(line.get("consumable", "")))
        kit.append({**line, **({"name_zh": c.name_zh, "name_en": c.name_en, "unit": c.unit, "price_fen": c.price_fen}
                               if c else {})})
    return s.ConsumablesOut(kit=kit, used=used, consumables_fen=order.consumables_fen)


@router.get("/nursing/orders/{order_id}/consumables", response_model=s.ConsumablesOut,
            summary="The item's kit and the consumables used on this visit")
async def get_consumables(order_id: str, session: SessionDep, actor: CurrentActor) -> s.ConsumablesOut:
    return await _consumables_out(session, await _order(session, order_id, actor, "read"))


@router.post("/nursing/orders/{order_id}/consumables", response_model=s.ConsumablesOut,
             summary="Counts used (from the kit only); replaces the count of a code reported before")
async def use_consumables(order_id: str, body: s.ConsumablesIn, session: SessionDep,
                          actor: CurrentActor) -> s.ConsumablesOut:
    order = await _order(session, order_id, actor, "nurse")
    return await _consumables_out(session, await visit_supplies.use(session, actor, order, body.items))


def _waste_out(rows: list[NursingWaste]) -> list[s.WasteOut]:
    return [s.WasteOut(id=w.id, kind=w.kind, count=w.count, weight_g=w.weight_g, disposal=w.disposal,
                       recorded_at=w.recorded_at) for w in rows]


@router.get("/nursing/orders/{order_id}/waste", response_model=list[s.WasteOut],
            summary="Medical waste recorded on this visit")
async def get_waste(order_id: str, session: SessionDep, actor: CurrentActor) -> list[s.WasteOut]:
    order = await _order(session, order_id, actor, "read")
    return _waste_out(await visit_supplies.waste(session, order.id))


@router.post("/nursing/orders/{order_id}/waste", response_model=list[s.WasteOut],
             status_code=status.HTTP_201_CREATED, summary="Record medical waste (kind, count or weight, disposal)")
async def add_waste(order_id: str, body: s.WasteIn, session: SessionDep, actor: CurrentActor) -> list[s.WasteOut]:
    order = await _order(session, order_id, actor, "nurse")
    await visit_supplies.record_waste(session, actor, order, body)
    return _waste_out(await visit_supplies.waste(session, order.id))
