"""Playwright driving Debian's Chromium against the live test server. Skipped, with the
reason printed in the test header, when Chromium is not installed."""

import os
from pathlib import Path

import pytest

from tests.conftest import CHROMIUM

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(config, items):
    if CHROMIUM:
        return
    skip = pytest.mark.skip(reason="no Chromium: apt-get install chromium fonts-wqy-microhei")
    for item in items:
        if "browser" in str(item.fspath):
            item.add_marker(skip)


class _CspTolerant:
    """The browser, its contexts made with bypass_csp: Playwright's wait_for_function
    evaluates its string in the page, which our Content-Security-Policy (no eval) refuses.
    tests/browser/test_csp_browser.py opens its contexts with bypass_csp=False."""

    def __init__(self, browser):
        self._browser = browser

    def new_context(self, **options):
        options.setdefault("bypass_csp", True)
        return self._browser.new_context(**options)

    def __getattr__(self, name):
        return getattr(self._browser, name)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django's ORM calls from the
    # test body are still synchronous and safe here. Only while the browser is open.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            yield _CspTolerant(browser)
            browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def shot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def _shot(page, name):
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return _shot


def pair_screen(context, base, unit="kf-gulou-hukou", number=2):
    """Make `context` the paired rating device of a window (the officer's, window 2, unless
    told), as the leader's pairing would leave it: its credential in an HttpOnly cookie."""
    from servicehall.feedback.services import DEVICE_COOKIE
    from servicehall.org.models import Window
    from tests.conftest import pair_device

    credential = pair_device(Window.objects.get(unit__code=unit, number=number))
    cookie = {"name": DEVICE_COOKIE, "value": credential, "url": base}
    context.add_cookies([{**cookie, "httpOnly": True, "sameSite": "Strict"}])


def serve_one(console):
    """At the console, from the keyboard: call the next number, start it, finish it."""
    console.keyboard.press("n")
    console.wait_for_function("document.getElementById('ticket').textContent !== '—'")
    console.keyboard.press("s")
    console.wait_for_function(
        "document.getElementById('ticket-state').textContent.startsWith('办理中')"
    )
    console.keyboard.press("f")
    console.wait_for_function("document.getElementById('ticket').textContent === '—'")
