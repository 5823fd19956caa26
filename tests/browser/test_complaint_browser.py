"""A citizen complains on a phone and follows it by code; the unit leader investigates and
answers; the citizen reads the answer (R-FB-2, R-FB-3)."""

import pytest

from servicehall.complaints.models import Complaint
from servicehall.demo.services import seed_demo

from .test_org_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_complaint_from_phone_to_answer(live_server, browser, page, shot):
    seed_demo()
    base = live_server.url
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    citizen = phone.new_page()
    citizen.goto(f"{base}/complaints/new/")
    citizen.select_option("#id_unit", label="鼓楼派出所户籍窗口")
    citizen.fill("#id_window_number", "2")
    citizen.fill("#id_badge_no", "999999")  # a badge nobody wears
    citizen.select_option("#id_category", "attitude")
    citizen.fill("#id_description", "办理户口迁移时民警不耐烦，材料要求没有一次说清")
    citizen.fill("#id_phone", "13812345678")
    citizen.click("button[type=submit]")
    assert "999999" in citizen.inner_text(".errorlist")  # named, nothing stored
    assert not Complaint.objects.filter(description__startswith="办理户口迁移").exists()
    citizen.fill("#id_badge_no", "041235")
    citizen.click("button[type=submit]")
    code = citizen.inner_text("#code").strip()
    shot(citizen, "complaint-filed-phone")
    assert code.startswith("TS-")

    log_in(page, base, "leader")
    page.click("nav a[href='/complaints/']")  # the staff list
    assert "/complaints/" in page.url and "new" not in page.url
    page.click(f"text={code}")
    assert "13812345678" in page.inner_text("main")  # the handler sees whom to answer
    page.fill("#id_finding", "调取窗口录像，情况属实")
    page.select_option("#id_substantiated", "yes")
    page.click("text=记录核查结果")
    page.fill("#id_answer", "已对该民警批评教育并记违规分，感谢您的监督。")
    shot(page, "complaint-detail-leader")
    page.click("text=答复并办结")
    assert "已答复" in page.inner_text("h1")

    citizen.goto(f"{base}/complaints/status/?code={code.lower()}")
    text = citizen.inner_text("main")
    assert "感谢您的监督" in text and "13812345678" not in text
    shot(citizen, "complaint-status-phone")
    phone.close()
