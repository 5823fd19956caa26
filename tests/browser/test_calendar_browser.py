"""In Chromium: the working-day calendar and the deadline calculator, in Chinese."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_citizen_works_out_a_deadline_across_national_day(live_server, page, shot):
    page.goto(f"{live_server.url}/calendar/2026/")
    assert page.inner_text("h1") == "2026 年工作日历"
    assert "本年共 248 个工作日" in page.inner_text("main")
    page.fill("#id_start", "2026-09-30T10:00")
    page.fill("#id_n", "5")
    page.select_option("#id_unit", "working_days")
    page.click("form.card button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "2026-10-13 17:30" in page.inner_text(".due")
    shot(page, "calendar-2026-calculator")


def test_next_year_is_shown_as_an_estimate(live_server, page, shot):
    page.goto(f"{live_server.url}/calendar/2027/")
    assert "国务院办公厅尚未发布 2027 年节假日安排" in page.inner_text(".estimate")
    shot(page, "calendar-2027-estimate")
