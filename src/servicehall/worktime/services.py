"""Working days and time limits for the rest of the application.

`calendar()` is China's calendar (the `holidays` package and the override file) with the
admin's CalendarYear/CalendarDay rows on top; it is rebuilt only when those rows change.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import connection
from django.utils import formats, timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from servicehall.workcal import Calendar, ClockState, ClockStatus, Due, SlaClock, TimeLimit, china

from .models import CalendarDay, CalendarYear, ExtendedSession, SlaPolicy, UnitHours, working_hours

_built: dict = {}


def _fingerprint():
    """How many override rows there are and when one last changed, one query for both tables
    (only compared with itself, so a raw MAX is fine)."""
    days, years = (connection.ops.quote_name(m._meta.db_table) for m in (CalendarDay, CalendarYear))
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT (SELECT COUNT(*) FROM {days}), (SELECT MAX(changed_at) FROM {days}), "
            f"(SELECT COUNT(*) FROM {years}), (SELECT MAX(changed_at) FROM {years})"
        )
        return cur.fetchone()


def calendar() -> Calendar:
    """China's calendar with the admin's overrides (two cheap queries to see if they changed)."""
    key = _fingerprint()
    cal = _built.get(key)
    if cal is None:
        base = china()
        days = list(CalendarDay.objects.all())
        years = list(CalendarYear.objects.all())
        cal = base.with_days(
            holidays=[d.date for d in days if d.kind == CalendarDay.Kind.HOLIDAY],
            workdays=[d.date for d in days if d.kind == CalendarDay.Kind.WORKDAY],
            official_years=[y.year for y in years if y.official],
            notices={y.year: y.notice for y in years if y.notice},
        )
        unofficial = {y.year for y in years if not y.official}
        if unofficial:  # the admin may also withdraw a year (a notice amended, say)
            cal.official_years = cal.official_years - unofficial
        _built.clear()
        _built[key] = cal
    return cal


def publish_notice(year: int, table: dict) -> int:
    """Load one year of a State Council holiday notice (R-LAW-4): `table` as
    workcal.load_overrides reads a notice file ({"official", "notice", "holidays",
    "workdays"}). The notice replaces the year: every day whose status differs from the
    package and the override file becomes an admin day, and the year's earlier admin days go.
    Returns how many days now differ. Call `calendar_republished` after."""
    base = china()
    holidays, workdays = table["holidays"], table["workdays"]
    rows = []
    day = dt.date(year, 1, 1)
    while day.year == year:
        working = day in workdays or (day.weekday() < 5 and day not in holidays)
        if working != base.is_working_day(day):
            kind = CalendarDay.Kind.WORKDAY if working else CalendarDay.Kind.HOLIDAY
            rows.append(CalendarDay(date=day, kind=kind, name=table["notice"][:60]))
        day += dt.timedelta(days=1)
    CalendarDay.objects.filter(date__year=year).delete()
    CalendarDay.objects.bulk_create(rows)
    CalendarYear.objects.update_or_create(
        year=year, defaults={"official": table["official"], "notice": table["notice"][:100]}
    )
    return len(rows)


def calendar_republished(years, now=None) -> dict[str, int]:
    """Tell every app that stores due times that these years changed: each recomputes its
    open items (R-LAW-4). {receiver's name: how many items moved}."""
    from .signals import calendar_changed

    now = now or timezone.now()
    moved = {}
    for receiver, count in calendar_changed.send(sender=CalendarYear, years=set(years), now=now):
        moved[receiver.__module__.split(".")[1]] = count or 0
    return moved


def moved_since(years) -> dt.datetime:
    """The first moment a due time can depend on these years: counting up to a due time
    before it reads no changed day, so items due earlier are left alone."""
    return dt.datetime(min(years), 1, 1, tzinfo=calendar().tz)


def hours_for(unit, around: dt.date | None = None):
    """A unit's WorkingHours with its extended sessions near `around` (default: today)."""
    if unit is None:
        return calendar().hours
    around = around or timezone.localdate()
    unit_hours = UnitHours.objects.filter(unit=unit).first()
    sessions = ExtendedSession.objects.filter(
        unit=unit,
        date__gte=around - dt.timedelta(days=400),
        date__lte=around + dt.timedelta(days=400),
    )
    return working_hours(unit_hours, sessions)


def _limit(policy_or_limit) -> TimeLimit:
    return policy_or_limit.time_limit if isinstance(policy_or_limit, SlaPolicy) else policy_or_limit


def deadline(*, start, limit, unit=None, pauses=()) -> Due:
    """When a limit (an SlaPolicy or a TimeLimit) started at `start` ends for a unit."""
    return calendar().deadline(start, _limit(limit), pauses, hours_for(unit, start.date()))


def deadlines(*, limit, starts) -> list[Due]:
    """`deadline` for many (start, unit) pairs at once, the calendar and each unit's hours
    for a day read once (the sealer opening a batch's bad-review follow-ups)."""
    cal, time_limit, hours = calendar(), _limit(limit), {}
    found = []
    for start, unit in starts:
        key = (getattr(unit, "pk", unit), start.date())
        if key not in hours:
            hours[key] = hours_for(unit, start.date())
        found.append(cal.deadline(start, time_limit, (), hours[key]))
    return found


def new_clock(*, policy: SlaPolicy, unit=None, start=None) -> SlaClock:
    """A started clock for a policy; store it with clock.to_dict()."""
    start = start or timezone.now()
    clock = SlaClock(
        calendar(), policy.time_limit, hours=hours_for(unit, start.date()), **policy.clock_options()
    )
    return clock.start(start)


def load_clock(data: dict, *, unit=None) -> SlaClock:
    started = data.get("started_at")
    around = dt.datetime.fromisoformat(started).date() if started else None
    return SlaClock.from_dict(data, calendar(), hours_for(unit, around))


@dataclass(frozen=True)
class DueText:
    """A time limit as people say it: 剩余 3 个工作日（10月13日 17:30 到期）."""

    text: str
    level: str  # ok, warn, bad, paused
    estimated: str  # "" or why the due time is an estimate


def _when(moment: dt.datetime) -> str:
    local = timezone.localtime(moment)
    if (get_language() or "").startswith("zh"):
        return f"{local.month}月{local.day}日 {local:%H:%M}"
    return formats.date_format(local, "j M H:i")


def _estimated(due: Due) -> str:
    if not due.estimated:
        return ""
    return _("estimated: the holidays of %(year)s are not yet published") % {
        "year": due.last_day.year
    }


def describe(status: ClockStatus, now: dt.datetime) -> DueText:
    """The words, colour and estimate note for a clock's status at `now`."""
    due = status.due
    when = _when(due.at)
    est = _estimated(due)
    if status.state == ClockState.MET:
        return DueText(_("done in time (due %(when)s)") % {"when": when}, "ok", est)
    if status.state in (ClockState.OVERDUE, ClockState.BREACHED):
        days = calendar().working_days_between(due.last_day, timezone.localdate(now))
        if status.due.last_day and days > 0:
            text = ngettext(
                "%(n)s working day overdue (due %(when)s)",
                "%(n)s working days overdue (due %(when)s)",
                days,
            ) % {"n": days, "when": when}
        else:
            text = _("overdue (due %(when)s)") % {"when": when}
        return DueText(text, "bad", est)
    if status.state == ClockState.PAUSED:
        return DueText(_("paused (due at least %(when)s)") % {"when": when}, "paused", est)
    level = "warn" if status.state == ClockState.WARNING else "ok"
    if status.remaining_working_days is not None:
        n = status.remaining_working_days
        if n == 0:
            return DueText(
                _("due today at %(time)s") % {"time": f"{timezone.localtime(due.at):%H:%M}"},
                level,
                est,
            )
        text = ngettext(
            "%(n)s working day left (due %(when)s)", "%(n)s working days left (due %(when)s)", n
        ) % {"n": n, "when": when}
        return DueText(text, level, est)
    minutes = int(status.remaining.total_seconds() // 60)
    text = _("%(h)s h %(m)s min left (due %(when)s)") % {
        "h": minutes // 60,
        "m": minutes % 60,
        "when": when,
    }
    return DueText(text, level, est)


def calculate(*, start, limit, unit=None, pauses=(), now=None, hours=None, cal=None):
    """(Due, DueText) for a limit started at `start` with closed pauses: the calculator.
    A page of many reads the calendar and the unit's hours (hours_for) once and passes them."""
    limit = _limit(limit)
    hours = hours or hours_for(unit, start.date())
    clock = SlaClock(cal or calendar(), limit, hours=hours).start(start)
    for a, b in sorted(pauses):
        clock.pause(a, "—")
        clock.resume(b)
    now = max(now or timezone.now(), start)
    status = clock.status(now)
    return status.due, describe(status, now)


def policy(code: str) -> SlaPolicy:
    """The policy as edited in the admin; unseeded, the norms' default (unsaved)."""
    found = SlaPolicy.objects.filter(code=code).first()
    if found is not None:
        return found
    for c, name, n, unit, warn, pausable, basis in DEFAULT_POLICIES:
        if c == code:
            return SlaPolicy(
                code=c,
                name=name,
                n=n,
                unit=unit,
                warn_before=warn,
                pausable=pausable,
                legal_basis=basis,
            )
    raise SlaPolicy.DoesNotExist(code)


# The time limits of the norms and national rules that the code reads through policy(code):
# seeded, then editable in the admin, and an edit takes effect at the next deadline counted.
# Only limits some code reads are here (decision 0022): a matter's statutory and promised
# limits and its steps' limits (hukou R-TIME-2) live on the matter in the catalogue. The legal
# basis is read by people, so it names the document only.
DEFAULT_POLICIES = [
    # code, name, n, unit, warn_before, pausable, legal basis
    # R-LAW-1: cases.services, the one-time notice's legal deadline
    (
        "licence-correction-notice",
        "补正材料一次性告知",
        5,
        "working_days",
        1,
        False,
        "行政许可法 第三十二条",
    ),
    # R-LAW-1: catalog.Matter.law_limit and cases.services, an administrative licence's
    # decision, its one extension with the head's approval, and the certificate after it
    ("licence-decision", "行政许可决定", 20, "working_days", 2, False, "行政许可法 第四十二条"),
    (
        "licence-decision-extension",
        "行政许可决定延长（经负责人批准）",
        10,
        "working_days",
        2,
        False,
        "行政许可法 第四十二条第一款",
    ),
    (
        "licence-joint-decision",
        "行政许可统一、联合、集中办理",
        45,
        "working_days",
        3,
        False,
        "行政许可法 第四十二条第二款",
    ),
    (
        "licence-joint-extension",
        "统一、联合、集中办理延长（经本级政府负责人批准）",
        15,
        "working_days",
        3,
        False,
        "行政许可法 第四十二条第二款",
    ),
    (
        "licence-certificate",
        "颁发、送达许可证件",
        10,
        "working_days",
        2,
        False,
        "行政许可法 第四十四条",
    ),
    # R-FB-3 R-TIME-4: complaints.services.due
    (
        "complaint-answer",
        "投诉答复",
        3,
        "working_days",
        1,
        False,
        "窗口服务投诉、建议：三个工作日内答复",
    ),
    # R-LAW-3: complaints.services, acknowledging what came in writing
    ("hotline-written-reply", "书面诉求受理回复", 24, "hours", None, False, "GB/T 33358-2016"),
    # R-TIME-4: queueing.appointments, the contact task of a holiday booking
    (
        "holiday-appointment-contact",
        "节假日预约主动联系",
        24,
        "hours",
        None,
        False,
        "户籍窗口服务制度 四(三)",
    ),
    # R-LAW-2: feedback.services, the three steps of a bad review's follow-up
    ("bad-review-verify", "差评核实", 1, "working_days", None, False, "国办发〔2019〕51号"),
    (
        "bad-review-callback",
        "差评整改后回访",
        2,
        "working_days",
        None,
        False,
        "国办发〔2019〕51号（整改情况回访并记录满意度）",
    ),
    (
        "bad-review-rectify",
        "差评整改",
        10,
        "working_days",
        2,
        False,
        "国办发〔2019〕51号（5–15 个工作日）",
    ),
    # R-SUP-3: supervision.notices.due, the deadline of a supervision notice's rectification.
    # The 文明办's notice (督办通知, 提出整改要求) names no number of days: 10 is the hall's.
    (
        "supervision-rectify",
        "督办整改",
        10,
        "working_days",
        2,
        False,
        "市文明办 明察暗访督办通知",
    ),
    # R-CASE-6: cases.fees, the day a fine decided at a window is to be paid at the bank by
    ("fine-payment", "罚款缴纳", 15, "calendar_days", None, False, "行政处罚法 第六十七条"),
]


def seed_policies() -> int:
    created = 0
    for code, name, n, unit, warn, pausable, basis in DEFAULT_POLICIES:
        _obj, new = SlaPolicy.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "n": n,
                "unit": unit,
                "warn_before": warn,
                "warn_ratio": None if warn is not None or unit.endswith("days") else 0.8,
                "pausable": pausable,
                "legal_basis": basis,
            },
        )
        created += new
    return created
