"""SLA clocks: start, pause with a reason, resume, stop, and a status at any moment.

A clock knows its limit and the calendar it counts in. Paused time never counts (R-TIME-2:
waiting for a letter from another county), so pausing can only push the due time back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from .calendar import Calendar, Due, TimeLimit
from .hours import WorkingHours


class ClockState(StrEnum):
    """Where a clock stands: running or paused, warning or overdue while it runs; met or
    breached once stopped. Plain strings underneath, so stored clocks and JSON read as before."""

    RUNNING = "running"
    PAUSED = "paused"
    WARNING = "warning"
    OVERDUE = "overdue"
    MET = "met"
    BREACHED = "breached"


@dataclass(frozen=True)
class ClockStatus:
    state: ClockState
    due: Due
    elapsed: dt.timedelta  # served time counted so far (pauses excluded)
    remaining: dt.timedelta  # served time left until due (zero once due)
    remaining_working_days: int | None  # day limits: working days after today up to the due day
    overdue_by: dt.timedelta  # wall time past due (zero if not)
    paused_for: dt.timedelta  # wall time spent paused

    @property
    def estimated(self) -> bool:
        return self.due.estimated


# How bad a state is, for choosing between clocks that run on the same thing.
_SEVERITY = {
    ClockState.MET: 0,
    ClockState.RUNNING: 1,
    ClockState.PAUSED: 1,
    ClockState.WARNING: 2,
    ClockState.OVERDUE: 3,
    ClockState.BREACHED: 3,
}


def binding(statuses) -> ClockStatus:
    """Of the statuses of clocks that run on one thing at one moment (a promise and the law),
    the one that decides: the worst state, and among equals the one due first."""
    return min(statuses, key=lambda s: (-_SEVERITY[s.state], s.due.at))


@dataclass
class Pause:
    start: dt.datetime
    reason: str
    end: dt.datetime | None = None


@dataclass
class SlaClock:
    calendar: Calendar
    limit: TimeLimit
    warn_before: TimeLimit | None = None  # e.g. TimeLimit(1, "working_days")
    warn_ratio: float | None = None  # e.g. 0.8: warn once 80 % of the limit is used
    hours: WorkingHours | None = None
    started_at: dt.datetime | None = None
    stopped_at: dt.datetime | None = None
    pauses: list[Pause] = field(default_factory=list)

    def __post_init__(self):
        if self.warn_ratio is not None and not 0 < self.warn_ratio < 1:
            raise ValueError("warn_ratio is a fraction between 0 and 1, e.g. 0.8")
        if self.warn_before is None and self.warn_ratio is None:
            if self.limit.is_days:
                self.warn_before = TimeLimit(1, "working_days")
            else:
                self.warn_ratio = 0.8

    # ---- transitions ---------------------------------------------------------------
    def start(self, at: dt.datetime):
        if self.started_at is not None:
            raise ValueError("the clock is already started")
        self.started_at = self.calendar.localize(at)
        return self

    def pause(self, at: dt.datetime, reason: str):
        self._require_running(at)
        if not reason or not reason.strip():
            raise ValueError("a pause needs its reason (e.g. waiting for an out-of-county letter)")
        self.pauses.append(Pause(self.calendar.localize(at), reason.strip()))
        return self

    def resume(self, at: dt.datetime):
        if not self.is_paused:
            raise ValueError("the clock is not paused")
        at = self.calendar.localize(at)
        if at < self.pauses[-1].start:
            raise ValueError("a clock cannot resume before it was paused")
        self.pauses[-1].end = at
        return self

    def stop(self, at: dt.datetime):
        if self.started_at is None:
            raise ValueError("the clock was never started")
        if self.stopped_at is not None:
            raise ValueError("the clock is already stopped")
        at = self.calendar.localize(at)
        if self.is_paused:
            self.resume(at)
        self.stopped_at = at
        return self

    def _require_running(self, at):
        if self.started_at is None:
            raise ValueError("the clock was never started")
        if self.stopped_at is not None:
            raise ValueError("the clock is stopped")
        if self.is_paused:
            raise ValueError("the clock is already paused")
        if self.calendar.localize(at) < self.started_at:
            raise ValueError("a clock cannot be paused before it started")

    def extended(self, limit: TimeLimit, at: dt.datetime | None = None) -> SlaClock:
        """The clock of an extension: it starts where this one is due (as of `at`) and runs
        `limit` more, in its own unit (行政许可法 第四十二条: 20 working days, +10). It stops
        when this one does; the part of a pause after this one's due time pauses it too."""
        start = self.due(at).at
        clock = SlaClock(self.calendar, limit, hours=self.hours)
        clock.started_at, clock.stopped_at = start, self.stopped_at
        for p in self.pauses:
            if p.end is None and at is not None and self.calendar.localize(at) < start:
                continue  # still open: the due time as of `at` has counted it so far
            if p.end is None or p.end > start:
                clock.pauses.append(Pause(max(p.start, start), p.reason, p.end))
        return clock

    @property
    def is_paused(self) -> bool:
        return bool(self.pauses) and self.pauses[-1].end is None

    # ---- reading -------------------------------------------------------------------
    def _intervals(self, until):
        return [(p.start, p.end if p.end is not None else until) for p in self.pauses]

    def due(self, at: dt.datetime | None = None) -> Due:
        """The due time as of `at`: an open pause counts up to `at` (and keeps growing)."""
        if self.started_at is None:
            raise ValueError("the clock was never started")
        at = self.calendar.localize(at) if at is not None else self.stopped_at or self.started_at
        return self.calendar.deadline(self.started_at, self.limit, self._intervals(at), self.hours)

    def status(self, at: dt.datetime) -> ClockStatus:
        at = self.calendar.localize(at)
        end = min(at, self.stopped_at) if self.stopped_at else at
        end = max(end, self.started_at)
        pauses = self._intervals(end)
        due = self.due(end)
        cal, hours = self.calendar, self.hours
        wall = self.limit.unit in ("hours",)
        if wall:
            paused = sum((min(b, end) - a for a, b in pauses if a < end), dt.timedelta(0))
            elapsed = end - self.started_at - paused
            remaining = max(due.at - end, dt.timedelta(0))
        else:
            elapsed = cal.working_time_between(self.started_at, end, hours, pauses)
            remaining = (
                cal.working_time_between(end, due.at, hours) if end < due.at else dt.timedelta(0)
            )
        paused_for = sum((min(b, end) - a for a, b in pauses if a < end), dt.timedelta(0))
        days_left = (
            max(cal.working_days_between(end.date(), due.last_day), 0)
            if self.limit.is_days
            else None
        )
        overdue_by = max(end - due.at, dt.timedelta(0))
        if self.stopped_at is not None:
            state = ClockState.MET if self.stopped_at <= due.at else ClockState.BREACHED
        elif self.is_paused:
            state = ClockState.PAUSED
        elif at > due.at:
            state = ClockState.OVERDUE
        elif self._warning(elapsed, remaining, days_left, due, at):
            state = ClockState.WARNING
        else:
            state = ClockState.RUNNING
        return ClockStatus(state, due, elapsed, remaining, days_left, overdue_by, paused_for)

    def _warning(self, elapsed, remaining, days_left, due, at) -> bool:
        if self.warn_ratio is not None:
            total = elapsed + remaining
            return total > dt.timedelta(0) and elapsed >= total * self.warn_ratio
        warn = self.warn_before
        if warn.unit == "working_days":
            if days_left is None:
                days_left = self.calendar.working_days_between(at.date(), due.at.date())
            return days_left <= warn.n
        if warn.unit == "calendar_days":
            return (due.at.date() - at.date()).days <= warn.n
        if warn.unit == "hours":
            return due.at - at <= dt.timedelta(hours=warn.n)
        return remaining <= dt.timedelta(hours=warn.n)

    # ---- storage -------------------------------------------------------------------
    def to_dict(self) -> dict:
        iso = lambda v: v.isoformat() if v else None  # noqa: E731
        return {
            "limit": [self.limit.n, self.limit.unit],
            "warn_before": [self.warn_before.n, self.warn_before.unit]
            if self.warn_before
            else None,
            "warn_ratio": self.warn_ratio,
            "started_at": iso(self.started_at),
            "stopped_at": iso(self.stopped_at),
            "pauses": [[iso(p.start), iso(p.end), p.reason] for p in self.pauses],
        }

    @classmethod
    def from_dict(cls, data: dict, calendar: Calendar, hours: WorkingHours | None = None):
        parse = lambda v: dt.datetime.fromisoformat(v) if v else None  # noqa: E731
        clock = cls(
            calendar=calendar,
            limit=TimeLimit(*data["limit"]),
            warn_before=TimeLimit(*data["warn_before"]) if data.get("warn_before") else None,
            warn_ratio=data.get("warn_ratio"),
            hours=hours,
        )
        clock.started_at = parse(data.get("started_at"))
        clock.stopped_at = parse(data.get("stopped_at"))
        clock.pauses = [
            Pause(parse(a), reason, parse(b)) for a, b, reason in data.get("pauses", [])
        ]
        return clock
