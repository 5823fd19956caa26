"""The public working-day calendar of a year and a deadline calculator."""

import calendar as month_calendar
import datetime as dt

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from servicehall.workcal import TimeLimit

from . import services
from .forms import DeadlineForm


def year_view(request, year=None):
    today = timezone.localdate()
    year = year or today.year
    cal = services.calendar()
    if not cal.first.year <= year <= cal.last.year - 10:
        year = today.year
    exceptions = dict(cal.days_off(year))
    months = []
    for month in range(1, 13):
        weeks = []
        for week in month_calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
            weeks.append(
                [
                    {
                        "date": d,
                        "in_month": d.month == month,
                        "working": cal.is_working_day(d),
                        "kind": exceptions.get(d, ""),
                        "weekend": d.weekday() >= 5,
                        "today": d == today,
                    }
                    for d in week
                ]
            )
        months.append({"month": month, "weeks": weeks})
    form = DeadlineForm(request.GET or None)
    result = None
    if request.GET and form.is_valid():
        data = form.cleaned_data
        limit = TimeLimit(data["n"], data["unit"])
        pauses = [(data["pause_from"], data["pause_to"])] if data.get("pause_from") else []
        try:
            due, text = services.calculate(
                start=data["start"], limit=limit, unit=data["window_unit"], pauses=pauses
            )
            result = {"due": due, "text": text}
        except ValueError as exc:
            form.add_error(None, str(exc))
    return render(
        request,
        "worktime/year.html",
        {
            "year": year,
            "official": cal.is_official(year),
            "notice": cal.notices.get(year, ""),
            "months": months,
            "working_days": cal.working_days_between(
                dt.date(year - 1, 12, 31), dt.date(year, 12, 31)
            ),
            "form": form,
            "result": result,
            "weekdays": [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")],
        },
    )
