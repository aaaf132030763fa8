"""Browser fixtures: the built web app on a live server, driven by Debian's chromium through Playwright."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.conftest import SCREENSHOTS, LiveServer, run_sync
from yihu.config import get_settings

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
PHONE = {"viewport": {"width": 400, "height": 860}, "device_scale_factor": 1, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1440, "height": 900}, "device_scale_factor": 1}


def require_built_web() -> None:
    index = Path(get_settings().web_dist) / "index.html"
    if not index.is_file():
        pytest.fail(f"{index} is missing: the browser tests drive the built web app. Run `make web` in the "
                    "repository root (and pytest from there).", pytrace=False)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    require_built_web()
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium).",
                    pytrace=False)
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def open_page(browser: Browser, *, phone: bool = False) -> Page:
    options: dict[str, Any] = dict(PHONE if phone else DESKTOP)
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **options)
    context.set_default_timeout(10_000)
    return context.new_page()


def shot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    # A passing toast or a fading loading mask would hide what the screenshot is for.
    for transient in (".van-toast", ".el-message", ".el-loading-mask"):
        page.locator(transient).first.wait_for(state="hidden")
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True, animations="disabled")
    return path


def fill(page: Page, testid: str, value: str) -> None:
    """Fill the input inside a form item marked with data-testid (Vant and Element Plus put it on the wrapper)."""
    page.locator(f"[data-testid={testid}] input, [data-testid={testid}] textarea").first.fill(value)


def in_thread(coro: Any) -> Any:
    """``run_sync`` on a worker thread: Playwright's sync API keeps an event loop running on this one."""
    out: dict[str, Any] = {}

    def target() -> None:
        try:
            out["value"] = run_sync(coro)
        except BaseException as exc:  # re-raised below, on the test's thread
            out["error"] = exc

    worker = threading.Thread(target=target)
    worker.start()
    worker.join()
    if "error" in out:
        raise out["error"]
    return out.get("value")


@contextmanager
def serving(db_url: str, seed: Coroutine[Any, Any, Any]) -> Iterator[Any]:
    """Seed the module's database, serve it live, and yield the seeded site (a dataclass) with the server's URL."""
    seeded = in_thread(seed)
    server = LiveServer(db_url)
    server.start()
    try:
        yield dataclasses.replace(seeded, url=server.url)
    finally:
        server.stop()
        in_thread(server.db.dispose())
