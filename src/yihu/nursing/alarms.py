"""The one-key alarm: raised by the nurse out on a visit, pushed to the institution's console at once, tracked
until the institution closes it (open → acknowledged → closed).

An alarm's *event id* is the microsecond of its latest change (raised, acknowledged or closed): the console's
stream replays every alarm changed after ``Last-Event-ID`` (or all still-open ones on a first connection).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from yihu.auth.actor import Actor
from yihu.auth.models import Account
from yihu.db import utcnow
from yihu.errors import DomainError
from yihu.kit import audit
from yihu.notify import service as notify
from yihu.nursing import orders, visits
from yihu.nursing import visit_errors as errors
from yihu.nursing.models import NursingOrder
from yihu.nursing.visit_models import NursingAlarm, NursingLocation
from yihu.nursing.visit_schemas import AlarmOut
from yihu.registry import service as registry
from yihu.registry.models import Practitioner

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
STILL_OPEN = ("open", "acknowledged")
_MICRO = timedelta(microseconds=1)


def channel(institution_id: str) -> str:
    return f"nursing-alarms:{institution_id}"


def changed_at(a: NursingAlarm) -> datetime:
    return max(t for t in (a.raised_at, a.acknowledged_at, a.closed_at) if t is not None)


def event_id(a: NursingAlarm) -> int:
    return (changed_at(a) - EPOCH) // _MICRO


def event_time(event: int) -> datetime:
    return EPOCH + event * _MICRO


async def _admins(session: AsyncSession, institution_id: str) -> list[str]:
    return list((await session.scalars(select(Account.id).where(
        Account.role == "institution_admin", Account.institution_id == institution_id,
        Account.active.is_(True)))).all())


async def raise_alarm(session: AsyncSession, actor: Actor, order: NursingOrder, *, latitude: float | None,
                      longitude: float | None, note: str) -> NursingAlarm:
    visits.require_during_visit(order)
    nurse_id = visits.nurse_id_of(actor)
    now = utcnow()
    row = NursingAlarm(order_id=order.id, institution_id=order.institution_id, nurse_id=nurse_id,
                       latitude=latitude, longitude=longitude, note=note.strip()[:256], status="open", raised_at=now)
    session.add(row)
    if latitude is not None and longitude is not None:
        session.add(NursingLocation(order_id=order.id, nurse_id=nurse_id, kind="alarm", latitude=latitude,
                                    longitude=longitude, at=now))
    await session.flush()
    audit.record(session, actor, "nursing.alarm_raised", patient_id=order.patient_id, resource_type="NursingAlarm",
                 resource_id=row.id, institution_id=order.institution_id)
    item = await orders.item_name(session, order)
    for account_id in await _admins(session, order.institution_id):
        notify.enqueue_inapp(session, account_id=account_id, template="nursing_status", params={
            "number": order.number, "item": item, "status": "护士一键报警，请立即处理",
            "detail": (note.strip()[:60] or "")})
    return row


async def get(session: AsyncSession, alarm_id: str, institution_id: str) -> NursingAlarm:
    row = await session.get(NursingAlarm, alarm_id)
    if row is None or row.institution_id != institution_id:
        raise DomainError(errors.ALARM_NOT_FOUND)
    return row


_STATUS_TEXT = {"open": "待处理", "acknowledged": "已响应", "closed": "已关闭"}


async def _move(session: AsyncSession, actor: Actor, row: NursingAlarm, *, allowed: tuple[str, ...], to: str,
                action_text: str, **values: object) -> NursingAlarm:
    result = await session.execute(update(NursingAlarm).where(NursingAlarm.id == row.id,
                                                              NursingAlarm.status.in_(allowed))
                                   .values(status=to, **values).execution_options(synchronize_session=False))
    await session.refresh(row)
    if getattr(result, "rowcount", 0) != 1:
        raise DomainError(errors.ALARM_STATE, status=_STATUS_TEXT.get(row.status, row.status), action=action_text)
    audit.record(session, actor, f"nursing.alarm_{to}", resource_type="NursingAlarm", resource_id=row.id,
                 institution_id=row.institution_id)
    return row


async def acknowledge(session: AsyncSession, actor: Actor, row: NursingAlarm) -> NursingAlarm:
    return await _move(session, actor, row, allowed=("open",), to="acknowledged", action_text="响应",
                       acknowledged_at=utcnow(), acknowledged_by=actor.account_id)


async def close(session: AsyncSession, actor: Actor, row: NursingAlarm, resolution: str) -> NursingAlarm:
    now = utcnow()
    values: dict[str, object] = {"closed_at": now, "closed_by": actor.account_id, "resolution": resolution.strip()}
    if row.acknowledged_at is None:
        values.update(acknowledged_at=now, acknowledged_by=actor.account_id)
    return await _move(session, actor, row, allowed=STILL_OPEN, to="closed", action_text="关闭", **values)


async def listing(session: AsyncSession, *, institution_id: str | None, open_only: bool,
                  limit: int = 200) -> list[NursingAlarm]:
    q = select(NursingAlarm)
    if institution_id is not None:
        q = q.where(NursingAlarm.institution_id == institution_id)
    if open_only:
        q = q.where(NursingAlarm.status.in_(STILL_OPEN))
    return list((await session.scalars(q.order_by(NursingAlarm.raised_at.desc(), NursingAlarm.id)
                                       .limit(limit))).all())


async def changed_after(session: AsyncSession, institution_id: str, after: int | None) -> list[NursingAlarm]:
    """For the console's stream: every still-open alarm (first connection), or every alarm changed after an
    event id (a reconnect: the ones closed meanwhile too, so the console can take them off), oldest change first."""
    q = select(NursingAlarm).where(NursingAlarm.institution_id == institution_id)
    if after is None:
        q = q.where(NursingAlarm.status.in_(STILL_OPEN))
    else:
        t = event_time(after)
        q = q.where(or_(NursingAlarm.raised_at > t, NursingAlarm.acknowledged_at > t, NursingAlarm.closed_at > t))
    rows = list((await session.scalars(q.limit(500))).all())
    return sorted(rows, key=lambda a: (event_id(a), a.id))


async def views(session: AsyncSession, rows: Sequence[NursingAlarm]) -> list[AlarmOut]:
    if not rows:
        return []
    order_rows = {o.id: o for o in (await session.scalars(select(NursingOrder).where(
        NursingOrder.id.in_({a.order_id for a in rows})))).all()}
    nurses = dict((await session.execute(select(Practitioner.id, Practitioner.name).where(
        Practitioner.id.in_({a.nurse_id for a in rows})))).tuples().all())
    patients = await registry.names_of(session, list({o.patient_id for o in order_rows.values()}))
    out = []
    for a in rows:
        o = order_rows[a.order_id]
        out.append(AlarmOut(
            id=a.id, event_id=event_id(a), order_id=a.order_id, order_number=o.number, institution_id=a.institution_id,
            nurse_id=a.nurse_id, nurse_name=nurses.get(a.nurse_id, ""), patient_name=patients.get(o.patient_id, ""),
            address=o.address, latitude=a.latitude, longitude=a.longitude, note=a.note, status=a.status,
            raised_at=a.raised_at, acknowledged_at=a.acknowledged_at, closed_at=a.closed_at, resolution=a.resolution))
    return out
