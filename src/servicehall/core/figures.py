"""Helpers for figures computed as SQL aggregates: local-day bounds and grouping by the roll-ups'
key names (decision 0023). Each app defines its figures once, as aggregate expressions over its
own table; a page aggregates them over its rows, the daily roll-ups group them per unit, window,
staff member and day."""

import datetime as dt

from django.db.models import DurationField, ExpressionWrapper, F
from django.utils import timezone

# The names the roll-ups group by; each app says which of its columns (or expressions) they are.
KEYS = ("unit_id", "window_id", "staff_id", "day")


def day_bounds(first: dt.date, last: dt.date | None = None):
    """[start, end) of local days `first` … `last` as aware datetimes."""
    last = last or first
    start = timezone.make_aware(dt.datetime.combine(first, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min))
    return start, end


def span(end: str, start: str):
    """`end - start` as a duration (NULL when either is)."""
    return ExpressionWrapper(F(end) - F(start), output_field=DurationField())


def seconds(value) -> float:
    """A summed duration in seconds (0 for none)."""
    return value.total_seconds() if value else 0.0


def grouped(queryset, by, columns: dict):
    """`queryset` grouped by the key names `by` (from KEYS), each read from its column or
    expression in `columns`; the caller annotates the aggregates. Meta ordering is cleared so
    it never joins the GROUP BY."""
    direct, aliased = [], {}
    for key in by:
        source = columns[key]
        if source == key:
            direct.append(key)
        else:
            aliased[key] = F(source) if isinstance(source, str) else source
    return queryset.order_by().values(*direct, **aliased)
