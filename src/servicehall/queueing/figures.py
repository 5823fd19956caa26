"""Waiting and service figures, derived from the tickets' five timestamps only (R-Q-1): per
queue, matter, window and hour of the day, with abandonment (numbers never served: no-shows and
tickets still waiting when the day ended)."""

import datetime as dt
from collections import defaultdict

from django.utils import timezone

from .models import Ticket


def _minutes(delta):
    return round(delta.total_seconds() / 60, 1)


def _summary(tickets, day_over=True):
    waits = [t.called_at - t.arrived_at for t in tickets if t.called_at]
    serves = [t.ended_at - t.started_at for t in tickets if t.ended_at and t.started_at]
    taken = len(tickets)
    # a number still waiting is abandoned only once its day is over: before, it may yet be called
    never = (Ticket.State.NO_SHOW, Ticket.State.WAITING) if day_over else (Ticket.State.NO_SHOW,)
    abandoned = sum(1 for t in tickets if t.state in never)
    waits.sort()
    return {
        "taken": taken,
        "served": sum(1 for t in tickets if t.state == Ticket.State.DONE),
        "waiting_now": sum(1 for t in tickets if t.state == Ticket.State.WAITING),
        "avg_wait_min": _minutes(sum(waits, dt.timedelta()) / len(waits)) if waits else None,
        "p90_wait_min": _minutes(waits[int(len(waits) * 0.9) - 1]) if len(waits) >= 10 else None,
        "avg_service_min": _minutes(sum(serves, dt.timedelta()) / len(serves)) if serves else None,
        "abandoned": abandoned,
        "abandonment_rate": round(abandoned / taken, 3) if taken else None,
    }


def day_figures(unit, day=None):
    """{"total": …, "by_queue": {label: …}, "by_matter": {name: …}, "by_window": {n: …},
    "by_hour": {h: …}}. A ticket counts for its matter when it names one (appointments and
    reception tickets do; a kiosk ticket names only its queue)."""
    day = day or timezone.localdate()
    tickets = list(
        Ticket.objects.filter(queue__unit=unit, day=day)
        .exclude(state=Ticket.State.TRANSFERRED)  # counted once, in the queue it went to
        .select_related("queue", "window", "matter")
    )
    by_queue, by_window, by_hour = defaultdict(list), defaultdict(list), defaultdict(list)
    by_matter = defaultdict(list)
    for t in tickets:
        by_queue[str(t.queue)].append(t)
        if t.matter_id:
            by_matter[t.matter.name].append(t)
        if t.window_id:
            by_window[t.window.number].append(t)
        by_hour[timezone.localtime(t.arrived_at).hour].append(t)
    over = day < timezone.localdate()
    return {
        "day": day,
        "total": _summary(tickets, over),
        "by_queue": {k: _summary(v, over) for k, v in sorted(by_queue.items())},
        "by_matter": {k: _summary(v, over) for k, v in sorted(by_matter.items())},
        "by_window": {k: _summary(v, over) for k, v in sorted(by_window.items())},
        "by_hour": {k: _summary(v, over) for k, v in sorted(by_hour.items())},
    }
