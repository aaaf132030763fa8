"""A demo home visit (what was ordered, who goes, how far it gets) and the rows it leaves behind as the services
would have written them: consent, locations, record, consumables and waste, alarm, bill and payment, rating and
follow-up."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from yihu.billing import insurance
from yihu.billing.models import Bill, Payment, SandboxOrder
from yihu.demo import nursing_texts as texts
from yihu.demo.keys import NAMESPACE, uid
from yihu.demo.nursing_catalogue import CONSUMABLES
from yihu.demo.nursing_rows import CONSENT_PROCESS, Rows, consent_hash, record_signature, yuan
from yihu.demo.nursing_world import ItemRef, Recipient
from yihu.kit import clock
from yihu.nursing.visit_models import (
    NursingAlarm,
    NursingConsent,
    NursingConsumableUse,
    NursingFollowUp,
    NursingLocation,
    NursingRating,
    NursingRecord,
    NursingWaste,
)

OPEN_AT, CLOSE_AT = time(8, 0), time(17, 30)
def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


def office(r: random.Random, at: datetime) -> datetime:
    """The same moment if the institution's desk is open then, else soon after it next opens."""
    local = at.astimezone(clock.LOCAL)
    if local.time() < OPEN_AT:
        return clock.at_local(local.date(), OPEN_AT) + minutes(r.randint(5, 50))
    if local.time() > CLOSE_AT:
        return clock.at_local(local.date() + timedelta(days=1), OPEN_AT) + minutes(r.randint(5, 50))
    return at


@dataclass
class Visit:
    """An order as placed and dispatched: who, what, where, when, and the nurse(s) when assigned."""

    key: str
    number: str
    inst_id: str
    item: ItemRef
    who: Recipient
    day: date
    window: tuple[datetime, datetime]
    created: datetime
    condition: str
    nurse_id: str | None = None
    second_nurse_id: str | None = None
    start: datetime | None = None
    series_id: str | None = None
    sequence: int = 1
    next_visit_on: date | None = None
    consult_id: str | None = None
    proposed_by: str | None = None

    @property
    def id(self) -> str:
        return uid(f"nursing_order:{self.key}")

    @property
    def version(self) -> dict[str, Any]:
        return self.item.version_at(self.created)


@dataclass
class Plan:
    """How far the order goes: the last step of the normal path, or a rejection or cancellation on the way."""

    until: str = "rate"
    first_visit: bool = False
    at_door: bool = False
    reject: str | None = None
    cancel: tuple[str, str, str] | None = None  # (after which step, "resident" | "institution", reason)
    stars: int = 5
    complaint: bool = False
    followup_closed: bool = True
    alarm: str | None = None  # "closed" | "open"
    channel: str = "wechat"
    times: dict[str, datetime] = field(default_factory=dict)  # fixed times of some steps (the live day)


@dataclass
class Ctx:
    rows: Rows
    admins: dict[str, str]  # institution id -> the admin login's account
    nurse_accounts: dict[str, str]  # practitioner id -> the nurse login's account
    numbers: set[str] = field(default_factory=set)

    def number(self, r: random.Random, created: datetime) -> str:
        day = clock.local_date(created)
        while True:
            n = f"HN{day:%Y%m%d}{r.randrange(10**8):08d}"
            if n not in self.numbers:
                self.numbers.add(n)
                return n



