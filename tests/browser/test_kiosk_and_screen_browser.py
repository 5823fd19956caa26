"""In Chromium: the kiosk offers no green-channel number and, outside the unit's hours, says
when it opens; the citizen screen follows sign-in and sign-out without a reload, asks for a
rating when the visit finishes, keeps that prompt over a reload and drops it once rated; the
console's counts and boxes all carry labels."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from servicehall.demo.services import seed_demo
from servicehall.feedback.models import CallbackContact, Rating
from servicehall.org.models import Staff
from servicehall.queueing import services
from servicehall.queueing.models import Queue

from .conftest import pair_screen, serve_one
from .test_org_browser import log_in
from .test_queue_browser import event_server  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KIOSK = "kf-gulou-hukou"


def test_the_kiosk_has_no_green_button(live_server, page, shot):
    seed_demo()
    public = Queue.objects.filter(unit__code=KIOSK, active=True, green_channel=False)
    assert Queue.objects.filter(unit__code=KIOSK, green_channel=True).exists()  # reception has it
    page.set_viewport_size({"width": 1080, "height": 1920})
    page.goto(f"{live_server.url}/kiosk/{KIOSK}/")
    buttons = page.locator("button.kiosk-button")
    assert buttons.count() == public.count()
    assert not any("绿色通道" in text for text in buttons.all_inner_texts())
    assert "绿色通道：急事急办" in page.inner_text("main")  # it sends them to a window instead
    shot(page, "kiosk-no-green")


def test_outside_hours_the_kiosk_says_when_the_unit_opens(
    live_server, page, shot, settings, monkeypatch
):
    seed_demo()
    settings.SERVICEHALL = {**settings.SERVICEHALL, "OPENING_HOURS_ENFORCED": True}
    night = dt.datetime(2026, 12, 2, 3, 54, tzinfo=ZoneInfo("Asia/Shanghai"))  # a Wednesday
    monkeypatch.setattr(timezone, "now", lambda: night)  # the live server runs in this process
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/kiosk/{KIOSK}/")
    assert "本单位已下班，下次办公时间：12月2日 08:30" in page.inner_text("main")
    assert page.locator("button.kiosk-button").count() == 0
    assert page.locator("input[name=code]").count() == 0  # no check-in it would refuse
    shot(page, "kiosk-closed-phone")


def _visible(page, selector):
    return page.eval_on_selector(selector, "el => !el.closest('[hidden]')")


def test_the_citizen_screen_follows_sign_in_and_keeps_the_rating_prompt(
    live_server,
    browser,
    event_server,  # noqa: F811
    shot,
):
    seed_demo()
    base = live_server.url
    officer = Staff.objects.get(user__username="officer")
    ticket = services.take_ticket(queue=Queue.objects.get(unit__code=KIOSK, letter="A"))
    staff = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    console = staff.new_page()
    log_in(console, base, "officer")
    console.goto(f"{base}/console/")
    facing = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    pair_screen(facing, base)
    screen = facing.new_page()
    # opened before the officer signs in: nobody at the window yet
    screen.goto(f"{base}/screen/")
    screen.wait_for_function("document.getElementById('link').classList.contains('up')")
    assert screen.inner_text("#staff-name") == "—"

    console.click("#sign-in")
    screen.wait_for_function(
        f"document.getElementById('staff-name').textContent === {officer.name!r}", timeout=5000
    )
    assert officer.badge_no in screen.inner_text("#staff-badge")

    console.keyboard.press("n")
    screen.wait_for_function("document.getElementById('ticket').textContent === 'A001'")
    console.keyboard.press("s")
    console.wait_for_function(
        "document.getElementById('ticket-state').textContent.startsWith('办理中')"
    )
    console.keyboard.press("f")
    screen.wait_for_selector("#rate:not([hidden])", timeout=5000)
    assert screen.inner_text("#rate-ticket") == "A001"

    screen.reload()  # the prompt survives a reload
    screen.wait_for_selector("#rate:not([hidden])", timeout=5000)
    assert screen.inner_text("#rate-ticket") == "A001"
    assert screen.inner_text("#staff-name") == officer.name

    # dissatisfied: the reason and the optional call-back phone appear
    screen.click("label.level-1")
    assert _visible(screen, "#reason-field") and _visible(screen, "#callback-field")
    screen.fill("textarea[name=reason]", "等了很久没有人解释")
    screen.fill("input[name=callback_phone]", "1234567")
    assert not screen.eval_on_selector("#rate-form", "f => f.checkValidity()")  # 7 digits
    screen.fill("input[name=callback_phone]", "13812345678")
    assert not screen.eval_on_selector("#rate-form", "f => f.checkValidity()")  # no consent
    screen.check("input[name=callback_consent]")
    shot(screen, "citizen-screen-rating-callback")
    screen.click("#rate-form button[type=submit]")
    screen.wait_for_selector("#rate-status.ok", timeout=5000)
    rating = Rating.objects.get(ticket=ticket)
    assert rating.overall == 1 and rating.reason == "等了很久没有人解释"
    assert CallbackContact.objects.get(rating=rating).phone == "13812345678"

    screen.reload()  # rated: the prompt is gone for good
    screen.wait_for_function("document.getElementById('link').classList.contains('up')")
    assert not _visible(screen, "#rate")

    console.click("button[data-act=sign_out]")
    screen.wait_for_function(
        "document.getElementById('staff-name').textContent === '—'", timeout=5000
    )
    assert not _visible(screen, "#staff-badge")
    for context in (staff, facing):
        context.close()


def test_a_phone_the_server_refuses_asks_again_with_the_rating_kept(
    live_server,
    browser,
    event_server,  # noqa: F811
):
    seed_demo()
    base = live_server.url
    ticket = services.take_ticket(queue=Queue.objects.get(unit__code=KIOSK, letter="A"))
    staff = browser.new_context(locale="zh-CN")
    console = staff.new_page()
    log_in(console, base, "officer")
    console.goto(f"{base}/console/")
    console.click("#sign-in")
    console.wait_for_function("document.getElementById('status').textContent.trim() !== '已关闭'")
    facing = browser.new_context(locale="zh-CN")
    pair_screen(facing, base)
    screen = facing.new_page()
    screen.goto(f"{base}/screen/")
    screen.wait_for_function("document.getElementById('link').classList.contains('up')")
    serve_one(console)
    screen.wait_for_selector("#rate:not([hidden])", timeout=5000)
    screen.click("label.level-2")
    screen.fill("textarea[name=reason]", "材料清单和窗口说的不一样")
    # what an old device without the browser's check would send
    screen.eval_on_selector("input[name=callback_phone]", "el => el.removeAttribute('pattern')")
    screen.fill("input[name=callback_phone]", "1234567")
    screen.check("input[name=callback_consent]")
    screen.click("#rate-form button[type=submit]")
    screen.wait_for_selector("#callback-error:not([hidden])", timeout=5000)
    assert "请填写 11 位手机号码" in screen.inner_text("#callback-error")
    assert not Rating.objects.filter(ticket=ticket).exists()
    # the citizen's answers are still there: only the number is to fix
    assert screen.is_checked("label.level-2 input")
    assert screen.input_value("textarea[name=reason]") == "材料清单和窗口说的不一样"
    screen.fill("input[name=callback_phone]", "0371-25661234")
    screen.click("#rate-form button[type=submit]")
    screen.wait_for_selector("#rate-status.ok", timeout=5000)
    rating = Rating.objects.get(ticket=ticket)
    assert CallbackContact.objects.get(rating=rating).phone == "0371-25661234"
    for context in (staff, facing):
        context.close()


def test_every_box_and_count_on_the_console_has_a_label(live_server, page):
    seed_demo()
    services.take_ticket(queue=Queue.objects.get(unit__code=KIOSK, letter="A"))
    log_in(page, live_server.url, "officer")
    page.goto(f"{live_server.url}/console/")
    page.click("#sign-in")
    page.wait_for_function("document.querySelectorAll('#waiting li').length > 0")
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll('#console input, #console select')]
              .filter(el => el.type !== 'hidden' && !el.labels.length
                            && !el.getAttribute('aria-label'))
              .map(el => el.name || el.id)"""
    )
    assert unlabelled == []
    counts = page.locator("#waiting li").all_inner_texts()
    assert any(text.startswith("A") and "等候" in text for text in counts), counts
    assert all(not text.startswith("→") for text in counts), counts
    page.goto("about:blank")  # the console polls: stop it before the database is flushed


