"""Public calendar and deadline endpoints: no personal data, no login needed."""

import datetime as dt

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from servicehall.core.errors import InvalidInput
from servicehall.core.schemas import DbId, Short
from servicehall.org.models import Unit
from servicehall.workcal import UNITS, TimeLimit

from . import services

router = Router(tags=["calendar"])


class DayOut(Schema):
    date: dt.date
    working: bool
    kind: str  # "holiday" (in a holiday period), "workday" (a weekend worked) or ""


class YearOut(Schema):
    year: int
    official: bool
    notice: str
    working_days: int
    days: list[DayOut]


class DeadlineIn(Schema):
    start: dt.datetime
    n: int = Field(ge=0, le=10_000)
    unit: Short(20) = "working_days"
    unit_id: DbId | None = None
    pauses: list[tuple[dt.datetime, dt.datetime]] = Field([], max_length=1000)


class DeadlineOut(Schema):
    at: dt.datetime
    last_day: dt.date
    estimated: bool
    text: str
    level: str


@router.get("/calendar/{year}", response=YearOut, auth=None)
def year(request, year: int):
    """Every day of a year: working or not, and which are exceptions to the Mon–Fri week."""
    cal = services.calendar()
    if not cal.first.year <= year <= cal.last.year:
        raise InvalidInput({"year": [f"{cal.first.year}–{cal.last.year}"]})
    kinds = dict(cal.days_off(year))
    first = dt.date(year, 1, 1)
    days = [first + dt.timedelta(days=i) for i in range((dt.date(year + 1, 1, 1) - first).days)]
    return {
        "year": year,
        "official": cal.is_official(year),
        "notice": cal.notices.get(year, ""),
        "working_days": cal.working_days_between(first - dt.timedelta(days=1), days[-1]),
        "days": [
            {"date": d, "working": cal.is_working_day(d), "kind": kinds.get(d, "")} for d in days
        ],
    }


def _refused(payload: DeadlineIn) -> dict:
    """What the calendar would refuse in English, or overflow on, named per field here."""
    errors = {}
    if payload.unit not in UNITS:
        errors["unit"] = [_("Choose one of: %(units)s.") % {"units": ", ".join(UNITS)}]
    paused = [t for pause in payload.pauses for t in pause]
    for name, times in (("start", [payload.start]), ("pauses", paused)):
        if any(timezone.is_naive(t) for t in times):
            errors[name] = [_("Give times with their offset, such as 2026-10-01T09:00:00+08:00.")]
        elif any(not (2000 <= t.year <= 2100) for t in times):
            errors[name] = [_("Give times between the years 2000 and 2100.")]
    placed = "start" not in errors and "pauses" not in errors
    if placed and any(b < a or a < payload.start for a, b in payload.pauses):
        errors["pauses"] = [_("Each pause begins after the start and ends after it begins.")]
    return errors


@router.post("/deadline", response=DeadlineOut, auth=None)
def deadline(request, payload: DeadlineIn):
    """When a limit started at `start` ends (the unit's working hours if unit_id is given)."""
    if errors := _refused(payload):
        raise InvalidInput(errors)
    try:
        limit = TimeLimit(payload.n, payload.unit)
        unit = get_object_or_404(Unit, pk=payload.unit_id) if payload.unit_id else None
        due, text = services.calculate(
            start=payload.start, limit=limit, unit=unit, pauses=payload.pauses
        )
    except (ValueError, OverflowError):
        raise InvalidInput(
            {"__all__": [_("This deadline cannot be counted: it ends beyond the calendar.")]}
        ) from None
    return {
        "at": due.at,
        "last_day": due.last_day,
        "estimated": due.estimated,
        "text": text.text,
        "level": text.level,
    }
