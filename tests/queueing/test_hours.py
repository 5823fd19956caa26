"""R-TIME-5, R-Q-3: numbers only in the unit's hours, sign-in from the norm's minutes before
opening; 24-hour units (the 110 centre) always open; the kiosk never issues green numbers
(R-CASE-4)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from servicehall.org.models import Unit
from servicehall.queueing import services
from servicehall.queueing.models import Queue, Ticket
from servicehall.worktime.models import CalendarDay, ExtendedSession
from tests.helpers import raises_rule

SH = ZoneInfo("Asia/Shanghai")


def at(h, mi=0, day=2):
    return dt.datetime(2026, 12, day, h, mi, tzinfo=SH)  # Wednesday 2 December 2026


@pytest.fixture(autouse=True)
def hours_enforced(settings):
    settings.SERVICEHALL = {**settings.SERVICEHALL, "OPENING_HOURS_ENFORCED": True}


@pytest.fixture
def clock(monkeypatch):
    """clock(moment): the server's time for the views under test."""

    def _set(moment):
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return _set


@pytest.fixture
def queue_a(demo):
    return Queue.objects.get(unit=demo, letter="A")


# ---- numbers in the unit's hours (R-TIME-5) ---------------------------------------------


def test_no_number_at_0354_and_the_kiosk_says_when_the_unit_opens(queue_a):
    with raises_rule("R-TIME-5") as refused:
        services.issue_at_kiosk(queue=queue_a, now=at(3, 54))
    assert "本单位已下班，下次办公时间：12月2日 08:30" in str(refused.value)
    assert not Ticket.objects.filter(queue=queue_a).exists()


def test_a_number_at_opening_time_and_over_lunch(queue_a):
    assert services.issue_at_kiosk(queue=queue_a, now=at(8, 30)).label == "A001"
    assert services.issue_at_kiosk(queue=queue_a, now=at(12, 40)).label == "A002"
    with raises_rule("R-TIME-5"):
        services.issue_at_kiosk(queue=queue_a, now=at(17, 30))


def test_a_holiday_is_closed_unless_an_extended_session_is_set(demo, queue_a):
    CalendarDay.objects.create(date=dt.date(2026, 12, 2), kind=CalendarDay.Kind.HOLIDAY)
    with raises_rule("R-TIME-5") as refused:
        services.issue_at_kiosk(queue=queue_a, now=at(9))
    assert "12月3日 08:30" in str(refused.value)
    ExtendedSession.objects.create(
        unit=demo, date=dt.date(2026, 12, 2), start=dt.time(9), end=dt.time(12)
    )
    assert services.issue_at_kiosk(queue=queue_a, now=at(9)).label == "A001"


def test_the_kiosk_page_at_0354_shows_when_it_opens_and_refuses_a_number(
    client, demo, queue_a, clock
):
    clock(at(3, 54))
    page = client.get("/kiosk/kf-gulou-hukou/").content.decode()
    assert "本单位已下班，下次办公时间：12月2日 08:30" in page
    assert 'name="queue"' not in page
    response = client.post("/kiosk/kf-gulou-hukou/", {"queue": queue_a.pk})
    assert response.status_code == 400
    refused = response.content.decode()
    assert "本单位已下班" in refused and "R-TIME-5" not in refused  # the reason, not the id
    assert not Ticket.objects.filter(queue=queue_a).exists()
    clock(at(8, 30))
    response = client.post("/kiosk/kf-gulou-hukou/", {"queue": queue_a.pk})
    assert response.status_code == 302


def test_booking_check_in_at_the_kiosk_follows_the_hours(client, demo, clock):
    from servicehall.core.idnumbers import with_check_digit
    from servicehall.queueing.appointments import book
    from servicehall.queueing.models import AppointmentSlot

    slot = AppointmentSlot.objects.filter(unit=demo).first()
    if slot is None:
        pytest.skip("the demo has no booking slots")
    slot.date = dt.date(2026, 12, 2)
    slot.save(update_fields=["date"])
    clock(at(3, 54, day=1))
    appointment = book(
        slot=slot,
        name="张三",
        id_type="resident_id",
        id_number=with_check_digit("41020319900101123"),
        phone="13800138000",
    )
    clock(at(3, 54))
    response = client.post("/kiosk/kf-gulou-hukou/check-in/", {"code": appointment.code})
    assert response.status_code == 400
    assert "下次办公时间：12月2日 08:30" in response.content.decode()
    appointment.refresh_from_db()
    assert appointment.ticket_id is None


