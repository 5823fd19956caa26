"""Reads the case pages, the API and the exports need: the ledger and its statistics, in a
fixed number of queries whatever its rows."""

import datetime as dt

from django.db.models import Avg, Count, Q, Sum
from django.utils import timezone

from servicehall.core.money import yuan
from servicehall.org.choices import Role
from servicehall.org.models import Unit
from servicehall.org.permissions import Action, Actor, require

from .models import Case, DueState, Outcome, Status


def ledger(
    *,
    actor: Actor,
    unit: Unit,
    window=None,
    date_from=None,
    date_to=None,
    matter=None,
    outcome=None,
    status=None,
    green_channel=False,
):
    """Every case of a unit (or one window), newest first, filtered: the ledger (台账) of
    R-CASE-5, whose reader must be allowed to read the unit's registry."""
    require(actor, Action.VIEW_REGISTRY, unit=unit)
    if actor.role == Role.AUXILIARY:  # an auxiliary sees the ledger of their own window
        window = actor.staff.window
    qs = Case.objects.filter(unit=unit)
    if window is not None:
        qs = qs.filter(window=window)
    if date_from:
        qs = qs.filter(received_at__gte=_start_of(date_from))
    if date_to:
        qs = qs.filter(received_at__lt=_start_of(date_to + dt.timedelta(days=1)))
    if matter is not None:
        qs = qs.filter(matter=matter)
    if outcome:
        qs = qs.filter(outcome=outcome)
    if status:
        qs = qs.filter(status=status)
    if green_channel:  # R-CASE-4: green-channel cases reported on their own
        qs = qs.filter(green_channel=True)
    # the fee and the fine (R-CASE-6) are one-to-one: joined, never a query per row
    return qs.select_related("matter", "window", "owner", "fee", "fine").order_by(
        "-received_at", "-pk"
    )


def _start_of(day):
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def statistics(qs) -> dict:
    """Received, done on the spot, notices, rejections, accepted, on time, overdue, average
    visits, fees taken and fines decided (R-CASE-6): one aggregate query over the filtered
    ledger."""
    stats = qs.order_by().aggregate(
        received=Count("pk"),
        on_the_spot=Count("pk", filter=Q(outcome=Outcome.ON_THE_SPOT)),
        notices=Count("pk", filter=Q(notices_given__gt=0)),
        rejected=Count("pk", filter=Q(status=Status.REJECTED)),
        accepted=Count("pk", filter=Q(accepted_at__isnull=False) & ~Q(outcome=Outcome.ON_THE_SPOT)),
        in_time=Count("pk", filter=Q(on_time=True)),
        overdue=Count(
            "pk", filter=Q(on_time=False) | Q(due_state=DueState.OVERDUE, status=Status.IN_PROGRESS)
        ),
        green=Count("pk", filter=Q(green_channel=True)),
        over_visits=Count("pk", filter=Q(over_visits=True)),
        avg_visits=Avg("visits"),
        fees_fen=Sum("fee__amount_fen"),
        fines=Count("fine"),
        fines_paid=Count("fine", filter=Q(fine__paid_at__isnull=False)),
    )
    stats["avg_visits"] = round(float(stats["avg_visits"] or 0), 2)
    stats["fees_fen"] = stats["fees_fen"] or 0
    stats["fees"] = yuan(stats["fees_fen"])
    return stats
