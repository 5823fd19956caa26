"""Daily roll-ups (decision 0023): a day's stored rows say what the figures pages say, re-running
changes nothing, a late change redoes its day, a unit's row is the sum of its day, and today is
the same computation, live."""

import datetime as dt

from django.utils import timezone

from servicehall.complaints import services as complaints
from servicehall.feedback.figures import figures as rating_figures
from servicehall.hotline import services as hotline
from servicehall.queueing.figures import day_figures
from servicehall.rollups import selectors, tasks
from servicehall.rollups.models import RolledDay, StaffDay, UnitDay, WindowDay
from servicehall.rollups.services import (
    UNIT_COLUMNS,
    compute_day,
    days_due,
    roll_day,
    store_unit_days,
)
from servicehall.violations import services as ledger


def _sum(rows, name):
    return sum(r[name] for r in rows)


def _live(units):
    today = timezone.localdate()
    return selectors.window_days(units, today, today)


def test_todays_live_rows_say_what_each_figures_page_says(city_day, demo, centre):
    today = timezone.localdate()
    rows = [r for r in _live([demo, centre]) if r["unit_id"] == demo.pk]
    window = next(r for r in rows if r["window_id"] == city_day["window"].pk)
    unit_row = next(r for r in rows if r["window_id"] is None)
    queue = day_figures(demo)
    by_window = queue["by_window"][2]
    assert (window["taken"], window["served"], window["abandoned"]) == (6, 5, 1)
    assert (by_window["taken"], by_window["served"], by_window["abandoned"]) == (6, 5, 1)
    # the number still waiting was never called: on the unit's own row, not yet abandoned
    assert (unit_row["taken"], unit_row["abandoned"]) == (1, 0)
    assert _sum(rows, "taken") == queue["total"]["taken"] == 7
    assert round(window["wait_seconds"] / window["wait_count"] / 60, 1) == by_window["avg_wait_min"]
    ratings = rating_figures(demo, today, today)["total"]
    assert (window["visits"], window["rated"], window["bad"]) == (5, 4, 1)
    assert (ratings["finished"], ratings["rated"], ratings["bad"]) == (5, 4, 1)
    assert [window[f"rating_{n}"] for n in range(1, 6)] == [1, 0, 1, 1, 1]
    assert window["good"] / window["rated"] == ratings["good_rate"] == 0.5
    assert window["rectified"] / window["bad"] == ratings["rectification_rate"] == 1.0
    assert window["unrated"] == 0  # the unrated visit's link is still valid
    assert (window["late_sign_ins"], window["long_pauses"]) == (1, 1)
    # complaints: the one naming the window on its row, the other on the unit's
    assert (window["complaints"], window["complaints_substantiated"]) == (1, 1)
    assert (unit_row["complaints"], unit_row["complaints_substantiated"]) == (1, 0)
    points = ledger.points_by_unit([demo], today, today)[demo.pk]
    assert unit_row["violation_points"] == points == 2
    calls = hotline.figures(centre, today)
    centre_row = next(r for r in _live([centre]) if r["window_id"] is None)
    assert (centre_row["hotline_calls"], centre_row["hotline_answered"]) == (3, 2)
    assert (calls["calls"], calls["answered"], calls["in_time"]) == (3, 2, 1)
    assert centre_row["hotline_in_time"] == 1


def test_cases_count_on_the_day_they_finish(city_day, demo):
    windows, _staff = compute_day(timezone.localdate())
    on_time = sum(r["cases_on_time"] for r in windows.values())
    overdue = sum(r["cases_overdue"] for r in windows.values())
    assert (on_time, overdue) == (2, 1)


def test_a_stored_day_equals_the_figures_of_that_day(city_day, demo):
    """The day rolled up once it is over: a number never called is now abandoned, and the
    stored counts give the rates the published page gives for that moment."""
    today = timezone.localdate()
    tomorrow = city_day["now"] + dt.timedelta(days=1)
    roll_day(today, now=tomorrow)
    stored = WindowDay.objects.get(window=city_day["window"], day=today)
    unit_row = WindowDay.objects.get(unit=demo, window=None, day=today)
    assert (stored.taken, stored.served, stored.abandoned) == (6, 5, 1)
    assert unit_row.abandoned == 1  # the number still waiting when the day ended
    ratings = rating_figures(demo, today, today, now=tomorrow)["total"]
    assert stored.good / stored.rated == ratings["good_rate"]
    assert stored.visits == ratings["finished"] and stored.bad == ratings["bad"]
    later = city_day["now"] + dt.timedelta(days=8)
    roll_day(today, now=later)
    stored = WindowDay.objects.get(window=city_day["window"], day=today)
    assert (
        stored.unrated / stored.settled
        == rating_figures(demo, today, today, now=later)["total"]["unrated_rate"]
        == 0.2
    )
    officer = StaffDay.objects.get(staff__badge_no="041235", unit=demo, day=today)
    assert (officer.served, officer.rated, officer.bad, officer.rating_5) == (5, 4, 1, 1)
    assert (officer.complaints, officer.violation_points, officer.late_sign_ins) == (1, 2, 1)
    assert officer.long_pauses == 1


