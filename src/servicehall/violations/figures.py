"""Violation points (R-FB-3, R-SUP-3) as SQL aggregates: the one definition points_by_unit and
the daily roll-ups share (decision 0023). Points count on the day they were recorded; points
later cancelled count nowhere, and a cancellation carries none itself."""

from django.db.models import Sum
from django.db.models.functions import TruncDate

from servicehall.core.figures import day_bounds, grouped

from .models import Violation

VIOLATION_KEYS = {"unit_id": "unit_id", "staff_id": "staff_id", "day": TruncDate("recorded_at")}


def standing_points():
    """The rows whose points stand: recorded, not a cancellation, not cancelled."""
    return Violation.objects.filter(cancels__isnull=True, cancelled_by__isnull=True)


def violation_rows(by, first, last=None, units=None) -> list[dict]:
    """Violation points recorded on local days `first` … `last` that stand, summed and grouped
    by `by` (no window: points are the unit's and, where named, its person's)."""
    start, end = day_bounds(first, last)
    qs = standing_points().filter(recorded_at__gte=start, recorded_at__lt=end)
    if units is not None:
        qs = qs.filter(unit__in=units)
    return list(grouped(qs, by, VIOLATION_KEYS).annotate(points=Sum("points")))
