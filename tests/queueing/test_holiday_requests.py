"""R-TIME-4: an appointment request made over a holiday — on the web, by phone, at reception —
becomes a contact task due within the policy's limit; none on a working day; a task past its
due time is reported to the unit's duty lead once."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from servicehall.catalog.models import Matter
from servicehall.core.errors import Forbidden, InvalidInput
from servicehall.core.idnumbers import with_check_digit
from servicehall.notices.models import Notification
from servicehall.queueing import appointments, tasks
from servicehall.queueing.models import AppointmentSlot, ContactTask
from tests.helpers import raises_rule

SH = ZoneInfo("Asia/Shanghai")
SATURDAY = dt.datetime(2026, 11, 28, 15, tzinfo=SH)  # a rest day
NATIONAL_DAY = dt.datetime(2026, 10, 2, 9, tzinfo=SH)  # a statutory holiday
MONDAY = dt.datetime(2026, 11, 30, 15, tzinfo=SH)  # a working day


def _request(demo, actor, channel, now):
    """One request by `channel` at 鼓楼 at `now`: (the contact task or None, its unit)."""
    if channel == ContactTask.Channel.WEB:
        matter = Matter.objects.get(code="hukou-migration-city")
        slot, _created = AppointmentSlot.objects.update_or_create(
            matter=matter,
            date=dt.date(2026, 12, 2),
            start=dt.time(9),
            defaults={"unit": matter.unit, "end": dt.time(10), "capacity": 5},
        )
        booked = appointments.book(
            slot=slot,
            name="赵丽",
            id_type="resident_id",
            id_number=with_check_digit("41020319850612202"),
            phone="13912345678",
            now=now,
        )
        return ContactTask.objects.filter(appointment=booked).first(), slot.unit
    task = appointments.record_request(
        actor=actor("auxiliary"),
        unit=demo,
        channel=channel,
        name="赵丽",
        phone="13912345678",
        note="户口迁移，想约下周一上午",
        now=now,
    )
    return task, demo


@pytest.mark.parametrize("channel", ContactTask.Channel.values)
@pytest.mark.parametrize("holiday", [SATURDAY, NATIONAL_DAY], ids=["rest day", "holiday"])
def test_a_request_by_any_channel_on_a_holiday_is_to_be_answered_within_the_policy(
    demo, actor, channel, holiday
):
    task, unit = _request(demo, actor, channel, holiday)
    assert task is not None and task.channel == channel and task.unit == unit == demo
    assert task.due_at == holiday + dt.timedelta(hours=24)  # holiday-appointment-contact
    assert task.requested_at == holiday and task.contacted_at is None
    if channel != ContactTask.Channel.WEB:
        assert task.taken_by.badge_no == "FJ1201"  # the auxiliary at the desk
        assert task.note == "户口迁移，想约下周一上午"


@pytest.mark.parametrize("channel", ContactTask.Channel.values)
def test_no_contact_task_on_a_working_day_whatever_the_channel(demo, actor, channel):
    task, _unit = _request(demo, actor, channel, MONDAY)
    assert task is None and not ContactTask.objects.exists()


def test_the_limit_is_the_policy_an_admin_edits_for_every_channel(demo, actor):
    from servicehall.worktime.models import SlaPolicy

    SlaPolicy.objects.filter(code=appointments.HOLIDAY_CONTACT).update(n=12)
    task, _unit = _request(demo, actor, ContactTask.Channel.PHONE, SATURDAY)
    assert task.due_at == SATURDAY + dt.timedelta(hours=12)


def test_a_request_names_what_to_fix_and_records_nothing(demo, actor):
    with raises_rule(None, InvalidInput) as refused:
        appointments.record_request(
            actor=actor("auxiliary"), unit=demo, channel="web", name="", phone="123", now=SATURDAY
        )
    assert set(refused.value.errors) == {"channel", "name", "phone"}
    assert not ContactTask.objects.exists()


def test_only_the_units_staff_record_a_request(demo, actor):
    from servicehall.org.models import Unit

    other = Unit.objects.get(code="kf-110")
    with raises_rule("R-ORG-4", Forbidden):
        appointments.record_request(
            actor=actor("auxiliary"),
            unit=other,
            channel="phone",
            name="赵丽",
            phone="13912345678",
            now=SATURDAY,
        )
    assert not ContactTask.objects.exists()


def test_reception_records_a_phone_request_on_the_page(login, demo, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: SATURDAY)
    client = login("auxiliary")
    page = client.get("/console/requests/").content.decode()
    assert "电话" in page and "24 小时" in page
    data = {"channel": "phone", "name": "赵丽", "phone": "13912345678", "note": "身份证换领"}
    saved = client.post("/console/requests/", data, follow=True)
    text = saved.content.decode()
    assert saved.redirect_chain == [("/console/requests/", 302)]
    assert "2026-11-29 15:00" in text and "139****5678" in text
    task = ContactTask.objects.get()
    assert (task.channel, task.unit, task.taken_by.badge_no) == ("phone", demo, "FJ1201")
    bad = client.post("/console/requests/", {**data, "phone": "12"})
    assert bad.status_code == 400 and ContactTask.objects.count() == 1
    hall = login("dutylead").get("/console/hall/").content.decode()
    assert "赵丽" in hall and "电话" in hall


def test_a_working_day_request_on_the_page_says_none_is_needed(login, demo, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: MONDAY)
    data = {"channel": "in_person", "name": "赵丽", "phone": "13912345678"}
    saved = login("auxiliary").post("/console/requests/", data, follow=True)
    assert "今天是工作日" in saved.content.decode() and not ContactTask.objects.exists()


def test_an_overdue_contact_alerts_the_duty_lead_once(demo, actor):
    task, _unit = _request(demo, actor, ContactTask.Channel.IN_PERSON, SATURDAY)
    before = task.due_at - dt.timedelta(minutes=1)
    after = task.due_at + dt.timedelta(minutes=5)
    assert appointments.overdue_contacts(now=before) == 0
    assert appointments.overdue_contacts(now=after) == 1
    told = Notification.objects.filter(kind=Notification.Kind.CONTACT_OVERDUE)
    assert list(told.values_list("recipient__username", flat=True)) == ["dutylead"]
    text = told.get().text
    assert "当面" in text and "赵*" in text and "13912345678" not in text
    assert told.get().link == "/console/hall/"
    assert appointments.overdue_contacts(now=after + dt.timedelta(hours=1)) == 0  # once
    assert told.count() == 1


def test_a_contact_made_in_time_alerts_nobody_and_the_job_runs_it(demo, actor):
    task, _unit = _request(demo, actor, ContactTask.Channel.PHONE, SATURDAY)
    appointments.contacted(actor=actor("dutylead"), task=task, now=SATURDAY)
    assert appointments.overdue_contacts(now=task.due_at + dt.timedelta(hours=1)) == 0
    late, _unit = _request(demo, actor, ContactTask.Channel.WEB, NATIONAL_DAY)
    assert late.due_at < timezone.now()  # past due long ago: the job tells the duty lead
    assert tasks.contacts_overdue() == 1 and tasks.contacts_overdue() == 0  # one duty lead told
    assert Notification.objects.filter(kind="contact_overdue").count() == 1
