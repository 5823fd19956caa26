"""On a phone the navigation is a menu that opens; a unit leader lands on the hall console
and finds the bad reviews in the menu. A reloaded complaint confirmation files nothing new."""

import pytest

from servicehall.complaints.models import Complaint
from servicehall.demo.services import seed_demo

from .test_org_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_phone_menu_opens_and_leads_to_the_bad_reviews(live_server, browser, shot):
    seed_demo()
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    log_in(page, live_server.url, "dutylead")
    assert page.url.endswith("/console/hall/")  # the duty lead's start page
    nav = page.locator("#nav")
    assert not nav.is_visible()  # folded away on a phone
    toggle = page.locator("[data-nav-toggle]")
    assert toggle.get_attribute("aria-expanded") == "false"
    toggle.click()
    assert nav.is_visible() and toggle.get_attribute("aria-expanded") == "true"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "nav-phone-open")
    page.locator("#nav a[href='/reviews/']").click()
    page.wait_for_url("**/reviews/")
    assert "差评" in page.inner_text("h1")
    context.close()


def test_reloading_the_complaint_confirmation_files_nothing_new(live_server, browser, shot):
    seed_demo()
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/complaints/new/")
    page.select_option("#id_unit", label="鼓楼派出所户籍窗口")
    page.select_option("#id_category", "attitude")
    page.fill("#id_description", "取号后一直没有叫号，询问也没人回答")
    page.click("button[type=submit]")
    code = page.inner_text("#code").strip()
    assert "filed=" in page.url  # the confirmation is a GET
    for _ in range(2):
        page.reload()
        assert page.inner_text("#code").strip() == code
    page.go_back()
    page.go_forward()
    assert Complaint.objects.filter(description__startswith="取号后一直没有叫号").count() == 1
    shot(page, "complaint-confirmation-reloaded")
    context.close()
