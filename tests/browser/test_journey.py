"""The outpatient journey of seed 001 in Chromium, end to end: a resident books a doctor on the phone, pays, checks
in, watches the queue move by push, gets the "3 ahead" notice, is called, and reads the report pushed afterwards.
Screenshots under var/screenshots/journey-*.png."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from playwright.sync_api import Browser, Page, expect

from tests import builders as b
from tests.browser.conftest import fill, in_thread, open_page, serving, shot
from tests.queueing.clinic import booked, clinic_today
from yihu.auth.service import phone_of
from yihu.billing import sandbox
from yihu.config import get_settings
from yihu.db import Database
from yihu.kit import clock
from yihu.notify.service import deliver_pending
from yihu.queueing import service as queue
from yihu.reports import service as reports
from yihu.scheduling import booking

pytestmark = [pytest.mark.browser, pytest.mark.live]


@dataclass(frozen=True)
class Site:
    url: str
    db_url: str
    resident_phone: str
    patient_id: str
    doctor_phone: str
    institution_id: str
    institution_name: str
    clinic_name: str
    slot_time: str


async def _seed(url: str) -> Site:
    db = Database(get_settings(), url)
    try:
        async with db.sessionmaker() as s:
            inst = await b.institution(s, name="嘉兴市秀洲区中心医院", kind="tertiary_a")
            c = await clinic_today(s, slots=6, inst=inst)
            for slot, name in zip(c.slots[:4], ["李四海", "王五月", "赵六一", "钱七七"], strict=True):
                _h, appt = await booked(s, slot, name=name)
                await queue.check_in(s, await booking.get(s, appt.id), channel="kiosk")
            resident = await b.resident(s, name="张三明")
            await b.done(s)
            slot_time = c.slots[4].start_at.astimezone(clock.LOCAL).strftime("%H:%M")
            return Site("", url, phone_of(resident), resident.patient_id or "", phone_of(c.doctor), inst.id,
                        inst.name, c.sched.name, slot_time)
    finally:
        await db.dispose()


async def _deliver_payments(url: str) -> int:
    db = Database(get_settings(), url)
    try:
        return await sandbox.deliver_pending(db, sandbox.direct_poster(db))
    finally:
        await db.dispose()


async def _publish_report(site: Site) -> None:
    """After the visit the hospital publishes the blood test; the notification goes out at once."""
    db = Database(get_settings(), site.db_url)
    try:
        async with db.sessionmaker() as s:
            s.info["db"] = db
            await reports.publish(s, institution_id=site.institution_id, patient_id=site.patient_id, author_id=None,
                                  data=reports.ReportInput(
                                      kind="lab", code="58410-2", code_system="loinc", title="血常规",
                                      effective_at=datetime.now(UTC),
                                      observations=[reports.ObservationInput(
                                          code="6690-2", code_system="loinc", display="白细胞计数",
                                          value=Decimal("11.20"), unit="10^9/L", low=Decimal("3.5"),
                                          high=Decimal("9.5"))]))
            await b.done(s)
        await deliver_pending(db)
    finally:
        await db.dispose()


@pytest.fixture(scope="module")
def site(live_db_url: str, browser: Browser) -> Iterator[Site]:
    with serving(live_db_url, _seed(live_db_url)) as s:
        yield s


def sign_in(page: Page, url: str, phone: str, landing: str) -> None:
    page.goto(f"{url}/login")
    fill(page, "login-phone", phone)
    fill(page, "login-password", b.PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page).to_have_url(re.compile(landing))


def test_book_pay_check_in_watch_the_queue_be_called_read_the_report(site: Site, browser: Browser) -> None:
    phone = open_page(browser, phone=True)
    sign_in(phone, site.url, site.resident_phone, r"/resident$")

    # Book the doctor's 5th place today.
    phone.get_by_test_id("tab-booking").click()
    phone.get_by_test_id("inst-item").filter(has_text=site.institution_name).click()
    phone.get_by_test_id("dept-item").first.click()
    phone.get_by_test_id("schedule-item").filter(has_text=site.clinic_name).click()
    phone.locator(f"[data-testid=slot-item][data-start='{site.slot_time}']").click()
    phone.locator("[data-testid=patient-option][data-name=张三明]").click()
    phone.get_by_test_id("confirm-booking").click()
    expect(phone.get_by_test_id("booked").get_by_test_id("booked-patient")).to_contain_text("张三明")
    shot(phone, "journey-1-booked")

    # Pay the registration fee in the sandbox cashier.
    phone.get_by_test_id("go-mine").click()
    item = phone.get_by_test_id("appt-item")
    expect(item).to_have_count(1)
    item.get_by_test_id("pay-appt").click()
    pay = phone.get_by_test_id("pay-sheet")
    pay.get_by_test_id("pay-channel-wechat").click()
    pay.get_by_test_id("pay-start").click()
    pay.get_by_test_id("pay-confirm").click()
    expect(pay.get_by_test_id("pay-waiting")).to_be_visible()  # the sandbox took the payment
    assert in_thread(_deliver_payments(site.db_url)) == 1
    expect(item.get_by_test_id("bill-status")).to_have_text("已支付", timeout=15_000)
    shot(phone, "journey-2-paid")

    # Check in from my appointments; number 5, four ahead.
    item.get_by_test_id("go-check-in").click()
    expect(phone).to_have_url(re.compile(r"/resident/queue$"))
    phone.get_by_test_id("check-in").click()
    phone.wait_for_url(re.compile(r"/resident/queue/[0-9a-f-]{36}$"))
    expect(phone.get_by_test_id("my-number")).to_have_text("5")
    expect(phone.get_by_test_id("ahead")).to_have_text("前面还有 4 位")
    shot(phone, "journey-3-checked-in")

    # The doctor calls from the calling desk; the resident's page moves by push.
    desk = open_page(browser)
    sign_in(desk, site.url, site.doctor_phone, r"/console")
    desk.goto(f"{site.url}/console/queue")
    desk.get_by_test_id("call-next").click()
    expect(phone.get_by_test_id("ahead")).to_have_text("前面还有 3 位")
    expect(phone.get_by_test_id("near-notice")).to_contain_text("前面只剩 3 位了")
    shot(phone, "journey-4-three-ahead")
    for n in range(2, 6):
        desk.get_by_test_id("finish").click()
        expect(desk.get_by_test_id("current-number")).to_have_text("暂无")
        desk.get_by_test_id("call-next").click()
        expect(desk.get_by_test_id("current-number")).to_contain_text(f"{n}号")
    expect(phone.get_by_test_id("your-turn")).to_contain_text("轮到您就诊了")
    shot(phone, "journey-5-your-turn")
    desk.get_by_test_id("finish").click()
    expect(phone.get_by_test_id("done")).to_have_text("本次就诊已完成")

    # The report is pushed to the resident, who reads it with its flag.
    in_thread(_publish_report(site))
    phone.goto(f"{site.url}/resident/messages")
    expect(phone.get_by_test_id("message-item").first).to_contain_text("血常规报告已出")
    shot(phone, "journey-6-report-notice")
    phone.goto(f"{site.url}/resident/reports")
    phone.get_by_test_id("report-item").first.click()
    row = phone.get_by_test_id("result-row")
    expect(row).to_have_count(1)
    expect(row).to_have_attribute("data-flag", "H")
    expect(row).to_contain_text("11.20")
    shot(phone, "journey-7-report")
    desk.context.close()
    phone.context.close()
