"""China's calendar against the State Council's notices for 2025 (国办发明电〔2024〕12号) and
2026 (国办发明电〔2025〕7号): every holiday period and every adjusted working weekend."""

import datetime as dt

import pytest

from servicehall.workcal import china

D = dt.date


def days(start, end):
    d = start
    while d <= end:
        yield d
        d += dt.timedelta(days=1)


# (first day off, last day off, adjusted working days) per holiday, from the notices.
NOTICES = {
    2025: [
        ("元旦", D(2025, 1, 1), D(2025, 1, 1), []),
        ("春节", D(2025, 1, 28), D(2025, 2, 4), [D(2025, 1, 26), D(2025, 2, 8)]),
        ("清明节", D(2025, 4, 4), D(2025, 4, 6), []),
        ("劳动节", D(2025, 5, 1), D(2025, 5, 5), [D(2025, 4, 27)]),
        ("端午节", D(2025, 5, 31), D(2025, 6, 2), []),
        ("国庆节、中秋节", D(2025, 10, 1), D(2025, 10, 8), [D(2025, 9, 28), D(2025, 10, 11)]),
    ],
    2026: [
        ("元旦", D(2026, 1, 1), D(2026, 1, 3), [D(2026, 1, 4)]),
        ("春节", D(2026, 2, 15), D(2026, 2, 23), [D(2026, 2, 14), D(2026, 2, 28)]),
        ("清明节", D(2026, 4, 4), D(2026, 4, 6), []),
        ("劳动节", D(2026, 5, 1), D(2026, 5, 5), [D(2026, 5, 9)]),
        ("端午节", D(2026, 6, 19), D(2026, 6, 21), []),
        ("中秋节", D(2026, 9, 25), D(2026, 9, 27), []),
        ("国庆节", D(2026, 10, 1), D(2026, 10, 7), [D(2026, 9, 20), D(2026, 10, 10)]),
    ],
}
CASES = [(year, *row) for year, rows in NOTICES.items() for row in rows]


@pytest.mark.parametrize(("year", "name", "first", "last", "worked"), CASES)
def test_every_day_of_each_holiday_is_off(year, name, first, last, worked):
    cal = china()
    assert [d for d in days(first, last) if cal.is_working_day(d)] == []
    # the days either side are not part of it (or are an ordinary weekend)
    before, after = first - dt.timedelta(days=1), last + dt.timedelta(days=1)
    assert cal.is_working_day(before) or before.weekday() >= 5
    assert cal.is_working_day(after) or after.weekday() >= 5


@pytest.mark.parametrize(("year", "name", "first", "last", "worked"), CASES)
def test_every_adjusted_weekend_is_worked(year, name, first, last, worked):
    cal = china()
    for d in worked:
        assert d.weekday() >= 5, f"{d} is a weekend day in the notice"
        assert cal.is_working_day(d), f"{name}: {d} is a working day (调休上班)"


@pytest.mark.parametrize("year", [2025, 2026])
def test_no_other_weekday_is_off_and_no_other_weekend_is_worked(year):
    cal = china()
    off = {d for _y, _n, a, b, _w in CASES if _y == year for d in days(a, b)}
    worked = {d for _y, _n, _a, _b, w in CASES if _y == year for d in w}
    for d in days(D(year, 1, 1), D(year, 12, 31)):
        expected = (d.weekday() < 5 and d not in off) or d in worked
        assert cal.is_working_day(d) == expected, d


def test_the_example_of_the_issue():
    # accepted Wed 2026-09-30, 5 working days: 10-08, 10-09, 10-10 (Sat, worked), 10-12, 10-13
    assert china().add_working_days(D(2026, 9, 30), 5) == D(2026, 10, 13)


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        (D(2025, 1, 24), 1, D(2025, 1, 26)),  # Fri → the worked Sunday before Spring Festival
        (D(2025, 1, 27), 1, D(2025, 2, 5)),  # across the whole Spring Festival
        (D(2025, 1, 27), 3, D(2025, 2, 7)),
        (D(2025, 2, 7), 1, D(2025, 2, 8)),  # the worked Saturday after it
        (D(2025, 4, 25), 1, D(2025, 4, 27)),  # the worked Sunday before Labour Day
        (D(2025, 4, 30), 1, D(2025, 5, 6)),
        (D(2025, 9, 26), 1, D(2025, 9, 28)),
        (D(2025, 9, 30), 2, D(2025, 10, 10)),
        (D(2025, 10, 9), 2, D(2025, 10, 11)),  # Sat 10-11 worked
        (D(2026, 1, 2), 1, D(2026, 1, 4)),  # Sun 1-4 worked
        (D(2026, 2, 13), 1, D(2026, 2, 14)),  # Sat 2-14 worked
        (D(2026, 2, 14), 1, D(2026, 2, 24)),
        (D(2026, 2, 27), 1, D(2026, 2, 28)),  # Sat 2-28 worked
        (D(2026, 4, 3), 1, D(2026, 4, 7)),
        (D(2026, 4, 30), 1, D(2026, 5, 6)),
        (D(2026, 5, 8), 1, D(2026, 5, 9)),  # Sat 5-9 worked
        (D(2026, 6, 18), 1, D(2026, 6, 22)),
        (D(2026, 9, 18), 1, D(2026, 9, 20)),  # Sun 9-20 worked
        (D(2026, 9, 24), 1, D(2026, 9, 28)),
    ],
)
def test_deadlines_that_cross_the_holidays(start, n, due):
    cal = china()
    assert cal.add_working_days(start, n) == due
    assert cal.working_days_between(start, due) == n


def test_n_zero_is_the_day_itself_or_the_next_working_day():
    cal = china()
    assert cal.add_working_days(D(2026, 11, 26), 0) == D(2026, 11, 26)
    assert cal.add_working_days(D(2026, 10, 1), 0) == D(2026, 10, 8)
    assert cal.add_working_days(D(2026, 10, 10), 0) == D(2026, 10, 10)  # a worked Saturday


def test_negative_n_counts_back():
    cal = china()
    assert cal.add_working_days(D(2026, 10, 13), -5) == D(2026, 9, 30)
    assert cal.add_working_days(D(2026, 10, 8), -1) == D(2026, 9, 30)


def test_2026_is_official_and_2027_is_not_yet():
    cal = china()
    assert cal.is_official(2025) and cal.is_official(2026)
    assert not cal.is_official(2027)


def test_dates_outside_the_calendar_are_refused_plainly():
    cal = china()
    with pytest.raises(ValueError, match="outside the calendar"):
        cal.is_working_day(D(1980, 1, 1))
    with pytest.raises(TypeError, match="not a datetime"):
        cal.is_working_day(dt.datetime(2026, 1, 1))


def test_holiday_periods_are_listed_as_the_notices_count_them():
    off = [d for d, kind in china().days_off(2026) if kind == "holiday"]
    spring = [d for d in off if d.month == 2]
    assert spring == list(days(D(2026, 2, 15), D(2026, 2, 23)))  # 共9天
    assert [d for d in off if d.month == 10] == list(days(D(2026, 10, 1), D(2026, 10, 7)))
    assert D(2026, 11, 28) not in off  # an ordinary weekend is not a holiday
    worked = [d for d, kind in china().days_off(2026) if kind == "workday"]
    assert worked == [
        D(2026, 1, 4),
        D(2026, 2, 14),
        D(2026, 2, 28),
        D(2026, 5, 9),
        D(2026, 9, 20),
        D(2026, 10, 10),
    ]


def test_workcal_imports_no_django():
    import subprocess
    import sys

    code = "import sys, servicehall.workcal as w; w.china(); print('django' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
