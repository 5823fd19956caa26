"""Waiting and service figures, derived from the tickets' five timestamps only (R-Q-1): per
queue, matter, window and hour of the day, with abandonment (numbers never served: no-shows and
tickets still waiting when the day ended); and presence (late sign-ins, long pauses, R-Q-3).

Each figure is defined once, as an SQL aggregate (`ticket_counts`, `presence_counts`): the hall
shows them over today's tickets, the daily roll-ups store them per window, staff member and day
(servicehall.rollups, decision 0023)."""

import datetime as dt

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import ExtractHour, TruncDate
from django.utils import timezone

from servicehall.core.figures import day_bounds, grouped, seconds, span

from .models import Queue, Ticket, WindowPause, WindowSession

TICKET_KEYS = {
    "unit_id": "queue__unit_id",
    "window_id": "window_id",
    "staff_id": "staff_id",
    "day": "day",
}


def _long_pause_minutes():
    # R-Q-3: a pause past this needs the duty lead; the one setting queueing reads
    from .services import long_pause_minutes

    return long_pause_minutes()


def ticket_counts(day_over=True) -> dict:
    """The ticket figures as aggregates. A number still waiting is abandoned only once its day
    is over: before, it may yet be called."""
    never = (Ticket.State.NO_SHOW, Ticket.State.WAITING) if day_over else (Ticket.State.NO_SHOW,)
    return {
        "taken": Count("pk"),
        "served": Count("pk", filter=Q(state=Ticket.State.DONE)),
        "waiting_now": Count("pk", filter=Q(state=Ticket.State.WAITING)),
        "abandoned": Count("pk", filter=Q(state__in=never)),
        "wait_total": Sum(span("called_at", "arrived_at")),
        "wait_count": Count("called_at"),
        "service_total": Sum(span("ended_at", "started_at")),
        "service_count": Count("pk", filter=Q(started_at__isnull=False, ended_at__isnull=False)),
    }


def tickets(first: dt.date, last: dt.date | None = None, units=None):
    """The tickets of local days `first` … `last` that count: a transferred ticket is counted
    once, in the queue it went to."""
    qs = Ticket.objects.filter(day__range=(first, last or first)).exclude(
        state=Ticket.State.TRANSFERRED
    )
    return qs.filter(queue_id__in=queue_ids(units))


def queue_ids(units=None) -> list[int]:
    """The queues of `units` (None: every queue) as a list: with it the (queue, day, number)
    index finds a day's tickets, however many days the table holds."""
    qs = Queue.objects.all() if units is None else Queue.objects.filter(unit__in=units)
    return list(qs.values_list("pk", flat=True))


def ticket_rows(by, first, last=None, units=None, day_over=True) -> list[dict]:
    """ticket_counts grouped by `by` (servicehall.core.figures.KEYS)."""
    qs = grouped(tickets(first, last, units), by, TICKET_KEYS)
    return list(qs.annotate(**ticket_counts(day_over)))


def presence_counts(now=None) -> tuple[dict, dict]:
    """(per sign-in, per pause) aggregates: late sign-ins (R-Q-3, minutes late recorded at
    sign-in) and pauses longer than the norm's minutes, an open one counted once it is."""
    limit = dt.timedelta(minutes=_long_pause_minutes())
    cut = (now or timezone.now()) - limit
    return (
        {"late_sign_ins": Count("pk", filter=Q(minutes_late__gt=0))},
        {
            "long_pauses": Count(
                "pk",
                filter=Q(ended_at__gt=F("started_at") + limit)
                | Q(ended_at__isnull=True, started_at__lt=cut),
            )
        },
    )


SESSION_KEYS = {"unit_id": "window__unit_id", "window_id": "window_id", "staff_id": "staff_id"}
PAUSE_KEYS = {
    "unit_id": "session__window__unit_id",
    "window_id": "session__window_id",
    "staff_id": "session__staff_id",
}


def presence_rows(by, first, last=None, units=None, now=None) -> tuple[list, list]:
    """(sign-in rows, pause rows) grouped by `by`, each on the local day it began."""
    start, end = day_bounds(first, last)
    per_session, per_pause = presence_counts(now)
    sessions = WindowSession.objects.filter(signed_in_at__gte=start, signed_in_at__lt=end)
    pauses = WindowPause.objects.filter(started_at__gte=start, started_at__lt=end)
    if units is not None:
        sessions = sessions.filter(window__unit__in=units)
        pauses = pauses.filter(session__window__unit__in=units)
    s_keys = {**SESSION_KEYS, "day": TruncDate("signed_in_at")}
    p_keys = {**PAUSE_KEYS, "day": TruncDate("started_at")}
    return (
        list(grouped(sessions, by, s_keys).annotate(**per_session)),
        list(grouped(pauses, by, p_keys).annotate(**per_pause)),
    )


def _minutes(total_seconds):
    return round(total_seconds / 60, 1)


def summary(r) -> dict:
    """What a page shows of ticket_counts (one row, summed or not)."""
    wait, service = seconds(r["wait_total"]), seconds(r["service_total"])
    taken = r["taken"]
    return {
        "taken": taken,
        "served": r["served"],
        "waiting_now": r["waiting_now"],
        "avg_wait_min": _minutes(wait / r["wait_count"]) if r["wait_count"] else None,
        "avg_service_min": _minutes(service / r["service_count"]) if r["service_count"] else None,
        "abandoned": r["abandoned"],
        "abandonment_rate": round(r["abandoned"] / taken, 3) if taken else None,
    }


def _p90_wait(qs, count):
    """The 90th-percentile wait of the day (nearest rank), in one query: the waits sorted."""
    if count < 10:
        return None
    row = (
        qs.filter(called_at__isnull=False)
        .annotate(w=span("called_at", "arrived_at"))
        .order_by("w")
        .values_list("w", flat=True)[int(count * 0.9) - 1 : int(count * 0.9)]
    )
    value = next(iter(row), None)
    return _minutes(value.total_seconds()) if value is not None else None


def day_figures(unit, day=None):
    """{"total": …, "by_queue": {label: …}, "by_matter": {name: …}, "by_window": {n: …},
    "by_hour": {h: …}}, a few aggregate queries whatever the day's numbers. A ticket counts for
    its matter when it names one (appointments and reception tickets do; a kiosk ticket names
    only its queue)."""
    day = day or timezone.localdate()
    over = day < timezone.localdate()
    counts = ticket_counts(over)
    qs = tickets(day, units=[unit])
    total = qs.aggregate(**counts)
    queues = {q.pk: str(q) for q in Queue.objects.filter(unit=unit)}

    def by(*key, **alias):
        return qs.order_by().values(*key, **alias).annotate(**counts)

    by_queue = {queues[r["queue_id"]]: summary(r) for r in by("queue_id")}
    by_matter = {
        r["matter__name"]: summary(r) for r in by("matter__name") if r["matter__name"] is not None
    }
    by_window = {
        r["window__number"]: summary(r)
        for r in by("window__number")
        if r["window__number"] is not None
    }
    by_hour = {r["hour"]: summary(r) for r in by(hour=ExtractHour("arrived_at"))}
    return {
        "day": day,
        "total": {**summary(total), "p90_wait_min": _p90_wait(qs, total["wait_count"])},
        "by_queue": dict(sorted(by_queue.items())),
        "by_matter": dict(sorted(by_matter.items())),
        "by_window": dict(sorted(by_window.items())),
        "by_hour": dict(sorted(by_hour.items())),
    }
