"""Who may be sent on a home visit: one explained function (DOMAIN.md, home nursing rules; seed 004).

A nurse is eligible for an item on a day when every check passes: ≥5 years of clinical practice, title 护师 or above,
licence valid that day, registered at the dispatching institution, home-care pre-job training valid that day, each
specialty certificate the item needs valid that day, not suspended, and not kept away from this recipient. It is
checked at assignment and again at check-in; the console shows the failed checks.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from yihu.nursing.models import NursingBlacklist
from yihu.registry.codes import CREDENTIAL_KINDS, title_rank
from yihu.registry.models import Credential, Practitioner

MIN_YEARS = 5
MIN_TITLE_RANK = 1  # 护师 on the nurse ladder
TRAINING = "home_care_training"

_TEXT: dict[str, tuple[str, str]] = {
    "not_a_nurse": ("不是护士", "not a nurse"),
    "practice_under_5_years": ("临床护理工作不满5年", "less than 5 years of clinical nursing"),
    "title_below_senior_nurse": ("职称低于护师", "title below senior nurse (护师)"),
    "licence_invalid": ("执业证书在服务日无效", "licence not valid on the visit day"),
    "not_registered_here": ("未在派出机构执业注册", "not registered at the dispatching institution"),
    "home_care_training_invalid": ("岗前培训合格证缺失或已过期", "home-care training missing or expired"),
    "specialty_certificate_invalid": ("缺少有效的专科证书：{detail}", "no valid specialty certificate: {detail}"),
    "suspended": ("已被暂停执业", "suspended"),
    "kept_from_recipient": ("已被列入该服务对象的回避名单", "kept away from this service recipient"),
}


@dataclass(frozen=True)
class Failure:
    code: str
    detail: str = ""

    def text(self, lang: str = "zh-CN") -> str:
        zh, en = _TEXT[self.code]
        return (en if lang == "en" else zh).format(detail=self.detail)


@dataclass(frozen=True)
class Eligibility:
    practitioner_id: str
    on: date
    failures: tuple[Failure, ...] = field(default_factory=tuple)

    @property
    def eligible(self) -> bool:
        return not self.failures

    def explain(self, lang: str = "zh-CN") -> str:
        return ("；" if lang != "en" else "; ").join(f.text(lang) for f in self.failures)


def _years_between(start: date, on: date) -> int:
    return on.year - start.year - ((on.month, on.day) < (start.month, start.day))


def _valid_on(c: Credential, on: date) -> bool:
    return not c.revoked and c.issued_on <= on and (c.expires_on is None or c.expires_on >= on)


def evaluate(p: Practitioner, credentials: Iterable[Credential], *, institution_id: str, on: date,
             required: Sequence[str] = (), kept_away: bool = False) -> Eligibility:
    """The pure rule: every failed check, in a fixed order."""
    creds = [c for c in credentials if c.practitioner_id == p.id]
    out: list[Failure] = []
    if p.kind != "nurse":
        out.append(Failure("not_a_nurse"))
    if _years_between(p.practice_start, on) < MIN_YEARS:
        out.append(Failure("practice_under_5_years"))
    rank = title_rank("nurse", p.title)
    if rank is None or rank < MIN_TITLE_RANK:
        out.append(Failure("title_below_senior_nurse"))
    if p.licence_valid_until is None or p.licence_valid_until < on:
        out.append(Failure("licence_invalid"))
    if p.registered_institution_id != institution_id:
        out.append(Failure("not_registered_here"))
    if not any(c.kind == TRAINING and _valid_on(c, on) for c in creds):
        out.append(Failure("home_care_training_invalid"))
    missing = [k for k in required if not any(c.kind == k and _valid_on(c, on) for c in creds)]
    if missing:
        out.append(Failure("specialty_certificate_invalid",
                           "、".join(CREDENTIAL_KINDS.get(k, (k, k))[0] for k in missing)))
    if p.suspended:
        out.append(Failure("suspended"))
    if kept_away:
        out.append(Failure("kept_from_recipient"))
    return Eligibility(p.id, on, tuple(out))


async def kept_away_nurses(session: AsyncSession, patient_id: str, institution_id: str) -> set[str]:
    rows = await session.scalars(select(NursingBlacklist.practitioner_id).where(
        NursingBlacklist.patient_id == patient_id, NursingBlacklist.institution_id == institution_id,
        NursingBlacklist.practitioner_id.is_not(None), NursingBlacklist.lifted_at.is_(None)))
    return {r for r in rows if r}


async def check(session: AsyncSession, practitioner_id: str, *, institution_id: str, on: date,
                required: Sequence[str] = (), patient_id: str | None = None) -> Eligibility:
    p = await session.get(Practitioner, practitioner_id)
    if p is None:
        return Eligibility(practitioner_id, on, (Failure("not_a_nurse"),))
    creds = (await session.scalars(select(Credential).where(Credential.practitioner_id == p.id))).all()
    kept = patient_id is not None and p.id in await kept_away_nurses(session, patient_id, institution_id)
    return evaluate(p, creds, institution_id=institution_id, on=on, required=required, kept_away=kept)


async def nurses_of(session: AsyncSession, institution_id: str, on: date, *, required: Sequence[str] = (),
                    patient_id: str | None = None) -> list[tuple[Practitioner, Eligibility]]:
    """Every nurse registered at the institution with their eligibility for these requirements (two queries)."""
    nurses = (await session.scalars(select(Practitioner).where(
        Practitioner.registered_institution_id == institution_id, Practitioner.kind == "nurse")
        .order_by(Practitioner.name, Practitioner.id))).all()
    creds = (await session.scalars(select(Credential).where(
        Credential.practitioner_id.in_([n.id for n in nurses])))).all() if nurses else []
    kept = await kept_away_nurses(session, patient_id, institution_id) if patient_id else set()
    return [(n, evaluate(n, creds, institution_id=institution_id, on=on, required=required, kept_away=n.id in kept))
            for n in nurses]
