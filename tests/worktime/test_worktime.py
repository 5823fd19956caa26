"""The Django side of the calendar: admin overrides, policies, unit hours, the page, the API."""

import datetime as dt
import importlib
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from servicehall.workcal import TimeLimit
from servicehall.worktime import services
from servicehall.worktime.models import CalendarDay, CalendarYear, SlaPolicy, UnitHours

SH = ZoneInfo("Asia/Shanghai")


def at(y, m, d, h=10, mi=0):
    return dt.datetime(y, m, d, h, mi, tzinfo=SH)


def test_an_admin_override_takes_effect_at_once(db):
    assert services.calendar().is_working_day(dt.date(2026, 12, 4))
    CalendarDay.objects.create(date=dt.date(2026, 12, 4), kind="holiday", name="临时调整")
    assert not services.calendar().is_working_day(dt.date(2026, 12, 4))
    CalendarDay.objects.filter(date=dt.date(2026, 12, 4)).delete()
    assert services.calendar().is_working_day(dt.date(2026, 12, 4))


def test_publishing_next_years_notice_in_the_admin_ends_the_estimate(db):
    due = services.deadline(start=at(2026, 12, 20), limit=TimeLimit(20))
    assert due.estimated
    CalendarYear.objects.create(year=2027, official=True, notice="国办发明电〔2026〕9号")
    due = services.deadline(start=at(2026, 12, 20), limit=TimeLimit(20))
    assert not due.estimated


def test_the_seeded_policies_carry_the_norms_limits(demo):
    notice = SlaPolicy.objects.get(code="licence-correction-notice")
    assert (notice.n, notice.unit, notice.length) == (5, "working_days", "5 个工作日")
    assert SlaPolicy.objects.get(code="complaint-answer").time_limit.unit == "working_days"
    holiday = SlaPolicy.objects.get(code="holiday-appointment-contact")
    assert (holiday.n, holiday.unit, holiday.length) == (24, "hours", "24 小时")


def test_only_policies_that_some_code_reads_are_seeded(demo):
    """An admin's edit of a seeded policy must change something (decision 0022): every seeded
    code is edited by a test that sees the effect; the unread ones seeded before are gone."""
    seeded = set(SlaPolicy.objects.values_list("code", flat=True))
    assert seeded == {row[0] for row in services.DEFAULT_POLICIES}
    tests = "".join(p.read_text() for p in Path(__file__).parents[1].rglob("test_*.py"))
    for code in seeded:
        assert f'SlaPolicy.objects.filter(code="{code}").update(' in tests, code


def test_the_policies_nothing_read_are_removed_from_a_database_seeded_before(demo):
    from django.apps import apps

    migration = importlib.import_module(
        "servicehall.worktime.migrations.0004_unread_policies_removed"
    )
    SlaPolicy.objects.create(code="hukou-investigation", name="社区民警调查核实", n=3)
    migration.remove_unread(apps, None)
    assert not SlaPolicy.objects.filter(code="hukou-investigation").exists()
    assert SlaPolicy.objects.filter(code="complaint-answer").exists()


def test_a_policy_clock_uses_its_warning_and_the_units_hours(demo):
    policy = SlaPolicy.objects.get(code="complaint-answer")  # 3 working days, warn 1 before
    clock = services.new_clock(policy=policy, unit=demo, start=at(2026, 11, 23, 9))
    assert clock.status(at(2026, 11, 24)).state == "running"
    assert clock.status(at(2026, 11, 25)).state == "warning"
    # 鼓楼派出所 closes at 17:30; its limit ends then
    assert clock.status(at(2026, 11, 24)).due.at == at(2026, 11, 26, 17, 30)
    stored = services.load_clock(clock.to_dict(), unit=demo)
    assert stored.status(at(2026, 11, 25)) == clock.status(at(2026, 11, 25))


def test_lunch_duty_and_saturday_sessions_of_a_unit_count_for_working_hours(demo):
    limit = services.TimeLimit(2, "working_hours")
    # 鼓楼: lunch duty, so 11:00 + 2 h = 13:00 the same day
    assert services.deadline(start=at(2026, 11, 27, 11), limit=limit, unit=demo).at == at(
        2026, 11, 27, 13
    )
    # Fri 17:00 + 2 h: 30 min Friday, then the Saturday extended session 9:00–12:00
    assert services.deadline(start=at(2026, 12, 4, 17), limit=limit, unit=demo).at == at(
        2026, 12, 5, 10, 30
    )


def test_policy_rules_are_checked(db):
    with pytest.raises(ValidationError):
        SlaPolicy(code="x", name="x", n=3, warn_before=1, warn_ratio="0.8").full_clean()
    with pytest.raises(ValidationError):
        SlaPolicy(code="x", name="x", n=3, warn_before=5).full_clean()


def test_unit_hours_must_be_in_order(demo):
    with pytest.raises(ValidationError):
        UnitHours(unit=demo, morning_start=dt.time(12), morning_end=dt.time(9)).full_clean()


