"""The published figures of 好差评 (R-LAW-2): per unit, window, staff member and day, over the
visits finished in a period — good-review rate, unrated rate, bad-review reply rate,
rectification rate (整改率: bad reviews put right) and satisfaction with the fix. One query
per breakdown. Beside them, labelled apart (models.Rated), the same figures of the cases
concluded in the period, each rated once per matter (一事一评, decision 0028).

`rating_counts` is the one definition of these counts, for visits (`visit_counts`) and for
cases (`case_rating_counts`): the published page aggregates it over a period's visits and
cases, the daily roll-ups store it per window, staff member and day (decision 0023)."""

import datetime as dt

from django.conf import settings
from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from servicehall.cases.models import CONCLUDED, Case
from servicehall.core.figures import day_bounds, grouped
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


def rating_counts(ended: str, now=None, prefix: str = "") -> dict:
    """The counts behind every published rate, as aggregates over what was rated (visits or
    cases, which reach their rating as `rating`): `ended` is the column of when it finished,
    from which its rating link runs (an unrated one counts once the link has expired)."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.SERVICEHALL["RATING_LINK_DAYS"])
    bad_level = bad_review_level()
    counts = {
        "finished": Count("pk"),
        "rated": Count("rating"),
        **{f"rating_{n}": Count("rating", filter=Q(rating__overall=n)) for n in LEVELS},
        "good": Count("rating", filter=Q(rating__overall__gte=GOOD)),
        "settled": Count("pk", filter=Q(**{f"{ended}__lt": cutoff}) | Q(rating__isnull=False)),
        "unrated": Count("pk", filter=Q(**{f"{ended}__lt": cutoff}, rating__isnull=True)),
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
    return {f"{prefix}{name}": count for name, count in counts.items()}


def visit_counts(now=None) -> dict:
    """rating_counts of visits, which end when the visit does."""
    return rating_counts("ended_at", now)


def visit_rows(by, first, last=None, units=None, now=None) -> list[dict]:
    """visit_counts grouped by `by` (servicehall.core.figures.KEYS)."""
    qs = grouped(visits(first, last or first, units), by, VISIT_KEYS)
    return list(qs.annotate(**visit_counts(now)))


# ---- cases, rated once per matter (一事一评) ---------------------------------------------------

# the roll-ups' key names for a case's rating: the case's unit and window, the staff member its
# rating names (who received it), the local day it was concluded
CASE_KEYS = {
    "unit_id": "unit_id",
    "window_id": "window_id",
    "staff_id": "received_by_id",
    "day": TruncDate("finished_at"),
}
# a case's columns in the roll-ups are its counts under this prefix (case_rated, case_bad …)
CASE_PREFIX = "case_"


def concluded_cases(first: dt.date, last: dt.date, units=None):
    """Cases concluded (done or refused) on local days `first` … `last`, less those whose
    rating was set aside on appeal: a case counts on the day it was concluded."""
    start, end = day_bounds(first, last)
    qs = Case.objects.filter(
        status__in=CONCLUDED, finished_at__gte=start, finished_at__lt=end
    ).exclude(**{f"{FOLLOW_UP}__appeal_upheld": True})
    return qs if units is None else qs.filter(unit__in=units)


def case_rating_counts(now=None, prefix: str = "") -> dict:
    """rating_counts of cases, whose rating link runs from their conclusion."""
    return rating_counts("finished_at", now, prefix)


def case_rating_rows(by, first, last=None, units=None, now=None) -> list[dict]:
    """case_rating_counts grouped by `by` (servicehall.core.figures.KEYS), named with
    CASE_PREFIX, as the roll-ups store them."""
    qs = grouped(concluded_cases(first, last or first, units), by, CASE_KEYS)
    return list(qs.annotate(**case_rating_counts(now, CASE_PREFIX)))


def case_figures(unit, first: dt.date, last: dt.date, now=None) -> dict:
    """{"total": row, "by_window": {n or None: row}, "by_day": {date: row}} of the unit's
    cases concluded in the period, each row as a visit's."""
    now = now or timezone.now()
    qs = concluded_cases(first, last, units=[unit])
    counts = case_rating_counts(now)
    total = qs.aggregate(**counts)
    by_window = qs.order_by().values("window__number").annotate(**counts).order_by("window__number")
    by_day = grouped(qs, ("day",), CASE_KEYS).annotate(**counts).order_by("day")
    return {
        "total": _row(total, now),
        "by_window": {r["window__number"]: _row(r, now) for r in by_window},
        "by_day": {r["day"]: _row(r, now) for r in by_day},
    }


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
        # 一事一评: the cases concluded in the period, shown beside the visits, labelled apart
        "cases": case_figures(unit, first, last, now),
    }
