"""Rows of the home-nursing demo, gathered per table and written with bulk INSERTs in foreign-key order; the
texts a visit leaves behind (consent, record, rating) and their digests, computed the way the services do."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from yihu.billing.models import Bill, Payment, SandboxOrder
from yihu.db import Base
from yihu.demo import bulk
from yihu.nursing.models import (
    NursingConsumable,
    NursingItem,
    NursingItemVersion,
    NursingOffering,
    NursingOrder,
    NursingOrderEvent,
    NursingSeries,
    NursingShift,
)
from yihu.nursing.visit_models import (
    NursingAlarm,
    NursingConsent,
    NursingConsult,
    NursingConsultMessage,
    NursingConsumableUse,
    NursingFollowUp,
    NursingLocation,
    NursingRating,
    NursingRecord,
    NursingWaste,
)
from yihu.registry.models import PatientLink

# Parents before children.
ORDER: tuple[type[Base], ...] = (
    NursingConsumable, NursingItem, NursingItemVersion, NursingOffering, NursingShift, NursingSeries,
    NursingOrder, NursingOrderEvent, NursingConsent, NursingLocation, NursingRecord, NursingConsumableUse,
    NursingWaste, NursingAlarm, NursingRating, NursingFollowUp, Bill, SandboxOrder, Payment, NursingConsult,
    NursingConsultMessage, PatientLink,
)


@dataclass
class Rows:
    by_model: dict[type[Base], list[dict[str, Any]]] = field(default_factory=dict)

    def add(self, model: type[Base], **row: Any) -> dict[str, Any]:
        self.by_model.setdefault(model, []).append(row)
        return row

    def of(self, model: type[Base]) -> list[dict[str, Any]]:
        return self.by_model.get(model, [])

    def count(self, model: type[Base]) -> int:
        return len(self.of(model))

    async def insert(self, session: AsyncSession) -> None:
        unknown = set(self.by_model) - set(ORDER)
        if unknown:
            raise RuntimeError(f"no insert order for {sorted(m.__name__ for m in unknown)}")
        for model in ORDER:
            rows = self.of(model)
            if rows:
                await bulk.insert_rows(session, model, rows)


def _canonical(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def consent_hash(content: str, process: str, fee_text: str, risks: str) -> str:
    """The digest of the four texts shown, as the consent service computes it."""
    return hashlib.sha256(
        _canonical({"content": content, "process": process, "fee": fee_text, "risks": risks}).encode()
    ).hexdigest()


def record_signature(
    *, vitals: dict[str, Any], assessment: dict[str, Any], actions: str, advice: str,
    next_visit_on: date | None, nurse_id: str, signed_at: datetime,
) -> str:
    """The nurse's signature of a record, as the records service computes and verifies it."""
    content = {"vitals": vitals, "assessment": assessment, "actions": actions, "advice": advice,
               "next_visit_on": next_visit_on.isoformat() if next_visit_on else None}
    return hashlib.sha256(
        _canonical({"content": content, "nurse_id": nurse_id, "signed_at": signed_at.isoformat()}).encode()
    ).hexdigest()


def yuan(fen: int) -> str:
    return f"¥{fen // 100}.{fen % 100:02d}"


CONSENT_PROCESS = (
    "1. 护士上门前电话联系确认时间；2. 到达后出示执业证件，核对服务对象身份（实名）；3. 评估病情与居家环境，"
    "不宜上门操作时终止服务；4. 按技术规范实施“{item}”；5. 书写护理记录并签名，归入健康档案；"
    "6. 按规定处置医疗废物；7. 签退，结算费用。服务全程定位留痕，护士可一键报警。"
)
