"""The Django side of servicehall.workcal: calendar overrides editable in the admin, SLA
policies that later apps attach to matters, steps, complaints and bad-review follow-ups, and each
unit's working hours (R-TIME-1, R-TIME-5, R-LAW-4)."""

import datetime as dt

from auditlog.registry import auditlog
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from servicehall.workcal import TimeLimit, WorkingHours


class LimitUnit(models.TextChoices):
    WORKING_DAYS = "working_days", _("working days")
    CALENDAR_DAYS = "calendar_days", _("calendar days")
    WORKING_HOURS = "working_hours", _("working hours")
    HOURS = "hours", _("hours")


class CalendarYear(models.Model):
    """Whether a year's State Council notice is published (R-LAW-4)."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    official = models.BooleanField(
        _("notice published"),
        default=True,
        help_text=_("Deadlines reaching into a year without a published notice are estimates."),
    )
    notice = models.CharField(_("notice"), max_length=100, blank=True)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["year"]
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")

    def __str__(self):
        return str(self.year)


class CalendarDay(models.Model):
    """One day that differs from the package and the override file: a day off or a worked
    weekend, e.g. from next year's notice before the software catches up."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("day off")
        WORKDAY = "workday", _("working day")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=60, blank=True, help_text=_("e.g. 春节调休"))
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")

    def __str__(self):
        return f"{self.date} {self.get_kind_display()}"


class SlaPolicy(models.Model):
    """A named time limit with its warning threshold and legal basis."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=100)
    n = models.PositiveIntegerField(_("limit"))
    unit = models.CharField(
        _("counted in"), max_length=20, choices=LimitUnit.choices, default=LimitUnit.WORKING_DAYS
    )
    warn_before = models.PositiveIntegerField(
        _("warn before"),
        null=True,
        blank=True,
        help_text=_("Warn this many units before the due time (same unit as the limit)."),
    )
    warn_ratio = models.DecimalField(
        _("warn at share used"),
        max_digits=3,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Or warn once this share of the limit is used, e.g. 0.80."),
    )
    pausable = models.BooleanField(
        _("may be paused"),
        default=False,
        help_text=_("e.g. waiting for a letter from another county does not count."),  # R-TIME-2
    )
    legal_basis = models.CharField(_("legal basis"), max_length=200, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("time limit policy")
        verbose_name_plural = _("time limit policies")

    def __str__(self):
        return f"{self.name}（{self.n} {self.get_unit_display()}）"

    def clean(self):
        if self.warn_before is not None and self.warn_ratio is not None:
            raise ValidationError(_("Choose either a warning before the due time or a share."))
        if self.warn_ratio is not None and not 0 < self.warn_ratio < 1:
            raise ValidationError({"warn_ratio": _("Write a share between 0 and 1, e.g. 0.80.")})
        if self.warn_before is not None and self.warn_before >= self.n > 0:
            raise ValidationError(
                {"warn_before": _("The warning must come before the limit ends.")}
            )

    @property
    def time_limit(self) -> TimeLimit:
        return TimeLimit(self.n, self.unit)

    @property
    def length(self) -> str:
        """The limit as a page says it (5 个工作日, 24 小时): texts that state the number
        format it from here, so an admin's edit shows where the limit is explained."""
        words = {
            LimitUnit.WORKING_DAYS: ngettext("%(n)s working day", "%(n)s working days", self.n),
            LimitUnit.CALENDAR_DAYS: ngettext("%(n)s day", "%(n)s days", self.n),
            LimitUnit.WORKING_HOURS: ngettext("%(n)s working hour", "%(n)s working hours", self.n),
            LimitUnit.HOURS: ngettext("%(n)s hour", "%(n)s hours", self.n),
        }
        return words[self.unit] % {"n": self.n}

    def clock_options(self) -> dict:
        if self.warn_ratio is not None:
            return {"warn_ratio": float(self.warn_ratio)}
        if self.warn_before is not None:
            return {"warn_before": TimeLimit(self.warn_before, self.unit)}
        return {}


class UnitHours(models.Model):
    """A unit's working hours: two sessions, lunch duty (R-TIME-5)."""

    unit = models.OneToOneField(
        "org.Unit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="working_hours"
    )
    morning_start = models.TimeField(_("morning from"), default=dt.time(9, 0))
    morning_end = models.TimeField(_("morning until"), default=dt.time(12, 0))
    afternoon_start = models.TimeField(_("afternoon from"), default=dt.time(13, 30))
    afternoon_end = models.TimeField(_("afternoon until"), default=dt.time(17, 30))
    lunch_duty = models.BooleanField(
        _("lunch-time duty"), default=False, help_text=_("The windows stay open over lunch.")
    )

    class Meta:
        verbose_name = _("unit working hours")
        verbose_name_plural = _("unit working hours")

    def __str__(self):
        return (
            f"{self.unit}: {self.morning_start:%H:%M}–{self.morning_end:%H:%M} "
            f"{self.afternoon_start:%H:%M}–{self.afternoon_end:%H:%M}"
        )

    def clean(self):
        if not self.morning_start < self.morning_end <= self.afternoon_start < self.afternoon_end:
            raise ValidationError(
                _("Sessions must run in order: morning from < until ≤ afternoon from < until.")
            )

    def get_additional_data(self):
        return {"unit_id": self.unit_id}


class ExtendedSession(models.Model):
    """An extended-service session on a weekend or holiday (R-TIME-5), e.g. a Saturday morning."""

    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("unit"),
        on_delete=models.CASCADE,
        related_name="extended_sessions",
    )
    date = models.DateField(_("date"))
    start = models.TimeField(_("from"), default=dt.time(9, 0))
    end = models.TimeField(_("until"), default=dt.time(12, 0))
    note = models.CharField(_("note"), max_length=100, blank=True)

    class Meta:
        ordering = ["date", "start"]
        verbose_name = _("extended-service session")
        verbose_name_plural = _("extended-service sessions")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "date", "start"],
                name="one_extended_session_per_start",
                violation_error_message=_("This unit already has a session starting then."),
            )
        ]

    def __str__(self):
        return f"{self.date} {self.start:%H:%M}–{self.end:%H:%M}"

    def clean(self):
        if self.start and self.end and not self.start < self.end:
            raise ValidationError({"end": _("A session must end after it starts.")})

    def get_additional_data(self):
        return {"unit_id": self.unit_id}


def working_hours(unit_hours: UnitHours | None, sessions=()) -> WorkingHours:
    """WorkingHours for the workcal engine from a unit's rows (defaults when it has none)."""
    extended = {}
    for s in sessions:
        extended.setdefault(s.date, []).append((s.start, s.end))
    extended = {d: tuple(sorted(v)) for d, v in extended.items()}
    if unit_hours is None:
        return WorkingHours(extended=extended)
    return WorkingHours(
        sessions=(
            (unit_hours.morning_start, unit_hours.morning_end),
            (unit_hours.afternoon_start, unit_hours.afternoon_end),
        ),
        lunch_duty=unit_hours.lunch_duty,
        extended=extended,
    )


for _model in (CalendarYear, CalendarDay, SlaPolicy, UnitHours, ExtendedSession):
    auditlog.register(_model)
