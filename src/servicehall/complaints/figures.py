"""Complaints received and substantiated (R-FB-3), as SQL aggregates: the one definition the
pages and the daily roll-ups share (decision 0023). Violation points are the ledger's
(servicehall.violations.figures)."""

from django.db.models import Count, Q
from django.db.models.functions import TruncDate

from servicehall.core.figures import day_bounds, grouped

from .models import Complaint

COMPLAINT_KEYS = {
    "unit_id": "unit_id",
    "window_id": "window_id",
    "staff_id": "staff_id",
    "day": TruncDate("received_at"),
}


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
