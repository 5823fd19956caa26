"""Working hours of a unit: sessions on working days, lunch duty, extended-service half-days.

Used for hour-based limits (a hotline callback "within 24 working hours") and for the close of
business that ends a day-based limit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

Session = tuple[dt.time, dt.time]

DEFAULT_SESSIONS: tuple[Session, ...] = (
    (dt.time(9, 0), dt.time(12, 0)),
    (dt.time(13, 30), dt.time(17, 30)),
)


def _check(sessions):
    last = None
    for start, end in sessions:
        if not start < end:
            raise ValueError(f"a session must end after it starts: {start}–{end}")
        if last is not None and start < last:
            raise ValueError(f"sessions must be in order and not overlap: {start} < {last}")
        last = end


@dataclass(frozen=True)
class WorkingHours:
    """When a unit serves.

    sessions: the working-day sessions, e.g. 9:00–12:00 and 13:30–17:30.
    lunch_duty: R-TIME-5 lunch-time duty — the gap between the first two sessions is served too.
    extended: extra sessions on given dates (weekend and holiday extended-service half-days,
        R-TIME-5), e.g. {date(2026, 10, 3): ((time(9), time(12)),)}.
    """

    sessions: tuple[Session, ...] = DEFAULT_SESSIONS
    lunch_duty: bool = False
    extended: dict = field(default_factory=dict)

    def __post_init__(self):
        _check(self.sessions)
        for sessions in self.extended.values():
            _check(sessions)

    def __hash__(self):
        return hash((self.sessions, self.lunch_duty, tuple(sorted(self.extended.items()))))

    def regular(self) -> WorkingHours:
        """The same hours without the extended sessions (what a day limit counts)."""
        return WorkingHours(self.sessions, self.lunch_duty) if self.extended else self

    def day_sessions(self, day: dt.date, working: bool) -> tuple[Session, ...]:
        """The sessions served on a day (working or not)."""
        extra = tuple(self.extended.get(day, ()))
        if not working:
            return extra
        if self.lunch_duty and len(self.sessions) >= 2:
            merged = ((self.sessions[0][0], self.sessions[1][1]),) + tuple(self.sessions[2:])
        else:
            merged = self.sessions
        return tuple(sorted(merged + extra))

    def close_of_business(self, day: dt.date, working: bool = True) -> dt.time:
        """When the day's business ends: the end of its last session (the regular close if the
        day has none, so a day limit still ends at a definite time)."""
        sessions = self.day_sessions(day, working) or self.sessions
        return max(end for _start, end in sessions)
