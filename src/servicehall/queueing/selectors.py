"""Reads the hall's pages need."""

from .models import BoardEvent, Ticket


def last_event_id(unit) -> int:
    """Where a live page's stream starts: what came before is already on the page."""
    return (
        BoardEvent.objects.filter(unit=unit).order_by("-pk").values_list("pk", flat=True).first()
        or 0
    )


def ahead_of(ticket, now=None) -> int:
    """How many numbers of the same queue and day wait ahead of this one, by the calling
    order (decision 0026): before a green-channel ticket only older green ones; before a due
    appointment the green ones and the due appointments of earlier slots; before anyone else
    those who came earlier, the green ones and the due appointments. (With GREEN_EVERY above
    1 the green ones go ahead one call in so many: counting them all errs on the long side.)"""
    from django.db.models import Q
    from django.utils import timezone

    from .services import due_appointment, green_every, is_due

    now = now or timezone.now()
    due = due_appointment(now)
    green = Q(green_channel=True) if green_every() else Q(pk__in=[])
    waiting = Ticket.objects.filter(
        queue=ticket.queue_id, day=ticket.day, state=Ticket.State.WAITING
    ).exclude(pk=ticket.pk)
    if ticket.green_channel and green_every():
        before = Q(green_channel=True, arrived_at__lt=ticket.arrived_at)
    elif is_due(ticket, now):
        earlier = Q(scheduled_at__lt=ticket.scheduled_at) | Q(
            scheduled_at=ticket.scheduled_at, arrived_at__lt=ticket.arrived_at
        )
        before = green | (due & earlier)
    else:
        before = Q(arrived_at__lt=ticket.arrived_at) | green | due
    return waiting.filter(before).count()


def hall_windows(unit) -> list[dict]:
    """Every active window of the unit as the No. 1 window's view shows it — state, who is
    signed in, how late, the number at it — in three queries whatever the windows (R-Q-3)."""
    from .models import WindowPause, WindowSession
    from .services import status_of

    windows = list(unit.windows.filter(active=True).order_by("number"))
    sessions = {
        s.window_id: s
        for s in WindowSession.objects.filter(
            window__in=windows, signed_out_at__isnull=True
        ).select_related("staff")
    }
    paused = set(
        WindowPause.objects.filter(
            session__in=list(sessions.values()), ended_at__isnull=True
        ).values_list("session__window_id", flat=True)
    )
    current = {}
    for t in (
        Ticket.objects.filter(
            window__in=windows, state__in=[Ticket.State.CALLED, Ticket.State.SERVING]
        )
        .order_by("called_at")
        .only("pk", "label", "window_id", "state", "called_at")
    ):
        current[t.window_id] = t  # the latest called wins, as services.current_ticket
    rows = []
    for w in windows:
        session = sessions.get(w.pk)
        state = status_of(
            signed_in=session is not None, paused=w.pk in paused, serving=w.pk in current
        )
        rows.append(
            {
                "window": w,
                "state": state,
                "staff": session.staff if session else None,
                "late": session.minutes_late if session else 0,
                "short_of_norm": session.short_of_norm if session else False,
                "current": current.get(w.pk),
            }
        )
    return rows


def open_pauses(unit):
    """The unit's pauses under way, with their window, staff member and approver."""
    from .models import WindowPause

    return WindowPause.objects.filter(
        session__window__unit=unit, ended_at__isnull=True
    ).select_related("session__window", "session__staff", "approved_by")


def contact_tasks(unit):
    """Holiday requests to call back not yet done, the soonest due first, by any channel
    (appointments.holiday_contact)."""
    from .models import ContactTask

    return ContactTask.objects.filter(unit=unit, contacted_at__isnull=True).order_by("due_at")


def rota_days(unit, first, days: int = 28) -> tuple[list[dict], int]:
    """The unit's rota for `days` days from `first`: each day's duty, extended sessions and
    what the norms still require (R-Q-4, R-TIME-5), and the number of findings."""
    import datetime as dt

    from servicehall.worktime import services as worktime
    from servicehall.worktime.models import ExtendedSession

    from . import rota
    from .models import DutyAssignment

    last = first + dt.timedelta(days=days - 1)
    found = rota.findings(unit, first, last)
    duty, sessions, by_day = {}, {}, {}
    for a in DutyAssignment.objects.filter(unit=unit, date__range=(first, last)).select_related(
        "staff", "window"
    ):
        duty.setdefault(a.date, []).append(a)
    for s in ExtendedSession.objects.filter(unit=unit, date__range=(first, last)):
        sessions.setdefault(s.date, []).append(s)
    for f in found:
        by_day.setdefault(f.date, []).append(f)
    cal = worktime.calendar()
    return [
        {
            "date": d,
            "working": cal.is_working_day(d),
            "duty": duty.get(d, []),
            "sessions": sessions.get(d, []),
            "findings": by_day.get(d, []),
        }
        for d in (first + dt.timedelta(days=i) for i in range(days))
    ], len(found)
