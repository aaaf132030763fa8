"""The home-nursing journey in Chromium, across roles: a resident orders a dressing change for tomorrow, the
institution assesses and accepts it, plans the day (shifts, the optimiser's proposal, a hand override) and confirms
it, the nurse gets the consent at the door, sets off, checks in by geolocation, raises and the console closes an
alarm (pushed live), writes the record, books consumables and waste, checks out; the resident pays in the sandbox
cashier and rates; the regulator's cockpit figures move. Screenshots under var/screenshots/nursing-*.png."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pyotp
import pytest
from playwright.sync_api import Browser, Page, expect

from tests import builders as b
from tests.browser.conftest import fill, in_thread, serving, shot
from tests.browser.nursing_support import PNG, context, deliver_payments, sign_in
from tests.nursing import builders as nb
from yihu.auth.service import phone_of
from yihu.config import get_settings
from yihu.db import Database
from yihu.nursing import catalogue

pytestmark = [pytest.mark.browser, pytest.mark.live]

CENTRE = "秀洲区新城社区卫生服务中心"
PATIENT = "张三明"
NURSE_A, NURSE_B, NURSE_NEW = "王静", "李秀英", "陈晓"


@dataclass(frozen=True)
class Site:
    url: str
    db_url: str
    resident_phone: str
    admin_phone: str
    admin_secret: str
    regulator_phone: str
    regulator_secret: str
    nurse_phone: str
    item_code: str


async def _seed(url: str) -> Site:
    db = Database(get_settings(), url)
    try:
        async with db.sessionmaker() as s:
            inst = await b.institution(s, name=CENTRE)
            inst.latitude, inst.longitude = nb.INST_LAT, nb.INST_LON
            admin_secret, regulator_secret = pyotp.random_base32(), pyotp.random_base32()
            admin = await b.staff(s, role="institution_admin", inst=inst, totp_secret=admin_secret)
            regulator = await b.staff(s, role="regulator", inst=None, totp_secret=regulator_secret)
            resident = await b.resident(s, name=PATIENT)
            await nb.consumables(s)
            it = await nb.item(s, name="伤口换药")
            await catalogue.set_offering(s, inst.id, it.id, True)
            nurses = []
            for name in (NURSE_A, NURSE_B):
                p, acc = await nb.nurse(s, inst)
                assert acc is not None
                p.name, acc.display_name = name, name
                nurses.append(acc)
            young, _ = await nb.nurse(s, inst, training=False, with_account=False)  # shows why she may not go
            young.name = NURSE_NEW
            await b.done(s)
            return Site("", url, phone_of(resident), phone_of(admin), admin_secret, phone_of(regulator),
                        regulator_secret, phone_of(nurses[0]), "HN901")
    finally:
        await db.dispose()



@pytest.fixture(scope="module")
def site(live_db_url: str, browser: Browser) -> Iterator[Site]:
    with serving(live_db_url, _seed(live_db_url)) as s:
        yield s



def cockpit_figures(page: Page) -> dict[str, Any]:
    """The regulator's cockpit numbers as its page reads them (the same API, with the page's session)."""
    out: dict[str, Any] = page.evaluate("""async () => {
        const s = JSON.parse(sessionStorage.getItem('yihu.session'))
        const r = await fetch('/api/v1/cockpit/nursing', { headers: { Authorization: `Bearer ${s.access}` } })
        return await r.json()
    }""")
    return out


def test_order_assess_dispatch_consent_visit_pay_rate_and_the_cockpit_moves(site: Site, browser: Browser) -> None:
    home = (nb.HOME_LAT, nb.HOME_LON)
    regulator = context(browser, phone=False).new_page()
    sign_in(regulator, site.url, site.regulator_phone, r"/regulator$", site.regulator_secret)
    regulator.get_by_test_id("nav-cockpit").click()
    expect(regulator.get_by_test_id("kpi-orders")).to_have_attribute("data-value", "0")
    expect(regulator.get_by_test_id("kpi-revenue")).to_have_attribute("data-value", "0")
    before = cockpit_figures(regulator)

    # 1. The resident browses the catalogue with prices and orders a dressing change for tomorrow, 08:00–10:00.
    res = context(browser, phone=True, at=home).new_page()
    sign_in(res, site.url, site.resident_phone, r"/resident$")
    res.get_by_test_id("tab-profile").click()
    res.get_by_test_id("link-nursing").click()
    item = res.locator(f"[data-testid=nursing-item][data-code={site.item_code}]")
    expect(item.get_by_test_id("item-price")).to_have_text("¥60.00")
    expect(item.get_by_test_id("item-visit-fee")).to_have_text("¥120.00")
    shot(res, "nursing-1-catalogue")
    item.get_by_test_id("order-item").click()
    expect(res.get_by_test_id("form-total")).to_have_text("¥180.00")
    res.locator(f"[data-testid=nursing-patient][data-name={PATIENT}]").click()
    res.locator("[data-testid=nursing-institution]").filter(has_text=CENTRE).click()
    res.get_by_test_id("order-day").nth(1).click()
    res.locator("[data-testid=order-window][data-window='08:00-10:00']").click()
    fill(res, "order-address", "嘉兴市秀洲区新城街道洪兴西路100号3幢501室")
    res.get_by_test_id("use-location").click()
    expect(res.locator("[data-testid=order-lat] input")).to_have_value(str(nb.HOME_LAT))
    fill(res, "order-condition", "术后第5天，腹部切口需换药")
    res.get_by_test_id("order-doc-file").set_input_files({"name": "出院小结.png", "mimeType": "image/png", "buffer": PNG})
    shot(res, "nursing-2-order-form")
    res.get_by_test_id("submit-order").click()
    res.wait_for_url(re.compile(r"/resident/nursing/orders/[0-9a-f-]{36}$"))
    order_url = res.url
    expect(res.get_by_test_id("detail-status")).to_have_attribute("data-status", "requested")
    expect(res.get_by_test_id("detail-document")).to_have_count(1)
    shot(res, "nursing-3-ordered")

    # 2. The institution assesses and accepts it; the eligibility list says why the new nurse may not go.
    admin = context(browser, phone=False).new_page()
    sign_in(admin, site.url, site.admin_phone, r"/console$", site.admin_secret)
    admin.get_by_test_id("nav-nursing").click()
    expect(admin).to_have_url(re.compile(r"/console/nursing$"))
    admin.get_by_test_id("open-order").first.click()
    drawer = admin.get_by_test_id("order-drawer")
    expect(drawer.get_by_test_id("drawer-status")).to_have_attribute("data-status", "requested")
    fill(admin, "assess-need", "腹部切口换药")
    fill(admin, "assess-home", "电梯房，光线充足，家属陪同")
    admin.get_by_test_id("risk-low").click()
    shot(admin, "nursing-4-assess")
    admin.get_by_test_id("assess-submit").click()
    expect(drawer.get_by_test_id("drawer-status")).to_have_attribute("data-status", "assessed")
    admin.get_by_test_id("accept-order").click()
    expect(drawer.get_by_test_id("drawer-status")).to_have_attribute("data-status", "accepted")
    table = admin.get_by_test_id("eligibility-table")
    young = table.locator("tr").filter(has_text=NURSE_NEW)
    expect(young.get_by_test_id("ineligible-reasons")).to_contain_text("培训")
    expect(table.locator("tr").filter(has_text=NURSE_A).get_by_test_id("eligible")).to_be_visible()
    shot(admin, "nursing-5-accepted-eligibility")

    # 3. Dispatch: shifts for both nurses, the optimiser's proposal, a hand override to 王静 at 09:00, confirm.
    admin.goto(f"{site.url}/console/nursing/dispatch")
    for name in (NURSE_A, NURSE_B):
        row = admin.locator(f"[data-testid=shift-row][data-nurse={name}]")
        expect(row.get_by_test_id("shift-start")).to_contain_text("08:00")  # the usual day shift
        row.get_by_test_id("shift-save").click()
        expect(row.get_by_test_id("shift-clear")).to_be_visible()
    admin.get_by_test_id("propose-plan").click()
    expect(admin.get_by_test_id("plan-status")).to_have_attribute("data-status", "proposed", timeout=40_000)
    expect(admin.get_by_test_id("plan-stop")).to_have_count(1)
    shot(admin, "nursing-6-plan-proposed")
    admin.get_by_test_id("move-stop").click()
    dialog = admin.get_by_test_id("move-dialog")
    dialog.get_by_test_id("move-nurse").click()
    admin.locator(".el-select-dropdown__item:visible", has_text=NURSE_A).last.click()
    dialog.get_by_test_id("move-start").click()
    admin.locator(".el-select-dropdown__item:visible", has_text=re.compile(r"^09:00$")).last.click()
    dialog.get_by_test_id("move-submit").click()
    route_a = admin.locator(f"[data-testid=plan-route][data-nurse={NURSE_A}]")
    expect(route_a.get_by_test_id("plan-stop")).to_have_count(1)
    expect(route_a.get_by_test_id("plan-stop")).to_contain_text("09:00")
    admin.get_by_test_id("confirm-plan").click()
    expect(admin.get_by_test_id("plan-status")).to_have_attribute("data-status", "confirmed")
    shot(admin, "nursing-7-plan-confirmed")

    res.goto(order_url)
    expect(res.get_by_test_id("detail-status")).to_have_attribute("data-status", "assigned")
    expect(res.get_by_test_id("nurse-status")).to_contain_text(f"{NURSE_A}护士将于09:00左右上门")

    # 4. The nurse: tomorrow's route, consent at the door, set off, check in where the phone is.
    admin.goto(f"{site.url}/console/nursing/alarms")
    expect(admin.get_by_test_id("alarms-connection")).to_have_attribute("data-connected", "1")
    nurse = context(browser, phone=True, at=home).new_page()
    sign_in(nurse, site.url, site.nurse_phone, r"/nurse$")  # a nurse lands on the day's route
    nurse.get_by_test_id("route-day-1").click()
    stop = nurse.get_by_test_id("visit-stop")
    expect(stop).to_have_count(1)
    expect(stop.get_by_test_id("stop-next")).to_contain_text("签知情同意")
    shot(nurse, "nursing-8-nurse-route")
    stop.click()
    expect(nurse.get_by_test_id("consent-fee")).to_contain_text("¥180.00")
    fill(nurse, "consent-typed", PATIENT)
    nurse.get_by_test_id("consent-sign").click()
    expect(nurse.get_by_test_id("consent-signed")).to_contain_text(PATIENT)
    expect(nurse.get_by_test_id("visit-status")).to_have_attribute("data-status", "consented")
    shot(nurse, "nursing-9-consent")
    nurse.get_by_test_id("depart").click()
    expect(nurse.get_by_test_id("visit-status")).to_have_attribute("data-status", "en_route")
    expect(nurse.get_by_test_id("located-at")).to_be_visible()
    nurse.get_by_test_id("check-in").click()
    expect(nurse.get_by_test_id("visit-status")).to_have_attribute("data-status", "in_service")
    expect(nurse.get_by_test_id("checked-in")).to_be_visible()

    # 5. One-key alarm: the console has it at once by push, acknowledges and closes it.
    nurse.get_by_test_id("alarm-note").fill("家属情绪激动")
    nurse.get_by_test_id("alarm-button").click()
    nurse.locator(".van-dialog__confirm").click()
    expect(nurse.get_by_test_id("alarm-sent")).to_be_visible()
    alarm = admin.get_by_test_id("alarm-item")
    expect(alarm).to_have_attribute("data-status", "open")
    expect(alarm.get_by_test_id("alarm-note")).to_have_text("家属情绪激动")
    expect(admin.get_by_test_id("nav-alarm-count")).to_contain_text("1")
    expect(admin.locator(".nursing-alarm-notice")).to_contain_text(NURSE_A)
    shot(admin, "nursing-10-alarm-pushed")
    regulator.get_by_test_id("cockpit-refresh").click()  # the regulator sees the visit under way and its alarm
    expect(regulator.get_by_test_id("kpi-in_progress")).to_have_attribute("data-value", "1")
    expect(regulator.get_by_test_id("kpi-alarms_open")).to_have_attribute("data-value", "1")
    alarm.get_by_test_id("alarm-ack").click()
    expect(alarm).to_have_attribute("data-status", "acknowledged")
    alarm.get_by_test_id("alarm-resolution").fill("电话联系家属，已安抚")
    alarm.get_by_test_id("alarm-close").click()
    expect(admin.get_by_test_id("no-alarms")).to_be_visible()

    # 6. The record, consumables and waste; check-out opens the bill.
    for testid, value in (("vital-temperature_c", "36.8"), ("vital-pulse_bpm", "78"), ("vital-systolic_mmhg", "128"),
                          ("vital-diastolic_mmhg", "82"), ("wound-site", "腹部切口"), ("wound-length", "6"),
                          ("wound-width", "1")):
        fill(nurse, testid, value)
    nurse.get_by_test_id("wound-exudate").select_option("low")
    fill(nurse, "record-actions-input", "生理盐水清洗切口，更换无菌敷料")
    fill(nurse, "record-advice-input", "保持敷料干燥，如渗液增多及时联系")
    shot(nurse, "nursing-11-record-form")
    nurse.get_by_test_id("record-submit").click()
    expect(nurse.get_by_test_id("visit-status")).to_have_attribute("data-status", "recorded")
    expect(nurse.get_by_test_id("record-actions")).to_have_text("生理盐水清洗切口，更换无菌敷料")
    nurse.get_by_test_id("save-consumables").click()
    expect(nurse.get_by_test_id("consumables-fen")).to_have_text("¥15.00")
    nurse.get_by_test_id("waste-count").fill("2")
    nurse.get_by_test_id("add-waste").click()
    expect(nurse.get_by_test_id("waste-line")).to_have_count(1)
    nurse.get_by_test_id("check-out").click()
    expect(nurse.get_by_test_id("visit-done")).to_contain_text("¥195.00")
    shot(nurse, "nursing-12-checked-out")

    # 7. The resident reads the record and the bill, pays in the sandbox cashier and rates.
    res.goto(order_url)
    expect(res.get_by_test_id("detail-status")).to_have_attribute("data-status", "completed")
    expect(res.get_by_test_id("bill-total")).to_have_text("¥195.00")
    expect(res.get_by_test_id("bill-consumable")).to_have_count(1)
    expect(res.get_by_test_id("record-advice")).to_have_text("保持敷料干燥，如渗液增多及时联系")
    shot(res, "nursing-13-bill-and-record")
    res.get_by_test_id("pay-nursing").click()
    pay = res.get_by_test_id("pay-sheet")
    expect(pay.get_by_test_id("pay-amount")).to_have_text("¥195.00")
    pay.get_by_test_id("pay-channel-alipay").click()
    pay.get_by_test_id("pay-start").click()
    pay.get_by_test_id("pay-confirm").click()
    expect(pay.get_by_test_id("pay-waiting")).to_be_visible()
    assert in_thread(deliver_payments(site.db_url)) == 1
    expect(res.get_by_test_id("detail-status")).to_have_attribute("data-status", "paid", timeout=20_000)
    res.get_by_test_id("rate-nursing").click()
    sheet = res.get_by_test_id("rate-sheet")
    sheet.locator(".van-rate__item").nth(4).click()
    fill(res, "rate-comment", "王护士操作轻柔，讲解耐心")
    sheet.get_by_test_id("rate-submit").click()
    expect(res.get_by_test_id("detail-status")).to_have_attribute("data-status", "rated")
    expect(res.get_by_test_id("rating-stars")).to_have_attribute("data-stars", "5")
    actions = [res.get_by_test_id("trail-step").nth(i).get_attribute("data-action") for i in range(11)]
    assert actions == ["create", "assess_approve", "accept", "assign", "consent", "depart", "check_in", "record",
                       "complete", "pay", "rate"]
    expect(res.get_by_test_id("trail-step")).to_have_count(11)
    shot(res, "nursing-14-rated-trail")

    # 8. The regulator's figures moved: one more order, one more completed visit, ¥195.00 more revenue.
    regulator.get_by_test_id("cockpit-refresh").click()
    for kpi, value in (("orders", "1"), ("completed", "1"), ("revenue", "19500"), ("avg_rating", "5"),
                       ("in_progress", "0"), ("alarms_open", "0")):
        expect(regulator.get_by_test_id(f"kpi-{kpi}")).to_have_attribute("data-value", value)
    shot(regulator, "nursing-15-cockpit")
    after = cockpit_figures(regulator)
    assert_cockpit_moved(before["totals"], after["totals"])

    # The institution reads the finished visit: record, bill, rating and where the nurse was.
    admin.goto(f"{site.url}/console/nursing")
    admin.get_by_test_id("state-done").click()
    admin.get_by_test_id("open-order").first.click()
    drawer = admin.get_by_test_id("order-drawer")
    expect(drawer.get_by_test_id("drawer-status")).to_have_attribute("data-status", "rated")
    expect(drawer.get_by_test_id("bill-total")).to_have_text("¥195.00")
    track = drawer.get_by_test_id("track-table")
    expect(track.locator("tr").filter(has_text="签到")).to_contain_text("0 m")
    expect(drawer.get_by_test_id("refund-form")).to_be_visible()
    shot(admin, "nursing-16-console-finished-visit")

    for p in (res, admin, nurse, regulator):
        p.context.close()


def assert_cockpit_moved(before: dict[str, Any], after: dict[str, Any]) -> None:
    moved = {k: after[k] - before[k] for k in ("orders", "completed", "paid", "revenue_fen", "rated", "satisfied",
                                               "visited", "consumables_fen", "waste_records")}
    assert moved == {"orders": 1, "completed": 1, "paid": 1, "revenue_fen": 19500, "rated": 1, "satisfied": 1,
                     "visited": 1, "consumables_fen": 1500, "waste_records": 1}
    assert after["avg_rating"] == 5.0
