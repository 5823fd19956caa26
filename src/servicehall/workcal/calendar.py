"""China's working-day calendar (R-TIME-1, R-LAW-1, R-LAW-4).

Statutory holidays are off and adjusted weekends (调休) are worked. Days come from the
`holidays` package (which follows the State Council's notices) and from an override file the
operator edits when next year's notice is published (data/china.toml, plus the file named by
SERVICEHALL_CALENDAR_FILE). A year without a published notice is *not official*: its days are
the package's estimate (lunar dates, no adjusted weekends), and every deadline that reaches it
comes back `estimated=True`.

Internally a calendar is one array of working-day flags and its running count, so
is_working_day, add_working_days and working_days_between are O(1) or O(log n) lookups, and
the bulk versions are single NumPy calls.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import tomllib
from bisect import bisect_left
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

from .hours import WorkingHours

DATA_FILE = Path(__file__).resolve().parent / "data" / "china.toml"
ENV_FILE = "SERVICEHALL_CALENDAR_FILE"
FIRST = dt.date(1990, 1, 1)
LAST = dt.date(2150, 12, 31)
UNITS = ("working_days", "calendar_days", "working_hours", "hours")


@dataclass(frozen=True)
class TimeLimit:
    """A limit such as 5 working days or 24 hours. unit: one of UNITS."""

    n: int
    unit: str = "working_days"

    def __post_init__(self):
        if self.unit not in UNITS:
            raise ValueError(f"unit must be one of {', '.join(UNITS)}, not {self.unit!r}")
        if not isinstance(self.n, int) or self.n < 0:
            raise ValueError(f"a time limit is a whole number ≥ 0, not {self.n!r}")

    @property
    def is_days(self):
        return self.unit in ("working_days", "calendar_days")


@dataclass(frozen=True)
class Due:
    """When a limit ends. `at` is aware; `estimated` is true when the count reached into a year
    whose holidays are not yet published; `last_day` is the limit's last day."""

    at: dt.datetime
    estimated: bool
    last_day: dt.date


def _dates(values):
    out = set()
    for v in values:
        out.add(v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v)))
    return out


def load_overrides(path) -> dict[int, dict]:
    """{year: {"official": bool, "notice": str, "holidays": set, "workdays": set}} from a TOML
    override file. A year listed replaces the package's days for that year."""
    text = Path(path).read_text(encoding="utf-8")
    data = tomllib.loads(text)
    years = {}
    for key, table in data.get("years", {}).items():
        year = int(key)
        holidays, workdays = _dates(table.get("holidays", [])), _dates(table.get("workdays", []))
        for d in holidays | workdays:
            if d.year != year:
                raise ValueError(f"{path}: {d} is listed under year {year}")
        clash = holidays & workdays
        if clash:
            raise ValueError(f"{path}: {sorted(clash)[0]} is both a holiday and a working day")
        years[year] = {
            "official": bool(table.get("official", False)),
            "notice": str(table.get("notice", "")),
            "holidays": holidays,
            "workdays": workdays,
        }
    return years


