"""Calling by the rules (decision 0026): the green channel (R-CASE-4) goes first in whatever
queue its ticket stands, by the GREEN_EVERY setting; a checked-in appointment is called at
its slot, before walk-ins, within the grace minutes (R-Q-1); a ticket transferred to a window
stays first there. Every test runs on SQLite (services.call_next in Python) and on PostgreSQL
(the queueing_call_next function)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from servicehall.catalog.models import Matter
from servicehall.core.idnumbers import with_check_digit
from servicehall.queueing import appointments, services
from servicehall.queueing.models import AppointmentSlot, Queue, Ticket, WindowState

SH = ZoneInfo("Asia/Shanghai")


def at(h, mi=0, d=25):
    return dt.datetime(2026, 11, d, h, mi, tzinfo=SH)  # a Wednesday


@pytest.fixture
def hall(demo, actor):
    """鼓楼: queue A (normal) and G (green); window 2 calls 1 G : 2 A, its officer signed in."""
    officer = actor("officer")  # 王建国, posted at window 2
    services.sign_in(actor=officer, window=demo.windows.get(number=2), now=at(8, 50))
    return {
        "A": Queue.objects.get(unit=demo, letter="A"),
        "G": Queue.objects.get(unit=demo, letter="G"),
        "w1": demo.windows.get(number=1),
        "w2": demo.windows.get(number=2),
        "officer": officer,
    }


@pytest.fixture
def green_every(settings):
    def _set(n):
        settings.SERVICEHALL = {**settings.SERVICEHALL, "GREEN_EVERY": n}

    return _set


def walk_ins(queue, n, start=None):
    start = start or at(9)
    return [
        services.take_ticket(queue=queue, now=start + dt.timedelta(minutes=i)) for i in range(n)
    ]


def green_at_reception(hall, queue, when, actor):
    """Reception puts a citizen in the green channel, in whatever queue serves the matter."""
    return services.issue_at_reception(
        actor=actor("officer"), queue=queue, green_channel=True, now=when
    )


def booked(queue, slot, checked_in):
    """A checked-in appointment's ticket, as appointments.check_in makes it."""
    return services.take_ticket(
        queue=queue, source=Ticket.Source.APPOINTMENT, scheduled_at=slot, now=checked_in
    )


def calls(hall, times):
    """Call at window 2 at each of `times`, finishing each ticket at once; the labels."""
    labels = []
    for when in times:
        t = services.call_next(actor=hall["officer"], window=hall["w2"], now=when)
        if t is None:
            labels.append(None)
            continue
        labels.append(t.label)
        services.start(actor=hall["officer"], ticket=t, now=when)
        services.finish(actor=hall["officer"], ticket=t, now=when)
    return labels


def minutes(start, n):
    return [start + dt.timedelta(minutes=i) for i in range(n)]


# ---- the green channel (R-CASE-4) ----------------------------------------------------------


def test_a_green_ticket_in_a_normal_queue_is_called_before_older_walk_ins(hall, actor):
    """R-CASE-4: reception may put a green-channel citizen in queue A; by default (the seed's
    以最快速度) the next call is theirs, however many walk-ins came before."""
    walk_ins(hall["A"], 3)  # A001–A003 from 09:00
    green = green_at_reception(hall, hall["A"], at(9, 30), actor)
    assert green.label == "A004" and green.green_channel
    assert calls(hall, minutes(at(10), 4)) == ["A004", "A001", "A002", "A003"]


def test_by_default_every_call_goes_to_the_oldest_green_ticket_of_any_queue(hall, actor):
    """R-CASE-4 with GREEN_EVERY = 1 (the default): the queues' weights (1 G : 2 A) do not hold
    green tickets back; among them the one who came first goes first, whatever the queue."""
    walk_ins(hall["A"], 2)  # A001, A002 at 09:00, 09:01
    green_at_reception(hall, hall["A"], at(9, 10), actor)  # A003
    services.take_ticket(queue=hall["G"], now=at(9, 20))  # G001
    services.take_ticket(queue=hall["G"], now=at(9, 5))  # G002, came before A003
    assert calls(hall, minutes(at(10), 6)) == ["G002", "A003", "G001", "A001", "A002", None]


