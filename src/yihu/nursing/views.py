"""Turning orders into what the API shows (names and item content fetched in batches, not per row)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from yihu.kit.context import current_lang
from yihu.nursing import lifecycle, orders, schemas
from yihu.nursing.models import NursingDocument, NursingItem, NursingItemVersion, NursingOrder, NursingSeries
from yihu.registry import service as registry
from yihu.registry.models import Institution, Practitioner


async def _names(session: AsyncSession, model: type[Institution] | type[Practitioner], ids: set[str]) -> dict[str, str]:
    ids.discard("")
    if not ids:
        return {}
    rows = await session.execute(select(model.id, model.name).where(model.id.in_(ids)))
    return {i: n for i, n in rows.tuples()}


async def orders_out(session: AsyncSession, rows: Sequence[NursingOrder]) -> list[schemas.OrderOut]:
    if not rows:
        return []
    lang = current_lang()
    versions = {v.id: v for v in (await session.scalars(select(NursingItemVersion).where(
        NursingItemVersion.id.in_({o.item_version_id for o in rows})))).all()}
    items = {i.id: i for i in (await session.scalars(select(NursingItem).where(
        NursingItem.id.in_({o.item_id for o in rows})))).all()}
    series_ids = {o.series_id for o in rows if o.series_id}
    series = {s.id: s.visits for s in (await session.scalars(select(NursingSeries).where(
        NursingSeries.id.in_(series_ids)))).all()} if series_ids else {}
    patients = await registry.names_of(session, list({o.patient_id for o in rows}))
    insts = await _names(session, Institution, {o.institution_id for o in rows})
    nurses = await _names(session, Practitioner, {n for o in rows for n in (o.nurse_id, o.second_nurse_id) if n})
    out = []
    for o in rows:
        v = versions[o.item_version_id]
        out.append(schemas.OrderOut(
            id=o.id, number=o.number, status=o.status, status_text=lifecycle.status_text(o.status, lang),
            patient_id=o.patient_id, patient_name=patients.get(o.patient_id, ""), institution_id=o.institution_id,
            institution_name=insts.get(o.institution_id, ""), item_id=o.item_id, item_code=items[o.item_id].code,
            item_name=v.name_en if lang == "en" else v.name_zh, item_version=v.version, series_id=o.series_id,
            sequence=o.sequence, series_visits=series.get(o.series_id or "", 1), address=o.address,
            latitude=o.latitude, longitude=o.longitude, service_day=o.service_day,
            window_start_at=o.window_start_at, window_end_at=o.window_end_at, condition=o.condition,
            price_fen=o.price_fen, visit_fee_fen=o.visit_fee_fen, consumables_fen=o.consumables_fen,
            nurses_required=o.nurses_required, assessment=o.assessment, reject_reason=o.reject_reason,
            nurse_id=o.nurse_id, nurse_name=nurses.get(o.nurse_id or ""), second_nurse_id=o.second_nurse_id,
            second_nurse_name=nurses.get(o.second_nurse_id or ""), planned_start_at=o.planned_start_at,
            planned_end_at=o.planned_end_at, checked_in_at=o.checked_in_at, completed_at=o.completed_at,
            bill_id=o.bill_id, cancel_reason=o.cancel_reason,
            cancel_fee_fen=orders.cancel_fee_fen(o, True) if o.status == "en_route" else 0, created_at=o.created_at))
    return out


async def order_detail(session: AsyncSession, o: NursingOrder) -> schemas.OrderDetail:
    lang = current_lang()
    base = (await orders_out(session, [o]))[0]
    v = await session.get(NursingItemVersion, o.item_version_id)
    events = [schemas.EventOut(action=e.action, action_text=lifecycle.ACTION_TEXT.get(e.action, (e.action,) * 2)[
        1 if lang == "en" else 0], from_status=e.from_status, to_status=e.to_status, actor_role=e.actor_role,
        note=e.note, at=e.at) for e in await orders.events(session, o.id)]
    docs = (await session.scalars(select(NursingDocument).where(NursingDocument.order_id == o.id)
                                  .order_by(NursingDocument.created_at))).all()
    return schemas.OrderDetail(
        **base.model_dump(), events=events, risks=v.risks if v else "", duration_min=v.duration_min if v else 0,
        documents=[schemas.DocumentOut(id=d.id, kind=d.kind, filename=d.filename, content_type=d.content_type,
                                       size_bytes=d.size_bytes, created_at=d.created_at) for d in docs])


def item_out(item: NursingItem, v: NursingItemVersion, offered_by: list[str] | None = None) -> schemas.ItemOut:
    return schemas.ItemOut(
        id=item.id, code=item.code, category=item.category, populations=list(item.populations or []),
        active=item.active, version=v.version, version_id=v.id, name_zh=v.name_zh, name_en=v.name_en,
        description=v.description, duration_min=v.duration_min, price_fen=v.price_fen, visit_fee_fen=v.visit_fee_fen,
        credentials=list(v.credentials or []), nurses_required=v.nurses_required, risk_level=v.risk_level,
        kit=list(v.kit or []), risks=v.risks, waste_kinds=list(v.waste_kinds or []), offered_by=offered_by or [])
