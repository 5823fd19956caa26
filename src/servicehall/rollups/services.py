"""Rolling a day up: the source apps' aggregates (each figure defined once, in the app that owns
its table) grouped per window and per staff member, and stored in one transaction."""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from servicehall.cases.figures import case_rows
from servicehall.complaints.figures import complaint_rows
from servicehall.core.figures import seconds
from servicehall.feedback.figures import case_rating_rows, visit_rows
from servicehall.hotline.services import call_rows
from servicehall.queueing.figures import presence_rows, ticket_rows
from servicehall.violations.figures import violation_rows

from .models import RolledDay, StaffDay, UnitDay, WindowDay

WINDOW = ("unit_id", "window_id")
UNIT = ("unit_id",)
STAFF = ("unit_id", "staff_id")

# a source's column → the roll-up's, where the names differ
RENAMED = {
    "finished": "visits",
    "case_finished": "cases_concluded",
    "points": "violation_points",
    "calls": "hotline_calls",
    "answered": "hotline_answered",
    "in_time": "hotline_in_time",
    "wait_total": "wait_seconds",
    "service_total": "service_seconds",
}
DURATIONS = {"wait_seconds", "service_seconds"}


def _columns(model):
    return {
        f.name
        for f in model._meta.concrete_fields
        if f.name not in ("id", "unit", "window", "staff", "day")
    }


WINDOW_COLUMNS = _columns(WindowDay)
STAFF_COLUMNS = _columns(StaffDay)
UNIT_COLUMNS = _columns(UnitDay)  # the same as a window's


def _add(table, key, row, columns):
    acc = table.setdefault(key, dict.fromkeys(columns, 0))
    for name, value in row.items():
        column = RENAMED.get(name, name)
        if column in columns and value:
            acc[column] += seconds(value) if column in DURATIONS else value


def compute_day(day: dt.date, units=None, now=None) -> tuple[dict, dict]:
    """A local day's figures: ({(unit_id, window_id): row}, {(unit_id, staff_id): row}), the
    unit's own row under window_id None. Today's too: what is live is this same computation,
    with a number still waiting not yet abandoned."""
    now = now or timezone.now()
    over = day < timezone.localdate(now)
    windows, staff = {}, {}

    def spread(rows, by, table, columns):
        for r in rows:
            key = tuple(r[k] for k in by)
            if by is STAFF and key[1] is None:
                continue  # nobody to attribute it to: the window's row has it
            _add(table, key if by is not UNIT else (key[0], None), r, columns)

    for by, table, columns in ((WINDOW, windows, WINDOW_COLUMNS), (STAFF, staff, STAFF_COLUMNS)):
        spread(ticket_rows(by, day, units=units, day_over=over), by, table, columns)
        spread(visit_rows(by, day, units=units, now=now), by, table, columns)
        spread(complaint_rows(by, day, units=units), by, table, columns)
        for rows in presence_rows(by, day, units=units, now=now):
            spread(rows, by, table, columns)
    spread(case_rows(WINDOW, day, units=units), WINDOW, windows, WINDOW_COLUMNS)
    spread(case_rating_rows(WINDOW, day, units=units, now=now), WINDOW, windows, WINDOW_COLUMNS)
    spread(call_rows(UNIT, day, units=units), UNIT, windows, WINDOW_COLUMNS)
    spread(violation_rows(UNIT, day, units=units), UNIT, windows, WINDOW_COLUMNS)
    spread(violation_rows(STAFF, day, units=units), STAFF, staff, STAFF_COLUMNS)
    return windows, staff


def roll_day(day: dt.date, now=None) -> int:
    """Compute and store one local day, its window, staff and unit rows (delete and insert,
    one transaction: idempotent); returns the rows written."""
    started = now or timezone.now()
    if day >= timezone.localdate(started):
        raise ValueError(f"{day} is not over: its figures are computed live")
    with transaction.atomic():
        windows, staff = compute_day(day, now=started)
        WindowDay.objects.filter(day=day).delete()
        StaffDay.objects.filter(day=day).delete()
        WindowDay.objects.bulk_create(
            [WindowDay(unit_id=u, window_id=w, day=day, **r) for (u, w), r in windows.items()],
            batch_size=2000,
        )
        StaffDay.objects.bulk_create(
            [StaffDay(unit_id=u, staff_id=s, day=day, **r) for (u, s), r in staff.items()],
            batch_size=2000,
        )
        units = store_unit_days(day)
        # rolled_at is when the computation began: a change marked after it is redone
        RolledDay.objects.update_or_create(day=day, defaults={"rolled_at": started})
    return len(windows) + len(staff) + units


def store_unit_days(first: dt.date, last: dt.date | None = None) -> int:
    """Each unit's rows of local days `first` … `last` (UnitDay) made again from the stored
    WindowDay rows: the SUM of the unit's window rows and its own row, so the unit's row holds
    the unit's total and nothing is counted twice. roll_day calls it in its transaction;
    alone, it fills the unit rows of days whose window rows were stored otherwise (a restore,
    a migration). Returns the rows written."""
    last = last or first
    sums = (
        WindowDay.objects.filter(day__range=(first, last))
        .order_by()
        .values("unit_id", "day")
        .annotate(**{c: Sum(c) for c in sorted(UNIT_COLUMNS)})
    )
    with transaction.atomic():
        UnitDay.objects.filter(day__range=(first, last)).delete()
        rows = UnitDay.objects.bulk_create((UnitDay(**r) for r in sums), batch_size=2000)
    return len(rows)


def days_due(now=None) -> list[dt.date]:
    """Yesterday; every recent day not yet settled, once a day (its unrated visits grow as
    rating links expire); and every day whose source rows changed since it was rolled up."""
    from django.db.models import F, Q

    now = now or timezone.now()
    today = timezone.localdate(now)
    midnight = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    link = settings.SERVICEHALL["RATING_LINK_DAYS"]
    recent = [today - dt.timedelta(days=n) for n in range(1, link + 2)]
    rolled = dict(
        RolledDay.objects.filter(day__in=recent, rolled_at__isnull=False).values_list(
            "day", "rolled_at"
        )
    )
    # rolled since midnight: the oldest of them was rolled once it had settled
    due = {d for d in recent if d not in rolled or rolled[d] < midnight}
    marked = RolledDay.objects.filter(marked_at__isnull=False, day__lt=today).filter(
        Q(rolled_at__isnull=True) | Q(marked_at__gte=F("rolled_at"))
    )
    due.update(marked.values_list("day", flat=True))
    return sorted(due)


def mark(day: dt.date, now=None):
    """A source row of the past day `day` changed: redo the day at the next roll-up. Today's
    rows are never stored, so today's changes write nothing."""
    now = now or timezone.now()
    if day >= timezone.localdate(now):
        return
    if not RolledDay.objects.filter(day=day).update(marked_at=now):
        RolledDay.objects.bulk_create([RolledDay(day=day, marked_at=now)], ignore_conflicts=True)
        RolledDay.objects.filter(day=day).update(marked_at=now)