def test_the_leader_pairs_the_windows_device_in_the_browser(
    live_server,
    browser,
    event_server,  # noqa: F811
    shot,
):
    seed_demo()
    base = live_server.url
    office = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    leader = office.new_page()
    log_in(leader, base, "leader")
    leader.goto(f"{base}/reviews/devices/")
    from servicehall.org.models import Window

    w2 = Window.objects.get(unit__code=KIOSK, number=2)
    leader.select_option("#window", value=str(w2.pk))
    leader.fill("#name", "2号窗口平板")
    leader.click("text=登记并显示配对码")
    code = leader.inner_text(".pairing-code")
    shot(leader, "rating-devices-phone")
    tablet = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    device = tablet.new_page()
    device.goto(f"{base}/screen/")
    device.fill("#code", code.lower())
    device.click("form button:has-text('配对')")
    device.wait_for_function("document.getElementById('link').classList.contains('up')")
    assert "2号窗口" in device.inner_text("h1")
    # the credential is not readable by the page's scripts
    assert "servicehall_device" not in device.evaluate("document.cookie")
    leader.reload()
    assert "已配对" in leader.inner_text("table")
    leader.click("button:has-text('停用')")
    # the screen still open hears it and shows the pairing form by itself, no rating prompt
    device.wait_for_selector("text=配对此评价器", timeout=15000)
    assert "配对此评价器" in device.inner_text("main")
    # the whole code fits its box, on the tablet and on a phone
    for width, height in ((1280, 800), (390, 844)):
        device.set_viewport_size({"width": width, "height": height})
        device.fill("#code", "ABCDE-FGHJK")
        fits = "(() => { const i = document.getElementById('code'); "
        fits += "return i.scrollWidth <= i.clientWidth; })()"
        assert device.evaluate(fits), width
        shot(device, f"screen-pairing-{width}")
    for context in (office, tablet):
        context.close()
