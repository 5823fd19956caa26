"""Holes found in review of the queue, kept closed."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from servicehall.catalog.models import Matter
from servicehall.core.errors import Forbidden, InvalidInput
from servicehall.core.idnumbers import with_check_digit
from servicehall.queueing import appointments, services
from servicehall.queueing.models import AppointmentSlot, Queue
from tests.helpers import raises_rule

SH = ZoneInfo("Asia/Shanghai")
ID1 = with_check_digit("41020319850612202")


def at(h, mi=0, d=25):
    return dt.datetime(2026, 11, d, h, mi, tzinfo=SH)


@pytest.fixture
def hall(demo, actor):
    return {
        "A": Queue.objects.get(unit=demo, letter="A"),
        "G": Queue.objects.get(unit=demo, letter="G"),
        "w1": demo.windows.get(number=1),
        "w2": demo.windows.get(number=2),
        "w3": demo.windows.get(number=3),
        "officer": actor("officer"),
        "lead": actor("dutylead"),
    }


def test_a_ticket_sent_to_one_window_cannot_be_called_by_another(hall):
    services.take_ticket(queue=hall["A"], now=at(9))
    services.sign_in(actor=hall["officer"], window=hall["w2"], now=at(8, 50))
    services.sign_in(actor=hall["lead"], window=hall["w3"], now=at(8, 50))
    t = services.call_next(actor=hall["officer"], window=hall["w2"], now=at(9, 1))
    services.transfer(actor=hall["officer"], ticket=t, to_window=hall["w1"], now=at(9, 2))
    with raises_rule(None, InvalidInput, match="没有等候中的"):
        services.call_number(actor=hall["lead"], window=hall["w3"], label="A001", now=at(9, 3))


def test_nobody_leaves_one_window_by_signing_in_at_another(hall):
    services.sign_in(actor=hall["officer"], window=hall["w2"], now=at(8, 50))
    with raises_rule("R-TIME-5"):
        services.sign_in(actor=hall["officer"], window=hall["w3"], now=at(9))


def test_a_transfer_to_another_queue_keeps_the_number_on_the_slip(hall):
    services.take_ticket(queue=hall["A"], now=at(9))
    services.sign_in(actor=hall["officer"], window=hall["w2"], now=at(8, 50))
    t = services.call_next(actor=hall["officer"], window=hall["w2"], now=at(9, 1))
    moved = services.transfer(actor=hall["officer"], ticket=t, to_queue=hall["G"], now=at(9, 2))
    assert moved.label == "A001" and moved.queue == hall["G"]


def test_long_text_is_refused_plainly(hall):
    services.sign_in(actor=hall["officer"], window=hall["w2"], now=at(8, 50))
    with raises_rule(None, InvalidInput, match="100 字以内"):
        services.pause(actor=hall["officer"], window=hall["w2"], reason="很" * 101, now=at(9))


def test_nobody_approves_their_own_pause(hall):
    services.sign_in(actor=hall["lead"], window=hall["w1"], now=at(8, 50))
    p = services.pause(actor=hall["lead"], window=hall["w1"], reason="开会", minutes=30, now=at(9))
    with raises_rule("R-Q-3", Forbidden):
        services.approve_pause(actor=hall["lead"], window_pause=p)


def test_the_kiosk_answers_odd_input_with_400_and_a_message(client, demo):
    response = client.post("/kiosk/kf-gulou-hukou/", {"queue": "abc"})
    assert response.status_code == 400 and "请选择本取号机上显示的队列" in response.content.decode()


def test_bookings_are_for_open_times_once_per_person_and_unit(demo):
    matter = Matter.objects.get(code="passport-issue")
    past = AppointmentSlot.objects.create(
        unit=matter.unit, matter=matter, date=dt.date(2020, 1, 6), start=dt.time(9), end=dt.time(10)
    )
    with raises_rule(None, match="该时段已过"):
        appointments.book(
            slot=past, name="赵丽", id_type="resident_id", id_number=ID1, phone="13912345678"
        )
    s1, s2 = AppointmentSlot.objects.filter(matter=matter, date__gt=past.date).order_by(
        "date", "start"
    )[:2]
    if s1.date != s2.date:
        s2 = AppointmentSlot.objects.create(
            unit=matter.unit, matter=matter, date=s1.date, start=dt.time(16), end=dt.time(17)
        )
    a = appointments.book(
        slot=s1, name="赵丽", id_type="resident_id", id_number=ID1, phone="13912345678"
    )
    with raises_rule(None, match="已预约过该事项"):
        appointments.book(
            slot=s2, name="赵丽", id_type="resident_id", id_number=ID1, phone="13912345678"
        )
    from servicehall.org.models import Unit

    with raises_rule(None, InvalidInput, match="没有这个签到码"):
        appointments.check_in(code=a.code, unit=Unit.objects.get(code="kf-gulou-hukou"))
