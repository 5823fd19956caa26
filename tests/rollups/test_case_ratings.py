"""一事一评 in the daily roll-ups (decisions 0023, 0028): a case's rating counts on the day the
case was concluded, on its window's row (the unit's own row when it names none), apart from
the visits' ratings; the stored day says what the published page says of it."""

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from servicehall.cases.models import Case
from servicehall.feedback import services as feedback
from servicehall.feedback.figures import case_figures
from servicehall.feedback.figures import figures as rating_figures
from servicehall.org.models import Unit
from servicehall.org.permissions import CITIZEN
from servicehall.rollups import selectors
from servicehall.rollups.models import UnitDay, WindowDay
from servicehall.rollups.services import roll_day
from servicehall.rollups.signals import _follow_up_day

CASE_COLUMNS = (
    "cases_concluded",
    "case_rated",
    "case_good",
    "case_bad",
    "case_settled",
    "case_unrated",
    "case_replied",
    "case_rectified",
    "case_satisfied",
)


@pytest.fixture
def rated_cases(city_day, actor):
    """The city's day, and at the centre's police window one case done on the spot rated 5,
    the other rated 1 and its bad review verified and put right; the late passport case at
    exit-entry left unrated."""
    today = timezone.localdate()
    spot = list(
        Case.objects.filter(unit__code="kf-centre-police", finished_at__date=today).order_by("pk")
    )
    assert len(spot) == 2
    feedback.rate(actor=CITIZEN, case=spot[0], overall=5, idempotency_key=uuid.uuid4().hex)
    feedback.rate(
        actor=CITIZEN,
        case=spot[1],
        overall=1,
        reason="证明内容有误",
        idempotency_key=uuid.uuid4().hex,
    )
    feedback.seal()
    from servicehall.feedback.models import BadReviewFollowUp

    follow_up = BadReviewFollowUp.objects.get(rating__case=spot[1])
    leader = _leader_of(spot[1].unit)
    follow_up = feedback.verify_review(actor=leader, follow_up=follow_up, finding="属实")
    feedback.rectify_review(actor=leader, follow_up=follow_up, measures="更正并致歉")
    return {**city_day, "cases": spot, "unit": spot[0].unit}


def _leader_of(unit):
    from django.contrib.auth import get_user_model

    from servicehall.org.choices import Role
    from servicehall.org.models import Staff
    from servicehall.org.permissions import actor_for

    staff = Staff.objects.filter(unit=unit, role=Role.UNIT_LEADER).first()
    if staff.user is None:
        staff.user = get_user_model().objects.create_user(f"u{staff.badge_no}", password="x" * 12)
        staff.save(update_fields=["user"])
    return actor_for(staff.user)


def _sum(rows, name):
    return sum(r[name] for r in rows)


def test_todays_live_rows_count_case_ratings_as_the_page_does(rated_cases):
    unit, today = rated_cases["unit"], timezone.localdate()
    rows = [r for r in selectors.window_days([unit], today, today) if r["unit_id"] == unit.pk]
    page = case_figures(unit, today, today)["total"]
    assert (page["finished"], page["rated"], page["bad"]) == (2, 2, 1)
    assert page["good_rate"] == 0.5 and page["rectification_rate"] == 1.0
    assert _sum(rows, "cases_concluded") == page["finished"]
    assert (_sum(rows, "case_rated"), _sum(rows, "case_bad")) == (2, 1)
    assert _sum(rows, "case_good") / _sum(rows, "case_rated") == page["good_rate"]
    assert _sum(rows, "case_rectified") == 1
    # the visits' figures are the visits' alone
    assert _sum(rows, "rated") == rating_figures(unit, today, today)["total"]["rated"] == 0


def test_a_stored_day_equals_the_case_figures_of_that_day(rated_cases):
    unit, today = rated_cases["unit"], timezone.localdate()
    tomorrow = rated_cases["now"] + dt.timedelta(days=1)
    roll_day(today, now=tomorrow)
    stored = WindowDay.objects.filter(unit=unit, day=today).values(*CASE_COLUMNS)
    page = case_figures(unit, today, today, now=tomorrow)["total"]
    assert _sum(stored, "cases_concluded") == page["finished"] == 2
    assert _sum(stored, "case_good") / _sum(stored, "case_rated") == page["good_rate"]
    row = UnitDay.objects.get(unit=unit, day=today)
    assert [getattr(row, c) for c in CASE_COLUMNS] == [_sum(stored, c) for c in CASE_COLUMNS]
    # once every link has expired the unrated passport case at exit-entry counts as unrated
    exit_entry = Unit.objects.get(code="kf-exit-entry")
    later = rated_cases["now"] + dt.timedelta(days=8)
    roll_day(today, now=later)
    theirs = UnitDay.objects.get(unit=exit_entry, day=today)
    assert (theirs.cases_concluded, theirs.case_rated, theirs.case_unrated) == (1, 0, 1)
    expected = case_figures(exit_entry, today, today, now=later)["total"]["unrated_rate"]
    assert theirs.case_unrated / theirs.case_settled == expected == 1.0


def test_a_case_ratings_follow_up_marks_the_day_the_case_was_concluded(rated_cases):
    follow_up = rated_cases["cases"][1].rating.follow_up
    assert _follow_up_day(follow_up) == timezone.localdate()
