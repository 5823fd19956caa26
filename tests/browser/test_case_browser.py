"""In Chromium: intake → one-time notice (printed, every missing material) → second visit →
acceptance → hand-off with receipts → steps with a pause → completion."""

import re

import pytest

from servicehall.cases.models import Case
from servicehall.catalog.models import Matter
from servicehall.core.idnumbers import with_check_digit
from servicehall.demo.services import seed_demo

from .test_org_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_out(page):
    page.click("header form[action$='/logout/'] button")
    page.wait_for_load_state("networkidle")


def submit(page, selector):
    with page.expect_navigation():
        page.click(selector)


def test_a_household_case_from_intake_to_completion(live_server, page, shot):
    seed_demo()
    base = live_server.url
    matter = Matter.objects.get(code="hukou-migration-city")
    materials = {m.name: m.pk for m in matter.materials.all()}

    log_in(page, base, "officer")
    page.goto(f"{base}/cases/")
    submit(page, f"a[href$='?matter={matter.pk}']")
    page.fill("#id_applicant_name", "赵丽")
    page.fill("#id_id_number", with_check_digit("41020319850612202"))
    page.fill("#id_phone", "13912345678")
    page.check(f"input[name=m{materials['居民户口簿']}][value=missing]")
    page.check(f"input[name=m{materials['居民身份证']}][value=presented]")
    page.check(f"input[name=m{materials['房产证明或落户地址证明']}][value=defective]")
    page.fill(f"input[name=n{materials['房产证明或落户地址证明']}]", "复印件不清晰，需原件核对")
    page.check(f"input[name=m{materials['迁入地户主同意落户证明']}][value=missing]")
    page.check(f"input[name=m{materials['结婚证']}][value=not_applicable]")
    page.check("input[name=outcome][value=notice]")
    shot(page, "intake-form")
    submit(page, "#intake-form button[type=submit]")
    case = Case.objects.get(applicant_name="赵丽")
    assert case.status == "awaiting"

    notice = case.notices.get()
    page.goto(f"{base}/cases/{case.pk}/notices/{notice.pk}/print/")
    items = page.locator(".notice-item").all_inner_texts()
    assert len(items) == 3
    for name in ("居民户口簿", "房产证明或落户地址证明", "迁入地户主同意落户证明"):
        assert any(name in item for item in items)
    assert "复印件不清晰" in page.inner_text("table.items")
    shot(page, "one-time-notice-print")

    # the second visit, found by the notice number
    page.goto(f"{base}/cases/")
    page.fill("#find-number", notice.number)
    submit(page, "form[action$='/cases/find/'] button")
    submit(page, f"a[href$='/cases/{case.pk}/visit/']")
    for name, pk in materials.items():
        page.check(
            f"input[name=m{pk}][value={'not_applicable' if name == '结婚证' else 'presented'}]"
        )
    page.check("input[name=outcome][value=accepted]")
    submit(page, "form.card button[type=submit]")
    case.refresh_from_db()
    assert case.status == "in_progress" and case.visits == 2
    assert re.search(r"剩余|今天", page.inner_text(".due"))

    # hand the case to window 1 (the duty lead), with two receipts
    page.click("#handoff-details summary")
    window_1 = matter.unit.windows.get(number=1)
    page.select_option("#id_to_window", str(window_1.pk))
    page.fill("#id_task", "请所领导先行审阅迁入材料")
    submit(page, "form[action$='/refer/'] button")
    referral = case.referrals.get()
    page.goto(f"{base}/cases/referrals/{referral.pk}/slip/print/")
    assert referral.slip_number in page.inner_text("body") and "受理登记单" in page.inner_text("h1")
    assert case.check_code in page.inner_text(".check-code")
    slip_link = page.inner_text(".status-link")
    page.goto(f"{base}/cases/referrals/{referral.pk}/handoff/print/")
    assert referral.handoff_number in page.inner_text("body") and "交办单" in page.inner_text("h1")
    shot(page, "handoff-slip")
    page.goto(f"{base}/cases/{case.pk}/")
    log_out(page)

    # the duty lead acknowledges, completes the hand-off and works the steps
    log_in(page, base, "dutylead")
    page.goto(f"{base}/cases/{case.pk}/")
    submit(page, "form[action$='/acknowledge/'] button")
    submit(page, "form[action$='/complete/'][action*='referrals'] button")
    case.refresh_from_db()
    assert case.owner.badge_no == "041202"

    submit(page, "form[action$='/complete/'][action*='steps'] button")  # step 1
    page.fill("input[name=reason]", "等待外县市函调回复")
    submit(page, "form[action$='/pause/'] button")  # step 2 paused
    assert "已暂停" in page.inner_text(".steps-table")
    submit(page, "form[action$='/resume/'] button")
    for _ in range(3):  # steps 2, 3 and 4
        submit(page, "form[action$='/complete/'][action*='steps'] button")
    case.refresh_from_db()
    assert case.status == "completed"
    assert "已办结" in page.inner_text("main")
    shot(page, "case-completed")

    # the citizen checks the case without personal data on the page
    log_out(page)
    # the number alone shows nothing but the form asking for the code
    page.goto(f"{base}/status/")
    page.fill("#number", referral.slip_number)
    page.fill("#code", "")
    page.eval_on_selector("#code", "e => e.removeAttribute('required')")
    submit(page, "form[role=search] button")
    assert "查询码" in page.inner_text("[role=alert]") and "已办结" not in page.inner_text("main")
    # a wrong code reads exactly as an unknown number
    page.fill("#code", "22222Z")
    submit(page, "form[role=search] button")
    wrong = page.inner_text("[role=alert]")
    page.fill("#number", "S2026-9999-000001")
    submit(page, "form[role=search] button")
    assert page.inner_text("[role=alert]") == wrong and "已办结" not in page.inner_text("main")
    # the last four of the ID number (a lower-case x would do as well)
    page.fill("#number", referral.slip_number)
    page.fill("#code", case.id_number[-4:].lower())
    submit(page, "form[role=search] button")
    text = page.inner_text("main")
    assert "已办结" in text and "赵丽" not in text and "13912345678" not in text
    shot(page, "case-status-public")
    # the link printed on the slip (and in its QR code) opens the case at once
    page.goto(slip_link)
    assert "已办结" in page.inner_text("main")
