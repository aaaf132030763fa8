"""The resident's phone pages: a report published for a bound child is notified and shown with its flags; triage
suggests 儿科 for 孩子发烧咳嗽 with free slots that lead to booking. Screenshots in var/screenshots."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from playwright.sync_api import Browser, Page, expect

from tests import builders as b
from tests.browser.conftest import browser, fill, in_thread, open_page, shot  # noqa: F401  (browser: fixture)
from tests.conftest import LiveServer
from tests.reports.seed import family
from yihu.auth.service import phone_of
from yihu.config import get_settings
from yihu.db import Database
from yihu.notify.service import deliver_pending
from yihu.reports import service

pytestmark = [pytest.mark.browser, pytest.mark.live]


@dataclass(frozen=True)
class Site:
    url: str
    db_url: str
    phone: str
    hospital_id: str
    doctor_id: str
    child_id: str
    schedule_id: str


async def _seed(url: str) -> tuple[str, str, str, str, str]:
    db = Database(get_settings(), url)
    try:
        async with db.sessionmaker() as s:
            f = await family(s)
            await b.department(s, f.hospital, code="07")
            sched = await b.doctor_schedule(s, f.hospital, slots=4, fee_fen=1500)
            await b.done(s)
            return phone_of(f.holder), f.hospital.id, f.doctor.id, f.child_id, sched.id
    finally:
        await db.dispose()


async def _publish_and_deliver(site: Site) -> None:
    db = Database(get_settings(), site.db_url)
    try:
        async with db.sessionmaker() as s:
            s.info["db"] = db
            data = service.ReportInput(
                kind="lab", code="58410-2", code_system="loinc", title="血常规",
                effective_at=datetime(2026, 11, 20, 0, 30, tzinfo=UTC),
                observations=[
                    service.ObservationInput(code="6690-2", code_system="loinc", display="白细胞计数",
                                             value=Decimal("12.60"), unit="10^9/L", low=Decimal("3.5"),
                                             high=Decimal("9.5")),
                    service.ObservationInput(code="718-7", code_system="loinc", display="血红蛋白",
                                             value=Decimal("98"), unit="g/L", low=Decimal("115"), high=Decimal("150")),
                    service.ObservationInput(code="777-3", code_system="loinc", display="血小板计数",
                                             value=Decimal("210"), unit="10^9/L", low=Decimal("125"),
                                             high=Decimal("350"))])
            await service.publish(s, institution_id=site.hospital_id, patient_id=site.child_id,
                                  author_id=site.doctor_id, data=data)
            await b.done(s)
        await deliver_pending(db)
    finally:
        await db.dispose()


@pytest.fixture(scope="module")
def site(live_db_url: str, browser: Browser) -> Iterator[Site]:  # noqa: F811
    phone, hospital_id, doctor_id, child_id, schedule_id = in_thread(_seed(live_db_url))
    server = LiveServer(live_db_url)
    server.start()
    try:
        yield Site(server.url, live_db_url, phone, hospital_id, doctor_id, child_id, schedule_id)
    finally:
        server.stop()
        in_thread(server.db.dispose())


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:  # noqa: F811
    p = open_page(browser, phone=True)
    yield p
    p.context.close()


def sign_in(page: Page, site: Site) -> None:
    page.goto(f"{site.url}/login")
    fill(page, "login-phone", site.phone)
    fill(page, "login-password", b.PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page).to_have_url(re.compile(r"/resident$"))


def test_a_report_for_a_bound_child_is_notified_and_shown_with_its_flags(site: Site, page: Page) -> None:
    sign_in(page, site)
    page.goto(f"{site.url}/resident/reports")
    expect(page.get_by_test_id("no-reports")).to_be_visible()

    in_thread(_publish_and_deliver(site))
    page.get_by_test_id("tab-messages").click()
    expect(page.get_by_test_id("message-item").first).to_contain_text("张小宝在嘉兴市第一医院的血常规报告已出，点击查看。")
    shot(page, "reports-1-notification")

    page.get_by_test_id("tab-profile").click()
    page.get_by_test_id("link-reports").click()
    expect(page).to_have_url(re.compile(r"/resident/reports$"))
    item = page.get_by_test_id("report-item")
    expect(item).to_have_count(1)
    expect(item.get_by_test_id("report-patient")).to_have_text("张小宝")
    expect(item.get_by_test_id("report-abnormal")).to_have_text("2项异常")
    shot(page, "reports-2-list")

    item.click()
    expect(page).to_have_url(re.compile(r"/resident/reports/[0-9a-f-]{36}$"))
    expect(page.get_by_test_id("detail-patient")).to_contain_text("张小宝")
    rows = page.get_by_test_id("result-row")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_have_attribute("data-flag", "H")
    expect(rows.nth(0)).to_contain_text("12.60")
    expect(rows.nth(0)).to_contain_text("3.5–9.5")
    expect(rows.nth(1)).to_have_attribute("data-flag", "L")
    expect(rows.nth(2)).to_have_attribute("data-flag", "N")
    expect(page.get_by_test_id("flag-H")).to_have_text("↑")
    expect(page.get_by_test_id("flag-L")).to_have_text("↓")
    shot(page, "reports-3-detail-flags")


def test_triage_suggests_paediatrics_with_free_slots(site: Site, page: Page) -> None:
    sign_in(page, site)
    page.goto(f"{site.url}/resident/triage")
    fill(page, "triage-text", "孩子发烧咳嗽")
    page.get_by_test_id("triage-submit").click()
    first = page.get_by_test_id("triage-suggestion").first
    expect(first).to_have_attribute("data-code", "07")
    expect(first.get_by_test_id("suggestion-name")).to_have_text("儿科")
    expect(first.get_by_test_id("suggestion-reasons")).to_contain_text("发烧、咳嗽")
    expect(first.get_by_test_id("suggestion-slot")).to_have_count(4)
    expect(first.get_by_test_id("suggestion-slot").first).to_contain_text("嘉兴市第一医院 · 儿科")
    shot(page, "triage-1-paediatrics")
    first.get_by_test_id("suggestion-slot").first.click()
    expect(page).to_have_url(re.compile(rf"/resident/book/{site.schedule_id}\?inst={site.hospital_id}$"))
    shot(page, "triage-2-slot-list")


def test_triage_red_flag_goes_to_emergency_first(site: Site, page: Page) -> None:
    sign_in(page, site)
    page.goto(f"{site.url}/resident/triage")
    fill(page, "triage-text", "胸口痛出冷汗")
    page.get_by_test_id("triage-submit").click()
    expect(page.get_by_test_id("triage-advice")).to_contain_text("请立即前往急诊或拨打120")
    expect(page.get_by_test_id("triage-suggestion").first).to_have_attribute("data-code", "20")
    shot(page, "triage-3-emergency")
