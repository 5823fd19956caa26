"""Deadlines: the Civil Code's counting, close of business, pauses, hour limits, estimates."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from servicehall.workcal import TimeLimit, WorkingHours, china

SH = ZoneInfo("Asia/Shanghai")


def at(y, m, d, h=10, mi=0):
    return dt.datetime(y, m, d, h, mi, tzinfo=SH)


def test_a_working_day_limit_ends_at_close_of_business_of_its_last_day():
    due = china().deadline(at(2026, 9, 30), TimeLimit(5, "working_days"))
    assert due.at == at(2026, 10, 13, 17, 30)
    assert due.last_day == dt.date(2026, 10, 13) and not due.estimated


def test_the_day_of_the_event_does_not_count_even_late_at_night():
    cal = china()
    assert cal.deadline(at(2026, 11, 26, 23, 50), TimeLimit(1)).at == at(2026, 11, 27, 17, 30)
    assert cal.deadline(at(2026, 11, 26, 8, 0), TimeLimit(1)).at == at(2026, 11, 27, 17, 30)


def test_a_moment_in_another_zone_counts_in_shanghai():
    utc = dt.datetime(2026, 11, 26, 17, 0, tzinfo=dt.UTC)  # 01:00 on the 27th in Shanghai
    assert china().deadline(utc, TimeLimit(1)).last_day == dt.date(2026, 11, 30)


def test_naive_times_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        china().deadline(dt.datetime(2026, 11, 26, 10), TimeLimit(1))


def test_a_calendar_day_limit_ending_on_a_holiday_moves_to_the_next_working_day():
    # 60 days by law (居民身份证法) from 2026-08-02 ends 2026-10-01: National Day → 10-08
    due = china().deadline(at(2026, 8, 2), TimeLimit(60, "calendar_days"))
    assert due.last_day == dt.date(2026, 10, 8) and due.at == at(2026, 10, 8, 17, 30)


def test_a_pause_for_an_out_of_county_letter_does_not_count():
    # R-TIME-2: community investigation, 3 working days, paused Tue→Fri waiting for a letter
    cal = china()
    plain = cal.deadline(at(2026, 11, 23), TimeLimit(3))
    paused = cal.deadline(
        at(2026, 11, 23), TimeLimit(3), pauses=[(at(2026, 11, 24, 9), at(2026, 11, 27, 16))]
    )
    assert plain.last_day == dt.date(2026, 11, 26)
    # the pause took Tue, Wed, Thu and Friday until 16:00 (5.5 served hours): three days and
    # 5.5 hours after Thursday's close
    assert paused.at == at(2026, 12, 2, 16, 0)


def test_a_pause_across_a_holiday_only_costs_the_working_days_it_spanned():
    cal = china()
    due = cal.deadline(
        at(2026, 9, 28), TimeLimit(2), pauses=[(at(2026, 9, 30, 9), at(2026, 10, 8, 9))]
    )
    # 2 days: 9-29, 9-30; the pause spans working days (9-30, 10-8] → 1 day → 10-08
    assert due.last_day == dt.date(2026, 10, 8)


def test_a_pause_after_the_deadline_changes_nothing():
    cal = china()
    plain = cal.deadline(at(2026, 11, 23), TimeLimit(1))
    late = cal.deadline(at(2026, 11, 23), TimeLimit(1), pauses=[(at(2026, 12, 1), at(2026, 12, 3))])
    assert late == plain


def test_overlapping_pauses_count_once():
    cal = china()
    one = cal.deadline(
        at(2026, 11, 23), TimeLimit(24, "hours"), [(at(2026, 11, 23, 12), at(2026, 11, 23, 18))]
    )
    two = cal.deadline(
        at(2026, 11, 23),
        TimeLimit(24, "hours"),
        [
            (at(2026, 11, 23, 12), at(2026, 11, 23, 16)),
            (at(2026, 11, 23, 14), at(2026, 11, 23, 18)),
        ],
    )
    assert one == two and one.at == at(2026, 11, 24, 16)


def test_hours_run_around_the_clock_and_working_hours_only_in_sessions():
    cal = china()
    assert cal.deadline(at(2026, 11, 27, 16), TimeLimit(24, "hours")).at == at(2026, 11, 28, 16)
    # Fri 16:00 + 8 working hours: 1.5 h Friday, then Monday 9–12 and 13:30–17:00
    assert cal.deadline(at(2026, 11, 27, 16), TimeLimit(8, "working_hours")).at == at(
        2026, 11, 30, 17, 0
    )


def test_lunch_duty_and_extended_half_days_count_as_working_hours():
    cal = china()
    plain = WorkingHours()
    lunch = WorkingHours(lunch_duty=True)
    saturday = WorkingHours(extended={dt.date(2026, 11, 28): ((dt.time(9), dt.time(12)),)})
    start = at(2026, 11, 27, 11)
    assert cal.deadline(start, TimeLimit(2, "working_hours"), hours=plain).at == at(
        2026, 11, 27, 14, 30
    )
    assert cal.deadline(start, TimeLimit(2, "working_hours"), hours=lunch).at == at(
        2026, 11, 27, 13, 0
    )
    late = at(2026, 11, 27, 17)
    assert cal.deadline(late, TimeLimit(1, "working_hours"), hours=saturday).at == at(
        2026, 11, 28, 9, 30
    )


def test_a_deadline_reaching_into_an_unpublished_year_is_an_estimate():
    cal = china()
    assert cal.deadline(at(2026, 12, 20), TimeLimit(20)).estimated
    assert not cal.deadline(at(2026, 11, 20), TimeLimit(5)).estimated


def test_the_override_file_makes_a_year_official(tmp_path):
    path = tmp_path / "china-2027.toml"
    path.write_text(
        '[years.2027]\nofficial = true\nnotice = "国办发明电〔2026〕9号"\n'
        'holidays = ["2027-01-01", "2027-02-08", "2027-02-09"]\nworkdays = ["2027-02-20"]\n',
        encoding="utf-8",
    )
    cal = china(path)
    assert cal.is_official(2027) and cal.notices[2027] == "国办发明电〔2026〕9号"
    assert not cal.is_working_day(dt.date(2027, 2, 9))
    assert cal.is_working_day(dt.date(2027, 2, 10))  # the package's estimate is replaced
    assert cal.is_working_day(dt.date(2027, 2, 20))
    assert not cal.deadline(at(2026, 12, 20), TimeLimit(20)).estimated
    assert not china().is_official(2027)  # the default calendar is unchanged


def test_an_override_file_with_a_date_in_the_wrong_year_is_refused(tmp_path):
    from servicehall.workcal import load_overrides

    path = tmp_path / "bad.toml"
    path.write_text('[years.2027]\nholidays = ["2028-01-01"]\n', encoding="utf-8")
    with pytest.raises(ValueError, match="listed under year 2027"):
        load_overrides(path)


def test_admin_style_overrides_win():
    cal = china().with_days(holidays=["2026-11-27"], workdays=["2026-11-28"], official_years=[2027])
    assert not cal.is_working_day(dt.date(2026, 11, 27))
    assert cal.is_working_day(dt.date(2026, 11, 28)) and cal.is_official(2027)


def test_limits_are_checked():
    with pytest.raises(ValueError, match="unit must be one of"):
        TimeLimit(3, "fortnights")
    with pytest.raises(ValueError):
        TimeLimit(-1)


def test_a_pause_within_one_working_day_pushes_by_the_working_time_it_lasted():
    # R-TIME-2: two hours waiting for a reply on Monday morning do not count either
    cal = china()
    plain = cal.deadline(at(2026, 11, 23), TimeLimit(3))
    paused = cal.deadline(
        at(2026, 11, 23), TimeLimit(3), pauses=[(at(2026, 11, 23, 10), at(2026, 11, 23, 12))]
    )
    assert plain.at == at(2026, 11, 26, 17, 30)
    assert paused.at == at(2026, 11, 27, 11, 0)  # Friday 9:00 + the 2 working hours
    assert paused.last_day == dt.date(2026, 11, 27)


def test_a_pause_over_lunch_costs_only_the_served_time():
    cal = china()
    due = cal.deadline(
        at(2026, 11, 23), TimeLimit(1), pauses=[(at(2026, 11, 23, 11, 30), at(2026, 11, 23, 14))]
    )
    # 11:30–12:00 and 13:30–14:00 were served hours: one hour, Wednesday 9:00–10:00
    assert due.at == at(2026, 11, 25, 10, 0)


def test_a_same_day_pause_on_a_calendar_day_limit_pushes_by_its_working_time():
    cal = china()
    due = cal.deadline(
        at(2026, 11, 23),
        TimeLimit(3, "calendar_days"),
        pauses=[(at(2026, 11, 24, 15), at(2026, 11, 24, 16, 30))],
    )
    assert due.at == at(2026, 11, 27, 10, 30)  # Thu 17:30 + 1.5 served hours


def test_a_pause_over_an_extended_half_day_on_a_holiday_costs_no_working_day():
    cal = china()
    half_day = WorkingHours(extended={dt.date(2026, 10, 3): ((dt.time(9), dt.time(12)),)})
    pauses = [(at(2026, 9, 30, 17, 30), at(2026, 10, 8, 9))]
    due = cal.deadline(at(2026, 9, 28), TimeLimit(3), pauses, half_day)
    assert due == cal.deadline(at(2026, 9, 28), TimeLimit(3), pauses)
    assert due.at == at(2026, 10, 8, 17, 30)
