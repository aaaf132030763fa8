"""Shared by the home-nursing browser tests: browser contexts with (or without) a position, signing in (with TOTP
for the admin roles), a tiny valid PNG for uploads, and delivering the sandbox's payment notifications."""

from __future__ import annotations

import re
import time
from typing import Any

import pyotp
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests import builders as b
from tests.browser.conftest import DESKTOP, PHONE, fill
from yihu.billing import sandbox
from yihu.config import get_settings
from yihu.db import Database

# a 1×1 PNG (the server checks the magic bytes of documents and photos)
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


def context(browser: Browser, *, phone: bool = True, at: tuple[float, float] | None = None) -> BrowserContext:
    """A phone or desktop context in Shanghai; with ``at`` the page may read that position (geolocation granted)."""
    options: dict[str, Any] = dict(PHONE if phone else DESKTOP)
    if at is not None:
        options |= {"geolocation": {"latitude": at[0], "longitude": at[1]}, "permissions": ["geolocation"]}
    ctx = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **options)
    ctx.set_default_timeout(15_000)
    return ctx


def sign_in(page: Page, url: str, phone: str, landing: str, totp_secret: str | None = None,
            step_ahead: int = 0) -> None:
    """Password, then the TOTP code for admin roles (``step_ahead`` 1 for a second sign-in: a code is taken once)."""
    page.goto(f"{url}/login")
    fill(page, "login-phone", phone)
    fill(page, "login-password", b.PASSWORD)
    page.get_by_test_id("login-submit").click()
    if totp_secret:
        totp = pyotp.TOTP(totp_secret)
        fill(page, "totp-code", totp.at(int(time.time()) + step_ahead * totp.interval))
        page.get_by_test_id("totp-submit").click()
    expect(page).to_have_url(re.compile(landing))


async def deliver_payments(url: str) -> int:
    """The sandbox channel's notifications, delivered now (as the worker would)."""
    db = Database(get_settings(), url)
    try:
        return await sandbox.deliver_pending(db, sandbox.direct_poster(db))
    finally:
        await db.dispose()
