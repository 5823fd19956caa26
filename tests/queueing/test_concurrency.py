"""R-Q-1 under real concurrency: several processes call from several windows at once on
PostgreSQL; no ticket is called twice and none is skipped."""

import datetime as dt
import multiprocessing as mp

import pytest
from django.db import connection, connections

from servicehall.org.models import Staff, Window
from servicehall.queueing import services
from servicehall.queueing.models import CallRule, Queue, Ticket, WindowSession

pytestmark = pytest.mark.django_db(transaction=True)
TICKETS = 240
SIGNED_IN = dt.datetime.fromisoformat("2026-01-01T08:00+08:00")
WINDOWS = 6


def _worker(window_id, staff_user_id, out):
    connections.close_all()  # each process its own connection
    from django.contrib.auth import get_user_model

    from servicehall.org.permissions import actor_for

    actor = actor_for(get_user_model().objects.get(pk=staff_user_id))
    window = Window.objects.get(pk=window_id)
    called = []
    while True:
        ticket = services.call_next(actor=actor, window=window)
        if ticket is None:
            break
        called.append(ticket.pk)
        services.start(actor=actor, ticket=ticket)
        services.finish(actor=actor, ticket=ticket)
    out.put(called)
    connections.close_all()


def _staffed_windows(demo, queues, prefix, first_number):
    """WINDOWS new windows calling `queues`, each with an officer signed in: (window, user)."""
    from django.contrib.auth import get_user_model

    users = []
    for i in range(WINDOWS):
        window = Window.objects.create(
            unit=demo, number=first_number + i, function=f"测试窗口{prefix}{i}"
        )
        for order, queue in enumerate(queues):
            CallRule.objects.create(window=window, queue=queue, order=order, weight=1)
        staff = Staff.objects.create(
            unit=demo,
            badge_no=f"{prefix}{i:03d}",
            name=f"测试{prefix}{i}",
            role="officer",
            window=window,
            certified_on="2020-01-01",
            user=get_user_model().objects.create_user(f"{prefix.lower()}{i}", password="x" * 12),
        )
        WindowSession.objects.create(
            window=window,
            staff=staff,
            signed_in_at=SIGNED_IN,
        )
        users.append((window.pk, staff.user_id))
    return users


def _run_windows(users):
    """Every window calls in its own process until nobody waits: the ticket ids per window."""
    connections.close_all()
    ctx = mp.get_context("fork")
    out = ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(w, u, out)) for w, u in users]
    for p in procs:
        p.start()
    results = [out.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    return results


def test_parallel_windows_never_call_a_ticket_twice_and_skip_none(demo):
    if connection.vendor != "postgresql":
        pytest.skip("parallel processes need PostgreSQL; SQLite serialises every writer")
    queue = Queue.objects.get(unit=demo, letter="A")
    users = _staffed_windows(demo, [queue], "T", 20)
    tickets = [services.take_ticket(queue=queue) for _ in range(TICKETS)]
    results = _run_windows(users)
    called = [pk for r in results for pk in r]
    assert len(called) == len(set(called)), "a ticket was called twice"
    assert sorted(called) == sorted(t.pk for t in tickets), "a ticket was skipped"
    assert sum(1 for r in results if r) > 1, "the windows did not actually run side by side"
    assert not Ticket.objects.filter(queue=queue, state="waiting").exists()


@pytest.mark.parametrize("green_every", [1, 3])
def test_precedence_never_calls_a_ticket_twice_nor_skips_one(demo, settings, green_every):
    """Decision 0026 under real concurrency: green tickets in a normal queue and in the green
    queue, due appointments and walk-ins, called by parallel windows (R-CASE-4, R-Q-1)."""
    if connection.vendor != "postgresql":
        pytest.skip("parallel processes need PostgreSQL; SQLite serialises every writer")
    from django.utils import timezone

    settings.SERVICEHALL = {**settings.SERVICEHALL, "GREEN_EVERY": green_every}
    normal, green = (
        Queue.objects.get(unit=demo, letter="A"),
        Queue.objects.get(unit=demo, letter="G"),
    )
    users = _staffed_windows(demo, [green, normal], "P", 40)
    tickets = []
    for i in range(TICKETS):
        if i % 5 == 1:  # reception's green channel, in queue A
            tickets.append(services.take_ticket(queue=normal, green_channel=True))
        elif i % 5 == 2:  # checked in for a slot that has come
            tickets.append(
                services.take_ticket(
                    queue=normal, source="appointment", scheduled_at=timezone.now()
                )
            )
        elif i % 10 == 3:
            tickets.append(services.take_ticket(queue=green))
        else:
            tickets.append(services.take_ticket(queue=normal))
    results = _run_windows(users)
    called = [pk for r in results for pk in r]
    assert len(called) == len(set(called)), "a ticket was called twice"
    assert sorted(called) == sorted(t.pk for t in tickets), "a ticket was skipped"
    assert sum(1 for r in results if r) > 1, "the windows did not actually run side by side"
    # each window's own calls keep the rule: with GREEN_EVERY = 1 no walk-in is called while
    # a green ticket of the window's queues waits, so the greens are the windows' first calls
    if green_every == 1:
        greens = {t.pk for t in tickets if t.green_channel}
        for r in results:
            flags = [pk in greens for pk in r]
            assert flags == sorted(flags, reverse=True), "a walk-in went before a green ticket"


def _close(window_id, staff_user_id, barrier, out):
    connections.close_all()
    from django.contrib.auth import get_user_model

    from servicehall.core.errors import ServiceError
    from servicehall.org.permissions import actor_for

    actor = actor_for(get_user_model().objects.get(pk=staff_user_id))
    window = Window.objects.get(pk=window_id)
    barrier.wait(timeout=30)
    try:
        services.sign_out(actor=actor, window=window)
        out.put("closed")
    except ServiceError:
        out.put("refused")
    connections.close_all()


def test_two_windows_closing_at_once_leave_one_open_for_the_waiting(demo):
    """R-TIME-5 under concurrency: each window alone may close, since the other still serves
    the queue; both at once must not, or the citizen waits for nobody."""
    if connection.vendor != "postgresql":
        pytest.skip("parallel processes need PostgreSQL; SQLite serialises every writer")
    from django.contrib.auth import get_user_model

    queue = Queue.objects.create(unit=demo, letter="Q", name="测试队列")
    users = []
    for i in range(2):
        window = Window.objects.create(unit=demo, number=30 + i, function=f"测试窗口{i}")
        CallRule.objects.create(window=window, queue=queue, weight=1)
        staff = Staff.objects.create(
            unit=demo,
            badge_no=f"C{i:03d}",
            name=f"关窗{i}",
            role="officer",
            window=window,
            certified_on="2020-01-01",
            user=get_user_model().objects.create_user(f"c{i}", password="x" * 12),
        )
        WindowSession.objects.create(
            window=window,
            staff=staff,
            signed_in_at=SIGNED_IN,
        )
        users.append((window.pk, staff.user_id))
    services.take_ticket(queue=queue)
    connections.close_all()
    ctx = mp.get_context("fork")
    out, barrier = ctx.Queue(), ctx.Barrier(2)
    procs = [ctx.Process(target=_close, args=(w, u, barrier, out)) for w, u in users]
    for p in procs:
        p.start()
    results = sorted(out.get(timeout=60) for _ in procs)
    for p in procs:
        p.join(timeout=30)
    assert results == ["closed", "refused"]
    assert (
        WindowSession.objects.filter(window__unit=demo, window__number__in=[30, 31])
        .filter(signed_out_at__isnull=True)
        .count()
        == 1
    )
