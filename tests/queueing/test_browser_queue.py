"""In Chromium: a resident checks in and watches the live queue page; the doctor calls from the console; the
resident's page moves by push, shows the "3 ahead" notice, then "your turn"; the waiting-room screen. Screenshots
under var/screenshots/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, Page, expect

from tests import builders as b
from tests.browser.conftest import browser, fill, open_page, shot  # noqa: F401 - the browser fixture
from tests.conftest import LiveServer, run_sync
from tests.queueing.clinic import booked, clinic_today
from yihu.auth.service import phone_of
from yihu.config import get_settings
from yihu.db import Database
from yihu.queueing import service
from yihu.scheduling import booking

pytestmark = [pytest.mark.browser, pytest.mark.live]


@dataclass(frozen=True)
class Site:
    url: str
    resident_phone: str
    doctor_phone: str
    department_id: str


async def _seed(url: str) -> tuple[str, str, str]:
    db = Database(get_settings(), url)
    try:
        async with db.sessionmaker() as s:
            c = await clinic_today(s, slots=6)
            for slot, name in zip(c.slots[:4], ["李四海", "王五月", "赵六一", "钱七七"], strict=True):
                _h, appt = await booked(s, slot, name=name)
                await service.check_in(s, await booking.get(s, appt.id), channel="kiosk")
            holder, _appt = await booked(s, c.slots[4], name="张三明")
            await b.done(s)
            return phone_of(holder), phone_of(c.doctor), c.sched.department_id
    finally:
        await db.dispose()


@pytest.fixture(scope="module")
def site(live_db_url: str) -> Iterator[Site]:
    resident, doctor, dep = run_sync(_seed(live_db_url))
    server = LiveServer(live_db_url)
    server.start()
    try:
        yield Site(server.url, resident, doctor, dep)
    finally:
        server.stop()


def login(page: Page, url: str, phone: str) -> None:
    page.goto(f"{url}/login")
    fill(page, "login-phone", phone)
    fill(page, "login-password", b.PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(re.compile(r"/(resident|console)"))


def test_check_in_watch_the_queue_be_called(site: Site, browser: Browser) -> None:  # noqa: F811
    phone = open_page(browser, phone=True)
    login(phone, site.url, site.resident_phone)
    phone.goto(f"{site.url}/resident/queue")
    expect(phone.get_by_test_id("checkin-item")).to_have_count(1)
    phone.get_by_test_id("check-in").click()
    phone.wait_for_url(re.compile(r"/resident/queue/[0-9a-f-]{36}$"))
    expect(phone.get_by_test_id("my-number")).to_have_text("5")
    expect(phone.get_by_test_id("position")).to_have_text("当前第 5 位")
    expect(phone.get_by_test_id("ahead")).to_have_text("前面还有 4 位")
    expect(phone.get_by_test_id("live-state")).to_have_text("实时更新")
    expect(phone.get_by_test_id("near-notice")).to_have_count(0)
    shot(phone, "queue-resident-checked-in")

    desk = open_page(browser)
    login(desk, site.url, site.doctor_phone)
    desk.goto(f"{site.url}/console/queue")
    expect(desk.get_by_test_id("waiting-table").locator("tbody tr")).to_have_count(5)
    expect(desk.get_by_test_id("current-number")).to_have_text("暂无")
    desk.get_by_test_id("call-next").click()
    expect(desk.get_by_test_id("current-number")).to_contain_text("1号 · 李四海")
    shot(desk, "queue-doctor-console")

    # Pushed to the resident: 3 ahead now (three waiting and one being seen), the notice shows.
    expect(phone.get_by_test_id("ahead")).to_have_text("前面还有 3 位")
    expect(phone.get_by_test_id("near-notice")).to_contain_text("前面只剩 3 位了")
    expect(phone.get_by_test_id("calling")).to_have_text("正在叫号：1号")
    shot(phone, "queue-resident-three-ahead")

    for n in range(2, 6):
        desk.get_by_test_id("finish").click()
        expect(desk.get_by_test_id("current-number")).to_have_text("暂无")
        desk.get_by_test_id("call-next").click()
        expect(desk.get_by_test_id("current-number")).to_contain_text(f"{n}号")
    expect(phone.get_by_test_id("your-turn")).to_contain_text("轮到您就诊了")
    expect(phone.get_by_test_id("position")).to_have_count(0)
    shot(phone, "queue-resident-your-turn")

    screen = open_page(browser)
    screen.goto(f"{site.url}/screen/{site.department_id}")
    expect(screen.get_by_test_id("screen-calling")).to_contain_text("请 5 号")
    expect(screen.get_by_test_id("screen-calling")).to_contain_text("张*明")
    shot(screen, "queue-department-screen")
    desk.get_by_test_id("finish").click()
    expect(phone.get_by_test_id("done")).to_have_text("本次就诊已完成")
