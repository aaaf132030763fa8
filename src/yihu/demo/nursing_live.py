"""Today and tomorrow, so that opening the demo shows home nursing at work.

Today (fixed local times, so the same day gives the same data): nurse login 陆佳怡 (0021) of the lead hospital is in
service at one home since 08:32, has a consented PICC visit at 10:30 and an assigned visit in the afternoon; colleagues
are on the way or in service, one of them has raised an alarm that is still open; the community centre's nurse login
(0022) is on the way to a visit. Tomorrow: at both admin logins' institutions, orders to assess, to accept and accepted
ones for the dispatcher (a PICC visit and a two-nurse visit among them). The demo resident (0001) has ordered for his
mother: visits rated, one paid awaiting a rating, one completed awaiting payment, one upcoming, a consultation that
became a visit, and one consultation still open.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from yihu.demo import nursing_texts as texts
from yihu.demo.keys import rng, uid
from yihu.demo.nursing_history import dispatch
from yihu.demo.nursing_visit import Plan, Visit, minutes
from yihu.demo.nursing_world import Recipient, account_id, demo_family, institution_id
from yihu.kit import clock
from yihu.nursing.visit_models import NursingConsult, NursingConsultMessage

if TYPE_CHECKING:
    from yihu.demo.nursing import World

LEAD, CHC = "XZ01", "XZ10"
TWO_NURSE_ITEMS = ("HN010", "HN037", "HN034")
PICC_ITEMS = ("HN019", "HN020")
TOMORROW_ACCEPTED = ("HN011", "HN009", "HN014", "HN015", "HN002", "HN017", "HN012", "HN026")


def _at(day: date, hhmm: str) -> datetime:
    return clock.at_local(day, clock.parse_hhmm(hhmm))


class Live:
    def __init__(self, w: World) -> None:
        self.w = w
        self.today = w.today
        self.tomorrow = w.today + timedelta(days=1)
        self.far = _at(w.today + timedelta(days=3), "00:00")
        by_account = {acc: pid for pid, acc in w.builder.ctx.nurse_accounts.items()}
        self.nurse_lead = by_account[account_id("nurse-lead")]
        self.nurse_chc = by_account[account_id("nurse-chc")]

    def r(self, key: str) -> random.Random:
        return rng("nursing-live", self.today.isoformat(), key)

    def offered(self, code: str, item: str) -> bool:
        return any(o.spec.code == item for o in self.w.offers.get(code, []))

    def visit(self, key: str, code: str, item: str, who: Recipient, day: date, window: tuple[str, str],
              created: datetime) -> Visit:
        r = self.r(key)
        ref = self.w.items[item]
        v = Visit(key=f"live:{key}", number=self.w.builder.ctx.number(r, created), inst_id=institution_id(code),
                  item=ref, who=who, day=day, window=(_at(day, window[0]), _at(day, window[1])), created=created,
                  condition=texts.condition(r, ref.spec))
        return v

    def on_shift(self, nurse: str, day: date, start: datetime, end: datetime) -> bool:
        span = self.w.shifts.get((nurse, day))
        return span is not None and span[0] <= start and end <= span[1]

    def staff_for(self, v: Visit, start: datetime, first: str | None = None, avoid: tuple[str, ...] = ()) -> bool:
        """Put eligible nurses on shift and free at ``start`` on the visit (``first`` if given)."""
        end = start + minutes(int(v.version["duration_min"]))
        pool = [p.id for p in self.w.staff.eligible(v.inst_id, v.day, v.item.required)
                if p.id not in avoid and self.on_shift(p.id, v.day, start, end)
                and self.w.diary.free(p.id, v.day, start, end)]
        if first is not None:
            if first not in pool:
                return False
            pool.remove(first)
            pool.insert(0, first)
        need = v.item.spec.nurses_required
        if len(pool) < need:
            return False
        team = pool[:need]
        self.w.diary.book(team, v.day, start, int(v.version["duration_min"]))
        v.nurse_id, v.second_nurse_id, v.start = team[0], team[1] if need == 2 else None, start
        return True

    def build(self, key: str, v: Visit, p: Plan) -> str:
        return self.w.builder.build(self.r(key + ":build"), v, p, self.far)

    def resident_near(self, key: str, code: str, item: str, day: date) -> Recipient:
        who = self.w.residents.pick(self.r(key + ":who"), code, self.w.items[item].spec, day)
        if who is None:
            raise RuntimeError(f"no demo resident fits {item}")
        return who

    # ---- today ----

    def today_visits(self) -> None:
        t, y = self.today, self.today - timedelta(days=1)
        lead_day = (
            ("L1", "HN012", "08:30", "check_in", {"assign": _at(y, "16:20"), "consent": _at(y, "20:15"),
                                                   "depart": _at(t, "08:10"), "check_in": _at(t, "08:32")}),
            ("L2", "HN019", "10:30", "consent", {"assign": _at(y, "16:25"), "consent": _at(y, "20:40")}),
            ("L3", "HN026", "14:30", "assign", {"assign": _at(y, "16:30")}),
        )
        for key, item, start, until, times in lead_day:
            v = self.visit(key, LEAD, item, self.resident_near(key, LEAD, item, t), t, _window(start),
                           _at(t - timedelta(days=2), "19:30"))
            if not self.staff_for(v, _at(t, start), first=self.nurse_lead):
                raise RuntimeError(f"nurse login 0021 cannot take {item} today")
            self.build(key, v, Plan(until=until, times=times))
        assigned = {"assign": _at(y, "16:40"), "consent": _at(y, "20:50")}  # all of it before today's round
        others = (
            ("L4", LEAD, "HN014", "09:30", Plan(until="depart", times={**assigned, "depart": _at(t, "09:05")})),
            ("L5", LEAD, "HN009", "08:40", Plan(until="check_in", alarm="open", times={
                **assigned, "depart": _at(t, "08:15"), "check_in": _at(t, "08:44")})),
            ("L6", LEAD, "HN002", "14:00", Plan(until="consent", times=assigned)),
            ("L7", LEAD, "HN011", "15:00", Plan(until="assign", times=assigned)),
            ("C1", CHC, "HN006", "09:00", Plan(until="depart", times={**assigned, "depart": _at(t, "08:40")})),
            ("C2", CHC, "HN001", "14:00", Plan(until="assign", times=assigned)),
        )
        for key, code, item, start, plan in others:
            v = self.visit(key, code, item, self.resident_near(key, code, item, t), t, _window(start),
                           _at(t - timedelta(days=2), "18:10"))
            first = self.nurse_chc if code == CHC else None
            avoid = (self.nurse_lead,) if code == LEAD else ()
            if self.staff_for(v, _at(t, start), first=first, avoid=avoid):
                self.build(key, v, plan)

    # ---- tomorrow ----

    def tomorrow_orders(self) -> None:
        d = self.tomorrow
        two = next((i for i in TWO_NURSE_ITEMS if self.offered(LEAD, i) and self._two_on_shift(i)), None)
        picc = next((i for i in PICC_ITEMS if self.offered(LEAD, i)), None)
        accepted = [i for i in (picc, two) if i] + [i for i in TOMORROW_ACCEPTED if self.offered(LEAD, i)]
        plan: list[tuple[str, str, str, Plan]] = [(f"T{n}", LEAD, item, Plan(until="accept"))
                                                  for n, item in enumerate(accepted[:8], start=1)]
        plan += [("R1", LEAD, "HN011", Plan(until="create")), ("R2", LEAD, "HN002", Plan(until="create")),
                 ("R3", LEAD, "HN019" if picc else "HN001", Plan(until="create")),
                 ("F1", LEAD, "HN018" if self.offered(LEAD, "HN018") else "HN014",
                  Plan(until="assess_first_visit", first_visit=True)),
                 ("A1", LEAD, "HN015", Plan(until="assess_approve")), ("A2", LEAD, "HN009", Plan(until="assess_approve")),
                 ("CR1", CHC, "HN001", Plan(until="create")), ("CA1", CHC, "HN011", Plan(until="assess_approve")),
                 ("CT1", CHC, "HN002", Plan(until="accept")), ("CT2", CHC, "HN014", Plan(until="accept")),
                 ("CT3", CHC, "HN005", Plan(until="accept"))]
        for key, code, item, p in plan:
            if not self.offered(code, item):
                continue
            r = self.r(key + ":when")
            window = ("08:00", "12:00") if item == two or r.random() < 0.5 else ("13:30", "17:30")
            created = _at(self.today - timedelta(days=1), f"{r.randint(9, 14)}:{r.randint(0, 59):02d}") \
                if p.until != "create" else _at(self.today, f"07:{r.randint(0, 50):02d}")
            v = self.visit(key, code, item, self.resident_near(key, code, item, d), d, window, created)
            self.build(key, v, p)

    def _two_on_shift(self, item: str) -> bool:
        ref = self.w.items[item]
        start, end = _at(self.tomorrow, "08:00"), _at(self.tomorrow, "12:00")
        ok = [p for p in self.w.staff.eligible(institution_id(LEAD), self.tomorrow, ref.required)
              if self.on_shift(p.id, self.tomorrow, start, end)]
        return len(ok) >= 2

    # ---- the demo resident (0001) and his mother ----

    def family(self) -> None:
        fam = {m.relation: m for m in demo_family()}
        mother, head = fam["parent"], fam["self"]
        t = self.today
        for n, days_ago, item in ((1, 34, "HN006"), (2, 20, "HN006")):
            key = f"family:rated:{n}"
            day = t - timedelta(days=days_ago)
            v = self.visit(key, CHC, item, mother, day, ("08:00", "12:00"), _at(day - timedelta(days=2), "20:05"))
            if dispatch(self.w, self.r(key), v, prefer=self.nurse_chc):
                self.w.builder.build(self.r(key + ":build"), v, Plan(until="rate"), _at(t, "08:00"))
        consult_id = uid(f"nursing_consult:{t.isoformat()}:family:1")
        asked = _at(t - timedelta(days=5), "19:42")
        day = t - timedelta(days=3)
        v = self.visit("family:paid", CHC, "HN008", mother, day, ("09:00", "11:00"), _at(day - timedelta(days=1),
                                                                                         "11:10"))
        v.consult_id, v.proposed_by = consult_id, self.nurse_chc
        if dispatch(self.w, self.r("family:paid"), v, prefer=self.nurse_chc):
            self.build("family:paid", v, Plan(until="pay", channel="insurance_card"))
            self.consult(consult_id, head, mother, asked, "母亲长期卧床，骶尾部皮肤发红，怎么护理？", status="closed",
                         answer="建议上门做一次压疮风险评估，并指导翻身和皮肤护理。已为您生成上门护理订单，请确认。",
                         proposed=v.id)
        y = t - timedelta(days=1)
        v = self.visit("family:unpaid", CHC, "HN032", mother, y, ("13:30", "17:30"), _at(y - timedelta(days=2), "18:30"))
        if dispatch(self.w, self.r("family:unpaid"), v, prefer=self.nurse_chc):
            self.w.builder.build(self.r("family:unpaid:build"), v, Plan(until="complete"), _at(t, "08:00"))
        v = self.visit("family:upcoming", CHC, "HN006", mother, self.tomorrow, ("09:00", "11:00"),
                       _at(t - timedelta(days=2), "20:20"))
        if self.staff_for(v, _at(self.tomorrow, "09:00"), first=self.nurse_chc):
            self.build("family:upcoming", v, Plan(until="assign", times={"assign": _at(t, "08:20")}))
        self.consult(uid(f"nursing_consult:{t.isoformat()}:family:2"), head, mother, _at(t, "07:35"),
                     "母亲血糖早上空腹9.6，需要调整饮食吗？想请护士上门看看。", status="open")

    def consult(self, consult_id: str, head: Recipient, who: Recipient, asked: datetime, question: str, *,
                status: str, answer: str | None = None, proposed: str | None = None) -> None:
        nurse_account = self.w.builder.ctx.nurse_accounts[self.nurse_chc]
        answered = asked + minutes(47)
        self.w.rows.add(NursingConsult, id=consult_id, account_id=head.account_id, patient_id=who.patient_id,
                        institution_id=institution_id(CHC), nurse_id=self.nurse_chc if answer else None,
                        subject=question[:40], status=status, created_at=asked,
                        updated_at=answered if answer else asked, proposed_order_id=proposed)
        self.w.rows.add(NursingConsultMessage, id=uid(f"{consult_id}:1"), consult_id=consult_id,
                        author_account_id=head.account_id, author_role="resident", text=question, photo_ids=[],
                        at=asked)
        if answer:
            self.w.rows.add(NursingConsultMessage, id=uid(f"{consult_id}:2"), consult_id=consult_id,
                            author_account_id=nurse_account, author_role="nurse", text=answer, photo_ids=[],
                            at=answered)


def _window(start: str) -> tuple[str, str]:
    h, m = (int(x) for x in start.split(":"))
    a = max(8 * 60, h * 60 + m - 30)
    b = a + 120
    return f"{a // 60:02d}:{a % 60:02d}", f"{b // 60:02d}:{b % 60:02d}"


def build(w: World) -> None:
    live = Live(w)
    live.family()
    live.today_visits()
    live.tomorrow_orders()
