"""Reads of the daily figures for pages, scores and reports: the stored days, and today computed
live by the same function (rollups.services.compute_day), so a page never mixes two
definitions. A stored day is as its last roll-up left it (RolledDay.rolled_at)."""

import datetime as dt

from django.db.models import Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from servicehall.feedback.figures import good_of_rated

from .models import UnitDay, WindowDay
from .services import WINDOW_COLUMNS, compute_day


def _rate(part, whole):
    return round(part / whole, 4) if whole else None


def window_days(units, first: dt.date, last: dt.date, now=None) -> list[dict]:
    """Rows {unit_id, window_id, day, …counts} of local days `first` … `last`, the unit rows
    (window_id None) included; today's computed now."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    rows = list(
        WindowDay.objects.filter(unit__in=units, day__range=(first, last))
        .order_by("day", "unit_id", "window_id")
        .values("unit_id", "window_id", "day", *sorted(WINDOW_COLUMNS))
    )
    if first <= today <= last:
        windows, _staff = compute_day(today, units=units, now=now)
        rows += [
            {"unit_id": u, "window_id": w, "day": today, **r}
            for (u, w), r in sorted(windows.items(), key=lambda i: (i[0][0], i[0][1] or 0))
        ]
    return rows


def month_rates(counts: dict) -> dict:
    """The good-review rate (R-LAW-2: 满意 and 非常满意 of the ratings) and the on-time rate
    (cases finished in time of those finished) of summed counts."""
    return {
        "good_rate": _rate(*good_of_rated(counts["good"], counts["rated"], counts["unrated"])),
        "on_time_rate": _rate(
            counts["cases_on_time"], counts["cases_on_time"] + counts["cases_overdue"]
        ),
    }


def unit_months(units, first: dt.date, last: dt.date, now=None) -> dict:
    """{(unit_id, first day of month): {good, rated, unrated, cases_on_time, cases_overdue,
    good_rate, on_time_rate}} over local days `first` … `last`: one aggregate query over the
    units' rows (UnitDay, one a unit and day: a year of 100 units is 36,500 rows, where their
    windows' are 730,000), plus today's live rows when the period holds today."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    names = ("good", "rated", "unrated", "cases_on_time", "cases_overdue")
    rows = (
        UnitDay.objects.filter(unit__in=units, day__range=(first, last))
        .annotate(month=TruncMonth("day"))
        .values("unit_id", "month")
        .annotate(**{n: Sum(n) for n in names})
        .order_by("unit_id", "month")
    )
    out = {(r["unit_id"], r["month"]): {n: r[n] for n in names} for r in rows}
    if first <= today <= last:
        windows, _staff = compute_day(today, units=units, now=now)
        for (unit_id, _window), r in windows.items():
            acc = out.setdefault((unit_id, today.replace(day=1)), dict.fromkeys(names, 0))
            for n in names:
                acc[n] += r[n]
    return {k: {**v, **month_rates(v)} for k, v in sorted(out.items())}
