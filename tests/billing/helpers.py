"""Shared steps of the billing tests: a bill for a resident, paying it through the sandbox, delivering the
sandbox's signed notifications through the real HTTP endpoint."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests import builders as b
from yihu.auth.models import Account
from yihu.billing import sandbox, service
from yihu.billing.models import Bill, Payment, Refund, SandboxNotification
from yihu.db import Database
from yihu.kit.audit import AuditEvent
from yihu.registry import service as registry
from yihu.registry.models import Institution


def key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


@dataclass
class World:
    inst: Institution
    other_inst: Institution
    holder: Account
    other_resident: Account
    admin: Account
    doctor: Account
    other_admin: Account
    bill: Bill


async def world(session: AsyncSession, *, amount_fen: int = 2500, kind: str = "outpatient") -> World:
    inst = await b.institution(session, name="秀洲区人民医院")
    other = await b.institution(session, name="王店镇卫生院")
    holder = await b.resident(session, name="张三明")
    bill = await service.open_bill(session, service.BillInput(
        kind=kind, patient_id=holder.patient_id or "", institution_id=inst.id, amount_fen=amount_fen,
        reference=f"outpatient:{uuid.uuid4().hex[:12]}", description="门诊缴费", account_id=holder.id))
    await registry.link(session, holder.patient_id or "", inst.id, "visit_card")
    w = World(inst=inst, other_inst=other, holder=holder, other_resident=await b.resident(session, name="李四"),
              admin=await b.staff(session, role="institution_admin", inst=inst),
              doctor=await b.staff(session, role="doctor", inst=inst),
              other_admin=await b.staff(session, role="institution_admin", inst=other), bill=bill)
    await b.done(session)
    return w


async def bind_insurance_card(session: AsyncSession, *, name: str = "王丽华", born: date = date(1979, 11, 3),
                              number: str = "330400002222") -> tuple[Account, str]:
    idn = b.id_number(born, female=True)
    acc = await b.resident(session, name=name, id_no=idn, female=True, born=born)
    card, _ = await registry.bind(session, account_id=acc.id, holder_patient_id=acc.patient_id,
                                  req=registry.BindRequest(card_type="insurance", card_number=number,
                                                           relation="self", name=name, id_number=idn))
    return acc, card.id


async def start_payment(client: httpx.AsyncClient, who: Account, bill_id: str, channel: str = "wechat",
                        card_id: str | None = None) -> httpx.Response:
    body: dict[str, Any] = {"channel": channel}
    if card_id:
        body["card_id"] = card_id
    return await client.post(f"/api/v1/bills/{bill_id}/payments", headers={**b.auth(who), **key()}, json=body)


async def sandbox_pay(client: httpx.AsyncClient, payment: dict[str, Any], outcome: str = "paid") -> httpx.Response:
    co = payment["checkout"]
    return await client.post(co["pay_url"], json={"token": co["token"], "outcome": outcome})


def poster(client: httpx.AsyncClient, seen: list[int] | None = None) -> sandbox.Poster:
    async def post(path: str, body: bytes, headers: dict[str, str]) -> int:
        r = await client.post(path, content=body, headers=headers)
        if seen is not None:
            seen.append(r.status_code)
        return r.status_code

    return post


async def deliver(db: Database, client: httpx.AsyncClient, seen: list[int] | None = None) -> int:
    return await sandbox.deliver_pending(db, poster(client, seen))


async def pay_fully(db: Database, client: httpx.AsyncClient, who: Account, bill_id: str,
                    channel: str = "wechat") -> dict[str, Any]:
    r = await start_payment(client, who, bill_id, channel)
    assert r.status_code == 201, r.text
    assert (await sandbox_pay(client, r.json())).status_code == 200
    assert await deliver(db, client) == 1
    return dict(r.json())


async def notification_bodies(session: AsyncSession) -> list[dict[str, Any]]:
    rows = (await session.scalars(select(SandboxNotification).order_by(SandboxNotification.created_at)
                                  .execution_options(populate_existing=True))).all()
    return [json.loads(r.body) for r in rows]


async def fresh(session: AsyncSession, model: Any, id_: str) -> Any:
    return await session.get(model, id_, populate_existing=True)


async def count(session: AsyncSession, model: Any, *where: Any) -> int:
    return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def audit_count(session: AsyncSession, action: str) -> int:
    return await count(session, AuditEvent, AuditEvent.action == action)


__all__ = ["Bill", "Payment", "Refund", "World"]
