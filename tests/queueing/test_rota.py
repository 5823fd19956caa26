"""R-Q-4, R-TIME-5: the duty rota's minimums, counted with China's calendar."""

import datetime as dt

import pytest

from servicehall.core.errors import InvalidInput
from servicehall.queueing import rota
from servicehall.queueing.models import DutyAssignment
from servicehall.worktime.models import ExtendedSession
from tests.helpers import raises_rule

D = dt.date


@pytest.fixture(autouse=True)
def empty_rota(demo):
    """The demo seeds a rota for the coming weeks; these tests start from none."""
    DutyAssignment.objects.all().delete()


def codes(unit, first, last):
    return [(f.date, f.code) for f in rota.findings(unit, first, last)]


def test_every_working_day_needs_a_duty_lead_and_lunch_duty(actor, demo, staff_of):
    first = D(2026, 12, 7)  # Monday
    found = codes(demo, first, first)
    assert (first, "no_duty_lead") in found and (first, "no_lunch_duty") in found
    rota.assign(
        actor=actor("leader"),
        unit=demo,
        date=first,
        kind="duty_lead",
        staff=staff_of("kf-gulou-hukou", "041202"),
    )
    rota.assign(
        actor=actor("leader"),
        unit=demo,
        date=first,
        kind="lunch",
        staff=staff_of("kf-gulou-hukou", "041236"),
    )
    assert codes(demo, first, first) == []


def test_a_worked_weekend_is_a_working_day(demo):
    # Sat 2026-10-10 is worked (National Day 调休): it needs its duty lead like any weekday
    assert (D(2026, 10, 10), "no_duty_lead") in codes(demo, D(2026, 10, 10), D(2026, 10, 10))


def test_each_weekend_needs_a_half_day(demo):
    found = codes(demo, D(2026, 11, 28), D(2026, 11, 29))
    assert found == [(D(2026, 11, 28), "weekend_without_half_day")]
    assert codes(demo, D(2026, 12, 5), D(2026, 12, 6)) == []  # the demo's Saturday session


def test_national_day_has_its_half_days_and_its_last_day(demo):
    found = {code for _d, code in codes(demo, D(2026, 10, 1), D(2026, 10, 7))}
    assert "long_holiday_few_half_days" not in found and "last_holiday_day_closed" not in found
    ExtendedSession.objects.filter(unit=demo, date=D(2026, 10, 7)).delete()
    found = codes(demo, D(2026, 10, 1), D(2026, 10, 7))
    assert (D(2026, 10, 7), "last_holiday_day_closed") in found


def test_spring_festival_without_half_days_is_flagged(demo):
    found = codes(demo, D(2026, 2, 15), D(2026, 2, 23))
    assert (D(2026, 2, 15), "long_holiday_few_half_days") in found
    assert (D(2026, 2, 23), "last_holiday_day_closed") in found


def test_the_duty_lead_is_a_leader_and_an_auxiliary_is_never_one(actor, demo, staff_of):
    with raises_rule("R-Q-4", InvalidInput):
        rota.assign(
            actor=actor("leader"),
            unit=demo,
            date=D(2026, 12, 7),
            kind="duty_lead",
            staff=staff_of("kf-gulou-hukou", "FJ1201"),
        )
    assert not DutyAssignment.objects.exists()


def test_only_leaders_manage_the_rota(actor, demo, staff_of):
    from servicehall.core.errors import Forbidden

    with raises_rule("R-ORG-4", Forbidden):
        rota.assign(
            actor=actor("officer"),
            unit=demo,
            date=D(2026, 12, 7),
            kind="lunch",
            staff=staff_of("kf-gulou-hukou", "041236"),
        )