def test_one_green_in_every_n_calls(hall, actor, green_every):
    """R-CASE-4 with GREEN_EVERY = 3: while both wait, one call in three goes to a green ticket
    in queue A, the first of them at once; the walk-ins keep their order."""
    green_every(3)
    walk_ins(hall["A"], 6)  # A001–A006
    for i in range(3):
        green_at_reception(hall, hall["A"], at(9, 30 + i), actor)  # A007–A009
    assert calls(hall, minutes(at(10), 9)) == [
        "A007",
        "A001",
        "A002",
        "A008",
        "A003",
        "A004",
        "A009",
        "A005",
        "A006",
    ]


def test_a_green_ticket_called_because_nobody_else_waited_counts_as_the_green_call(
    hall, green_every
):
    """GREEN_EVERY = 2: G002 goes out of turn because nobody else waits; that was the green
    call, so the walk-in who comes next is not made to wait for another green one."""
    green_every(2)
    services.take_ticket(queue=hall["G"], now=at(9))
    services.take_ticket(queue=hall["G"], now=at(9, 1))
    assert calls(hall, [at(10), at(10, 1)]) == ["G001", "G002"]
    walk_ins(hall["A"], 1, start=at(10, 2))  # A001
    services.take_ticket(queue=hall["G"], now=at(10, 3))  # G003
    assert calls(hall, minutes(at(10, 5), 3)) == ["A001", "G003", None]


def test_a_green_ticket_goes_when_nobody_else_waits_whatever_the_count(hall, actor, green_every):
    """R-CASE-4: the ratio never keeps a green citizen waiting at an idle window."""
    green_every(3)
    walk_ins(hall["A"], 1)
    green_at_reception(hall, hall["A"], at(9, 10), actor)  # A002
    green_at_reception(hall, hall["A"], at(9, 11), actor)  # A003
    assert calls(hall, minutes(at(10), 4)) == ["A002", "A001", "A003", None]


def test_with_no_precedence_green_tickets_wait_their_turn(hall, actor, green_every):
    """GREEN_EVERY = 0: a green ticket in queue A waits its turn by arrival, like any other."""
    green_every(0)
    walk_ins(hall["A"], 2)
    green_at_reception(hall, hall["A"], at(9, 30), actor)  # A003
    assert calls(hall, minutes(at(10), 3)) == ["A001", "A002", "A003"]


def test_the_count_survives_between_calls_and_a_new_setting_applies_at_once(
    hall, actor, green_every
):
    """The window's count is stored (WindowState); lowering GREEN_EVERY caps what it owes."""
    green_every(5)
    walk_ins(hall["A"], 4)
    for i in range(2):
        green_at_reception(hall, hall["A"], at(9, 30 + i), actor)  # A005, A006
    assert calls(hall, [at(10)]) == ["A005"]
    assert WindowState.objects.get(window=hall["w2"]).calls_before_green == 4
    green_every(2)
    assert calls(hall, minutes(at(10, 1), 3)) == ["A001", "A006", "A002"]


# ---- appointments at their slot (R-Q-1) ------------------------------------------------------


def test_a_due_appointment_is_called_before_walk_ins(hall):
    """R-Q-1: an appointment checked in before its 10:00 slot goes first once the slot comes,
    ahead of walk-ins who came earlier."""
    walk_ins(hall["A"], 3)  # A001–A003 from 09:00
    booked(hall["A"], at(10), checked_in=at(9, 40))  # A004
    assert calls(hall, minutes(at(10), 4)) == ["A004", "A001", "A002", "A003"]


def test_an_appointment_is_due_from_the_early_minutes_before_its_slot(hall):
    """R-Q-1: called early as a walk-in would be, but preferred only from
    APPOINTMENT_EARLY_MINUTES (10) before the slot: not at 09:49, at 09:50."""
    walk_ins(hall["A"], 3)  # A001–A003
    booked(hall["A"], at(10), checked_in=at(9, 30))  # A004
    assert calls(hall, [at(9, 49), at(9, 50)]) == ["A001", "A004"]


