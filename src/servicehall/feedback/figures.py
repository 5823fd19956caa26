"""The published figures of 好差评 (R-LAW-2): per unit, window, staff member and day, over the
visits finished in a period — good-review rate, unrated rate, bad-review reply rate,
rectification rate (整改率: bad reviews put right) and satisfaction with the fix. One query
per breakdown.

`visit_counts` is the one definition of these counts: the published page aggregates it over a
period's visits, the daily roll-ups store it per window, staff member and day (decision 0023)."""

import datetime as dt

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from servicehall.core.figures import grouped
from servicehall.queueing.figures import queue_ids
from servicehall.queueing.models import Ticket

from .services import bad_review_level

GOOD = 4  # 满意 and 非常满意
LEVELS = range(1, 6)  # Level: 非常不满意 … 非常满意

# The bad-review follow-up as a visit reaches it (its one name here: the model is being renamed)
FOLLOW_UP = "rating__follow_up"

VISIT_KEYS = {
    "unit_id": "queue__unit_id",
    "window_id": "window_id",
    "staff_id": "staff_id",
    "day": "day",
}


def _rate(part, whole):
    return round(part / whole, 3) if whole else None


def deemed_satisfied(unrated: int) -> int:
    """How many unrated visits count as 满意 in the rates: all of them where the setting says
    so (UNRATED_AS_SATISFIED), else none. Applied to the figures only, never as ratings."""
    return unrated if settings.SERVICEHALL["UNRATED_AS_SATISFIED"] else 0


def good_of_rated(good: int, rated: int, unrated: int) -> tuple[int, int]:
    """(part, whole) of the good-review rate: 满意 and 非常满意 of the ratings, the visits
    deemed satisfied included in both."""
    deemed = deemed_satisfied(unrated)
    return good + deemed, rated + deemed


def _row(r, now=None):
    bad = r["bad"]
    return {
        "finished": r["finished"],
        "rated": r["rated"],
        "good_rate": _rate(*good_of_rated(r["good"], r["rated"], r["unrated"])),
        "deemed_satisfied": deemed_satisfied(r["unrated"]),
        # a visit counts as unrated once its rating link has expired
        "unrated_rate": _rate(r["unrated"], r["settled"]),
        "bad": bad,
        "reply_rate": _rate(r["replied"], bad),
        "rectification_rate": _rate(r["rectified"], bad),
        "satisfaction_rate": _rate(r["satisfied"], r["replied"]),
        "follow_ups_late": r["follow_ups_late"],
    }


def visits(first: dt.date, last: dt.date, units=None):
    """Finished visits of local days `first` … `last`, less those set aside on appeal."""
    qs = Ticket.objects.filter(state=Ticket.State.DONE, day__range=(first, last)).exclude(
        **{f"{FOLLOW_UP}__appeal_upheld": True}  # set aside on appeal: not counted
    )
    return qs.filter(queue_id__in=queue_ids(units))


def visit_counts(now=None) -> dict:
    """The counts behind every published rate, as aggregates over visits."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.SERVICEHALL["RATING_LINK_DAYS"])
    bad_level = bad_review_level()
    return {
        "finished": Count("pk"),
        "rated": Count("rating"),
        **{f"rating_{n}": Count("rating", filter=Q(rating__overall=n)) for n in LEVELS},
        "good": Count("rating", filter=Q(rating__overall__gte=GOOD)),
        "settled": Count("pk", filter=Q(ended_at__lt=cutoff) | Q(rating__isnull=False)),
        "unrated": Count("pk", filter=Q(ended_at__lt=cutoff, rating__isnull=True)),
        "bad": Count("rating", filter=Q(rating__overall__lte=bad_level)),
        "replied": Count("rating", filter=Q(**{f"{FOLLOW_UP}__called_back_at__isnull": False})),
        "rectified": Count("rating", filter=Q(**{f"{FOLLOW_UP}__rectified_at__isnull": False})),
        "satisfied": Count("rating", filter=Q(**{f"{FOLLOW_UP}__satisfaction__gte": GOOD})),
        # follow-ups whose step under way is past its deadline now (R-LAW-2)
        "follow_ups_late": Count(
            "rating",
            filter=Q(**{f"{FOLLOW_UP}__due_at__lt": now}) & ~Q(**{f"{FOLLOW_UP}__stage": "closed"}),
        ),
    }


def visit_rows(by, first, last=None, units=None, now=None) -> list[dict]:
    """visit_counts grouped by `by` (servicehall.core.figures.KEYS)."""
    qs = grouped(visits(first, last or first, units), by, VISIT_KEYS)
    return list(qs.annotate(**visit_counts(now)))


def figures(unit, first: dt.date, last: dt.date, now=None) -> dict:
    """{"total": row, "by_window": {n: row}, "by_staff": {name: row}, "by_day": {date: row}}.
    A visit counts on its ticket's day, as in the daily roll-ups."""
    now = now or timezone.now()
    qs = visits(first, last, units=[unit])
    counts = visit_counts(now)
    total = qs.aggregate(**counts)
    by_window = qs.values("window__number").annotate(**counts).order_by("window__number")
    by_staff = (
        qs.values("staff__name", "staff__badge_no").annotate(**counts).order_by("staff__badge_no")
    )
    by_day = qs.values("day").annotate(**counts).order_by("day")
    return {
        "first": first,
        "last": last,
        "total": _row(total, now),
        "by_window": {r["window__number"]: _row(r, now) for r in by_window},
        "by_staff": {
            f"{r['staff__name']}（{r['staff__badge_no']}）": _row(r, now) for r in by_staff
        },
        "by_day": {r["day"]: _row(r, now) for r in by_day},
    }