def test_b_is_alerted_when_a_is_absent_or_paused_too_long(actor, demo, staff_of):
    from zoneinfo import ZoneInfo

    from servicehall.notices.models import Notification
    from servicehall.org.models import Staff
    from servicehall.queueing import services

    sh = ZoneInfo("Asia/Shanghai")
    window = demo.windows.get(number=2)
    b = Staff.objects.get(badge_no="041236")
    from django.contrib.auth import get_user_model

    b.user = get_user_model().objects.create_user("zhanglp", password="x" * 12)
    b.save()
    day = D(2026, 11, 25)
    rota.assign(actor=actor("leader"), unit=demo, date=day, kind="backup", staff=b, window=window)
    assert rota.backup_alerts(now=dt.datetime(2026, 11, 25, 8, 35, tzinfo=sh)) == 0  # 5 min in
    assert rota.backup_alerts(now=dt.datetime(2026, 11, 25, 8, 45, tzinfo=sh)) == 1
    assert rota.backup_alerts(now=dt.datetime(2026, 11, 25, 8, 50, tzinfo=sh)) == 0  # once
    services.sign_in(
        actor=actor("officer"), window=window, now=dt.datetime(2026, 11, 25, 8, 55, tzinfo=sh)
    )
    services.pause(
        actor=actor("officer"),
        window=window,
        reason="外出",
        minutes=5,
        now=dt.datetime(2026, 11, 25, 9, 0, tzinfo=sh),
    )
    assert rota.backup_alerts(now=dt.datetime(2026, 11, 25, 9, 12, tzinfo=sh)) == 1
    assert Notification.objects.filter(recipient=b.user, kind="backup").count() == 2


def test_b_is_alerted_after_the_long_pause_minutes_as_set(actor, demo, settings):
    """R-Q-3 R-Q-4: the office sets LONG_PAUSE_MINUTES to 15: B covers an unstaffed window
    after 15 minutes, not 10, and the alert says so for a pause."""
    from zoneinfo import ZoneInfo

    from django.contrib.auth import get_user_model

    from servicehall.notices.models import Notification
    from servicehall.org.models import Staff
    from servicehall.queueing import services

    settings.SERVICEHALL = {**settings.SERVICEHALL, "LONG_PAUSE_MINUTES": 15}
    sh = ZoneInfo("Asia/Shanghai")
    window = demo.windows.get(number=2)
    b = Staff.objects.get(badge_no="041236")
    b.user = get_user_model().objects.create_user("zhanglp", password="x" * 12)
    b.save()
    day = D(2026, 11, 25)
    rota.assign(actor=actor("leader"), unit=demo, date=day, kind="backup", staff=b, window=window)
    assert rota.backup_alerts(now=dt.datetime(2026, 11, 25, 8, 42, tzinfo=sh)) == 0  # 12 min in
    assert rota.backup_alerts(now=dt.datetime(2026, 11, 25, 8, 46, tzinfo=sh)) == 1
    services.sign_in(
        actor=actor("officer"), window=window, now=dt.datetime(2026, 11, 25, 8, 55, tzinfo=sh)
    )
    services.pause(
        actor=actor("officer"),
        window=window,
        reason="外出",
        minutes=5,
        now=dt.datetime(2026, 11, 25, 9, 0, tzinfo=sh),
    )
    assert rota.backup_alerts(now=dt.datetime(2026, 11, 25, 9, 12, tzinfo=sh)) == 0
    assert rota.backup_alerts(now=dt.datetime(2026, 11, 25, 9, 16, tzinfo=sh)) == 1
    assert Notification.objects.filter(
        recipient=b.user, kind="backup", text__contains="超过 15 分钟"
    ).exists()


def test_the_rota_page_shows_gaps_and_assigns(login, demo, staff_of):
    client = login("leader")
    page = client.get("/console/rota/").content.decode()
    assert "值班领导" in page or "duty lead" in page
    from django.utils import timezone

    day = timezone.localdate()
    response = client.post(
        "/console/rota/",
        {
            "date": day.isoformat(),
            "kind": "lunch",
            "staff": staff_of("kf-gulou-hukou", "041236").pk,
        },
    )
    assert response.status_code == 302
    assert DutyAssignment.objects.filter(unit=demo, date=day, kind="lunch").exists()
    response = login("officer").post(
        "/console/rota/",
        {
            "date": day.isoformat(),
            "kind": "lunch",
            "staff": staff_of("kf-gulou-hukou", "041235").pk,
        },
    )
    assert response.status_code == 403
