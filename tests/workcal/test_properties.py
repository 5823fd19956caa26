"""Properties of the calendar that must hold for every date and limit (hypothesis)."""

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from servicehall.workcal import TimeLimit, china

SH = ZoneInfo("Asia/Shanghai")
CAL = china()
dates = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2140, 12, 31))
counts = st.integers(min_value=0, max_value=400)
moments = st.datetimes(min_value=dt.datetime(2024, 1, 1), max_value=dt.datetime(2027, 12, 31)).map(
    lambda m: m.replace(tzinfo=SH, second=0, microsecond=0)
)
units = st.sampled_from(["working_days", "calendar_days", "working_hours", "hours"])


@given(dates, counts)
def test_add_then_between_round_trips(d, n):
    due = CAL.add_working_days(d, n)
    assert CAL.is_working_day(due)
    if n > 0:
        assert CAL.working_days_between(d, due) == n
    else:  # n == 0: the day itself, or the next working day
        assert CAL.working_days_between(d, due) == (0 if CAL.is_working_day(d) else 1)


@given(dates, st.integers(min_value=1, max_value=400))
def test_the_result_is_the_first_day_with_that_count(d, n):
    due = CAL.add_working_days(d, n)
    assert CAL.working_days_between(d, due) == n
    assert CAL.working_days_between(d, due - dt.timedelta(days=1)) == n - 1


@given(dates, counts)
def test_monotonic_in_n(d, n):
    # strictly, except that from a day off n = 0 and n = 1 both give the next working day
    if n > 0 or CAL.is_working_day(d):
        assert CAL.add_working_days(d, n) < CAL.add_working_days(d, n + 1)
    else:
        assert CAL.add_working_days(d, n) == CAL.add_working_days(d, n + 1)


@given(dates, st.integers(min_value=1, max_value=400))
def test_counting_back_undoes_counting_forward_from_a_working_day(d, n):
    start = CAL.add_working_days(d, 0)
    assert CAL.add_working_days(CAL.add_working_days(start, n), -n) == start


@given(dates, dates)
def test_between_is_antisymmetric_and_additive(a, b):
    assert CAL.working_days_between(a, b) == -CAL.working_days_between(b, a)
    mid = min(a, b) + (max(a, b) - min(a, b)) / 2
    assert CAL.working_days_between(min(a, b), max(a, b)) == CAL.working_days_between(
        min(a, b), mid
    ) + CAL.working_days_between(mid, max(a, b))


@settings(max_examples=60, deadline=None)
@given(
    moments,
    st.integers(min_value=0, max_value=30),
    units,
    st.lists(st.tuples(moments, st.integers(min_value=0, max_value=6 * 24 * 60)), max_size=3),
)
def test_pauses_never_shorten_a_limit(start, n, unit, raw_pauses):
    limit = TimeLimit(n, unit)
    pauses = [(p, p + dt.timedelta(minutes=m)) for p, m in raw_pauses]
    plain = CAL.deadline(start, limit)
    paused = CAL.deadline(start, limit, pauses)
    assert paused.at >= plain.at
    if pauses:  # and one more pause never shortens it either
        assert CAL.deadline(start, limit, pauses[:-1]).at <= paused.at


@settings(max_examples=60, deadline=None)
@given(moments, st.integers(min_value=0, max_value=30), units)
def test_a_longer_limit_is_never_due_earlier(start, n, unit):
    assert (
        CAL.deadline(start, TimeLimit(n, unit)).at <= CAL.deadline(start, TimeLimit(n + 1, unit)).at
    )


@given(st.lists(st.tuples(dates, counts), min_size=1, max_size=50))
def test_the_bulk_functions_equal_the_scalar_ones(pairs):
    starts = np.array([d for d, _ in pairs], dtype="datetime64[D]")
    ns = np.array([n for _, n in pairs])
    bulk = CAL.add_working_days_many(starts, ns)
    assert [x.astype(dt.date) for x in bulk] == [CAL.add_working_days(d, n) for d, n in pairs]
    ends = np.array([CAL.add_working_days(d, n) for d, n in pairs], dtype="datetime64[D]")
    between = CAL.working_days_between_many(starts, ends)
    assert between.tolist() == [
        CAL.working_days_between(d, e.astype(dt.date))
        for (d, _), e in zip(pairs, ends, strict=True)
    ]
