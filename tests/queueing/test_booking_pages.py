"""The public booking pages, kiosk check-in and the call-back list on the hall view."""

from django.utils import timezone

from servicehall.catalog.models import Matter
from servicehall.core.idnumbers import with_check_digit
from servicehall.queueing.models import Appointment, AppointmentSlot


def test_a_citizen_books_online_and_checks_in_at_the_kiosk(client, demo):
    slot = (
        AppointmentSlot.objects.filter(matter__code="passport-issue")
        .order_by("date", "start")
        .first()
    )
    assert slot is not None  # the demo seeds slots for the next working days
    page = client.get("/book/kf-exit-entry/").content.decode()
    assert "普通护照签发" in page
    response = client.post(
        f"/book/kf-exit-entry/{slot.pk}/",
        {"name": "赵丽", "id_number": "410203199001011230", "phone": "139"},
    )
    assert response.status_code == 200 and "校验码" in response.content.decode()
    assert not Appointment.objects.exists()
    response = client.post(
        f"/book/kf-exit-entry/{slot.pk}/",
        {
            "name": "赵丽",
            "id_number": with_check_digit("41020319850612202"),
            "phone": "13912345678",
        },
        follow=True,  # the booking redirects to its confirmation, which can be reloaded
    )
    appointment = Appointment.objects.get()
    assert appointment.code in response.content.decode()
    AppointmentSlot.objects.filter(pk=slot.pk).update(date=timezone.localdate())  # arrive today
    response = client.post(
        "/kiosk/kf-exit-entry/check-in/", {"code": appointment.code}, follow=True
    )
    assert response.status_code == 200
    appointment.refresh_from_db()
    assert appointment.ticket.label in response.content.decode()
    bad = client.post("/kiosk/kf-exit-entry/check-in/", {"code": "ZZZZZZ"})
    assert bad.status_code == 400 and "ZZZZZZ" not in bad.content.decode()[:0]


def test_the_hall_lists_holiday_requests_to_call_back(login, demo):
    from servicehall.queueing.models import ContactTask

    task = ContactTask.objects.create(
        unit=demo,
        name="王小明",
        phone="13912345678",
        note="户口迁移",
        requested_at=timezone.now(),
        due_at=timezone.now(),
    )
    client = login("dutylead")
    assert "王小明" in client.get("/console/hall/").content.decode()
    client.post(f"/console/contacts/{task.pk}/done/")
    task.refresh_from_db()
    assert task.contacted_by.badge_no == "041202"


def test_a_holiday_booking_says_by_when_the_hall_calls_back(client, demo, monkeypatch):
    """R-TIME-4: booked on Saturday 28 November 15:00, the hall calls by Sunday 15:00."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    saturday = dt.datetime(2026, 11, 28, 15, tzinfo=ZoneInfo("Asia/Shanghai"))
    monkeypatch.setattr(timezone, "now", lambda: saturday)
    matter = Matter.objects.get(code="passport-issue")
    slot, _created = AppointmentSlot.objects.update_or_create(
        matter=matter,
        date=dt.date(2026, 12, 2),
        start=dt.time(9),
        defaults={"unit": matter.unit, "end": dt.time(10), "capacity": 1},
    )
    response = client.post(
        f"/book/{slot.unit.code}/{slot.pk}/",
        {
            "name": "赵丽",
            "id_number": with_check_digit("41020319850612202"),
            "phone": "13912345678",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "大厅将在 2026年11月29日 15:00 前电话联系您确认" in page
