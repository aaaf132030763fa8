"""Home-nursing pages one at a time: consent drawn on the nurse's phone and a check-in refused far from the address;
the online consultation loop (a question with a photo, the nurse's answer and proposed visit, the family's
confirmation placing the order); the catalogue in English."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests import builders as b
from tests.browser.conftest import fill, serving, shot
from tests.browser.nursing_support import PNG, context, sign_in
from tests.nursing import builders as nb
from tests.nursing import pay_support as ps
from yihu.auth.service import actor_of, phone_of
from yihu.config import get_settings
from yihu.db import Database
from yihu.kit.vault import vault
from yihu.nursing import lifecycle, orders

pytestmark = [pytest.mark.browser, pytest.mark.live]

FAR = (30.80, 120.80)  # ~9 km from the patient's home


@dataclass(frozen=True)
class Site:
    url: str
    resident_phone: str
    nurse_phone: str
    order_id: str
    other_order_id: str
    other_nurse: str
    paid_order_id: str
    admin_phone: str
    admin_secret: str
    accepted_day: str
    first_nurse: str


async def _seed(url: str) -> Site:
    db = Database(get_settings(), url)
    try:
        async with db.sessionmaker() as s:
            w = await nb.world(s)
            order = await ps.walk(s, w, await ps.placed(s, w), "assigned")
            other = await ps.walk(s, w, await ps.placed(s, w, start="14:00", end="16:00"), "assigned", nurse=1,
                                  start="14:30")
            done = await ps.walk(s, w, await ps.placed(s, w, days_ahead=2), "completed")
            await lifecycle.step(s, done, "pay", None)  # the payment itself is the journey's part
            accepted = await ps.placed(s, w, days_ahead=3)
            await orders.assess(s, actor_of(w.admin), accepted, decision="approve", assessment={"risk_level": "low"})
            await orders.accept(s, actor_of(w.admin), accepted)
            await b.done(s)
            return Site("", phone_of(w.resident), phone_of(w.nurses[0][1]), order.id, other.id,
                        w.nurses[1][0].name, done.id, phone_of(w.admin), admin_secret(w.admin),
                        accepted.service_day.isoformat(), w.nurses[0][0].name)
    finally:
        await db.dispose()


def admin_secret(account: Any) -> str:
    secret: str = vault().open(account.totp_secret_enc, "account", "totp_secret", account.id)
    return secret


@pytest.fixture(scope="module")
def site(live_db_url: str, browser: Browser) -> Iterator[Site]:
    with serving(live_db_url, _seed(live_db_url)) as s:
        yield s



def admin_sign_in(page: Page, site: Site, *, step_ahead: int) -> None:
    sign_in(page, site.url, site.admin_phone, r"/console$", site.admin_secret, step_ahead)


def test_consent_drawn_at_the_door_and_a_check_in_refused_far_from_the_address(site: Site, browser: Browser) -> None:
    admin = context(browser, phone=False).new_page()
    admin_sign_in(admin, site, step_ahead=0)
    admin.goto(f"{site.url}/console/nursing")  # the orders page, not the alarms page
    nurse = context(browser, at=FAR).new_page()
    sign_in(nurse, site.url, site.nurse_phone, r"/nurse$")
    nurse.goto(f"{site.url}/nurse/visits/{site.order_id}")
    expect(nurse.get_by_test_id("visit-status")).to_have_attribute("data-status", "assigned")
    nurse.get_by_test_id("consent-mode-drawn").click()
    nurse.get_by_test_id("consent-sign").click()
    expect(nurse.get_by_test_id("consent-error")).to_have_text("请在框内手写签名")  # nothing drawn yet
    box = nurse.get_by_test_id("signature-canvas").bounding_box()
    assert box is not None
    nurse.mouse.move(box["x"] + 20, box["y"] + 70)
    nurse.mouse.down()
    for i in range(1, 12):
        nurse.mouse.move(box["x"] + 20 + i * 20, box["y"] + 70 + (15 if i % 2 else -15))
    nurse.mouse.up()
    nurse.get_by_test_id("consent-sign").click()
    expect(nurse.get_by_test_id("consent-signed")).to_be_visible()
    expect(nurse.get_by_test_id("visit-status")).to_have_attribute("data-status", "consented")
    nurse.get_by_test_id("depart").click()
    expect(nurse.get_by_test_id("visit-status")).to_have_attribute("data-status", "en_route")
    expect(nurse.get_by_test_id("located-at")).to_contain_text("30.80000")
    nurse.get_by_test_id("check-in").click()
    expect(nurse.get_by_test_id("step-error")).to_contain_text("500")
    expect(nurse.get_by_test_id("visit-status")).to_have_attribute("data-status", "en_route")
    shot(nurse, "nursing-page-checkin-refused")
    # Lost on the way: the one-key alarm reaches the console on whatever nursing page it shows.
    nurse.get_by_test_id("alarm-button").click()
    nurse.locator(".van-dialog__confirm").click()
    expect(nurse.get_by_test_id("alarm-sent")).to_be_visible()
    expect(admin.locator(".nursing-alarm-notice")).to_be_visible()
    expect(admin.get_by_test_id("nav-alarm-count")).to_contain_text("1")
    shot(admin, "nursing-page-alarm-on-orders-page")
    for p in (nurse, admin):
        p.context.close()


def test_consultation_with_a_photo_answer_proposal_and_the_family_confirms(site: Site, browser: Browser) -> None:
    res = context(browser, at=(nb.HOME_LAT, nb.HOME_LON)).new_page()
    sign_in(res, site.url, site.resident_phone, r"/resident$")
    res.goto(f"{site.url}/resident/nursing/consults")
    res.get_by_test_id("consult-ask").click()
    fill(res, "consult-subject", "伤口发红")
    fill(res, "consult-text-input", "换药后第二天伤口边缘发红，有点痒，需要处理吗？")
    res.get_by_test_id("photo-input").set_input_files({"name": "wound.png", "mimeType": "image/png", "buffer": PNG})
    fill(res, "consult-address", "嘉兴市秀洲区新城街道洪兴西路100号3幢501室")
    res.get_by_test_id("consult-locate").click()
    res.get_by_test_id("consult-submit").click()
    res.wait_for_url(re.compile(r"/resident/nursing/consults/[0-9a-f-]{36}$"))
    consult_url = res.url
    expect(res.get_by_test_id("consult-photo")).to_have_count(1)
    expect(res.get_by_test_id("consult-status")).to_have_text("待回复")

    nurse = context(browser).new_page()
    sign_in(nurse, site.url, site.nurse_phone, r"/nurse$")
    nurse.get_by_test_id("nurse-go-console").click()  # the desk console is one tap from the route
    expect(nurse).to_have_url(re.compile(r"/console$"))
    nurse.goto(f"{site.url}/nurse")
    nurse.get_by_test_id("nurse-go-consults").click()
    nurse.get_by_test_id("consult-item").filter(has_text="伤口发红").click()
    expect(nurse.get_by_test_id("consult-photo")).to_have_count(1)
    fill(nurse, "consult-reply", "边缘发红可能是胶布过敏，建议上门查看并更换低敏敷料。")
    nurse.get_by_test_id("consult-send").click()
    proposal = nurse.get_by_test_id("propose-form")
    proposal.locator("[data-testid=propose-window][data-window='14:00-16:00']").click()
    nurse.get_by_test_id("propose-note").fill("更换低敏敷料")
    nurse.get_by_test_id("propose-submit").click()
    expect(nurse.get_by_test_id("consult-proposal")).to_have_attribute("data-state", "pending")
    shot(nurse, "nursing-page-consult-nurse")

    res.goto(consult_url)
    expect(res.get_by_test_id("consult-status")).to_have_text("已回复")
    expect(res.get_by_test_id("consult-text").nth(1)).to_contain_text("胶布过敏")
    shot(res, "nursing-page-consult-proposal")
    res.get_by_test_id("proposal-confirm").click()
    res.wait_for_url(re.compile(r"/resident/nursing/orders/[0-9a-f-]{36}$"))
    expect(res.get_by_test_id("detail-status")).to_have_attribute("data-status", "requested")
    expect(res.get_by_test_id("detail-window")).to_contain_text("14:00–16:00")
    for p in (res, nurse):
        p.context.close()


def test_the_family_signs_the_consent_in_the_app(site: Site, browser: Browser) -> None:
    res = context(browser).new_page()
    sign_in(res, site.url, site.resident_phone, r"/resident$")
    res.goto(f"{site.url}/resident/nursing/orders/{site.other_order_id}")
    expect(res.get_by_test_id("nurse-status")).to_have_text(f"{site.other_nurse}护士将于14:30左右上门")
    expect(res.get_by_test_id("consent-risks")).to_have_text("可能出现疼痛、出血或感染。")
    fill(res, "consent-signer", "张三明")
    fill(res, "consent-typed", "张三明")
    res.get_by_test_id("consent-sign").click()
    expect(res.get_by_test_id("detail-status")).to_have_attribute("data-status", "consented")
    expect(res.get_by_test_id("nurse-status")).to_contain_text("知情同意已签署")
    expect(res.locator("[data-testid=trail-step][data-action=consent]")).to_contain_text("居民")
    res.context.close()


def test_a_complaint_opens_a_follow_up_the_institution_closes(site: Site, browser: Browser) -> None:
    res = context(browser).new_page()
    sign_in(res, site.url, site.resident_phone, r"/resident$")
    res.goto(f"{site.url}/resident/nursing/orders/{site.paid_order_id}")
    expect(res.get_by_test_id("detail-status")).to_have_attribute("data-status", "paid")
    res.get_by_test_id("rate-nursing").click()
    sheet = res.get_by_test_id("rate-sheet")
    sheet.locator(".van-rate__item").nth(1).click()
    fill(res, "rate-comment", "迟到四十分钟，也没有提前打电话")
    sheet.get_by_test_id("rate-complaint").click()
    sheet.get_by_test_id("rate-submit").click()
    expect(res.get_by_test_id("rating-stars")).to_have_attribute("data-stars", "2")
    res.context.close()

    admin = context(browser, phone=False).new_page()
    admin_sign_in(admin, site, step_ahead=1)
    admin.goto(f"{site.url}/console/nursing/followups")
    item = admin.get_by_test_id("followup-item")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("投诉")
    expect(item).to_contain_text("迟到四十分钟")
    expect(admin.get_by_test_id("ratings-average")).to_have_text("2.00")
    admin.get_by_test_id("followup-outcome").fill("已致电道歉，调整排班并提前电话确认")
    admin.get_by_test_id("followup-close").click()
    expect(admin.get_by_test_id("followup-item")).to_have_count(0)
    admin.get_by_test_id("followups-closed").click()
    expect(admin.get_by_test_id("followup-item")).to_contain_text("已致电道歉")
    shot(admin, "nursing-page-followups")

    # Manual dispatch from the order: the day's accepted visit, an eligible nurse picked by hand at 10:15.
    admin.get_by_test_id("nav-nursing-orders").click()
    admin.get_by_test_id("state-to_dispatch").click()
    day = admin.locator("[data-testid=orders-day] input")
    day.fill(site.accepted_day)
    day.press("Enter")
    expect(admin.get_by_test_id("open-order")).to_have_count(1)
    admin.get_by_test_id("open-order").click()
    panel = admin.get_by_test_id("assign-panel")
    panel.locator("tr").filter(has_text=site.first_nurse).get_by_test_id("pick-nurse").click()
    panel.get_by_test_id("assign-start").click()
    admin.locator(".el-select-dropdown__item:visible", has_text=re.compile(r"^10:15$")).last.click()
    panel.get_by_test_id("assign-submit").click()
    drawer = admin.get_by_test_id("order-drawer")
    expect(drawer.get_by_test_id("drawer-status")).to_have_attribute("data-status", "assigned")
    expect(drawer.get_by_test_id("drawer-info")).to_contain_text(f"{site.first_nurse} 10:15")
    admin.context.close()


def test_a_recurring_plan_with_coordinates_typed_by_hand(site: Site, browser: Browser) -> None:
    res = context(browser).new_page()  # no geolocation permission: the page asks for latitude and longitude
    sign_in(res, site.url, site.resident_phone, r"/resident$")
    res.goto(f"{site.url}/resident/nursing")
    res.get_by_test_id("order-item").first.click()
    res.get_by_test_id("order-day").nth(3).click()
    res.locator("[data-testid=order-window][data-window='10:00-12:00']").click()
    fill(res, "order-address", "嘉兴市秀洲区新城街道洪兴西路100号3幢501室")
    res.get_by_test_id("use-location").click()
    expect(res.locator(".locate")).to_contain_text("无法获取定位")
    res.get_by_test_id("submit-order").click()
    expect(res.get_by_test_id("order-error")).to_have_text("请提供服务地址的经纬度（可点击“使用我的位置”）")
    fill(res, "order-lat", str(nb.HOME_LAT))
    fill(res, "order-lon", str(nb.HOME_LON))
    res.get_by_test_id("order-recurring").click()
    res.get_by_test_id("phase-every").fill("1")
    res.get_by_test_id("phase-count").fill("2")
    res.get_by_test_id("add-phase").click()
    expect(res.get_by_test_id("order-phase")).to_have_count(2)
    expect(res.locator(".phase .yh-muted")).to_have_text("共6次上门")
    res.get_by_test_id("submit-order").click()
    res.wait_for_url(re.compile(r"/resident/nursing/orders/[0-9a-f-]{36}$"))
    expect(res.get_by_test_id("detail-info")).to_contain_text("第1/6次")
    res.get_by_test_id("detail-back").click()
    series = res.get_by_test_id("nursing-order").filter(has_text="/6次")
    expect(series).to_have_count(6)
    # The family cancels the last visit of the plan before review: free, and it leaves the open list.
    series.filter(has_text="第6/6次").click()
    res.get_by_test_id("cancel-nursing").click()
    res.locator(".van-dialog__confirm").click()
    expect(res.get_by_test_id("detail-status")).to_have_attribute("data-status", "cancelled")
    expect(res.locator("[data-testid=trail-step][data-action=cancel_resident]")).to_contain_text("家属取消")
    res.get_by_test_id("detail-back").click()
    expect(res.get_by_test_id("nursing-order").filter(has_text="/6次")).to_have_count(5)
    res.context.close()


def test_the_catalogue_reads_in_english(site: Site, browser: Browser) -> None:
    res = context(browser).new_page()
    sign_in(res, site.url, site.resident_phone, r"/resident$")
    res.goto(f"{site.url}/resident/nursing")
    expect(res.get_by_role("heading", name="上门护理")).to_be_visible()
    res.get_by_test_id("lang-en").click()
    expect(res.get_by_role("heading", name="Home nursing")).to_be_visible()
    item = res.get_by_test_id("nursing-item").first
    expect(item.get_by_test_id("item-name")).to_have_text("Dressing change")
    expect(item).to_contain_text("home-visit fee ¥120.00")
    expect(item.get_by_test_id("item-risk")).to_have_text("Medium risk")
    res.get_by_test_id("lang-zh").click()
    res.context.close()
