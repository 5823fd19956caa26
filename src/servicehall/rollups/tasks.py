"""Periodic work of the roll-ups, for the jobs runner."""

import datetime as dt
import logging

from django.utils.translation import gettext_lazy as _

from servicehall.core.tasks import job

from .services import days_due, roll_day

log = logging.getLogger(__name__)


def roll_up(day: dt.date | None = None) -> int:
    """Roll up `day`, or every day due (yesterday, the recent days not yet settled, the days
    whose source rows changed); returns the number of days rolled up. Idempotent."""
    days = [day] if day is not None else days_due()
    for d in days:
        rows = roll_day(d)
        log.info("rolled up %s: %s rows", d, rows)
    return len(days)


# each day is rolled up in its own transaction (roll_day), so one day's rows never wait on
# another's
@job(
    "rollups.days",
    every=900,
    atomic=False,
    title=_("Daily figures rolled up"),
    counted=_("days rolled up"),
)
def days():
    return roll_up()
