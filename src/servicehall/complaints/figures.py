"""Complaints received and substantiated, and violation points (R-FB-3), as SQL aggregates:
the one definition points_by_unit and the daily roll-ups share (decision 0023)."""

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate

from servicehall.core.figures import day_bounds, grouped

from .models import Complaint, Violation

COMPLAINT_KEYS = {
    "unit_id": "unit_id",
    "window_id": "window_id",
    "staff_id": "staff_id",
    "day": TruncDate("received_at"),
}
VIOLATION_KEYS = {"unit_id": "unit_id", "staff_id": "staff_id", "day": TruncDate("recorded_at")}


def complaint_counts() -> dict:
    """A complaint counts on the day it was received; substantiated once the investigation
    found so (that day's row is redone then). Suggestions are not complaints."""
    return {
        "complaints": Count("pk"),
        "complaints_substantiated": Count("pk", filter=Q(substantiated=True)),
    }


def complaint_rows(by, first, last=None, units=None) -> list[dict]:
    """complaint_counts grouped by `by` (servicehall.core.figures.KEYS)."""
    start, end = day_bounds(first, last)
    qs = Complaint.objects.filter(
        kind=Complaint.Kind.COMPLAINT, received_at__gte=start, received_at__lt=end
    )
    if units is not None:
        qs = qs.filter(unit__in=units)
    return list(grouped(qs, by, COMPLAINT_KEYS).annotate(**complaint_counts()))


def violation_rows(by, first, last=None, units=None) -> list[dict]:
    """Violation points recorded on local days `first` … `last`, summed and grouped by `by`
    (no window: points are the unit's and, where named, its person's)."""
    start, end = day_bounds(first, last)
    qs = Violation.objects.filter(recorded_at__gte=start, recorded_at__lt=end)
    if units is not None:
        qs = qs.filter(unit__in=units)
    return list(grouped(qs, by, VIOLATION_KEYS).annotate(points=Sum("points")))
