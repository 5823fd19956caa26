"""In Chromium: finish a visit at the console → the device at the window asks for a rating →
submitted with the network cut, then restored → exactly one rating stored (R-FB-1)."""

import pytest

from servicehall.demo.services import seed_demo
from servicehall.feedback.models import Rating

from .conftest import pair_screen, serve_one
from .test_org_browser import log_in
from .test_queue_browser import event_server  # noqa: F401 - the fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_rating_sent_offline_arrives_once(live_server, browser, event_server, shot):  # noqa: F811
    from servicehall.queueing import services
    from servicehall.queueing.models import Queue

    seed_demo()
    base = live_server.url
    services.take_ticket(queue=Queue.objects.get(unit__code="kf-gulou-hukou", letter="A"))
    staff = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    console = staff.new_page()
    log_in(console, base, "officer")
    console.goto(f"{base}/console/")
    console.click("#sign-in")
    console.wait_for_function("document.getElementById('status').textContent.trim() !== '已关闭'")
    tablet = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    pair_screen(tablet, base)
    device = tablet.new_page()
    device.goto(f"{base}/screen/")
    device.wait_for_function(
        "document.getElementById('link').classList.contains('up')", timeout=10000
    )
    serve_one(console)
    device.wait_for_selector("#rate:not([hidden])", timeout=10000)
    assert device.inner_text("#rate-ticket") == "A001"
    device.click("label.level-5")
    device.check("input[name=tags][value='态度热情']")
    shot(device, "rating-device")

    tablet.set_offline(True)
    device.click("#rate-form button[type=submit]")
    device.wait_for_selector(".rate-status.wait")
    assert Rating.objects.count() == 0  # not confirmed, kept on the device
    shot(device, "rating-device-offline")
    tablet.set_offline(False)
    device.wait_for_selector(".rate-status.ok", timeout=10000)
    assert Rating.objects.count() == 1
    rating = Rating.objects.get()
    assert rating.overall == 5 and rating.staff.name == "王建国" and rating.tags == ["态度热情"]
    device.reload()  # nothing left to send
    device.wait_for_timeout(2500)
    assert Rating.objects.count() == 1
    for context in (staff, tablet):
        context.close()


def test_the_link_on_the_slip_on_a_phone(live_server, browser, shot):
    from servicehall.feedback.services import link_for, seal
    from servicehall.org.permissions import actor_for
    from servicehall.queueing import services
    from servicehall.queueing.models import Queue

    seed_demo()
    unit_queue = Queue.objects.get(unit__code="kf-gulou-hukou", letter="A")
    ticket = services.take_ticket(queue=unit_queue)
    from django.contrib.auth import get_user_model

    officer = actor_for(get_user_model().objects.get(username="officer"))
    window = unit_queue.unit.windows.get(number=2)
    services.sign_in(actor=officer, window=window)
    services.call_next(actor=officer, window=window)
    services.start(actor=officer, ticket=ticket)
    services.finish(actor=officer, ticket=ticket)
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = phone.new_page()
    page.goto(f"{live_server.url}/rate/{link_for(ticket)}/")
    page.check("input[name=overall][value='2']")
    page.click("button[type=submit]")
    assert "请告诉我们哪里做得不好" in page.inner_text(".errorlist")  # and nothing was stored
    assert not Rating.objects.exists()
    page.fill("#id_reason", "等候时间太长")
    page.click("button[type=submit]")
    page.wait_for_selector("[role=status]")
    shot(page, "rate-link-phone")
    assert Rating.objects.get().channel == "link"
    phone.close()

    # sealed (the sealer does it within a second), the bad rating is now the unit leader's to
    # verify, put right and answer
    seal()
    office = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page = office.new_page()
    log_in(page, live_server.url, "leader")
    page.goto(f"{live_server.url}/reviews/")
    review = page.locator("section.review", has_text="等候时间太长")
    assert "待核实" in review.inner_text()
    shot(page, "bad-reviews")
    review.locator("textarea[name=finding]").fill("核实属实：当日窗口人手不足")
    review.get_by_role("button", name="已核实").click()
    page.wait_for_selector("section.review textarea[name=measures]")
    page.goto(f"{live_server.url}/ratings/kf-gulou-hukou/")  # 评价公示, public
    assert "差评回复率" in page.inner_text("table")
    shot(page, "ratings-published")
    office.close()
