"""One demo home visit from order to its last step: the trail (each step from the state the previous one left, with
plausible times and actor roles) and the order row; :mod:`yihu.demo.nursing_visit` writes what the visit leaves
behind. A step whose time is after the horizon is not taken yet."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from yihu.demo import nursing_texts as texts
from yihu.demo.keys import uid
from yihu.demo.nursing_rows import yuan
from yihu.demo.nursing_visit import Plan, Visit, VisitRows, minutes, office
from yihu.kit import clock
from yihu.nursing.lifecycle import STEPS
from yihu.nursing.models import NursingOrder, NursingOrderEvent

__all__ = ["PATH", "Builder"]

PATH = ("create", "assess_approve", "accept", "assign", "consent", "depart", "check_in", "record", "complete",
        "pay", "rate")
NURSE_STEPS = ("depart", "consent_at_door", "check_in", "record", "complete")
RESIDENT_STEPS = ("create", "consent", "rate", "cancel_resident", "followup_open")


def _timeline(r: random.Random, v: Visit, p: Plan) -> list[tuple[str, datetime]]:
    """The steps this order takes, in order, with their times."""
    t: list[tuple[str, datetime]] = [("create", v.created)]
    at = office(r, v.created + minutes(r.randint(15, 180)))
    if p.first_visit:
        t.append(("assess_first_visit", at))
        at = office(r, at + minutes(r.randint(240, 1500)))
    if p.reject:
        t.append(("assess_reject", at))
        return t
    t.append(("assess_approve", at))
    t.append(("accept", office(r, at + minutes(r.randint(5, 60)))))
    if v.start is not None:
        depart = v.start - minutes(r.randint(15, 35))
        assign = max(t[-1][1] + minutes(r.randint(10, 90)),
                     clock.at_local(v.day - timedelta(days=1), time(15, 30)) + minutes(r.randint(0, 100)))
        assign = min(assign, depart - minutes(40))
        t.append(("assign", assign))
        if not p.at_door:
            t.append(("consent", assign + (depart - assign) * r.uniform(0.2, 0.8)))
        t.append(("depart", depart))
        check_in = max(depart + minutes(8), v.start + minutes(r.randint(-5, 8)))
        if p.at_door:
            t.append(("consent_at_door", check_in - minutes(r.randint(2, 4))))
        t.append(("check_in", check_in))
        record = check_in + minutes(max(5, int(v.version["duration_min"]) - r.randint(0, 6)))
        t.append(("record", record))
        t.append(("complete", record + minutes(r.randint(3, 10))))
        pay = t[-1][1] + (minutes(r.randint(2, 30)) if r.random() < 0.6 else minutes(r.randint(120, 1800)))
        t.append(("pay", pay))
        t.append(("rate", pay + minutes(r.randint(20, 2880))))
    out = [(a, p.times.get(a, at_)) for a, at_ in t]
    for i in range(1, len(out)):  # strictly after the step before
        if out[i][1] <= out[i - 1][1]:
            out[i] = (out[i][0], out[i - 1][1] + minutes(1))
    return out


def _cut(steps: list[tuple[str, datetime]], p: Plan, horizon: datetime) -> list[tuple[str, datetime]]:
    """Up to the plan's last step, then the cancellation if any; nothing after the horizon."""
    out: list[tuple[str, datetime]] = []
    for action, at in steps:
        if at > horizon:
            return out
        out.append((action, at))
        if action == p.until or (p.cancel and action == p.cancel[0]):
            break
    if p.cancel:
        after = out[-1][1]
        at = after + (minutes(_pause(after)) if out[-1][0] != "depart" else minutes(9))
        if at <= horizon:
            out.append(("cancel_resident" if p.cancel[1] == "resident" else "cancel_institution", at))
    return out


def _pause(after: datetime) -> int:
    """A deterministic pause before a cancellation (minutes), from the time of the step before it."""
    return 30 + (after.minute * 7 + after.hour * 13) % 300


def _after(action: str, before: str | None) -> str:
    """The state a trail entry leaves: a step's target; a follow-up, a door consent or the fee paid on a
    cancelled order leave the state as it was."""
    if action == "create":
        return "requested"
    assert before is not None  # noqa: S101 - create comes first
    target = STEPS[action][1] if action in STEPS and before != "cancelled" else None
    return target or before