def test_time_limits_read_as_people_say_them(db):
    limit = services.TimeLimit(5, "working_days")
    _due, text = services.calculate(start=at(2026, 9, 30), limit=limit, now=at(2026, 10, 9, 9))
    # after Friday 10-09: Saturday 10-10 (worked), Monday 10-12, Tuesday 10-13
    assert text.text == "剩余 3 个工作日（10月13日 17:30 到期）" and text.level == "ok"
    _due, text = services.calculate(start=at(2026, 9, 30), limit=limit, now=at(2026, 10, 12, 9))
    assert text.text == "剩余 1 个工作日（10月13日 17:30 到期）" and text.level == "warn"
    _due, text = services.calculate(start=at(2026, 9, 30), limit=limit, now=at(2026, 10, 13, 9))
    assert text.text == "今天 17:30 到期"
    _due, text = services.calculate(start=at(2026, 9, 30), limit=limit, now=at(2026, 10, 15, 9))
    assert text.text == "已超期 2 个工作日（10月13日 17:30 到期）" and text.level == "bad"


def test_an_estimated_deadline_says_so(db):
    _due, text = services.calculate(
        start=at(2026, 12, 20), limit=services.TimeLimit(20), now=at(2026, 12, 21)
    )
    assert text.estimated == "预计：2027 年节假日安排尚未公布"


def test_the_calendar_page_shows_the_holidays_and_the_worked_weekends(client, db):
    page = client.get("/calendar/2026/").content.decode()
    assert "2026 年工作日历" in page and "国务院办公厅" in page
    assert 'title="2026-02-14"' in page and "班" in page
    assert "尚未发布" not in page
    assert (
        "国务院办公厅尚未发布 2027 年节假日安排" in client.get("/calendar/2027/").content.decode()
    )


def test_the_calculator_on_the_page(client, db):
    page = client.get(
        "/calendar/2026/", {"start": "2026-09-30T10:00", "n": 5, "unit": "working_days"}
    ).content.decode()
    assert "2026-10-13 17:30" in page


def test_the_calculator_explains_bad_input(client, db):
    page = client.get(
        "/calendar/2026/",
        {
            "start": "2026-09-30T10:00",
            "n": -3,
            "unit": "working_days",
            "pause_from": "2026-10-01T10:00",
        },
    ).content.decode()
    assert "errorlist" in page and "请同时填写暂停的开始和结束时间" in page


def test_the_api_gives_a_year_and_a_deadline(client, db):
    body = client.get("/api/v1/calendar/2026").json()
    assert body["official"] and body["working_days"] == 248 and len(body["days"]) == 365
    day = next(d for d in body["days"] if d["date"] == "2026-10-10")
    assert day == {"date": "2026-10-10", "working": True, "kind": "workday"}
    response = client.post(
        "/api/v1/deadline",
        json.dumps({"start": "2026-09-30T10:00:00+08:00", "n": 5, "unit": "working_days"}),
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["at"].startswith("2026-10-13T17:30:00")


def test_the_api_refuses_a_bad_limit_plainly(client, db):
    response = client.post(
        "/api/v1/deadline",
        json.dumps({"start": "2026-09-30T10:00:00+08:00", "n": 5, "unit": "fortnights"}),
        content_type="application/json",
    )
    body = response.json()
    assert response.status_code == 400 and "请从以下选择" in body["detail"]
    assert "working_days" in body["errors"]["unit"][0]


@pytest.mark.parametrize(
    "payload, field, words",
    [
        (
            {"start": "9999-12-31T09:00:00+08:00", "n": 10000, "unit": "calendar_days"},
            "start",
            "2000",
        ),
        ({"start": "0001-01-01T00:00:00+08:00", "n": 1}, "start", "2000"),
        ({"start": "2026-09-30T10:00:00", "n": 1}, "start", "时区偏移"),
        (
            {
                "start": "2026-09-30T10:00:00+08:00",
                "n": 1,
                "pauses": [["0001-01-01T00:00:00+08:00", "9999-12-31T00:00:00+08:00"]] * 3,
            },
            "pauses",
            "2000",
        ),
        (
            {
                "start": "2026-09-30T10:00:00+08:00",
                "n": 1,
                "pauses": [["2026-09-29T10:00:00+08:00", "2026-09-30T12:00:00+08:00"]],
            },
            "pauses",
            "晚于起算时间",
        ),
    ],
)
def test_the_deadline_refuses_what_it_cannot_count_in_chinese(client, db, payload, field, words):
    """Years the calendar cannot count, times without an offset, pauses before the start: a
    400 naming the field in Chinese, never a 500 (an OverflowError once)."""
    response = client.post("/api/v1/deadline", json.dumps(payload), content_type="application/json")
    body = response.json()
    assert response.status_code == 400 and words in body["detail"], body
    assert field in body["errors"]


def test_calendar_changes_are_audited(login, demo):
    from auditlog.models import LogEntry

    client = login("admin")
    response = client.post(
        "/admin/worktime/calendarday/add/",
        {"date": "2026-12-31", "kind": "holiday", "name": "测试"},
    )
    assert response.status_code == 302
    day = CalendarDay.objects.get(date=dt.date(2026, 12, 31))
    assert LogEntry.objects.get_for_object(day).get().actor.username == "admin"