class Calendar:
    """Working days of one jurisdiction, with its default working hours and time zone."""

    def __init__(
        self,
        *,
        holidays,
        workdays,
        official_years,
        tz="Asia/Shanghai",
        hours: WorkingHours | None = None,
        notices=None,
        first: dt.date = FIRST,
        last: dt.date = LAST,
    ):
        self.tz = ZoneInfo(tz) if isinstance(tz, str) else tz
        self.hours = hours or WorkingHours()
        self.first, self.last = first, last
        self.holidays = frozenset(d for d in _dates(holidays) if first <= d <= last)
        self.workdays = frozenset(d for d in _dates(workdays) if first <= d <= last)
        self.official_years = frozenset(official_years)
        self.notices = dict(notices or {})
        self._base = first.toordinal()
        size = last.toordinal() - self._base + 1
        # 1990-01-01 was a Monday: weekday of index i is (i + first.weekday()) % 7.
        weekday = (np.arange(size) + first.weekday()) % 7
        flags = weekday < 5
        for d in self.holidays:
            flags[d.toordinal() - self._base] = False
        for d in self.workdays:
            flags[d.toordinal() - self._base] = True
        self._flags = flags
        self._cum = np.cumsum(flags, dtype=np.int64)
        self._flag_list = flags.tolist()
        self._cum_list = self._cum.tolist()
        self._epoch = np.datetime64(first, "D")

    # ---- construction -------------------------------------------------------------
    def with_days(self, *, holidays=(), workdays=(), official_years=(), notices=None):
        """A copy with more days off / worked and more official years (admin overrides).
        A day named here wins over the package and the file."""
        holidays, workdays = _dates(holidays), _dates(workdays)
        return Calendar(
            holidays=(self.holidays - workdays) | holidays,
            workdays=(self.workdays - holidays) | workdays,
            official_years=self.official_years | set(official_years),
            tz=self.tz,
            hours=self.hours,
            notices={**self.notices, **(notices or {})},
            first=self.first,
            last=self.last,
        )

    # ---- days ---------------------------------------------------------------------
    def _index(self, d: dt.date) -> int:
        if isinstance(d, dt.datetime):
            raise TypeError("pass a date, not a datetime (use .date() in the calendar's zone)")
        i = d.toordinal() - self._base
        if not 0 <= i < len(self._flag_list):
            raise ValueError(f"{d} is outside the calendar ({self.first} … {self.last})")
        return i

    def _date(self, i: int) -> dt.date:
        if not 0 <= i < len(self._flag_list):
            raise ValueError(f"the result falls outside the calendar ({self.first} … {self.last})")
        return dt.date.fromordinal(self._base + i)

    def is_working_day(self, d: dt.date) -> bool:
        return self._flag_list[self._index(d)]

    def is_official(self, year: int) -> bool:
        """Whether the State Council's notice for this year is in the calendar."""
        return year in self.official_years

    def add_working_days(self, d: dt.date, n: int) -> dt.date:
        """The n-th working day after d (the day itself does not count). n == 0: d if it is a
        working day, else the next one. n < 0: the |n|-th working day before d."""
        i = self._index(d)
        if n >= 0:
            target = self._cum_list[i] + (n if n > 0 else (0 if self._flag_list[i] else 1))
        else:
            target = self._cum_list[i] - self._flag_list[i] + n + 1
            if target < 1:
                raise ValueError(f"the result falls before the calendar starts ({self.first})")
        j = bisect_left(self._cum_list, target)
        return self._date(j)

    def working_days_between(self, a: dt.date, b: dt.date) -> int:
        """Working days in (a, b]; negative when b is before a."""
        return self._cum_list[self._index(b)] - self._cum_list[self._index(a)]

    def next_working_day(self, d: dt.date) -> dt.date:
        return self.add_working_days(d, 1)

    def days_off(self, year: int):
        """[(date, "holiday" | "workday")]: the days of the year's holiday periods (a run of days
        off holding at least one holiday, weekends inside it included, as the notices count
        them: 春节 2月15日至23日放假调休，共9天) and the weekends worked (调休上班)."""
        start = self._index(dt.date(year, 1, 1))
        end = self._index(dt.date(year, 12, 31))
        flags = self._flag_list
        out = []
        i = start
        while i <= end:
            if flags[i]:
                if (i + self.first.weekday()) % 7 >= 5:
                    out.append((self._date(i), "workday"))
                i += 1
                continue
            j = i
            while j + 1 < len(flags) and not flags[j + 1]:
                j += 1
            run = [self._date(k) for k in range(i, j + 1)]
            if any(d in self.holidays for d in run):
                out += [(d, "holiday") for d in run if d.year == year]
            i = j + 1
        return out

    def estimated_between(self, a: dt.date, b: dt.date) -> bool:
        lo, hi = min(a, b), max(a, b)
        return any(not self.is_official(y) for y in range(lo.year, hi.year + 1))

    # ---- bulk ---------------------------------------------------------------------
    def _offsets(self, dates) -> np.ndarray:
        idx = (np.asarray(dates, dtype="datetime64[D]") - self._epoch).astype(np.int64)
        if idx.size and (idx.min() < 0 or idx.max() >= self._cum.size):
            raise ValueError(f"dates must lie within {self.first} … {self.last}")
        return idx

    def add_working_days_many(self, starts, ns) -> np.ndarray:
        """add_working_days over arrays (datetime64[D] starts, integer ns ≥ 0)."""
        idx = self._offsets(starts)
        ns = np.asarray(ns, dtype=np.int64)
        if ns.size and ns.min() < 0:
            raise ValueError("add_working_days_many takes n ≥ 0")
        cum = self._cum
        target = cum[idx] + ns + ((ns == 0) & ~self._flags[idx])
        out = np.searchsorted(cum, target, side="left")
        if out.size and out.max() >= cum.size:
            raise ValueError(f"a result falls after {self.last}")
        return self._epoch + out.astype("timedelta64[D]")

    def working_days_between_many(self, a, b) -> np.ndarray:
        cum = self._cum
        return cum[self._offsets(b)] - cum[self._offsets(a)]

    # ---- time ---------------------------------------------------------------------
    def localize(self, moment: dt.datetime) -> dt.datetime:
        if moment.tzinfo is None:
            raise ValueError("times must be timezone-aware (e.g. Asia/Shanghai)")
        return moment.astimezone(self.tz)

    def _at(self, day: dt.date, time: dt.time) -> dt.datetime:
        return dt.datetime.combine(day, time, tzinfo=self.tz)

    def close_of_business(self, day: dt.date, hours: WorkingHours | None = None) -> dt.datetime:
        hours = hours or self.hours
        return self._at(day, hours.close_of_business(day, self.is_working_day(day)))

    def working_intervals(self, start: dt.datetime, end: dt.datetime, hours=None):
        """The served intervals between two aware moments, in order."""
        hours = hours or self.hours
        start, end = self.localize(start), self.localize(end)
        day = start.date()
        while day <= end.date():
            for s, e in hours.day_sessions(day, self.is_working_day(day)):
                lo, hi = max(self._at(day, s), start), min(self._at(day, e), end)
                if lo < hi:
                    yield lo, hi
            day += dt.timedelta(days=1)

    def working_time_between(self, start, end, hours=None, pauses=()) -> dt.timedelta:
        """Served time between two moments, less the paused intervals."""
        if end <= start:
            return dt.timedelta(0)
        total = dt.timedelta(0)
        merged = merge_pauses(pauses, end)
        for lo, hi in self.working_intervals(start, end, hours):
            total += hi - lo
            for p_lo, p_hi in merged:
                a, b = max(lo, p_lo), min(hi, p_hi)
                if a < b:
                    total -= b - a
        return total

    def deadline(self, start: dt.datetime, limit: TimeLimit, pauses=(), hours=None) -> Due:
        """When a limit started at `start` ends, pushed back by every paused interval.

        Day limits follow the Civil Code: the day of the event does not count, and the limit
        ends at close of business of its last day; a calendar-day limit whose last day is off
        ends on the next working day (Civil Code art. 203). A pause never shortens a limit and
        counts in working time, not only whole days (R-TIME-2): a working-day limit ends once
        as much unpaused served time has passed as the limit holds without pauses; a
        calendar-day limit gains the calendar days a pause spanned, and a pause within one
        day the served time it took, after the last day's close; an hour limit gains the time
        a pause spanned.
        """
        hours = hours or self.hours
        start = self.localize(start)
        merged = merge_pauses(pauses, None)
        if merged and merged[-1][1].year == dt.MAXYEAR:
            raise ValueError("an open pause has no end: close it at the moment counted to")
        if limit.unit == "working_days":
            last = self.add_working_days(start.date(), limit.n)
            at = self.close_of_business(last, hours)
            if merged:
                # a working day's regular hours: extended half-days on days off are not days
                # of the limit, so a pause over them costs nothing
                regular = hours.regular()
                served = self.working_time_between(start, at, regular)
                moved = self._add_working_time(start, served, regular, merged)
                if moved > at:
                    at, last = moved, moved.date()
        elif limit.unit == "calendar_days":
            last = start.date() + dt.timedelta(days=limit.n)
            same_day = []
            for p_lo, p_hi in merged:
                if p_lo < self.close_of_business(last, hours) and p_hi > start:
                    lo = max(p_lo, start)
                    days = (p_hi.date() - lo.date()).days
                    last += dt.timedelta(days=days)
                    if not days:
                        same_day.append((lo, p_hi))
            if not self.is_working_day(last):
                last = self.next_working_day(last)
            at = self.close_of_business(last, hours)
            regular = hours.regular()
            lost = sum(
                (self.working_time_between(lo, hi, regular) for lo, hi in same_day),
                dt.timedelta(0),
            )
            if lost:
                at = self._add_working_time(at, lost, regular, merged)
                last = at.date()
        elif limit.unit == "hours":
            at = start + dt.timedelta(hours=limit.n)
            for p_lo, p_hi in merged:
                if p_lo < at and p_hi > start:
                    at += p_hi - max(p_lo, start)
            last = at.date()
        else:  # working_hours
            at = self._add_working_time(start, dt.timedelta(hours=limit.n), hours, merged)
            last = at.date()
        return Due(at=at, estimated=self.estimated_between(start.date(), last), last_day=last)

    def _add_working_time(self, start, amount, hours, merged):
        """The moment `amount` of served, unpaused time after start."""
        if amount <= dt.timedelta(0):
            return start
        remaining = amount
        day = start.date()
        while True:
            for s, e in hours.day_sessions(day, self.is_working_day(day)):
                lo, hi = max(self._at(day, s), start), self._at(day, e)
                for piece_lo, piece_hi in _subtract(lo, hi, merged):
                    if piece_hi - piece_lo >= remaining:
                        return piece_lo + remaining
                    remaining -= piece_hi - piece_lo
            day += dt.timedelta(days=1)
            if day > self.last:
                raise ValueError(f"the limit runs past {self.last}")

    def __repr__(self):
        years = sorted(self.official_years)
        span = f"{years[0]}–{years[-1]}" if years else "none"
        return f"<Calendar {self.tz} official {span}>"


