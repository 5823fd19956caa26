"""SLA clocks: start, pause with a reason, resume, stop; states and remaining time."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from servicehall.workcal import SlaClock, TimeLimit, china

SH = ZoneInfo("Asia/Shanghai")


def at(y, m, d, h=10, mi=0):
    return dt.datetime(y, m, d, h, mi, tzinfo=SH)


def clock(n=3, unit="working_days", **kw):
    return SlaClock(china(), TimeLimit(n, unit), **kw).start(at(2026, 11, 23))  # a Monday


def test_running_then_warning_then_overdue():
    c = clock()  # due Thu 11-26 17:30
    assert c.status(at(2026, 11, 24)).state == "running"
    assert c.status(at(2026, 11, 24)).remaining_working_days == 2
    assert c.status(at(2026, 11, 25)).state == "warning"  # one working day left
    assert c.status(at(2026, 11, 26, 17, 0)).state == "warning"
    assert c.status(at(2026, 11, 26, 18, 0)).state == "overdue"
    assert c.status(at(2026, 11, 27)).overdue_by > dt.timedelta(hours=16)


def test_a_pause_keeps_the_clock_from_going_overdue_and_pushes_the_due_date():
    c = clock()
    c.pause(at(2026, 11, 24, 9), "等待外县市函调回复")
    s = c.status(at(2026, 11, 30))
    assert s.state == "paused"
    c.resume(at(2026, 11, 30, 9))
    s = c.status(at(2026, 11, 30, 10))
    assert s.state == "running"
    # 3 days from Tue: the pause took Tue–Fri and Mon morning → Mon, Tue, Wed count
    assert s.due.last_day == dt.date(2026, 12, 2)
    assert s.paused_for == at(2026, 11, 30, 9) - at(2026, 11, 24, 9)


def test_stopping_in_time_is_met_and_late_is_breached():
    assert clock().stop(at(2026, 11, 26, 17)).status(at(2026, 12, 10)).state == "met"
    assert clock().stop(at(2026, 11, 27, 9)).status(at(2026, 12, 10)).state == "breached"


def test_elapsed_and_remaining_are_working_time():
    s = clock(1).status(at(2026, 11, 23, 14))  # due Tue 11-24 17:30
    assert s.elapsed == dt.timedelta(hours=2, minutes=30)  # 10–12 and 13:30–14:00
    assert s.remaining == dt.timedelta(hours=3, minutes=30) + dt.timedelta(hours=7)


def test_a_ratio_warning_for_hour_limits():
    c = SlaClock(china(), TimeLimit(24, "hours"), warn_ratio=0.8).start(at(2026, 11, 23))
    assert c.status(at(2026, 11, 24, 4)).state == "running"
    assert c.status(at(2026, 11, 24, 5, 30)).state == "warning"
    assert c.status(at(2026, 11, 24, 10, 1)).state == "overdue"


def test_transitions_in_the_wrong_order_are_refused():
    c = clock()
    with pytest.raises(ValueError, match="reason"):
        c.pause(at(2026, 11, 23, 11), " ")
    with pytest.raises(ValueError, match="not paused"):
        c.resume(at(2026, 11, 23, 11))
    c.pause(at(2026, 11, 23, 11), "函调")
    with pytest.raises(ValueError, match="already paused"):
        c.pause(at(2026, 11, 23, 12), "again")
    c.stop(at(2026, 11, 23, 12))
    with pytest.raises(ValueError, match="already stopped"):
        c.stop(at(2026, 11, 23, 13))


def test_a_clock_survives_a_round_trip_through_storage():
    c = clock()
    c.pause(at(2026, 11, 24, 9), "函调")
    c.resume(at(2026, 11, 25, 9))
    copy = SlaClock.from_dict(c.to_dict(), china())
    assert copy.status(at(2026, 11, 26)) == c.status(at(2026, 11, 26))


def test_a_short_pause_and_resume_in_one_morning_moves_the_due_time():
    c = clock()  # due Thu 11-26 17:30
    c.pause(at(2026, 11, 24, 9, 30), "等待档案回复")
    c.resume(at(2026, 11, 24, 11))
    s = c.status(at(2026, 11, 24, 14))
    assert s.due.at == at(2026, 11, 27, 10, 30)
    assert s.elapsed == dt.timedelta(hours=8)  # Mon 10–17:30 less lunch; Tue 2 h unpaused


def test_of_two_clocks_the_worse_decides_and_then_the_one_due_first():
    from servicehall.workcal import binding

    promise, law = clock(7), clock(3)  # due Wed 12-02 and Thu 11-26
    now = at(2026, 11, 25)
    decides = binding([promise.status(now), law.status(now)])
    assert decides.state == "warning" and decides.due.at == at(2026, 11, 26, 17, 30)
    early = binding([promise.status(at(2026, 11, 23, 11)), law.status(at(2026, 11, 23, 11))])
    assert early.state == "running" and early.due.at == at(2026, 11, 26, 17, 30)
    for c in (promise, law):
        c.stop(at(2026, 11, 27))
    assert binding([promise.status(now), law.status(now)]).state == "breached"


def test_an_extension_continues_where_the_clock_is_due_in_its_own_unit():
    # 3 working days from Mon 11-23: Thu 11-26 17:30; then 2 calendar days more (行政许可法
    # art. 42 extends in its own unit): Sat 11-28, a rest day, so Mon 11-30 17:30
    c = clock()
    ext = c.extended(TimeLimit(2, "calendar_days"), at(2026, 11, 24))
    assert ext.started_at == at(2026, 11, 26, 17, 30)
    assert ext.due(at(2026, 11, 24)).at == at(2026, 11, 30, 17, 30)
    assert ext.status(at(2026, 11, 27)).state == "warning"  # past the base, not the extension
    c.stop(at(2026, 11, 27, 9))
    done = c.extended(TimeLimit(2, "calendar_days"))
    assert done.status(at(2026, 11, 30)).state == "met"


def test_a_pause_open_at_the_extension_keeps_moving_it():
    c = clock()
    c.pause(at(2026, 11, 24, 10), "等待外省协查函")
    # paused from Tuesday 10:00: on Friday the base is still not due, nor the extension
    ext = c.extended(TimeLimit(1, "working_days"), at(2026, 11, 27, 10))
    later = c.extended(TimeLimit(1, "working_days"), at(2026, 12, 1, 10))
    assert later.due(at(2026, 12, 1, 10)).at > ext.due(at(2026, 11, 27, 10)).at
    assert ext.status(at(2026, 11, 27, 10)).state != "overdue"