def test_rolling_up_again_changes_nothing(city_day):
    today = timezone.localdate()
    tomorrow = city_day["now"] + dt.timedelta(days=1)

    def snapshot():
        return sorted(
            tuple(sorted(r.items()))
            for r in WindowDay.objects.filter(day=today).values().order_by()
            for r in [{k: v for k, v in r.items() if k != "id"}]
        )

    rows = roll_day(today, now=tomorrow)
    first = snapshot()
    assert roll_day(today, now=tomorrow) == rows
    assert snapshot() == first
    assert WindowDay.objects.filter(day=today).count() == len(first)


def test_a_late_change_to_a_past_day_marks_it_and_the_job_redoes_it(demo, actor):
    """A complaint received 40 days ago is found substantiated today: its day is redone."""
    from servicehall.complaints.models import Channel, Complaint
    from servicehall.org.permissions import CITIZEN

    received = timezone.now() - dt.timedelta(days=40)
    day = timezone.localdate(received)
    c = complaints.file(
        actor=CITIZEN,
        kind=Complaint.Kind.COMPLAINT,
        channel=Channel.WEB,
        unit=demo,
        category="attitude",
        description="窗口民警态度生硬，不解释材料要求",
        now=received,
    )
    roll_day(day)
    assert day not in days_due()
    row = WindowDay.objects.get(unit=demo, window=None, day=day)
    assert (row.complaints, row.complaints_substantiated) == (1, 0)
    complaints.investigate(
        actor=actor("leader"), complaint=c, finding="调取录像，情况属实", substantiated=True
    )
    assert day in days_due()
    tasks.roll_up()
    row = WindowDay.objects.get(unit=demo, window=None, day=day)
    assert (row.complaints, row.complaints_substantiated) == (1, 1)
    unit_day = UnitDay.objects.get(unit=demo, day=day)  # redone with the day
    assert (unit_day.complaints, unit_day.complaints_substantiated) == (1, 1)
    assert day not in days_due()


def test_todays_changes_mark_nothing(finish_visits):
    """Calling and serving today's numbers writes no mark: today is never stored."""
    finish_visits(2)
    assert not RolledDay.objects.exists()


def test_the_job_fills_yesterday_and_is_idempotent(demo, actor):
    from servicehall.queueing import services as queue
    from servicehall.queueing.models import Queue

    yesterday = timezone.now() - dt.timedelta(days=1)
    queue.take_ticket(queue=Queue.objects.get(unit=demo, letter="A"), now=yesterday)
    assert tasks.roll_up() >= 1
    day = timezone.localdate(yesterday)
    row = WindowDay.objects.get(unit=demo, window=None, day=day)
    assert (row.taken, row.abandoned) == (1, 1)
    assert day_figures(demo, day)["total"]["abandoned"] == 1
    assert tasks.roll_up() == 0  # nothing due until the next day
    assert tasks.roll_up(day) == 1
    assert WindowDay.objects.filter(unit=demo, day=day).count() == 1


def test_the_rollup_command(demo, capsys):
    from django.core.management import CommandError, call_command

    today = timezone.localdate()
    call_command("rollup", "--since", str(today - dt.timedelta(days=2)))
    assert set(RolledDay.objects.values_list("day", flat=True)) >= {
        today - dt.timedelta(days=2),
        today - dt.timedelta(days=1),
    }
    import pytest

    with pytest.raises(CommandError, match="not over"):
        call_command("rollup", "--day", str(today))
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("rollup", "--day", "yesterday")


