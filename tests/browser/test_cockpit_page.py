"""The nursing cockpit page: the regulator and an institution admin sign in (password + TOTP), open the cockpit on
October 2026 of the hand-built world (tests/cockpit/seed.py), and read the same figures as the API gives."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pyotp
import pytest
from playwright.sync_api import Browser, Page, expect

from tests import builders as b
from tests.browser.conftest import fill, in_thread, open_page, shot
from tests.cockpit.seed import seed
from tests.conftest import LiveServer
from tests.nursing import builders as nb
from yihu.config import get_settings
from yihu.db import Database

pytestmark = [pytest.mark.browser, pytest.mark.live]

PERIOD = "from=2026-10-01&to=2026-10-31"  # the page's range is inclusive; the API's `to` is exclusive


@dataclass(frozen=True)
class Login:
    phone: str
    secret: str
    headers: dict[str, str]


@dataclass(frozen=True)
class Site:
    url: str
    regulator: Login
    regulator2: Login  # a second sign-in by the same account could reuse a TOTP code in the same 30 s
    admin: Login
    inst_a: str
    resident: dict[str, str]
    order: dict[str, object]


async def _seed(url: str) -> tuple[list[Login], str, dict[str, str], dict[str, object]]:
    db = Database(get_settings(), url)
    try:
        async with db.sessionmaker() as s:
            world = await seed(s)
            logins = []
            for role, inst in (("regulator", None), ("regulator", None), ("institution_admin", world.w.inst)):
                secret, phone = pyotp.random_base32(), b.phone()
                acc = await b.staff(s, role=role, inst=inst, totp_secret=secret, phone_number=phone)
                logins.append(Login(phone=phone, secret=secret, headers=b.auth(acc)))
            await b.done(s)
            return logins, world.w.inst.name, b.auth(world.w.resident), nb.order_body(world.w)
    finally:
        await db.dispose()


@pytest.fixture(scope="module")
def site(live_db_url: str, browser: Browser) -> Iterator[Site]:
    (regulator, regulator2, admin), inst_a, resident, order = in_thread(_seed(live_db_url))
    server = LiveServer(live_db_url)
    server.start()
    try:
        yield Site(url=server.url, regulator=regulator, regulator2=regulator2, admin=admin, inst_a=inst_a, resident=resident, order=order)
    finally:
        server.stop()
        in_thread(server.db.dispose())


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    p = open_page(browser)
    yield p
    p.context.close()


def sign_in(page: Page, url: str, who: Login) -> None:
    page.goto(f"{url}/login")
    fill(page, "login-phone", who.phone)
    fill(page, "login-password", b.PASSWORD)
    page.get_by_test_id("login-submit").click()
    fill(page, "totp-code", pyotp.TOTP(who.secret).now())
    page.get_by_test_id("totp-submit").click()


def api(site: Site, who: Login) -> dict:
    r = httpx.get(f"{site.url}/api/v1/cockpit/nursing?from=2026-10-01&to=2026-11-01", headers=who.headers)
    assert r.status_code == 200, r.text
    return r.json()


def js(value: object) -> str:
    """How the page writes a number into data-value (JavaScript drops a float's ".0")."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def kpis_match(page: Page, c: dict) -> None:
    t, live = c["totals"], c["live"]
    raw = {"orders": t["orders"], "completed": t["completed"], "in_progress": live["in_progress"],
           "alarms_open": live["alarms_open"], "revenue": t["revenue_fen"], "avg_rating": t["avg_rating"],
           "satisfied": t["satisfied_share"], "median_to_visit": t["median_to_visit_min"]}
    for key, value in raw.items():
        expect(page.get_by_test_id(f"kpi-{key}")).to_have_attribute("data-value", js(value))
    expect(page.get_by_test_id("kpi-revenue")).to_have_text(f"¥{t['revenue_fen'] / 100:.2f}")
    expect(page.get_by_test_id("kpi-satisfied")).to_have_text(f"{t['satisfied_share'] * 100:.1f}%")


def test_the_regulator_reads_the_same_figures_as_the_api(site: Site, page: Page) -> None:
    sign_in(page, site.url, site.regulator)
    expect(page).to_have_url(re.compile(r"/regulator$"))
    page.get_by_test_id("nav-cockpit").click()
    expect(page).to_have_url(re.compile(r"/cockpit$"))
    page.goto(f"{site.url}/cockpit?{PERIOD}")
    c = api(site, site.regulator)
    assert (c["totals"]["orders"], c["totals"]["revenue_fen"], c["live"]["in_progress"]) == (7, 85400, 2)
    kpis_match(page, c)
    expect(page.get_by_test_id("kpi-avg_rating")).to_have_text("4.00")
    expect(page.get_by_test_id("kpi-median_to_visit")).to_have_text("600 分钟")
    expect(page.get_by_test_id("status-rated")).to_have_text("3")
    expect(page.locator("[data-testid=table-institutions] .el-table__body-wrapper tr.el-table__row")).to_have_count(2)
    expect(page.locator("[data-testid=table-consumables] .el-table__body-wrapper tr.el-table__row")).to_have_count(4)
    expect(page.get_by_test_id("live-awaiting_review")).to_have_text(str(c["live"]["awaiting_review"]))
    for chart in ("chart-status", "chart-daily", "chart-institutions"):
        expect(page.locator(f"[data-testid={chart}] canvas")).to_have_count(1)
    shot(page, "cockpit-1-regulator")


def test_the_figures_follow_a_new_order_without_reloading(site: Site, page: Page) -> None:
    sign_in(page, site.url, site.regulator2)
    expect(page).to_have_url(re.compile(r"/regulator$"))
    page.goto(f"{site.url}/cockpit")  # this month, the default
    r = httpx.get(f"{site.url}/api/v1/cockpit/nursing", headers=site.regulator2.headers)
    before, review = r.json()["totals"]["orders"], r.json()["live"]["awaiting_review"]
    assert r.json()["live"]["today"]["orders"] == 1  # the seed's a8, placed just now
    expect(page.get_by_test_id("kpi-orders")).to_have_attribute("data-value", str(before))
    expect(page.get_by_test_id("live-today_orders")).to_have_text("1")
    r = httpx.post(f"{site.url}/api/v1/nursing/orders", json=site.order, headers=site.resident)
    assert r.status_code == 201, r.text
    # the live poll (every 5 s) sees the new step and the period figures are read again
    expect(page.get_by_test_id("live-today_orders")).to_have_text("2", timeout=15_000)
    expect(page.get_by_test_id("kpi-orders")).to_have_attribute("data-value", str(before + 1), timeout=15_000)
    expect(page.get_by_test_id("live-awaiting_review")).to_have_text(str(review + 1))
    shot(page, "cockpit-3-after-a-new-order")


def test_an_institution_admin_sees_only_their_own(site: Site, page: Page) -> None:
    sign_in(page, site.url, site.admin)
    expect(page.get_by_test_id("nav-cockpit")).to_be_visible()
    page.goto(f"{site.url}/cockpit?{PERIOD}")
    c = api(site, site.admin)
    assert (c["totals"]["orders"], c["totals"]["revenue_fen"]) == (5, 60600)
    kpis_match(page, c)
    expect(page.get_by_test_id("cockpit-scope")).to_contain_text(site.inst_a)
    expect(page.get_by_test_id("cockpit-institution")).to_have_count(0)
    expect(page.locator("[data-testid=table-institutions] .el-table__body-wrapper tr.el-table__row")).to_have_count(1)
    shot(page, "cockpit-2-institution-admin")
