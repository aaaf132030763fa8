"""The resident's inpatient pages through the built web app: 住院服务 lists the family's stays with their balances;
the cost query shows charges and deposits; a ¥1000 top-up paid with WeChat in the sandbox cashier raises the balance
by exactly ¥1000.00 once the channel's signed notification arrives; an amount out of range shows the server's
message and opens nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import func, select

from tests import builders as b
from tests.browser.conftest import fill, in_thread, open_page, serving, shot
from yihu.billing import admissions, sandbox
from yihu.billing.models import Bill
from yihu.config import get_settings
from yihu.db import Database, utcnow
from yihu.registry import cards
from yihu.registry import service as registry

pytestmark = [pytest.mark.browser, pytest.mark.live]

HOSPITAL = "嘉兴市第一医院"
WARD = "心内科一病区"
# 床位费 3 × ¥80.00, 心电图 ¥50.00, 静脉输液 2 × ¥35.60: ¥361.20 charged, nothing deposited yet.
CHARGES = (("床位费", 3, 8000), ("心电图", 1, 5000), ("静脉输液", 2, 3560))


@dataclass(frozen=True)
class Site:
    url: str
    db_url: str
    phone: str  # 张三明, with his wife 李秀英 bound; she is in hospital, he was discharged last month
    admission_id: str


async def _seed(url: str) -> Site:
    db = Database(get_settings(), url)
    try:
        async with db.sessionmaker() as s:
            hospital = await b.institution(s, name=HOSPITAL, kind="tertiary_a")
            dep = await b.department(s, hospital, code="03")
            idn = b.id_number(date(1986, 4, 12))
            phone = b.phone()
            acc = await b.resident(s, name="张三明", id_no=idn, phone_number=phone)
            await cards.bind(s, account_id=acc.id, holder_patient_id=acc.patient_id,
                             req=cards.BindRequest(card_type="insurance", card_number="330400001111", relation="self",
                                                   name="张三明", id_number=idn))
            _, wife = await cards.bind(s, account_id=acc.id, holder_patient_id=acc.patient_id,
                                       req=cards.BindRequest(card_type="insurance", card_number="330400004444",
                                                             relation="spouse", name="李秀英",
                                                             id_number=b.id_number(date(1988, 9, 20), female=True)))
            for patient_id in (acc.patient_id or "", wife.id):
                await registry.link(s, patient_id, hospital.id, "visit_card")
            earlier = await admissions.admit(s, institution_id=hospital.id, patient_id=acc.patient_id or "",
                                             ward="普外科病区", bed="3", now=utcnow() - timedelta(days=40))
            await admissions.discharge(s, earlier, now=utcnow() - timedelta(days=33))
            stay = await admissions.admit(s, institution_id=hospital.id, patient_id=wife.id, ward=WARD, bed="12",
                                          department_id=dep.id, now=utcnow() - timedelta(days=2))
            for item, qty, unit in CHARGES:
                await admissions.add_charge(s, stay, item=item, quantity=qty, unit_fen=unit, recorded_by=None)
            await b.done(s)
            return Site(url="", db_url=url, phone=phone, admission_id=stay.id)
    finally:
        await db.dispose()


async def _deliver_payments(url: str) -> int:
    """What the worker does: the sandbox channel's signed notifications reach the platform."""
    db = Database(get_settings(), url)
    try:
        return await sandbox.deliver_pending(db, sandbox.direct_poster(db))
    finally:
        await db.dispose()


async def _balance(url: str, admission_id: str) -> tuple[int, int]:
    """The stay's balance in fen and how many deposit bills it has, read through the admissions service."""
    db = Database(get_settings(), url)
    try:
        async with db.sessionmaker() as s:
            costs = await admissions.costs(s, await admissions.get(s, admission_id))
            bills = await s.scalar(select(func.count()).select_from(Bill).where(
                Bill.reference == admissions.reference(admission_id)))
            return costs.balance_fen, int(bills or 0)
    finally:
        await db.dispose()


@pytest.fixture(scope="module")
def site(live_db_url: str, browser: Browser) -> Iterator[Site]:
    with serving(live_db_url, _seed(live_db_url)) as s:
        yield s


@pytest.fixture
def phone_page(browser: Browser) -> Iterator[Page]:
    p = open_page(browser, phone=True)
    yield p
    p.context.close()


def sign_in(page: Page, url: str, phone: str) -> None:
    page.goto(f"{url}/login")
    fill(page, "login-phone", phone)
    fill(page, "login-password", b.PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page).to_have_url(re.compile(r"/resident$"))


