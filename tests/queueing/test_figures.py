"""Waiting and service figures come from the five timestamps (R-Q-1)."""

import datetime as dt
from zoneinfo import ZoneInfo

from servicehall.queueing import figures, services
from servicehall.queueing.models import Queue

SH = ZoneInfo("Asia/Shanghai")


def at(h, mi=0):
    return dt.datetime(2026, 11, 25, h, mi, tzinfo=SH)


def test_figures_per_queue_matter_window_and_hour(actor, demo):
    queue = Queue.objects.get(unit=demo, letter="A")
    matter = queue.matters.first()
    window = demo.windows.get(number=2)
    officer = actor("officer")
    services.sign_in(actor=officer, window=window, now=at(8, 20))
    t1 = services.take_ticket(queue=queue, matter=matter, now=at(9, 0))
    services.take_ticket(queue=queue, now=at(9, 5))
    services.take_ticket(queue=queue, now=at(10, 0))  # never called: abandoned at day's end
    t = services.call_next(actor=officer, window=window, now=at(9, 10))
    assert t.pk == t1.pk
    services.start(actor=officer, ticket=t, now=at(9, 11))
    services.finish(actor=officer, ticket=t, now=at(9, 21))
    t = services.call_next(actor=officer, window=window, now=at(9, 25))
    services.no_show(actor=officer, ticket=t, now=at(9, 30))
    f = figures.day_figures(demo, dt.date(2026, 11, 25))
    total = f["total"]
    assert (total["taken"], total["served"], total["abandoned"]) == (3, 1, 2)
    assert total["avg_wait_min"] == 15.0  # 10 and 20 minutes
    assert total["avg_service_min"] == 10.0
    assert f["by_window"][2]["taken"] == 2 and f["by_hour"][10]["waiting_now"] == 1
    # the one ticket that named its matter: waited 10 minutes, served in 10
    assert f["by_matter"] == {
        matter.name: {**f["by_matter"][matter.name], "taken": 1, "avg_wait_min": 10.0}
    }
    assert f["by_matter"][matter.name]["avg_service_min"] == 10.0


def test_a_number_still_waiting_today_is_not_yet_abandoned(demo):
    """Mid-day the hall sees who waits now, not a no-show; once the day is over, a number never
    called counts as abandoned."""
    from django.utils import timezone

    queue = Queue.objects.get(unit=demo, letter="A")
    services.take_ticket(queue=queue)
    today = figures.day_figures(demo)["total"]
    assert (today["waiting_now"], today["abandoned"]) == (1, 0)
    yesterday = timezone.now() - dt.timedelta(days=1)
    services.take_ticket(queue=queue, now=yesterday)
    before = figures.day_figures(demo, timezone.localdate(yesterday))["total"]
    assert (before["waiting_now"], before["abandoned"]) == (1, 1)