def test_reception_issues_only_in_hours_too(actor, queue_a):
    with raises_rule("R-TIME-5"):
        services.issue_at_reception(actor=actor("officer"), queue=queue_a, now=at(3, 54))


def test_a_24_hour_unit_is_open_at_0354(demo):
    centre = Unit.objects.get(code="kf-110")
    assert services.round_the_clock(centre)
    assert services.is_open(centre, at(3, 54))
    hospital = Unit(name="急诊", code="er", kind="hospital", hours="24小时急诊")
    assert services.round_the_clock(hospital)
    assert not services.round_the_clock(demo)


# ---- sign-in from the norm's minutes before opening (R-Q-3) ------------------------------


def test_sign_in_at_0354_is_refused_saying_from_when(actor, demo):
    w2 = demo.windows.get(number=2)
    with raises_rule("R-Q-3") as refused:
        services.sign_in(actor=actor("officer"), window=w2, now=at(3, 54))
    assert "12月2日 08:20" in str(refused.value) and "10" in str(refused.value)
    with raises_rule("R-Q-3"):
        services.sign_in(actor=actor("officer"), window=w2, now=at(8, 19))
    session = services.sign_in(actor=actor("officer"), window=w2, now=at(8, 20))
    assert session.minutes_early == 10 and not session.short_of_norm


def test_the_early_minutes_are_a_setting(actor, demo, settings):
    settings.SERVICEHALL = {**settings.SERVICEHALL, "SIGN_IN_EARLY_MINUTES": 30}
    session = services.sign_in(actor=actor("officer"), window=demo.windows.get(number=2), now=at(8))
    assert session.minutes_early == 30 and not session.short_of_norm


def test_sign_in_at_opening_time(actor, demo):
    session = services.sign_in(
        actor=actor("officer"), window=demo.windows.get(number=2), now=at(8, 30)
    )
    assert session.minutes_late == 0 and session.short_of_norm


def test_a_24_hour_seat_signs_in_at_0354(actor):
    from servicehall.org.models import Window

    operator = actor("operator110")
    seat = Window.objects.filter(unit__code="kf-110").order_by("number").first()
    if operator.staff.window_id:
        seat = operator.staff.window
    session = services.sign_in(actor=operator, window=seat, now=at(3, 54))
    assert session.signed_in_at == at(3, 54)


def test_the_console_refuses_sign_in_at_0354_with_the_message(login, demo, clock):
    clock(at(3, 54))
    client = login("officer")
    window = demo.windows.get(number=2)
    response = client.post(f"/console/{window.pk}/sign_in/")
    assert response.status_code == 400
    body = response.json()
    assert body["rule"] == "R-Q-3" and "08:20" in body["message"]


# ---- the kiosk never issues green numbers (R-CASE-4) --------------------------------------


def test_the_kiosk_service_refuses_a_green_queue(demo):
    green = Queue.objects.get(unit=demo, green_channel=True)
    with raises_rule("R-CASE-4") as refused:
        services.issue_at_kiosk(queue=green, now=at(9))
    assert "导办台" in str(refused.value) or "前台" in str(refused.value)
    assert not Ticket.objects.filter(queue=green).exists()


def test_the_kiosk_shows_no_green_button_and_its_endpoint_refuses_one(client, demo, clock):
    clock(at(9))
    green = Queue.objects.get(unit=demo, green_channel=True)
    page = client.get("/kiosk/kf-gulou-hukou/").content.decode()
    assert f'value="{green.pk}"' not in page
    response = client.post("/kiosk/kf-gulou-hukou/", {"queue": green.pk})
    assert response.status_code == 400
    refused = response.content.decode()
    assert ("导办台" in refused or "前台" in refused) and "R-CASE-4" not in refused
    assert not Ticket.objects.filter(queue=green).exists()


def test_reception_still_issues_green_numbers(actor, demo):
    green = Queue.objects.get(unit=demo, green_channel=True)
    ticket = services.issue_at_reception(actor=actor("officer"), queue=green, now=at(9))
    assert ticket.green_channel and ticket.source == Ticket.Source.RECEPTION


def test_the_public_cannot_issue_through_the_api(client, demo):
    green = Queue.objects.get(unit=demo, green_channel=True)
    response = client.post(
        f"/api/v1/queues/{green.pk}/tickets",
        {"green_channel": True},
        content_type="application/json",
    )
    assert response.status_code in (401, 403)
    assert not Ticket.objects.filter(queue=green).exists()
