"""In Chromium, under the Content-Security-Policy: the pages that run scripts (board, citizen
screen, console, hall, a printed document, the admin, the API docs) break none of its rules,
and the print and window buttons still work without inline handlers."""

import pytest

from servicehall.demo.services import seed_demo

from .conftest import pair_screen
from .test_org_browser import log_in
from .test_queue_browser import event_server  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _watch(page):
    refused = []
    page.on(
        "console",
        lambda msg: refused.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    return refused


def test_no_page_breaks_the_content_security_policy(live_server, browser, event_server):  # noqa: F811
    seed_demo()
    base = live_server.url
    context = browser.new_context(locale="zh-CN", bypass_csp=False)
    page = context.new_page()
    refused = _watch(page)
    page.goto(f"{base}/board/kf-gulou-hukou/")
    page.wait_for_selector("#link.up")  # the stream is up (no wait_for_function: no eval)
    page.goto(f"{base}/guide/passport-issue/card/")
    page.evaluate("() => { window.print = () => { window.printed = true; }; }")
    page.click("button[data-print]")
    assert page.evaluate("() => window.printed === true")  # it works without onclick
    device = browser.new_context(locale="zh-CN", bypass_csp=False)
    pair_screen(device, base)
    screen = device.new_page()
    refused_screen = _watch(screen)
    screen.goto(f"{base}/screen/")
    screen.wait_for_selector("#link.up")
    log_in(page, base, "admin")
    for path in ("/admin/", "/admin/org/unit/", "/api/v1/docs", "/org/"):
        page.goto(base + path, wait_until="networkidle")
    log_in(page, base, "dutylead")
    page.goto(f"{base}/console/hall/")
    page.wait_for_timeout(1000)  # its stream opens
    page.goto(f"{base}/console/")
    page.wait_for_timeout(500)
    assert refused == [] and refused_screen == []
    context.close()
    device.close()
