"""Staff on the consoles: an institution admin (password + TOTP) and a regulator (first sign-in enrols TOTP)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import parse_qs, urlparse

import pyotp
import pytest
from playwright.sync_api import Browser, Page, expect

from tests import builders as b
from tests.browser.conftest import fill, in_thread, open_page, shot
from tests.conftest import LiveServer
from yihu.config import get_settings
from yihu.db import Database
from yihu.registry import directory

pytestmark = [pytest.mark.browser, pytest.mark.live]

CENTRE = "秀洲区新城社区卫生服务中心"
HOSPITAL = "嘉兴市第一医院"


@dataclass(frozen=True)
class Site:
    url: str
    admin_phone: str
    admin_secret: str
    regulator_phone: str


async def _seed(url: str) -> tuple[str, str, str]:
    db = Database(get_settings(), url)
    today = date.today()
    try:
        async with db.sessionmaker() as s:
            centre = await b.institution(s, name=CENTRE, kind="chc")
            hospital = await b.institution(s, name=HOSPITAL, kind="tertiary_a")
            await b.department(s, centre, code="03")
            await b.department(s, centre, code="70")
            await b.department(s, hospital, code="04")
            nurse = await b.practitioner(s, centre, kind="nurse", title="supervisor_nurse", name="王静",
                                         practice_start=date(2012, 3, 1))
            await directory.add_credential(s, nurse.id, kind="home_care_training", number="HC-2025-001",
                                           issued_on=today - timedelta(days=100), expires_on=today + timedelta(days=600))
            await directory.add_credential(s, nurse.id, kind="picc", number="PICC-2019-007",
                                           issued_on=date(2019, 5, 1), expires_on=today - timedelta(days=30))
            young = await b.practitioner(s, centre, kind="nurse", title="nurse", name="陈晓",
                                         practice_start=date(today.year - 2, 9, 1))
            await directory.set_suspension(s, young.id, suspended=True, reason="待复核")
            doctor = await b.practitioner(s, centre, kind="doctor", title="attending_physician", name="李建华")
            await directory.add_credential(s, doctor.id, kind="prescription", number="RX-88",
                                           issued_on=date(2015, 1, 1), expires_on=None)
            await b.practitioner(s, centre, kind="pharmacist", title="pharmacist", name="周敏")
            await b.practitioner(s, hospital, kind="doctor", title="chief_physician", name="钱永康")
            await b.practitioner(s, hospital, kind="nurse", title="senior_nurse", name="孙丽")
            secret = pyotp.random_base32()
            admin_phone = b.phone()
            await b.staff(s, role="institution_admin", inst=centre, totp_secret=secret, phone_number=admin_phone)
            regulator_phone = b.phone()
            regulator = await b.staff(s, role="regulator", inst=None, phone_number=regulator_phone)
            regulator.totp_secret_enc = None  # never signed in: the first sign-in enrols the authenticator
            await b.done(s)
            return admin_phone, secret, regulator_phone
    finally:
        await db.dispose()


@pytest.fixture(scope="module")
def site(live_db_url: str, browser: Browser) -> Iterator[Site]:
    admin_phone, secret, regulator_phone = in_thread(_seed(live_db_url))
    server = LiveServer(live_db_url)
    server.start()
    try:
        yield Site(url=server.url, admin_phone=admin_phone, admin_secret=secret, regulator_phone=regulator_phone)
    finally:
        server.stop()
        in_thread(server.db.dispose())


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    p = open_page(browser)
    yield p
    p.context.close()


def password_step(page: Page, url: str, phone: str) -> None:
    page.goto(f"{url}/login")
    fill(page, "login-phone", phone)
    fill(page, "login-password", b.PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("totp-code")).to_be_visible()


def rows(page: Page, table: str) -> object:
    return page.locator(f"[data-testid={table}] .el-table__body-wrapper tr.el-table__row")


def test_regulator_enrols_totp_and_sees_the_overview(site: Site, page: Page) -> None:
    # First in the module: the admin's test below adds a department to the centre.
    password_step(page, site.url, site.regulator_phone)
    uri = page.get_by_test_id("totp-enroll-uri").input_value()
    assert uri.startswith("otpauth://totp/")
    expect(page.get_by_test_id("totp-enrollment")).to_contain_text("身份验证器")
    shot(page, "regulator-1-totp-enrolment")
    secret = parse_qs(urlparse(uri).query)["secret"][0]
    fill(page, "totp-code", pyotp.TOTP(secret).now())
    page.get_by_test_id("totp-submit").click()

    expect(page).to_have_url(re.compile(r"/regulator$"))
    table = rows(page, "overview-table")
    expect(table).to_have_count(2)
    centre = table.filter(has_text=CENTRE)
    expect(centre.locator("td")).to_have_text([re.compile(CENTRE), "社区卫生服务中心", "2", "1", "2", "1", "1", "0"])
    expect(table.filter(has_text=HOSPITAL).locator("td")).to_have_text(
        [re.compile(HOSPITAL), "三级甲等医院", "1", "1", "1", "0", "0", "0"])
    expect(page.locator("[data-testid=overview-table] .el-table__footer td")).to_have_text(
        ["合计", "", "3", "2", "3", "1", "1", "0"])
    expect(page.get_by_test_id("stat-institutions").locator(".value")).to_have_text("2")
    expect(page.locator("[data-testid=overview-chart] canvas")).to_have_count(1)
    expect(page.get_by_test_id("generated-at")).to_contain_text("统计时间")
    expect(page.get_by_test_id("settlements-count")).to_have_text("0")  # nothing paid online yet in this region
    expect(page.get_by_test_id("settlements")).to_contain_text("按每笔线上结算节省5分钟")
    shot(page, "regulator-2-overview")


def test_institution_admin_signs_in_with_totp_and_sees_practitioners(site: Site, page: Page) -> None:
    password_step(page, site.url, site.admin_phone)
    expect(page.get_by_test_id("totp-enrollment")).to_have_count(0)
    fill(page, "totp-code", "000000" if pyotp.TOTP(site.admin_secret).now() != "000000" else "111111")
    page.get_by_test_id("totp-submit").click()
    expect(page.get_by_test_id("login-error")).to_have_text("动态验证码错误或已使用。")
    fill(page, "totp-code", pyotp.TOTP(site.admin_secret).now())
    page.get_by_test_id("totp-submit").click()

    expect(page).to_have_url(re.compile(r"/console$"))
    expect(page.get_by_test_id("institution-name")).to_have_text(CENTRE)
    expect(page.get_by_test_id("stat-nurses").locator(".value")).to_have_text("2")
    expect(page.get_by_test_id("stat-doctors").locator(".value")).to_have_text("1")
    expect(page.get_by_test_id("stat-suspended").locator(".value")).to_have_text("1")
    table = rows(page, "practitioners-table")
    expect(table).to_have_count(4)
    wang = table.filter(has_text="王静")
    expect(wang).to_contain_text("主管护师")
    valid = wang.get_by_test_id("cred-valid")
    expect(valid).to_contain_text("互联网+护理服务岗前培训合格证")
    expect(valid).to_have_class(re.compile(r"el-tag--success"))
    expired = wang.get_by_test_id("cred-expired")
    expect(expired).to_contain_text("PICC专科护士证书 · 已过期")
    expect(expired).to_have_class(re.compile(r"el-tag--danger"))
    expect(expired).to_have_css("background-color", "rgb(245, 108, 108)")
    expect(table.filter(has_text="李建华").get_by_test_id("cred-valid")).to_contain_text("长期有效")
    expect(table.filter(has_text="陈晓").get_by_test_id("suspended")).to_have_text("暂停执业")
    expect(page.get_by_test_id("departments-table")).to_contain_text("护理部")
    shot(page, "console-1-practitioners")

    page.get_by_test_id("kind-doctor").click()
    expect(table).to_have_count(1)
    expect(table.first).to_contain_text("李建华")
    page.get_by_test_id("kind-all").click()
    expect(table).to_have_count(4)

    page.get_by_test_id("add-department").click()
    page.locator("[data-testid=dept-code] .el-select__wrapper").click()
    page.locator(".el-select-dropdown__item", has_text="07 儿科").click()
    page.get_by_test_id("dept-submit").click()
    expect(rows(page, "departments-table")).to_have_count(3)
    expect(page.get_by_test_id("departments-table")).to_contain_text("儿科")
    expect(page.get_by_test_id("stat-departments").locator(".value")).to_have_text("3")

    page.get_by_test_id("add-department").click()
    page.locator("[data-testid=dept-code] .el-select__wrapper").click()
    page.locator(".el-select-dropdown__item", has_text="07 儿科").click()
    page.get_by_test_id("dept-submit").click()
    expect(page.locator("[data-testid=dept-code] .el-form-item__error")).to_have_text("本机构已有该科室编码。")
    expect(page.get_by_test_id("dept-error")).to_have_count(0)
    shot(page, "console-2-department-code-taken")


def test_console_labels_switch_to_english(site: Site, page: Page) -> None:
    password_step(page, site.url, site.admin_phone)
    totp = pyotp.TOTP(site.admin_secret)
    # The previous test used this step's code; the server accepts one step of drift and refuses a replay.
    fill(page, "totp-code", totp.at(int(time.time()) + totp.interval))
    page.get_by_test_id("totp-submit").click()
    expect(page.get_by_test_id("institution-name")).to_have_text(CENTRE)
    expect(page.get_by_test_id("stat-nurses")).to_contain_text("护士")
    page.get_by_test_id("lang-en").click()
    expect(page.get_by_test_id("stat-nurses")).to_contain_text("Nurses")
    table = rows(page, "practitioners-table")
    wang = table.filter(has_text="王静")
    expect(wang).to_contain_text("Supervisor nurse")
    expect(wang.get_by_test_id("cred-expired")).to_contain_text("PICC specialty nurse certificate · Expired")
    expect(page.get_by_test_id("kind-doctor")).to_have_text("Doctor")
    expect(page.get_by_test_id("logout")).to_have_text("Sign out")
    expect(page.locator("[data-testid=practitioners-table] .el-table__header")).to_contain_text("Years of practice")
    shot(page, "english-3-console")
    page.get_by_test_id("logout").click()
    expect(page.get_by_test_id("login-submit")).to_have_text("Sign in")