def merge_pauses(pauses, open_until):
    """Sorted, merged (from, to) intervals; an open pause (to None) runs until open_until (or
    for ever when that is None)."""
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    intervals = []
    for p in pauses:
        lo, hi = p[0], p[1]
        if lo.tzinfo is None or (hi is not None and hi.tzinfo is None):
            raise ValueError("pause times must be timezone-aware")
        hi = hi if hi is not None else (open_until or far)
        if hi < lo:
            raise ValueError(f"a pause cannot end ({hi}) before it starts ({lo})")
        if hi > lo:
            intervals.append((lo, hi))
    intervals.sort()
    merged = []
    for lo, hi in intervals:
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged


def _subtract(lo, hi, merged):
    pieces = [(lo, hi)] if lo < hi else []
    for p_lo, p_hi in merged:
        nxt = []
        for a, b in pieces:
            if p_hi <= a or p_lo >= b:
                nxt.append((a, b))
                continue
            if a < p_lo:
                nxt.append((a, p_lo))
            if p_hi < b:
                nxt.append((p_hi, b))
        pieces = nxt
    return pieces


def _package_days():
    """Days off, adjusted working days and the years with a published notice, from the
    `holidays` package."""
    import holidays as holidays_package

    cn = holidays_package.China(years=range(FIRST.year, LAST.year + 1))
    off = set(cn.keys())
    worked = set(cn.weekend_workdays)
    # The package lists a year's special days only once the State Council's notice is out.
    official = set(getattr(cn, "special_public_holidays", {}).keys())
    return off, worked, official


@functools.lru_cache(maxsize=8)
def _china(files: tuple) -> Calendar:
    off, worked, official = _package_days()
    notices = {}
    for path in files:
        for year, table in load_overrides(path).items():
            off = {d for d in off if d.year != year} | table["holidays"]
            worked = {d for d in worked if d.year != year} | table["workdays"]
            if table["official"]:
                official.add(year)
            else:
                official.discard(year)
            if table["notice"]:
                notices[year] = table["notice"]
    return Calendar(holidays=off, workdays=worked, official_years=official, notices=notices)


def china(extra_file: str | os.PathLike | None = None) -> Calendar:
    """Mainland China's calendar: holidays, adjusted working days, 9:00–12:00 and 13:30–17:30,
    Asia/Shanghai. Reads the packaged override file, then SERVICEHALL_CALENDAR_FILE (if set),
    then extra_file. Cached per set of files."""
    files = [str(DATA_FILE)]
    for candidate in (os.environ.get(ENV_FILE), extra_file):
        if candidate:
            files.append(str(Path(candidate).resolve()))
    return _china(tuple(files))