def test_an_appointment_too_early_waits_as_a_walk_in(hall):
    """An appointment for 11:00 checked in at 09:30 is not preferred at 10:00: it waits by its
    arrival like a walk-in, and is called as one when its turn comes."""
    walk_ins(hall["A"], 2)  # A001, A002 at 09:00, 09:01
    booked(hall["A"], at(11), checked_in=at(9, 30))  # A003
    walk_ins(hall["A"], 1, start=at(9, 40))  # A004
    assert calls(hall, minutes(at(10), 4)) == ["A001", "A002", "A003", "A004"]


def test_an_appointment_checked_in_too_late_is_a_walk_in(hall):
    """R-Q-1: checked in more than APPOINTMENT_LATE_MINUTES (15) after its slot, the
    appointment is a walk-in; at 15 minutes it is still on time."""
    walk_ins(hall["A"], 2)  # A001, A002
    booked(hall["A"], at(9), checked_in=at(9, 16))  # A003: late
    booked(hall["A"], at(9, 30), checked_in=at(9, 45))  # A004: just in time
    assert calls(hall, minutes(at(10), 4)) == ["A004", "A001", "A002", "A003"]


def test_an_appointment_on_time_keeps_its_place_while_it_waits(hall):
    """Once checked in on time, a busy hall does not take the appointment's precedence away:
    at 10:40 the 10:00 appointment still goes before walk-ins."""
    walk_ins(hall["A"], 2)
    booked(hall["A"], at(10), checked_in=at(9, 55))  # A003
    assert calls(hall, [at(10, 40)]) == ["A003"]


def test_due_appointments_go_by_their_slot(hall):
    """Two due appointments: the earlier slot first, though it checked in later."""
    walk_ins(hall["A"], 1)
    booked(hall["A"], at(10), checked_in=at(9, 40))  # A002
    booked(hall["A"], at(9, 45), checked_in=at(9, 50))  # A003
    assert calls(hall, minutes(at(10), 3)) == ["A003", "A002", "A001"]


def test_the_grace_minutes_are_settings(hall, settings):
    """APPOINTMENT_EARLY_MINUTES and APPOINTMENT_LATE_MINUTES are read by the call."""
    settings.SERVICEHALL = {
        **settings.SERVICEHALL,
        "APPOINTMENT_EARLY_MINUTES": 30,
        "APPOINTMENT_LATE_MINUTES": 5,
    }
    walk_ins(hall["A"], 2)  # A001, A002
    booked(hall["A"], at(10, 25), checked_in=at(9, 30))  # A003: due from 09:55
    booked(hall["A"], at(9), checked_in=at(9, 6))  # A004: late by the new limit
    assert calls(hall, minutes(at(9, 55), 4)) == ["A003", "A001", "A002", "A004"]


def test_a_booking_checked_in_at_the_kiosk_is_called_at_its_slot(hall):
    """From booking to call: the kiosk's check-in gives a ticket that is called at 10:00."""
    matter = Matter.objects.get(code="hukou-migration-report")  # served by queue A only
    slot = AppointmentSlot.objects.create(
        unit=hall["A"].unit, matter=matter, date=at(10).date(), start=dt.time(10), end=dt.time(11)
    )
    booking = appointments.book(
        slot=slot,
        name="赵丽",
        id_type="resident_id",
        id_number=with_check_digit("41020319850612202"),
        phone="13912345678",
        now=at(10, d=24),
    )
    walk_ins(hall["A"], 2)
    ticket = appointments.check_in(code=booking.code, now=at(9, 40))
    assert ticket.source == "appointment" and ticket.queue == hall["A"]
    assert calls(hall, [at(9, 45), at(10)]) == ["A001", ticket.label]


# ---- the order between them ------------------------------------------------------------------


def test_green_goes_before_a_due_appointment(hall, actor):
    """Decision 0026: urgent cases (R-CASE-4) before a booked slot (R-Q-1), which has its
    grace minutes; both before walk-ins."""
    walk_ins(hall["A"], 1)  # A001
    booked(hall["A"], at(10), checked_in=at(9, 50))  # A002
    green_at_reception(hall, hall["A"], at(9, 58), actor)  # A003
    assert calls(hall, minutes(at(10), 3)) == ["A003", "A002", "A001"]


