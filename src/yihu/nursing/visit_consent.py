"""Informed consent (知情同意): content, process, fee and risks, signed by the recipient or a guardian before the
service starts — in the app by the resident, or at the door on the nurse's phone.

The exact texts shown are stored with their sha256; the row never changes afterwards (a database trigger keeps it).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from yihu.auth.actor import Actor
from yihu.db import utcnow
from yihu.errors import DomainError
from yihu.kit import clock
from yihu.nursing import assignment, lifecycle, orders
from yihu.nursing import errors as order_errors
from yihu.nursing import visit_errors as errors
from yihu.nursing.models import NursingConsumable, NursingItemVersion, NursingOrder
from yihu.nursing.visit_models import NursingConsent
from yihu.registry import service as registry

ADULT_AGE = 18  # under 18 a guardian signs (no full civil capacity for medical consent)
MAX_SIGNATURE_BYTES = 200 * 1024
_DATA_URL = re.compile(r"^data:image/(png|jpeg);base64,([A-Za-z0-9+/=]+)$")
_MAGIC = {"png": b"\x89PNG\r\n\x1a\n", "jpeg": b"\xff\xd8\xff"}

PROCESS = ("1. 护士上门前电话联系确认时间；2. 到达后出示执业证件，核对服务对象身份（实名）；3. 评估病情与居家环境，"
           "不宜上门操作时终止服务；4. 按技术规范实施“{item}”；5. 书写护理记录并签名，归入健康档案；"
           "6. 按规定处置医疗废物；7. 签退，结算费用。服务全程定位留痕，护士可一键报警。")


def yuan(fen: int) -> str:
    return f"¥{fen // 100}.{fen % 100:02d}"


def _age(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def text_hash(content: str, process: str, fee_text: str, risks: str) -> str:
    canonical = json.dumps({"content": content, "process": process, "fee": fee_text, "risks": risks},
                           ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


async def _kit_text(session: AsyncSession, v: NursingItemVersion) -> str:
    codes = [str(line.get("consumable", "")) for line in v.kit or []]
    if not codes:
        return "本项目一般不使用耗材。"
    rows = {c.code: c for c in (await session.scalars(select(NursingConsumable).where(
        NursingConsumable.code.in_(codes)))).all()}
    parts = []
    for line in v.kit or []:
        c = rows.get(str(line.get("consumable", "")))
        if c is not None:
            parts.append(f"{c.name_zh} {yuan(c.price_fen)}/{c.unit}")
    return "耗材包：" + "、".join(parts) + "。"


async def texts(session: AsyncSession, order: NursingOrder) -> tuple[str, str, str, str]:
    """Content, process, fee and risks as they stand now for this order (its item version, its prices)."""
    v = await assignment.requirements(session, order)
    what = (v.description or v.name_zh).strip().rstrip("。.")
    content = f"{v.name_zh}（{v.name_en}）：{what}。预计时长{v.duration_min}分钟。"
    process = PROCESS.format(item=v.name_zh)
    fee = (f"项目费 {yuan(order.price_fen)} + 上门服务费 {yuan(order.visit_fee_fen)} = "
           f"{yuan(order.price_fen + order.visit_fee_fen)}；耗材按实际使用计费。" + await _kit_text(session, v))
    risks = v.risks or "操作可能引起不适；如有异常请及时告知护士。"
    return content, process, fee, risks


async def get(session: AsyncSession, order_id: str) -> NursingConsent | None:
    row: NursingConsent | None = await session.scalar(select(NursingConsent).where(NursingConsent.order_id == order_id))
    return row


def check_signature(signature: str) -> str:
    """A typed name, or a drawn signature as a PNG/JPEG data URL; returns its kind."""
    s = signature.strip()
    if not s.startswith("data:"):
        if 2 <= len(s) <= 64 and "<" not in s:
            return "typed"
        raise DomainError(errors.SIGNATURE_INVALID, max_kb=MAX_SIGNATURE_BYTES // 1024)
    m = _DATA_URL.match(s)
    if m is None:
        raise DomainError(errors.SIGNATURE_INVALID, max_kb=MAX_SIGNATURE_BYTES // 1024)
    try:
        data = base64.b64decode(m.group(2), validate=True)
    except (binascii.Error, ValueError):
        raise DomainError(errors.SIGNATURE_INVALID, max_kb=MAX_SIGNATURE_BYTES // 1024) from None
    if not data or len(data) > MAX_SIGNATURE_BYTES or not data.startswith(_MAGIC[m.group(1)]):
        raise DomainError(errors.SIGNATURE_INVALID, max_kb=MAX_SIGNATURE_BYTES // 1024)
    return "drawn"


def signature_kind(signature: str) -> str:
    return "drawn" if signature.startswith("data:") else "typed"


async def sign(session: AsyncSession, actor: Actor, order: NursingOrder, *, signer_name: str, relation: str,
               signature: str, shown_sha256: str | None) -> NursingConsent:
    """Sign once. The resident signs in the app (assigned → consented); the nurse takes the signature at the door
    (assigned → consented, or on the way: the state stays en_route and the trail says "at the door")."""
    action = "consent_at_door" if actor.role == "nurse" and order.status == "en_route" else "consent"
    if await get(session, order.id) is not None:
        raise DomainError(errors.CONSENT_SIGNED)
    lifecycle.require_step(order, action)
    if order.nurse_id is None:
        raise DomainError(order_errors.ILLEGAL_STEP, status=lifecycle.status_text(order.status), action=action)
    check_signature(signature)
    patient = await registry.get_patient(session, order.patient_id)
    name = signer_name.strip()
    if _age(patient.birth_date, clock.local_date(utcnow())) < ADULT_AGE and relation != "guardian":
        raise DomainError(errors.GUARDIAN_REQUIRED, age=ADULT_AGE)
    if relation == "self" and " ".join(name.split()) != " ".join(patient.name.split()):
        raise DomainError(errors.SIGNER_NOT_RECIPIENT)
    content, process, fee, risks = await texts(session, order)
    digest = text_hash(content, process, fee, risks)
    if shown_sha256 is not None and shown_sha256 != digest:
        raise DomainError(errors.CONSENT_TEXT_CHANGED)
    now = utcnow()
    row = NursingConsent(order_id=order.id, content=content, process=process, fee_text=fee, risks=risks,
                         text_sha256=digest, signer_name=name, signer_relation=relation, signature=signature.strip(),
                         nurse_id=order.nurse_id, signed_at=now)
    session.add(row)
    await session.flush()
    await lifecycle.step(session, order, action, actor, note=f"relation={relation}")
    await orders.tell(session, order, action)
    return row