def test_resident_queries_costs_and_tops_up_the_deposit(site: Site, phone_page: Page) -> None:
    page = phone_page
    sign_in(page, site.url, site.phone)
    page.get_by_test_id("tab-profile").click()
    page.get_by_test_id("link-inpatient").click()
    expect(page).to_have_url(re.compile(r"/resident/inpatient$"))
    stays = page.get_by_test_id("admission-item")
    expect(stays).to_have_count(2)
    expect(stays.get_by_test_id("admission-patient")).to_have_text(["李秀英", "张三明"])
    expect(stays.get_by_test_id("admission-state")).to_have_text(["在院", "已出院"])
    current = stays.first
    expect(current.get_by_test_id("admission-place")).to_contain_text(HOSPITAL)
    expect(current.get_by_test_id("admission-place")).to_contain_text(f"内科 · {WARD} · 12床")
    expect(current.get_by_test_id("admission-balance")).to_have_text("−¥361.20")
    expect(current.get_by_test_id("admission-balance")).to_have_attribute("data-level", "negative")
    expect(stays.nth(1).get_by_test_id("admission-balance")).to_have_text("¥0.00")
    expect(stays.nth(1).get_by_test_id("admission-balance")).to_have_attribute("data-level", "")
    shot(page, "inpatient-1-admissions")

    current.click()
    expect(page).to_have_url(re.compile(rf"/resident/inpatient/{site.admission_id}$"))
    expect(page.get_by_test_id("balance")).to_have_text("−¥361.20")
    expect(page.get_by_test_id("balance-warning")).to_have_text("已欠费，请尽快充值")
    expect(page.get_by_test_id("charges-total")).to_have_text("¥361.20")
    expect(page.get_by_test_id("deposits-total")).to_have_text("¥0.00")
    expect(page.get_by_test_id("detail-hospital")).to_contain_text(HOSPITAL)
    rows = page.get_by_test_id("charge-item")
    expect(rows).to_have_count(3)
    for item, qty, unit in CHARGES:
        row = rows.filter(has_text=item)
        expect(row.get_by_test_id("charge-amount")).to_have_text(f"¥{qty * unit // 100}.{qty * unit % 100:02d}")
        expect(row).to_contain_text(f"¥{unit // 100}.{unit % 100:02d} × {qty}")
    expect(page.get_by_test_id("deposit-item")).to_have_count(0)
    shot(page, "inpatient-2-costs")
    before, bills = in_thread(_balance(site.db_url, site.admission_id))
    assert (before, bills) == (-36120, 0)

    # Too small an amount: the server's rule and message; nothing is opened.
    page.get_by_test_id("top-up").click()
    sheet = page.get_by_test_id("deposit-sheet")
    fill(page, "amount-custom", "0.5")
    sheet.get_by_test_id("deposit-start").click()
    expect(sheet.get_by_test_id("deposit-error")).to_have_text("充值金额应在¥1.00至¥100,000.00之间。")
    shot(page, "inpatient-3-amount-refused")
    fill(page, "amount-custom", "12.345")
    sheet.get_by_test_id("deposit-start").click()
    expect(sheet.get_by_test_id("deposit-error")).to_have_text("请输入金额，最多两位小数")
    assert in_thread(_balance(site.db_url, site.admission_id)) == (-36120, 0)

    sheet.get_by_test_id("amount-1000").click()
    sheet.get_by_test_id("deposit-channel-wechat").click()
    shot(page, "inpatient-4-top-up")
    sheet.get_by_test_id("deposit-start").click()
    expect(sheet.get_by_test_id("deposit-pay-amount")).to_have_text("¥1,000.00")
    sheet.get_by_test_id("deposit-confirm").click()
    expect(sheet.get_by_test_id("deposit-waiting")).to_be_visible()
    assert in_thread(_deliver_payments(site.db_url)) == 1
    expect(page.get_by_test_id("balance")).to_have_text("¥638.80", timeout=15_000)
    expect(page.get_by_test_id("deposit-sheet")).to_be_hidden()
    expect(page.get_by_test_id("deposits-total")).to_have_text("¥1,000.00")
    expect(page.get_by_test_id("balance-warning")).to_have_count(0)
    deposit = page.get_by_test_id("deposit-item")
    expect(deposit).to_have_count(1)
    expect(deposit.get_by_test_id("deposit-amount")).to_have_text("¥1,000.00")
    expect(deposit.get_by_test_id("deposit-status")).to_have_text("已支付")
    expect(deposit).to_contain_text("微信支付")
    shot(page, "inpatient-5-topped-up")
    after, bills = in_thread(_balance(site.db_url, site.admission_id))
    assert (after - before, bills) == (100000, 1)

    page.get_by_test_id("admission-back").click()
    expect(page.get_by_test_id("admission-item").first.get_by_test_id("admission-balance")).to_have_text("¥638.80")
    expect(page.get_by_test_id("admission-item").first.get_by_test_id("admission-balance")).to_have_attribute(
        "data-level", "")
