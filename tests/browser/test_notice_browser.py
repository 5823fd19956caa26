"""In Chromium: a supervision notice reads in Chinese, its answer form is the leader's, and its
print page comes out on one A4 sheet with the QR code (R-SUP-3)."""

import uuid

import pytest
from django.utils import timezone

from servicehall.demo.services import seed_demo
from servicehall.org.models import Unit
from servicehall.org.permissions import actor_for
from servicehall.supervision import notices, services
from servicehall.supervision.models import Checklist
from tests.supervision.conftest import ITEMS

from .test_org_browser import log_in
from .test_print_browser import page_sizes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _notice():
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    admin, inspector = (actor_for(users.get(username=u)) for u in ("admin", "inspector"))
    checklist = Checklist.objects.create(code="browser-windows", name="测试窗口规范")
    version = services.new_version(actor=admin, checklist=checklist, items=ITEMS)
    items = {i.code: i for i in version.items.all()}
    verdicts = {"JXJ-5": "pass", "JXJ-14": "deduct", "JXJ-16": "deduct"}
    draft = {
        "key": str(uuid.uuid4()),
        "kind": "undercover",
        "unit": Unit.objects.get(code="kf-gulou-hukou").pk,
        "version": version.pk,
        "visited_at": (timezone.now() - timezone.timedelta(hours=2)).isoformat(),
        "verdicts": [
            {
                "item": items[c].pk,
                "verdict": v,
                "note": "接待群众时态度生硬" if v == "deduct" else "",
            }
            for c, v in verdicts.items()
        ],
    }
    inspection, _ = services.sync(actor=inspector, draft=draft)
    _i, notice = notices.publish_with_notice(
        actor=admin, inspection=inspection, requirements=notices.requirements_from(inspection)
    )
    return notice


def test_the_leader_reads_answers_and_prints_a_notice(live_server, page, shot):
    seed_demo()
    notice = _notice()
    base = live_server.url
    log_in(page, base, "leader")
    page.goto(f"{base}/supervision/notices/")
    assert notice.number in page.inner_text("main")
    shot(page, "supervision-notices")
    page.goto(f"{base}/supervision/notices/{notice.number}/")
    assert "整改要求" in page.inner_text("main")
    shot(page, "supervision-notice")
    page.fill("#measures", "已组织全体窗口人员学习规范，并张贴五个一样。")
    page.click("form[action$='answer/'] button")
    page.wait_for_load_state("networkidle")
    assert "待核查" in page.inner_text("main")
    page.goto(f"{base}/supervision/notices/{notice.number}/print/")
    assert page.locator(".qr svg").count() == 1
    page.emulate_media(media="print")
    shot(page, "supervision-notice-print")
    sizes = page_sizes(page.pdf(prefer_css_page_size=True))
    assert all(abs(w - 210) < 1 and abs(h - 297) < 1 for w, h in sizes)


def test_the_office_drafts_and_publishes_a_criticism_bulletin(live_server, page, shot):
    seed_demo()
    _notice()  # its visit's deductions gave the unit 8 points
    base = live_server.url
    log_in(page, base, "admin")
    page.goto(f"{base}/supervision/bulletins/")
    today = timezone.localdate().isoformat()
    page.fill("#first_day", today)
    page.fill("#last_day", today)
    shot(page, "supervision-bulletins")
    page.click("form.form button")
    page.wait_for_load_state("networkidle")
    assert "交巡警窗口规范 第十四条" in page.inner_text("article")
    page.click(".noprint form button")
    page.wait_for_load_state("networkidle")
    assert page.locator(".noprint form").count() == 0
    shot(page, "supervision-bulletin")
