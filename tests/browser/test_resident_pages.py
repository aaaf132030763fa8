"""A resident on the phone pages: sign-in, family cards (spouse, child with guardian consent), profile,
the English switch, a wrong password and registration errors — all through the built web app."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest
from playwright.sync_api import Browser, Page, expect

from tests import builders as b
from tests.browser.conftest import fill, in_thread, open_page, shot
from tests.conftest import LiveServer
from yihu.config import get_settings
from yihu.db import Database
from yihu.notify.service import deliver_pending, recorded_sms
from yihu.registry import cards

pytestmark = [pytest.mark.browser, pytest.mark.live]


@dataclass(frozen=True)
class Resident:
    phone: str
    id_number: str


@dataclass(frozen=True)
class Site:
    url: str
    db_url: str
    main: Resident
    english: Resident
    careless: Resident
    texter: Resident


async def _resident_with_own_card(session: object, name: str, born: date, card_number: str) -> Resident:
    idn = b.id_number(born)
    phone = b.phone()
    acc = await b.resident(session, name=name, id_no=idn, phone_number=phone)  # type: ignore[arg-type]
    await cards.bind(session, account_id=acc.id, holder_patient_id=acc.patient_id,  # type: ignore[arg-type]
                     req=cards.BindRequest(card_type="insurance", card_number=card_number, relation="self",
                                           name=name, id_number=idn))
    return Resident(phone=phone, id_number=idn)


async def _seed(url: str) -> tuple[Resident, Resident, Resident, Resident]:
    db = Database(get_settings(), url)
    try:
        async with db.sessionmaker() as s:
            await b.institution(s, name="秀洲区新城社区卫生服务中心")
            main = await _resident_with_own_card(s, "张三明", date(1986, 4, 12), "330400001111")
            english = await _resident_with_own_card(s, "王丽华", date(1979, 11, 3), "330400002222")
            careless = await _resident_with_own_card(s, "赵建国", date(1968, 1, 20), "330400003333")
            texter = await _resident_with_own_card(s, "钱小红", date(1992, 8, 8), "330400007777")
            await b.done(s)
            return main, english, careless, texter
    finally:
        await db.dispose()


async def _last_sms(url: str, phone: str) -> str:
    db = Database(get_settings(), url)
    try:
        async with db.sessionmaker() as s:
            return (await recorded_sms(s, phone, limit=1))[0]
    finally:
        await db.dispose()


async def _deliver(url: str) -> int:
    """What ``yihu worker`` does: send the queued messages (the tests turn inline delivery off)."""
    db = Database(get_settings(), url)
    try:
        return await deliver_pending(db)
    finally:
        await db.dispose()


@pytest.fixture(scope="module")
def site(live_db_url: str, browser: Browser) -> Iterator[Site]:
    main, english, careless, texter = in_thread(_seed(live_db_url))
    server = LiveServer(live_db_url)
    server.start()
    try:
        yield Site(url=server.url, db_url=live_db_url, main=main, english=english, careless=careless,
                   texter=texter)
    finally:
        server.stop()
        in_thread(server.db.dispose())


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    p = open_page(browser, phone=True)
    yield p
    p.context.close()


def sign_in(page: Page, url: str, phone: str, password: str = b.PASSWORD) -> None:
    page.goto(f"{url}/login")
    fill(page, "login-phone", phone)
    fill(page, "login-password", password)
    page.get_by_test_id("login-submit").click()


def masked(id_number: str) -> str:
    return id_number[:4] + "*" * 10 + id_number[-4:]


def bind_card(page: Page, *, number: str, relation: str, name: str, id_number: str) -> None:
    page.get_by_test_id("add-card").click()
    expect(page).to_have_url(re.compile(r"/resident/cards/new$"))
    page.get_by_test_id("card-type-insurance").click()
    fill(page, "add-card-number", number)
    page.get_by_test_id(f"relation-{relation}").click()
    fill(page, "add-name", name)
    fill(page, "add-id-number", id_number)


def test_resident_binds_a_spouse_and_a_child_card(site: Site, page: Page) -> None:
    sign_in(page, site.url, site.main.phone)
    expect(page).to_have_url(re.compile(r"/resident$"))
    expect(page.get_by_test_id("user-name")).to_contain_text("张三明")
    expect(page.get_by_test_id("card-item")).to_have_count(1)
    expect(page.get_by_test_id("card-count")).to_have_text("已绑定 1/5 张")
    expect(page.get_by_test_id("card-id-number")).to_have_text(masked(site.main.id_number))
    shot(page, "resident-1-cards-before")

    spouse_id = b.id_number(date(1988, 9, 20), female=True)
    bind_card(page, number="330400004444", relation="spouse", name="李秀英", id_number=spouse_id)
    expect(page.get_by_test_id("guardian-box")).to_have_count(0)
    page.get_by_test_id("add-submit").click()
    expect(page).to_have_url(re.compile(r"/resident$"))
    expect(page.get_by_test_id("card-item")).to_have_count(2)

    today = date.today()
    child_id = b.id_number(date(today.year - 6, 3, 1))
    bind_card(page, number="330400005555", relation="child", name="张小宝", id_number=child_id)
    expect(page.get_by_test_id("consent-text")).to_contain_text("法定监护人")
    page.get_by_test_id("add-submit").click()
    expect(page.get_by_test_id("consent-error")).to_have_text("为未满14周岁的儿童绑卡，须勾选同意监护人授权书。")
    expect(page).to_have_url(re.compile(r"/resident/cards/new$"))
    shot(page, "resident-2-child-consent-refused")

    page.get_by_test_id("add-consent").click()
    expect(page.get_by_test_id("consent-error")).to_have_count(0)
    page.get_by_test_id("add-submit").click()
    expect(page).to_have_url(re.compile(r"/resident$"))
    items = page.get_by_test_id("card-item")
    expect(items).to_have_count(3)
    expect(page.get_by_test_id("card-count")).to_have_text("已绑定 3/5 张")
    expect(page.get_by_test_id("card-relation")).to_have_text(["本人", "配偶", "子女"])
    expect(page.get_by_test_id("card-patient")).to_have_text(["张三明", "李秀英", "张小宝"])
    expect(page.get_by_test_id("card-id-number")).to_have_text(
        [masked(site.main.id_number), masked(spouse_id), masked(child_id)])
    expect(page.get_by_test_id("card-number").nth(2)).not_to_contain_text("330400005555")
    expect(items.nth(2)).to_contain_text("已获监护人授权")
    expect(items.nth(1)).not_to_contain_text("已获监护人授权")
    shot(page, "resident-3-three-cards")

    page.get_by_test_id("tab-profile").click()
    expect(page.get_by_test_id("my-id-number")).to_have_text(masked(site.main.id_number))
    page.get_by_test_id("reveal-id").click()
    expect(page.get_by_test_id("my-id-number")).to_have_text(site.main.id_number)
    shot(page, "resident-4-profile-revealed")
    page.get_by_test_id("hide-id").click()
    expect(page.get_by_test_id("my-id-number")).to_have_text(masked(site.main.id_number))

    assert in_thread(_deliver(site.db_url)) == 2  # one message per card bound on the page
    page.get_by_test_id("tab-messages").click()
    expect(page.get_by_test_id("message-item")).to_have_count(2)
    expect(page.get_by_test_id("message-item").first).to_contain_text("尾号5555")
    shot(page, "resident-5-messages")


def test_a_child_bound_without_a_guardian_relation_gets_the_server_message(site: Site, page: Page) -> None:
    sign_in(page, site.url, site.careless.phone)
    expect(page.get_by_test_id("card-item")).to_have_count(1)
    child_id = b.id_number(date(date.today().year - 3, 7, 7))
    bind_card(page, number="330400006666", relation="sibling", name="赵小妹", id_number=child_id)
    page.get_by_test_id("add-consent").click()
    page.get_by_test_id("add-submit").click()
    expect(page.get_by_test_id("consent-error")).to_have_text(
        "为未满14周岁的儿童绑卡须由监护人操作（关系选择子女或被监护人），并同意监护人授权书。")
    page.get_by_test_id("add-back").click()
    expect(page.get_by_test_id("card-item")).to_have_count(1)


def test_english_switch_changes_labels_and_is_remembered(site: Site, page: Page) -> None:
    page.goto(f"{site.url}/login")
    expect(page.get_by_test_id("login-submit")).to_have_text("登录")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    page.get_by_test_id("lang-en").click()
    expect(page.get_by_test_id("login-submit")).to_have_text("Sign in")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.reload()
    expect(page.get_by_test_id("login-submit")).to_have_text("Sign in")
    shot(page, "english-1-login")

    fill(page, "login-phone", site.english.phone)
    fill(page, "login-password", "not-the-password1")
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("login-error")).to_have_text("Wrong phone number or password.")

    fill(page, "login-password", b.PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("card-count")).to_have_text("1/5 cards bound")
    expect(page.get_by_test_id("card-relation")).to_have_text(["Self"])
    expect(page.get_by_test_id("tab-cards")).to_contain_text("Cards")
    expect(page.get_by_test_id("logout")).to_have_text("Sign out")
    shot(page, "english-2-cards")

    page.get_by_test_id("lang-zh").click()
    expect(page.get_by_test_id("card-count")).to_have_text("已绑定 1/5 张")
    expect(page.get_by_test_id("card-relation")).to_have_text(["本人"])
    page.get_by_test_id("logout").click()
    expect(page).to_have_url(re.compile(r"/login$"))


def test_wrong_password_shows_the_servers_chinese_message(site: Site, page: Page) -> None:
    sign_in(page, site.url, site.careless.phone, "Wrong-password-9")
    expect(page.get_by_test_id("login-error")).to_have_text("手机号或密码错误。")
    expect(page).to_have_url(re.compile(r"/login$"))
    shot(page, "login-wrong-password")


def test_registration_shows_the_servers_message_at_the_failing_field(site: Site, page: Page) -> None:
    page.goto(f"{site.url}/register")
    good = b.id_number(date(1990, 2, 14))
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    fill(page, "reg-name", "孙明远")
    fill(page, "reg-id-number", bad)
    fill(page, "reg-phone", b.phone())
    fill(page, "reg-password", b.PASSWORD)
    page.get_by_test_id("reg-submit").click()
    expect(page.locator("[data-testid=reg-id-number] .van-field__error-message")).to_have_text(
        "身份证号码校验位不正确，请核对后重新输入。")
    fill(page, "reg-id-number", good)
    fill(page, "reg-password", "short")
    page.get_by_test_id("reg-submit").click()
    expect(page.locator("[data-testid=reg-password] .van-field__error-message")).to_have_text(
        "密码至少8位，须同时包含字母和数字。")
    expect(page.locator("[data-testid=reg-id-number] .van-field__error-message")).to_have_count(0)
    shot(page, "register-password-weak")
    fill(page, "reg-password", b.PASSWORD)
    page.get_by_test_id("reg-submit").click()
    expect(page).to_have_url(re.compile(r"/resident$"))
    expect(page.get_by_test_id("no-cards")).to_be_visible()
    expect(page.get_by_test_id("user-name")).to_contain_text("孙明远")


def test_sms_code_sign_in_and_a_refreshed_access_token(site: Site, page: Page) -> None:
    page.goto(f"{site.url}/login")
    page.locator(".tab-sms").click()
    fill(page, "sms-phone", site.texter.phone)
    page.get_by_test_id("sms-send").click()
    expect(page.get_by_test_id("sms-sent")).to_have_text("如该手机号已注册，验证码已发送。")
    expect(page.get_by_test_id("sms-send")).to_be_disabled()
    assert in_thread(_deliver(site.db_url)) == 1
    text = in_thread(_last_sms(site.db_url, site.texter.phone))
    code = re.search(r"验证码为(\d{6})", text)
    assert code is not None, text
    fill(page, "sms-code", "000000" if code.group(1) != "000000" else "111111")
    page.get_by_test_id("sms-submit").click()
    expect(page.get_by_test_id("login-error")).to_have_text("短信验证码错误或已过期。")
    fill(page, "sms-code", code.group(1))
    page.get_by_test_id("sms-submit").click()
    expect(page).to_have_url(re.compile(r"/resident$"))
    expect(page.get_by_test_id("card-patient")).to_have_text(["钱小红"])

    # A stale access token: the first call gets 401 auth.token_invalid, the page refreshes and retries once.
    before = page.evaluate("JSON.parse(sessionStorage.getItem('yihu.session'))")
    page.evaluate("""() => {
        const s = JSON.parse(sessionStorage.getItem('yihu.session'))
        s.access = 'stale.token.value'
        sessionStorage.setItem('yihu.session', JSON.stringify(s))
    }""")
    with page.expect_response(lambda r: r.url.endswith("/api/v1/auth/refresh")) as refreshed:
        page.reload()
    assert refreshed.value.status == 200
    expect(page.get_by_test_id("card-patient")).to_have_text(["钱小红"])
    after = page.evaluate("JSON.parse(sessionStorage.getItem('yihu.session'))")
    assert after["access"] not in ("stale.token.value", before["access"])
    assert after["refresh"] != before["refresh"]

    page.get_by_test_id("logout").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    assert page.evaluate("sessionStorage.getItem('yihu.session')") is None
    page.goto(f"{site.url}/resident")
    expect(page).to_have_url(re.compile(r"/login\?next=/resident$"))


def test_binding_a_registered_person_needs_the_code_sent_to_their_phone(site: Site, page: Page) -> None:
    sign_in(page, site.url, site.careless.phone)
    expect(page.get_by_test_id("card-item")).to_have_count(1)
    bind_card(page, number="330400008888", relation="other", name="钱小红", id_number=site.texter.id_number)
    page.get_by_test_id("add-submit").click()
    hidden = site.texter.phone[:3] + "****" + site.texter.phone[-4:]
    expect(page.get_by_test_id("consent-notice")).to_contain_text(hidden)
    expect(page).to_have_url(re.compile(r"/resident/cards/new$"))
    page.get_by_test_id("send-consent-code").click()
    expect(page.get_by_test_id("consent-sent")).to_contain_text(hidden)
    assert in_thread(_deliver(site.db_url)) >= 1
    text = in_thread(_last_sms(site.db_url, site.texter.phone))
    assert "赵*国" in text
    code = re.search(r"验证码(\d{6})", text).group(1)  # type: ignore[union-attr]
    fill(page, "add-code", "000000" if code != "000000" else "111111")
    page.get_by_test_id("add-submit").click()
    expect(page.locator("[data-testid=add-code] .van-field__error-message")).to_have_text("验证码错误或已过期，请重新发送。")
    fill(page, "add-code", code)
    shot(page, "resident-6-consent-code")
    page.get_by_test_id("add-submit").click()
    expect(page).to_have_url(re.compile(r"/resident$"))
    expect(page.get_by_test_id("card-patient")).to_have_text(["赵建国", "钱小红"])