class VisitRows:
    """Writers of the rows a visit leaves; :class:`yihu.demo.nursing_trail.Builder` decides when each is due."""

    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        self.rows = ctx.rows

    def consent(self, r: random.Random, v: Visit, when: datetime, *, at_door: bool) -> str:
        ver = v.version
        content = f"{ver['name_zh']}（{ver['name_en']}）：{ver['description'] or ver['name_zh']}。预计时长{ver['duration_min']}分钟。"
        process = CONSENT_PROCESS.format(item=ver["name_zh"])
        kit = "、".join(f"{CONSUMABLES[k['consumable']].name_zh} {yuan(CONSUMABLES[k['consumable']].price_fen)}/"
                       f"{CONSUMABLES[k['consumable']].unit}" for k in ver["kit"])
        fee = (f"项目费 {yuan(ver['price_fen'])} + 上门服务费 {yuan(ver['visit_fee_fen'])} = "
               f"{yuan(ver['price_fen'] + ver['visit_fee_fen'])}；耗材按实际使用计费。"
               + (f"耗材包：{kit}。" if kit else "本项目一般不使用耗材。"))
        risks = ver["risks"] or "操作可能引起不适；如有异常请及时告知护士。"
        name, relation = texts.signer(r, v.who.relation, v.who.age_on(v.day), v.who.name, v.who.head_name, at_door)
        self.rows.add(NursingConsent, id=uid(f"nursing_consent:{v.key}"), order_id=v.id, content=content,
                      process=process, fee_text=fee, risks=risks, text_sha256=consent_hash(content, process, fee, risks),
                      signer_name=name, signer_relation=relation, signature=name, nurse_id=v.nurse_id, signed_at=when)
        return f"relation={relation}"

    def locate(self, r: random.Random, v: Visit, kind: str, when: datetime) -> None:
        assert v.nurse_id is not None  # noqa: S101 - only visits with a nurse get here
        self.rows.add(NursingLocation, id=uid(f"nursing_location:{v.key}:{kind}"), order_id=v.id,
                      nurse_id=v.nurse_id, kind=kind, latitude=round(v.who.lat + r.uniform(-0.0008, 0.0008), 6),
                      longitude=round(v.who.lon + r.uniform(-0.0008, 0.0008), 6), at=when)

    def record(self, r: random.Random, v: Visit, when: datetime) -> None:
        spec = v.item.spec
        vitals, assessment = texts.vitals(r, spec), texts.record_assessment(r, spec)
        actions, advice = texts.record_texts(spec)
        nurse = v.nurse_id or ""
        self.rows.add(NursingRecord, id=uid(f"nursing_record:{v.key}"), order_id=v.id, patient_id=v.who.patient_id,
                      institution_id=v.inst_id, nurse_id=nurse, vitals=vitals, assessment=assessment,
                      actions=actions, advice=advice, next_visit_on=v.next_visit_on, signed_at=when,
                      signature_sha256=record_signature(vitals=vitals, assessment=assessment, actions=actions,
                                                        advice=advice, next_visit_on=v.next_visit_on,
                                                        nurse_id=nurse, signed_at=when),
                      status="final", error_reason=None)

    def supplies(self, r: random.Random, v: Visit, used_at: datetime, disposed_at: datetime) -> int:
        """Consumables from the item's kit (now and then one more than the kit holds) and the visit's waste."""
        total, sharps = 0, 0
        for line in v.version["kit"]:
            c = CONSUMABLES[line["consumable"]]
            n = int(line["count"]) + (1 if r.random() < 0.12 else 0)
            total += n * c.price_fen
            sharps += n if c.code in ("blood_needle", "lancet", "syringe_1", "syringe_5", "huber_needle") else 0
            self.rows.add(NursingConsumableUse, id=uid(f"nursing_use:{v.key}:{c.code}"), order_id=v.id,
                          consumable_code=c.code, name_zh=c.name_zh, unit=c.unit, count=n, unit_fen=c.price_fen,
                          amount_fen=n * c.price_fen, recorded_at=used_at)
        for kind in v.version["waste_kinds"]:
            count: int | None = None
            weight: int | None = None
            if kind == "sharps":
                count = max(1, sharps)
            elif kind == "pharmaceutical":
                count = r.randint(1, 3)
            else:
                weight = r.randint(30, 380)
            disposal = ("sealed_sharps_box" if kind == "sharps" else "institution_collection"
                        if kind == "pathological" else "returned_to_institution")
            self.rows.add(NursingWaste, id=uid(f"nursing_waste:{v.key}:{kind}"), order_id=v.id, kind=kind,
                          count=count, weight_g=weight, disposal=disposal, recorded_at=disposed_at)
        return total

    def alarm(self, r: random.Random, v: Visit, state: str, check_in: datetime, until: datetime) -> None:
        note, resolution = r.choice(texts.ALARMS)
        raised = check_in + minutes(r.randint(6, 15))
        closed = state == "closed"
        admin = self.ctx.admins.get(v.inst_id)
        self.rows.add(NursingAlarm, id=uid(f"nursing_alarm:{v.key}"), order_id=v.id, institution_id=v.inst_id,
                      nurse_id=v.nurse_id, latitude=v.who.lat, longitude=v.who.lon, note=note, status=state,
                      raised_at=raised, acknowledged_at=raised + minutes(2) if closed else None,
                      acknowledged_by=admin if closed else None,
                      closed_at=raised + minutes(r.randint(15, 40)) if closed else None,
                      closed_by=admin if closed else None, resolution=resolution if closed else None)
        self.locate(r, v, "alarm", raised)

    def bill(self, r: random.Random, v: Visit, p: Plan, amount: int, what: str, opened: datetime,
             paid: datetime | None) -> str:
        bill_id = uid(f"bill:nursing:{v.key}")
        self.rows.add(Bill, id=bill_id, kind="nursing", patient_id=v.who.patient_id, institution_id=v.inst_id,
                      account_id=v.who.account_id, reference=f"nursing:{v.id}", description=f"{what} {v.number}"[:128],
                      amount_fen=amount, paid_fen=amount if paid else 0, refunded_fen=0,
                      status="paid" if paid else "unpaid", paid_at=paid, cancelled_at=None, created_at=opened,
                      updated_at=paid or opened)
        if paid is not None:
            self.payment(v, p, bill_id, amount, paid)
        return bill_id

    def payment(self, v: Visit, p: Plan, bill_id: str, amount: int, paid: datetime) -> None:
        channel = p.channel if p.channel != "insurance_card" or v.who.card_type == "insurance" else "wechat"
        share = (insurance.split("nursing", amount) if channel == "insurance_card"
                 else insurance.Split(insurance_fen=0, self_fen=amount))
        pay_id = uid(f"payment:nursing:{v.key}")
        provider_id = f"sbx_pay_{uuid.uuid5(NAMESPACE, pay_id).hex}"
        txn = f"sbx_txn_{uuid.uuid5(NAMESPACE, provider_id).hex}"
        created = paid - minutes(1)
        self.rows.add(SandboxOrder, id=provider_id, merchant_reference=pay_id, channel=channel, amount_fen=amount,
                      insurance_fen=share.insurance_fen, status="paid", transaction_id=txn, created_at=created,
                      paid_at=paid)
        self.rows.add(Payment, id=pay_id, bill_id=bill_id, patient_id=v.who.patient_id, institution_id=v.inst_id,
                      account_id=v.who.account_id, channel=channel, provider="sandbox",
                      card_id=v.who.card_id if channel == "insurance_card" else None, amount_fen=amount,
                      insurance_fen=share.insurance_fen, self_fen=share.self_fen, provider_payment_id=provider_id,
                      provider_txn_id=txn, status="paid", refund_reserved_fen=0, refunded_fen=0, created_at=created,
                      expires_at=created + minutes(30), paid_at=paid, closed_at=None)

    def rating(self, r: random.Random, v: Visit, p: Plan, when: datetime,
               horizon: datetime) -> list[tuple[str, datetime, str]]:
        """The rating; a follow-up (and its trail entries) for 1–2 stars or a complaint."""
        self.rows.add(NursingRating, id=uid(f"nursing_rating:{v.key}"), order_id=v.id, institution_id=v.inst_id,
                      nurse_id=v.nurse_id, stars=p.stars, comment=texts.rating_comment(r, p.stars),
                      complaint=p.complaint, rated_at=when)
        if not (p.complaint or p.stars <= 2):
            return []
        reason = "complaint" if p.complaint else "low_rating"
        closed = office(r, when + timedelta(days=r.randint(1, 3)))
        done = p.followup_closed and closed <= horizon
        outcome = r.choice(texts.FOLLOWUP_OUTCOMES)
        self.rows.add(NursingFollowUp, id=uid(f"nursing_followup:{v.key}"), order_id=v.id, institution_id=v.inst_id,
                      reason=reason, status="closed" if done else "open", opened_at=when,
                      closed_at=closed if done else None, closed_by=self.ctx.admins.get(v.inst_id) if done else None,
                      outcome=outcome if done else None)
        return [("followup_open", when, reason)] + ([("followup_close", closed, outcome)] if done else [])
