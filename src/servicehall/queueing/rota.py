"""The duty rota and its minimums (R-Q-4, R-TIME-5), counted with the working-day calendar:
a duty lead and a lunch-time duty every working day; at least one extended half-day each
weekend; during the National Day and Spring Festival holidays at least two half-days, one of
them on the holiday's last day."""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from servicehall.core.errors import InvalidInput
from servicehall.org.choices import Role
from servicehall.org.permissions import Action, Actor, require
from servicehall.worktime import services as worktime
from servicehall.worktime.models import ExtendedSession

from .models import DutyAssignment

LONG_HOLIDAY = 7  # days: the National Day and Spring Festival breaks


@dataclass(frozen=True)
class RotaFinding:
    date: dt.date
    code: str
    message: str
    rule: str = "R-TIME-5"


def _holiday_periods(cal, first, last):
    """Runs of days off that hold a statutory holiday, as the notices count them."""
    periods, run = [], []
    day = first - dt.timedelta(days=10)
    while day <= last + dt.timedelta(days=10):
        if not cal.is_working_day(day):
            run.append(day)
        else:
            if run and any(d in cal.holidays for d in run):
                periods.append(run)
            run = []
        day += dt.timedelta(days=1)
    return periods


def findings(unit, first: dt.date, last: dt.date) -> list[RotaFinding]:
    cal = worktime.calendar()
    duty = {}
    for a in DutyAssignment.objects.filter(unit=unit, date__range=(first, last)):
        duty.setdefault((a.date, a.kind), []).append(a)
    extended = {}
    for s in ExtendedSession.objects.filter(
        unit=unit, date__range=(first - dt.timedelta(days=10), last + dt.timedelta(days=10))
    ):
        extended.setdefault(s.date, []).append(s)
    out = []
    day = first
    while day <= last:
        if cal.is_working_day(day):
            if not duty.get((day, DutyAssignment.Kind.DUTY_LEAD)):
                out.append(
                    RotaFinding(
                        day, "no_duty_lead", _("No duty lead at the No. 1 window."), "R-Q-4"
                    )
                )
            if not duty.get((day, DutyAssignment.Kind.LUNCH)):
                out.append(RotaFinding(day, "no_lunch_duty", _("No lunch-time duty.")))
        day += dt.timedelta(days=1)
    periods = _holiday_periods(cal, first, last)
    holiday_days = {d for p in periods for d in p}
    # weekends outside holidays: at least one half-day each
    day = first
    while day <= last:
        if day.weekday() == 5:
            weekend = [
                d
                for d in (day, day + dt.timedelta(days=1))
                if not cal.is_working_day(d) and d not in holiday_days
            ]
            if weekend and not any(extended.get(d) for d in weekend):
                out.append(
                    RotaFinding(
                        day,
                        "weekend_without_half_day",
                        _("No extended-service half-day this weekend."),
                    )
                )
        day += dt.timedelta(days=1)
    for period in periods:
        if len(period) < LONG_HOLIDAY or not (first <= period[-1] and period[0] <= last):
            continue
        halves = sum(len(extended.get(d, [])) for d in period)
        if halves < 2:
            out.append(
                RotaFinding(
                    period[0],
                    "long_holiday_few_half_days",
                    _("Only %(n)s extended half-days in the holiday %(a)s–%(b)s; at least 2.")
                    % {"n": halves, "a": period[0], "b": period[-1]},
                )
            )
        if not extended.get(period[-1]):
            out.append(
                RotaFinding(
                    period[-1],
                    "last_holiday_day_closed",
                    _("No extended service on the last day of the holiday."),
                )
            )
    return sorted(out, key=lambda f: (f.date, f.code))


@transaction.atomic
def assign(*, actor: Actor, unit, date, kind, staff, window=None) -> DutyAssignment:
    require(actor, Action.MANAGE_DUTY_ROTA, unit=unit)
    if staff.unit_id != unit.pk or not staff.active:
        raise InvalidInput({"staff": [_("Choose an active member of this unit's staff.")]})
    if kind == DutyAssignment.Kind.DUTY_LEAD and staff.role not in (
        Role.DUTY_LEAD,
        Role.UNIT_LEADER,
    ):
        raise InvalidInput({"staff": [_("The duty lead is a leader of the unit.")]}, rule="R-Q-4")
    if not staff.certified:
        raise InvalidInput(
            {"staff": [_("%(name)s has no training certificate yet.") % {"name": staff.name}]},
            rule="R-ORG-3",
        )
    if kind == DutyAssignment.Kind.BACKUP and (window is None or window.unit_id != unit.pk):
        raise InvalidInput({"window": [_("Say which window this backup covers.")]})
    assignment, _created = DutyAssignment.objects.get_or_create(
        unit=unit, date=date, kind=kind, staff=staff, defaults={"window": window}
    )
    return assignment


def backup_alerts(now=None) -> int:
    """R-Q-4 A/B: when a window's A has not signed in LONG_PAUSE_MINUTES into the session, or
    has paused longer than that, tell its B for the day to cover. Once per window and day."""
    from django.urls import reverse
    from django.utils import timezone

    from servicehall.notices.models import Notification
    from servicehall.notices.selectors import told_since
    from servicehall.notices.services import notify

    from .models import WindowSession
    from .services import _minutes_late, long_pause_minutes

    now = now or timezone.now()
    today = timezone.localdate(now)
    sent, away = 0, long_pause_minutes()
    backups = DutyAssignment.objects.filter(
        date=today, kind=DutyAssignment.Kind.BACKUP
    ).select_related("window", "staff__user")
    for b in backups:
        if b.window is None or b.staff.user is None:
            continue
        session = WindowSession.objects.filter(window=b.window, signed_out_at__isnull=True).first()
        reason = None
        if session is None and _minutes_late(b.window, now) > away:
            reason = _("Window %(n)s is unstaffed: please cover it (A/B).") % {"n": b.window.number}
        elif session is not None:
            limit = now - dt.timedelta(minutes=away)
            if session.pauses.filter(ended_at__isnull=True, started_at__lt=limit).exists():
                reason = _(
                    "Window %(n)s has been paused over %(m)s minutes: please cover it (A/B)."
                ) % {"n": b.window.number, "m": away}
        recent = now - dt.timedelta(hours=12)  # once per window and reason a day
        kind = Notification.Kind.BACKUP
        if reason and not told_since(b.staff.user, kind=kind, text=reason, since=recent):
            sent += notify(
                recipients=[b.staff.user],
                kind=kind,
                text=reason,
                link=f"{reverse('console')}?window={b.window.pk}",  # the window to cover
            )
    return sent