def test_between_green_calls_a_due_appointment_goes_before_walk_ins(hall, actor, green_every):
    """GREEN_EVERY = 3: the calls that are not green's serve due appointments first."""
    green_every(3)
    walk_ins(hall["A"], 2)  # A001, A002
    green_at_reception(hall, hall["A"], at(9, 30), actor)  # A003
    green_at_reception(hall, hall["A"], at(9, 31), actor)  # A004
    booked(hall["A"], at(10), checked_in=at(9, 50))  # A005
    assert calls(hall, minutes(at(10), 5)) == ["A003", "A005", "A001", "A004", "A002"]


def test_a_ticket_transferred_to_the_window_still_goes_first(hall, actor):
    """A citizen sent on to window 3 has been served once already and only that window may
    call them: before green tickets and due appointments there."""
    lead = actor("dutylead")
    w3 = hall["A"].unit.windows.get(number=3)  # calls 1 G : 2 A, as window 2
    services.sign_in(actor=lead, window=w3, now=at(8, 50))
    walk_ins(hall["A"], 1)  # A001
    sent = services.call_next(actor=hall["officer"], window=hall["w2"], now=at(9, 1))
    services.transfer(actor=hall["officer"], ticket=sent, to_window=w3, now=at(9, 2))
    booked(hall["A"], at(9, 10), checked_in=at(9, 3))  # A002, due at 09:10
    green_at_reception(hall, hall["A"], at(9, 4), actor)  # A003
    labels = []
    for when in minutes(at(9, 10), 3):
        t = services.call_next(actor=lead, window=w3, now=when)
        labels.append(t.label)
        services.start(actor=lead, ticket=t, now=when)
        services.finish(actor=lead, ticket=t, now=when)
    assert labels == ["A001", "A003", "A002"]


def test_a_green_ticket_transferred_to_another_window_is_not_called_here(hall, actor):
    """Precedence never reaches a ticket sent to another window."""
    lead = actor("dutylead")
    services.sign_in(actor=lead, window=hall["w1"], now=at(8, 50))
    green = green_at_reception(hall, hall["A"], at(9), actor)
    walk_ins(hall["A"], 1, start=at(9, 1))  # A002
    first = services.call_next(actor=hall["officer"], window=hall["w2"], now=at(9, 5))
    assert first.label == green.label
    services.transfer(actor=hall["officer"], ticket=first, to_window=hall["w1"], now=at(9, 6))
    assert calls(hall, [at(9, 7)]) == ["A002"]


# ---- what the citizen's slip says -----------------------------------------------------------


def test_the_slips_count_of_people_ahead_follows_the_calling_order(hall, actor):
    """selectors.ahead_of counts by the same rule: each ticket's count is its place in the
    order the window then calls them."""
    from servicehall.queueing.selectors import ahead_of

    walk_ins(hall["A"], 1)  # A001 at 09:00
    green_at_reception(hall, hall["A"], at(9, 30), actor)  # A002
    booked(hall["A"], at(10), checked_in=at(9, 50))  # A003, due at 09:50
    walk_ins(hall["A"], 1, start=at(9, 55))  # A004
    waiting = {t.label: t for t in Ticket.objects.filter(queue=hall["A"], state="waiting")}
    counts = {label: ahead_of(t, now=at(10)) for label, t in waiting.items()}
    order = calls(hall, minutes(at(10), 4))
    assert order == ["A002", "A003", "A001", "A004"]
    assert [counts[label] for label in order] == [0, 1, 2, 3]


def test_the_kiosk_slip_of_a_due_appointment_says_nobody_is_ahead(client, hall):
    """The slip a citizen gets at check-in: due now, only green tickets go first."""
    from django.utils import timezone

    now = timezone.now()
    walk_ins(hall["A"], 2, start=now - dt.timedelta(minutes=20))
    ticket = booked(hall["A"], now + dt.timedelta(minutes=5), checked_in=now)
    page = client.get(f"/kiosk/kf-gulou-hukou/slips/{services.slip_token(ticket)}/")
    assert page.status_code == 200
    assert "您前面还有 0 人" in page.content.decode()
