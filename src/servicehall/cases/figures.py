"""Cases finished in time and overdue (R-CASE deadlines), as SQL aggregates: the one definition
the daily roll-ups store (decision 0023). A case counts on the local day it was finished."""

from django.db.models import Count, Q
from django.db.models.functions import TruncDate

from servicehall.core.figures import day_bounds, grouped

from .models import Case

CASE_KEYS = {
    "unit_id": "unit_id",
    "window_id": "window_id",
    "staff_id": "owner_id",
    "day": TruncDate("finished_at"),
}


def case_counts() -> dict:
    # on_time is set when the case is finished, against its promised (or statutory) due time
    return {
        "cases_on_time": Count("pk", filter=Q(on_time=True)),
        "cases_overdue": Count("pk", filter=Q(on_time=False)),
    }


def case_rows(by, first, last=None, units=None) -> list[dict]:
    """case_counts of the cases finished on local days `first` … `last`, grouped by `by`."""
    start, end = day_bounds(first, last)
    qs = Case.objects.filter(finished_at__gte=start, finished_at__lt=end)
    if units is not None:
        qs = qs.filter(unit__in=units)
    return list(grouped(qs, by, CASE_KEYS).annotate(**case_counts()))