def test_the_month_question_over_the_rollups_equals_the_live_figures(city_day, demo):
    today = timezone.localdate()
    months = selectors.unit_months([demo], today.replace(day=1), today)
    row = months[(demo.pk, today.replace(day=1))]
    assert row["good_rate"] == rating_figures(demo, today, today)["total"]["good_rate"]
    roll_day(today, now=city_day["now"] + dt.timedelta(days=1))
    stored = selectors.unit_months(
        [demo], today.replace(day=1), today, now=city_day["now"] + dt.timedelta(days=1)
    )
    assert stored[(demo.pk, today.replace(day=1))]["good_rate"] == row["good_rate"]


def _totals(rows):
    return {c: sum(r[c] for r in rows) for c in sorted(UNIT_COLUMNS)}


def test_a_units_row_is_the_sum_of_its_windows_and_its_own_row(city_day, demo, centre):
    today = timezone.localdate()
    tomorrow = city_day["now"] + dt.timedelta(days=1)
    roll_day(today, now=tomorrow)
    for unit in (demo, centre):
        windows = WindowDay.objects.filter(unit=unit, day=today).values()
        unit_day = UnitDay.objects.filter(unit=unit, day=today).values(*sorted(UNIT_COLUMNS))
        assert list(unit_day) == [_totals(windows)]
    row = UnitDay.objects.get(unit=demo, day=today)
    # the windows' visits and the unit's own number never called, each counted once
    assert (row.taken, row.served, row.abandoned, row.rated, row.good) == (7, 5, 2, 4, 2)
    assert row.complaints == 2
    every_unit = UnitDay.objects.filter(day=today).values(*sorted(UNIT_COLUMNS))
    assert (_totals(every_unit)["cases_on_time"], _totals(every_unit)["cases_overdue"]) == (2, 1)
    assert UnitDay.objects.get(unit=centre, day=today).hotline_calls == 3
    # rolled up again: the same rows, one per unit and day
    before = sorted(UnitDay.objects.filter(day=today).values_list("unit_id", "taken", "good"))
    roll_day(today, now=tomorrow)
    after = sorted(UnitDay.objects.filter(day=today).values_list("unit_id", "taken", "good"))
    assert after == before


def _stored(unit, day, window=None, **counts):
    return WindowDay.objects.create(unit=unit, window=window, day=day, **counts)


def test_the_month_question_counts_each_unit_row_once_per_month(demo):
    """Window rows stored for days of two months (as a restore or the migration finds them):
    the unit rows made from them answer per month, the unit's own row counted once."""
    w1, w2 = demo.windows.order_by("number")[:2]
    march, april = dt.date(2026, 3, 31), dt.date(2026, 4, 1)
    _stored(demo, march, w1, rated=4, good=3, cases_on_time=2)
    _stored(demo, march, w2, rated=6, good=6, cases_overdue=1)
    _stored(demo, march, cases_on_time=1)  # the unit's own row
    _stored(demo, april, w1, rated=2, good=1, cases_overdue=2)
    assert store_unit_days(march, april) == 2
    assert store_unit_days(march, april) == 2  # made again, not added to
    later = timezone.make_aware(dt.datetime(2026, 6, 1, 9))  # no live day in the period
    months = selectors.unit_months([demo], dt.date(2026, 3, 1), dt.date(2026, 4, 30), now=later)
    assert months == {
        (demo.pk, dt.date(2026, 3, 1)): {
            "good": 9,
            "rated": 10,
            "unrated": 0,
            "cases_on_time": 3,
            "cases_overdue": 1,
            "good_rate": 0.9,
            "on_time_rate": 0.75,
        },
        (demo.pk, dt.date(2026, 4, 1)): {
            "good": 1,
            "rated": 2,
            "unrated": 0,
            "cases_on_time": 0,
            "cases_overdue": 2,
            "good_rate": 0.5,
            "on_time_rate": 0.0,
        },
    }
    # a campaign's days, across the months: the days inside it only
    campaign = selectors.unit_months([demo], april, dt.date(2026, 4, 10), now=later)
    assert list(campaign) == [(demo.pk, dt.date(2026, 4, 1))]


def test_the_migration_fills_the_unit_rows_of_days_already_rolled_up(demo):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("servicehall.rollups.migrations.0002_unit_days")
    day = dt.date(2026, 5, 4)
    w1 = demo.windows.order_by("number").first()
    _stored(demo, day, w1, taken=5, served=4, rated=3, good=2)
    _stored(demo, day, taken=1, abandoned=1, hotline_calls=2)
    migration.fill_unit_days(apps, None)
    row = UnitDay.objects.get(unit=demo, day=day)
    assert (row.taken, row.served, row.abandoned, row.rated, row.good) == (6, 4, 1, 3, 2)
    assert row.hotline_calls == 2
