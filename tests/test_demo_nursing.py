"""The demo district's home nursing (yihu.demo.nursing): loaded once for the module, then checked against the
product's own rules (eligibility on the visit day, the trail, consent, record, bills) and the brief's figures."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from tests.conftest import fresh_database
from yihu.app import create_app
from yihu.auth.models import Account
from yihu.billing.models import Bill, Payment
from yihu.config import get_settings
from yihu.db import Database
from yihu.demo.keys import DEMO_PASSWORD, uid
from yihu.demo.nursing import REVISED_PRICES
from yihu.demo.nursing_rows import consent_hash, record_signature
from yihu.demo.region import load_demo
from yihu.kit import clock
from yihu.nursing.eligibility import evaluate
from yihu.nursing.models import (
    NursingItem,
    NursingItemVersion,
    NursingOffering,
    NursingOrder,
    NursingOrderEvent,
    NursingShift,
)
from yihu.nursing.visit_models import (
    NursingAlarm,
    NursingConsent,
    NursingConsult,
    NursingConsumableUse,
    NursingFollowUp,
    NursingRating,
    NursingRecord,
    NursingWaste,
)
from yihu.registry.models import Credential, Institution, Practitioner

TODAY = clock.local_date(clock.now())
DONE = ("completed", "paid", "rated")
BUSY_OR_LATER = ("assigned", "consented", "en_route", "in_service", "recorded", *DONE)


@pytest.fixture(scope="module")
async def demo() -> AsyncIterator[Database]:
    db = await fresh_database()
    summary = await load_demo(db, today=TODAY)
    assert summary.created
    yield db
    await db.dispose()


async def rows(db: Database, model: Any) -> list[Any]:
    async with db.sessionmaker() as s:
        return list((await s.scalars(select(model))).all())


def inst_id(code: str) -> str:
    return uid(f"institution:{code}")


async def test_catalogue_versions_and_offerings(demo: Database) -> None:
    items = {i.id: i for i in await rows(demo, NursingItem)}
    versions = await rows(demo, NursingItemVersion)
    assert len(items) == 37
    assert len(versions) == 37 + len(REVISED_PRICES)
    by_item: dict[str, list[NursingItemVersion]] = defaultdict(list)
    for v in versions:
        by_item[v.item_id].append(v)
    for item in items.values():
        vs = sorted(by_item[item.id], key=lambda v: v.version)
        assert [v.version for v in vs] == list(range(1, item.current_version + 1))
        if item.code in REVISED_PRICES:
            assert (item.current_version, vs[-1].price_fen) == (2, REVISED_PRICES[item.code])
            assert vs[0].price_fen != vs[1].price_fen and vs[0].created_at < vs[1].created_at
    # an order keeps the version (and price) in force when it was placed
    vmap = {v.id: v for v in versions}
    old_and_new = Counter()
    for o in await rows(demo, NursingOrder):
        v = vmap[o.item_version_id]
        assert v.item_id == o.item_id and o.price_fen == v.price_fen and o.visit_fee_fen == v.visit_fee_fen
        later = [w for w in by_item[o.item_id] if w.version > v.version]
        assert v.created_at <= o.created_at and all(w.created_at > o.created_at for w in later)
        if items[o.item_id].code in REVISED_PRICES:
            old_and_new[v.version] += 1
    assert old_and_new[1] > 0 and old_and_new[2] > 0

    offered: dict[str, set[str]] = defaultdict(set)
    for off in await rows(demo, NursingOffering):
        offered[off.institution_id].add(items[off.item_id].code)
    lead, maternal, chc = offered[inst_id("XZ01")], offered[inst_id("XZ02")], offered[inst_id("XZ10")]
    assert {"HN019", "HN012", "HN026"} <= lead and not {"HN021", "HN022"} & lead
    assert {"HN021", "HN022", "HN023"} <= maternal and "HN019" not in maternal
    assert {"HN001", "HN006"} <= chc and not any(code in chc for code in ("HN019", "HN020"))
    assert not offered[inst_id("XZ08")] and not offered[inst_id("XZ09")]


async def nurses_and_credentials(db: Database) -> tuple[dict[str, Practitioner], dict[str, list[Credential]]]:
    nurses = {p.id: p for p in await rows(db, Practitioner) if p.kind == "nurse"}
    creds: dict[str, list[Credential]] = defaultdict(list)
    for c in await rows(db, Credential):
        creds[c.practitioner_id].append(c)
    return nurses, creds


async def test_every_nurse_was_eligible_on_the_visit_day_and_never_in_two_homes(demo: Database) -> None:
    nurses, creds = await nurses_and_credentials(demo)
    versions = {v.id: v for v in await rows(demo, NursingItemVersion)}
    orders = await rows(demo, NursingOrder)
    busy: dict[tuple[str, date], list[tuple[Any, Any]]] = defaultdict(list)
    checked = 0
    for o in orders:
        team = [n for n in (o.nurse_id, o.second_nurse_id) if n]
        if o.status in BUSY_OR_LATER:
            assert len(team) == o.nurses_required and o.planned_start_at and o.planned_end_at
        for n in team:
            e = evaluate(nurses[n], creds[n], institution_id=o.institution_id, on=o.service_day,
                         required=versions[o.item_version_id].credentials)
            assert e.eligible, (o.number, e.explain())
            busy[(n, o.service_day)].append((o.planned_start_at, o.planned_end_at))
            checked += 1
    assert checked > 1400
    for spans in busy.values():
        spans.sort()
        assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))
    # the deliberately ineligible nurses (today) never got a visit of today or tomorrow
    ineligible = {p.id for p in nurses.values() if not evaluate(p, creds[p.id], institution_id=p.registered_institution_id
                                                                  or "", on=TODAY).eligible}
    assert len(ineligible) >= 18
    assert not any(o.nurse_id in ineligible for o in orders if o.service_day >= TODAY)


async def test_every_trail_runs_from_create_to_the_orders_state(demo: Database) -> None:
    orders = {o.id: o for o in await rows(demo, NursingOrder)}
    trails: dict[str, list[NursingOrderEvent]] = defaultdict(list)
    for e in await rows(demo, NursingOrderEvent):
        trails[e.order_id].append(e)
    assert set(trails) == set(orders)
    roles = {"create": "resident", "assess_approve": "institution_admin", "accept": "institution_admin",
             "assign": "institution_admin", "depart": "nurse", "check_in": "nurse", "record": "nurse",
             "complete": "nurse", "pay": "system", "rate": "resident", "consent": "resident",
             "consent_at_door": "nurse", "cancel_resident": "resident", "cancel_institution": "institution_admin"}
    actions = Counter()
    for order_id, trail in trails.items():
        trail.sort(key=lambda e: (e.at, e.id))
        o = orders[order_id]
        assert (trail[0].action, trail[0].from_status, trail[0].to_status) == ("create", None, "requested")
        assert trail[0].at == o.created_at and trail[0].actor_account_id == o.account_id
        for before, after in zip(trail, trail[1:], strict=False):
            assert after.from_status == before.to_status, (o.number, before.action, after.action)
            assert after.at > before.at
        assert trail[-1].to_status == o.status, o.number
        for e in trail:
            actions[e.action] += 1
            assert e.institution_id == o.institution_id
            if e.action in roles:
                assert e.actor_role == roles[e.action], (o.number, e.action)
    assert {"assess_reject", "assess_first_visit", "cancel_resident", "cancel_institution", "consent_at_door",
            "followup_open", "followup_close"} <= set(actions)
    visited = [o for o in orders.values() if o.checked_in_at]
    assert len(visited) > 1400
    for o in visited:  # plausible times: reviewed and dispatched before the nurse set off, on time, in the window
        assert o.created_at < o.accepted_at < o.assigned_at < o.departed_at < o.checked_in_at, o.number
        assert o.checked_in_at <= o.planned_start_at + timedelta(minutes=10), o.number
        assert o.window_start_at <= o.planned_start_at and o.planned_end_at <= o.window_end_at, o.number


async def test_completed_visits_have_consent_record_supplies_and_paid_bills(demo: Database) -> None:
    orders = [o for o in await rows(demo, NursingOrder) if o.status in DONE]
    consents = {c.order_id: c for c in await rows(demo, NursingConsent)}
    records = {r.order_id: r for r in await rows(demo, NursingRecord)}
    bills = {b.id: b for b in await rows(demo, Bill)}
    payments = {p.bill_id: p for p in await rows(demo, Payment) if p.status == "paid"}
    used: dict[str, int] = Counter()
    for u in await rows(demo, NursingConsumableUse):
        assert u.amount_fen == u.count * u.unit_fen
        used[u.order_id] += u.amount_fen
    wasted = {w.order_id for w in await rows(demo, NursingWaste)}
    versions = {v.id: v for v in await rows(demo, NursingItemVersion)}
    assert len(orders) > 1400
    for o in orders:
        c, r = consents[o.id], records[o.id]
        assert c.text_sha256 == consent_hash(c.content, c.process, c.fee_text, c.risks)
        assert c.nurse_id == o.nurse_id and c.signed_at < o.checked_in_at and c.signer_name
        assert r.nurse_id == o.nurse_id and r.patient_id == o.patient_id and r.vitals.get("pulse_bpm")
        assert r.signature_sha256 == record_signature(vitals=r.vitals, assessment=r.assessment, actions=r.actions,
                                                      advice=r.advice, next_visit_on=r.next_visit_on,
                                                      nurse_id=r.nurse_id, signed_at=r.signed_at)
        assert o.checked_in_at < r.signed_at <= o.completed_at
        assert o.consumables_fen == used[o.id]
        assert (o.id in wasted) == bool(versions[o.item_version_id].waste_kinds)
        bill = bills[o.bill_id]
        assert (bill.kind, bill.reference, bill.patient_id) == ("nursing", f"nursing:{o.id}", o.patient_id)
        assert bill.amount_fen == o.price_fen + o.visit_fee_fen + o.consumables_fen
        if o.status == "completed":
            assert bill.status == "unpaid" and o.bill_id not in payments
        else:
            pay = payments[bill.id]
            assert bill.status == "paid" and bill.paid_fen == bill.amount_fen == pay.amount_fen
            assert pay.insurance_fen + pay.self_fen == pay.amount_fen and bill.paid_at == pay.paid_at == o.paid_at
    assert Counter(o.status for o in orders)["completed"] >= 1


async def test_three_months_of_history_as_seed_004_reports(demo: Database) -> None:
    orders = await rows(demo, NursingOrder)
    for k in range(3):
        first, last = TODAY - timedelta(days=30 * (k + 1)), TODAY - timedelta(days=30 * k + 1)
        n = sum(1 for o in orders if first <= o.service_day <= last)
        assert 500 <= n <= 600, (first, last, n)
    assert len({o.institution_id for o in orders}) == 9
    states = Counter(o.status for o in orders if o.service_day < TODAY)
    assert states["rated"] > 1000 and 20 <= states["cancelled"] <= 150 and 20 <= states["rejected"] <= 100
    ratings = await rows(demo, NursingRating)
    stars = Counter(r.stars for r in ratings)
    assert stars[5] > stars[4] > sum(n for s, n in stars.items() if s <= 3) >= 3
    assert (stars[5] + stars[4]) / len(ratings) > 0.98
    follow = {f.order_id: f for f in await rows(demo, NursingFollowUp)}
    assert {r.order_id for r in ratings if r.stars <= 2 or r.complaint} == set(follow)
    assert {f.status for f in follow.values()} == {"open", "closed"}
    alarms = await rows(demo, NursingAlarm)
    assert Counter(a.status for a in alarms) == {"closed": 2, "open": 1}
    assert all(a.closed_by and a.resolution for a in alarms if a.status == "closed")


async def test_today_and_tomorrow_are_live(demo: Database) -> None:
    orders = await rows(demo, NursingOrder)
    lead = inst_id("XZ01")
    nurse_lead, nurse_chc = (uid(f"account:{k}") for k in ("nurse-lead", "nurse-chc"))
    async with demo.sessionmaker() as s:
        accounts = {a.id: a for a in (await s.scalars(select(Account).where(
            Account.id.in_([nurse_lead, nurse_chc])))).all()}
    p_lead, p_chc = accounts[nurse_lead].practitioner_id, accounts[nurse_chc].practitioner_id
    versions = {v.id: v for v in await rows(demo, NursingItemVersion)}
    tomorrow = Counter(o.status for o in orders if o.institution_id == lead and o.service_day == TODAY + timedelta(1))
    assert tomorrow["requested"] >= 3 and tomorrow["assessed"] >= 2 and tomorrow["accepted"] == 8
    accepted = [o for o in orders if o.institution_id == lead and o.service_day == TODAY + timedelta(1)
                and o.status == "accepted"]
    assert any(o.nurses_required == 2 for o in accepted)
    assert any("picc" in versions[o.item_version_id].credentials for o in accepted)
    mine = Counter(o.status for o in orders if o.service_day == TODAY and o.nurse_id == p_lead)
    assert mine["in_service"] == 1 and mine["consented"] == 1 and mine["assigned"] == 1
    live = [o for o in orders if o.service_day == TODAY and o.status in ("en_route", "in_service")]
    assert len(live) >= 4 and any(o.nurse_id == p_chc for o in live)
    consents = {c.order_id for c in await rows(demo, NursingConsent)}
    assert all(o.id in consents for o in live)
    open_alarm = [a for a in await rows(demo, NursingAlarm) if a.status == "open"]
    assert [a.institution_id for a in open_alarm] == [lead]
    shifts = {(sh.practitioner_id, sh.day): sh for sh in await rows(demo, NursingShift)}
    for day in (TODAY, TODAY + timedelta(days=1)):
        assert (p_lead, day) in shifts and (p_chc, day) in shifts
    for o in orders:
        if o.service_day >= TODAY and o.nurse_id:
            sh = shifts[(o.nurse_id, o.service_day)]
            assert sh.start_at <= o.planned_start_at and o.planned_end_at <= sh.end_at
    places = {i.id: i for i in await rows(demo, Institution)}
    assert all(sh.start_latitude and places[sh.institution_id] for sh in shifts.values())


async def test_the_demo_resident_follows_his_mothers_orders_through_the_api(demo: Database) -> None:
    app = create_app(get_settings(), db=demo)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        r = await client.post("/api/v1/auth/login", json={"phone": "13800000001", "password": DEMO_PASSWORD})
        assert r.status_code == 200, r.text
        auth = {"Authorization": f"Bearer {r.json()['access_token']}"}
        r = await client.get("/api/v1/nursing/orders", headers=auth)
        assert r.status_code == 200, r.text
        mine = r.json()
        states = Counter(o["status"] for o in mine)
        assert states["completed"] == 1 and states["paid"] == 1 and states["rated"] >= 1
        upcoming = [o for o in mine if o["service_day"] == (TODAY + timedelta(days=1)).isoformat()]
        assert [o["status"] for o in upcoming] == ["assigned"] and upcoming[0]["nurse_name"] == "钱晓燕"
        unpaid = next(o for o in mine if o["status"] == "completed")
        r = await client.get(f"/api/v1/nursing/orders/{unpaid['id']}", headers=auth)
        assert r.status_code == 200, r.text
        trail = [e["action"] for e in r.json()["events"]]
        assert trail[0] == "create" and trail[-1] == "complete" and "check_in" in trail
    async with demo.sessionmaker() as s:
        consults = (await s.scalars(select(NursingConsult).where(
            NursingConsult.account_id == uid("account:resident:demo")))).all()
        assert sorted(c.status for c in consults) == ["closed", "open"]
        proposed = next(c for c in consults if c.status == "closed").proposed_order_id
        order = await s.get(NursingOrder, proposed)
        assert order is not None and order.status == "paid" and order.consult_id is not None


async def test_a_second_load_changes_nothing(demo: Database) -> None:
    async with demo.sessionmaker() as s:
        before = await s.scalar(select(func.count()).select_from(NursingOrderEvent))
    again = await load_demo(demo, today=TODAY)
    async with demo.sessionmaker() as s:
        assert again.created is False
        assert await s.scalar(select(func.count()).select_from(NursingOrderEvent)) == before


async def snapshot(db: Database) -> dict[str, list[Any]]:
    async with db.sessionmaker() as s:
        return {
            "orders": sorted((await s.execute(select(
                NursingOrder.id, NursingOrder.number, NursingOrder.status, NursingOrder.nurse_id,
                NursingOrder.planned_start_at, NursingOrder.price_fen, NursingOrder.consumables_fen))).tuples().all()),
            "events": sorted((await s.execute(select(NursingOrderEvent.id, NursingOrderEvent.action,
                                                     NursingOrderEvent.at))).tuples().all()),
            "shifts": sorted((await s.execute(select(NursingShift.id, NursingShift.start_at))).tuples().all()),
            "bills": sorted((await s.execute(select(Bill.id, Bill.amount_fen, Bill.status)
                                             .where(Bill.kind == "nursing"))).tuples().all()),
        }


async def test_the_same_day_gives_the_same_data(demo: Database) -> None:
    """Last in the module: on PostgreSQL the fresh database is the module's one, emptied."""
    first = await snapshot(demo)
    other = await fresh_database()
    try:
        assert (await load_demo(other, today=TODAY)).created is True
        assert await snapshot(other) == first
    finally:
        await other.dispose()