class Builder(VisitRows):
    def actor(self, v: Visit, action: str) -> tuple[str | None, str]:
        if action in RESIDENT_STEPS:
            return v.who.account_id, "resident"
        if action in NURSE_STEPS:
            return self.ctx.nurse_accounts.get(v.nurse_id or ""), "nurse"
        if action == "pay":
            return None, "system"
        return self.ctx.admins.get(v.inst_id), "institution_admin"

    def build(self, r: random.Random, v: Visit, p: Plan, horizon: datetime) -> str:
        """Write the order's rows; returns its status."""
        steps = _cut(_timeline(r, v, p), p, horizon)
        at: dict[str, datetime] = dict(steps)
        status: str | None = None
        ver = v.version
        amount = int(ver["price_fen"]) + int(ver["visit_fee_fen"])
        notes: dict[str, str] = {}
        consumables_fen = 0
        if "record" in at:
            consumables_fen = self.supplies(r, v, at["record"], at.get("complete", at["record"]))
            self.record(r, v, at["record"])
        if "check_in" in at:
            self.locate(r, v, "check_in", at["check_in"])
            if p.alarm:
                self.alarm(r, v, p.alarm, at["check_in"], at.get("record", horizon))
        if "complete" in at:
            self.locate(r, v, "check_out", at["complete"])
        if "consent" in at or "consent_at_door" in at:
            notes["consent"] = notes["consent_at_door"] = self.consent(
                r, v, at.get("consent") or at["consent_at_door"], at_door="consent_at_door" in at)
        bill_id = None
        if "complete" in at:
            amount += consumables_fen
            bill_id = self.bill(r, v, p, amount, ver["name_zh"], at["complete"], at.get("pay"))
            notes["pay"] = yuan(amount)
        elif steps[-1][0] == "cancel_resident" and "depart" in at:  # the nurse was on the way: visit fee billed
            paid = steps[-1][1] + minutes(r.randint(5, 90))
            bill_id = self.bill(r, v, p, int(ver["visit_fee_fen"]), "上门服务费（取消）", steps[-1][1],
                                paid if paid <= horizon else None)
            if paid <= horizon:
                steps.append(("pay", paid))
            notes["pay"] = yuan(int(ver["visit_fee_fen"]))
        if p.reject:
            notes["assess_reject"] = p.reject
        if p.cancel:
            notes["cancel_resident"] = notes["cancel_institution"] = p.cancel[2]
        if "rate" in at:
            notes["rate"] = f"{p.stars}★"
            for action, when, note in self.rating(r, v, p, at["rate"], horizon):
                steps.append((action, when))
                notes[action] = note
        previous: datetime | None = None
        for i, (action, when) in enumerate(steps):
            if previous is not None and when <= previous:  # one trail, strictly in time
                when = previous + timedelta(seconds=1)
            previous = when
            before = status
            status = _after(action, before)
            acc, role = self.actor(v, action)
            self.rows.add(NursingOrderEvent, id=uid(f"nursing_event:{v.key}:{i}"), order_id=v.id,
                          institution_id=v.inst_id, from_status=before, to_status=status, action=action,
                          actor_account_id=acc, actor_role=role, note=notes.get(action, "")[:256], at=when)
        assert status is not None  # noqa: S101 - every order has its create event
        self.order(v, p, at, status, steps[-1][1], consumables_fen, bill_id)
        return status

    def order(self, v: Visit, p: Plan, at: dict[str, datetime], status: str, last: datetime,
              consumables_fen: int, bill_id: str | None) -> None:
        ver = v.version
        assessed = at.get("assess_approve") or at.get("assess_reject") or at.get("assess_first_visit")
        assigned = "assign" in at
        cancelled = at.get("cancel_resident") or at.get("cancel_institution")
        r = random.Random(v.key)
        self.rows.add(
            NursingOrder, id=v.id, number=v.number, account_id=v.who.account_id, patient_id=v.who.patient_id,
            institution_id=v.inst_id, item_id=v.item.item_id, item_version_id=ver["id"], series_id=v.series_id,
            sequence=v.sequence, status=status, address=v.who.address, latitude=v.who.lat, longitude=v.who.lon,
            service_day=v.day, window_start_at=v.window[0], window_end_at=v.window[1], condition=v.condition,
            price_fen=ver["price_fen"], visit_fee_fen=ver["visit_fee_fen"], nurses_required=ver["nurses_required"],
            assessment=texts.assessment(r, v.item.spec) if assessed else None,
            assessed_by=self.ctx.admins.get(v.inst_id) if assessed else None, assessed_at=assessed,
            reject_reason=p.reject, accepted_at=at.get("accept"),
            nurse_id=v.nurse_id if assigned else None, second_nurse_id=v.second_nurse_id if assigned else None,
            planned_start_at=v.start if assigned else None,
            planned_end_at=v.start + minutes(int(ver["duration_min"])) if assigned and v.start else None,
            assigned_at=at.get("assign"), departed_at=at.get("depart"), checked_in_at=at.get("check_in"),
            checkin_distance_m=r.randint(8, 140) if "check_in" in at else None,
            checked_out_at=at.get("complete"), completed_at=at.get("complete"), bill_id=bill_id,
            consumables_fen=consumables_fen, paid_at=at.get("pay"), rated_at=at.get("rate"),
            cancelled_at=cancelled, cancel_reason=p.cancel[2] if cancelled and p.cancel else None,
            cancelled_by_role=("resident" if p.cancel and p.cancel[1] == "resident" else "institution_admin")
            if cancelled else None,
            consult_id=v.consult_id, proposed_by_nurse_id=v.proposed_by, created_at=v.created, updated_at=last)
