"""In Chromium: a unit leader logs in, opens the organization tree, the unit and its public
window wall, in Chinese; an auxiliary custody attempt is refused on screen."""

import pytest

from servicehall.demo.city import DEMO_PASSWORD
from servicehall.demo.services import seed_demo
from servicehall.org.models import Custody, Unit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def test_a_unit_leader_opens_the_tree_and_the_window_wall_in_chinese(live_server, page, shot):
    seed_demo()
    base = live_server.url
    log_in(page, base, "leader")
    assert "吕国栋" in page.inner_text("header")

    page.goto(f"{base}/org/")
    assert page.inner_text("h1") == "组织架构"
    assert "鼓楼派出所户籍窗口" in page.inner_text("main")
    shot(page, "org-tree-leader")

    page.click("text=鼓楼派出所户籍窗口")
    page.wait_for_load_state("networkidle")
    assert "人员配备检查" in page.inner_text("main")
    assert "139****1235" in page.inner_text("main")
    shot(page, "unit-gulou")

    page.goto(f"{base}/wall/kf-gulou-hukou/")
    wall = page.inner_text("main")
    assert "王建国" in wall and "041235" in wall and "党员" in wall
    # the photo really loads
    assert page.eval_on_selector(".wall img.photo", "img => img.naturalWidth") > 0
    shot(page, "wall-gulou")

    page.click("button[value=en]")
    page.wait_for_load_state("networkidle")
    assert "Window 2" in page.inner_text("main")
    shot(page, "wall-gulou-en")


def test_the_custody_form_refuses_an_auxiliary_on_screen(live_server, page, shot):
    seed_demo()
    unit = Unit.objects.get(code="kf-gulou-hukou")
    log_in(page, live_server.url, "leader")
    page.goto(f"{live_server.url}/org/units/{unit.pk}/#custody")
    page.select_option("#id_item", "seal")
    page.select_option("#id_holder", label="孔雪梅（FJ1201）")
    page.click("form[action$='/custody/'] button[type=submit]")
    page.wait_for_load_state("networkidle")
    message = page.inner_text(".messages")
    assert "辅警" in message and "R-ORG-4" not in message  # the reason, not the requirement id
    shot(page, "custody-refused")
    assert Custody.objects.get(unit=unit, item="seal").holder.badge_no == "041235"


def test_the_public_wall_on_a_phone_in_large_text(live_server, browser, shot):
    seed_demo()
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/wall/kf-exit-entry/")
    page.click("[data-large-text]")
    size = page.eval_on_selector("body", "b => parseFloat(getComputedStyle(b).fontSize)")
    assert size >= 20
    assert (
        page.eval_on_selector("[data-large-text]", "b => b.getAttribute('aria-pressed')") == "true"
    )
    shot(page, "wall-phone-large")
    context.close()
