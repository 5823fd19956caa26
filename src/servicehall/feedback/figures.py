"""The published figures of 好差评 (R-LAW-2): per unit, window, staff member and day, over the
visits finished in a period — good-review rate, unrated rate, bad-review reply rate,
rectification rate (整改率: bad reviews put right) and satisfaction with the fix. One query
per breakdown."""

import datetime as dt

from django.conf import settings
from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from servicehall.queueing.models import Ticket

from .services import bad_review_level

GOOD = 4  # 满意 and 非常满意


def _rate(part, whole):
    return round(part / whole, 3) if whole else None


def _row(r, now):
    bad = r["bad"]
    return {
        "finished": r["finished"],
        "rated": r["rated"],
        "good_rate": _rate(r["good"], r["rated"]),
        # a visit counts as unrated once its rating link has expired
        "unrated_rate": _rate(r["unrated"], r["settled"]),
        "bad": bad,
        "reply_rate": _rate(r["replied"], bad),
        "rectification_rate": _rate(r["rectified"], bad),
        "satisfaction_rate": _rate(r["satisfied"], r["replied"]),
    }


def figures(unit, first: dt.date, last: dt.date, now=None) -> dict:
    """{"total": row, "by_window": {n: row}, "by_staff": {name: row}, "by_day": {date: row}}."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.SERVICEHALL["RATING_LINK_DAYS"])
    bad_level = bad_review_level()
    visits = Ticket.objects.filter(
        queue__unit=unit,
        state=Ticket.State.DONE,
        day__range=(first, last),
    ).exclude(rating__follow_up__appeal_upheld=True)  # set aside on appeal: not counted
    counts = {
        "finished": Count("pk"),
        "rated": Count("rating"),
        "good": Count("rating", filter=Q(rating__overall__gte=GOOD)),
        "settled": Count("pk", filter=Q(ended_at__lt=cutoff) | Q(rating__isnull=False)),
        "unrated": Count("pk", filter=Q(ended_at__lt=cutoff, rating__isnull=True)),
        "bad": Count("rating", filter=Q(rating__overall__lte=bad_level)),
        "replied": Count("rating", filter=Q(rating__follow_up__called_back_at__isnull=False)),
        "rectified": Count("rating", filter=Q(rating__follow_up__rectified_at__isnull=False)),
        "satisfied": Count("rating", filter=Q(rating__follow_up__satisfaction__gte=GOOD)),
    }
    total = visits.aggregate(**counts)
    by_window = visits.values("window__number").annotate(**counts).order_by("window__number")
    by_staff = (
        visits.values("staff__name", "staff__badge_no")
        .annotate(**counts)
        .order_by("staff__badge_no")
    )
    by_day = visits.annotate(d=TruncDate("ended_at")).values("d").annotate(**counts).order_by("d")
    return {
        "first": first,
        "last": last,
        "total": _row(total, now),
        "by_window": {r["window__number"]: _row(r, now) for r in by_window},
        "by_staff": {
            f"{r['staff__name']}（{r['staff__badge_no']}）": _row(r, now) for r in by_staff
        },
        "by_day": {r["d"]: _row(r, now) for r in by_day},
    }
