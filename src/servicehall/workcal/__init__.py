"""servicehall.workcal: China's working-day calendar and SLA clocks. Pure Python (NumPy and the
`holidays` package), no Django, so it can be tested and benchmarked on its own."""

from .calendar import UNITS, Calendar, Due, TimeLimit, china, load_overrides, merge_pauses
from .clock import ClockState, ClockStatus, SlaClock, binding
from .hours import WorkingHours


def add_working_days_many(starts, ns):
    """add_working_days over NumPy arrays, in China's calendar."""
    return china().add_working_days_many(starts, ns)


def working_days_between_many(a, b):
    """working_days_between over NumPy arrays, in China's calendar."""
    return china().working_days_between_many(a, b)


__all__ = [
    "UNITS",
    "Calendar",
    "ClockState",
    "ClockStatus",
    "Due",
    "SlaClock",
    "TimeLimit",
    "WorkingHours",
    "add_working_days_many",
    "binding",
    "china",
    "load_overrides",
    "merge_pauses",
    "working_days_between_many",
]
