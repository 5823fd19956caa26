"""A day's figures, stored once the day is over: per window (and per unit, window empty, for
what belongs to no window: hotline calls, violation points, numbers never called), per staff
member, and per unit (the sum of the unit's rows of the day). Every column is a count or a sum,
so any period or group is a SUM over rows; rates are computed by the reader. The columns are
computed by the source apps' aggregates (decision 0023); nothing here defines a figure."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


def _count(label):
    return models.PositiveIntegerField(label, default=0)


class Figures(models.Model):
    """What a window and what a person did in a day."""

    # tickets (queueing.figures.ticket_counts)
    taken = _count(_("numbers taken"))
    served = _count(_("served"))
    abandoned = _count(_("not served"))
    wait_seconds = models.FloatField(_("waiting time (s), summed"), default=0)
    wait_count = _count(_("waits counted"))
    service_seconds = models.FloatField(_("service time (s), summed"), default=0)
    service_count = _count(_("services counted"))
    # ratings of the day's visits (feedback.figures.visit_counts)
    visits = _count(_("visits counted for ratings"))
    rated = _count(_("rated"))
    rating_1 = _count(_("very dissatisfied"))
    rating_2 = _count(_("dissatisfied"))
    rating_3 = _count(_("fair"))
    rating_4 = _count(_("satisfied"))
    rating_5 = _count(_("very satisfied"))
    good = _count(_("good reviews"))
    bad = _count(_("bad reviews"))
    settled = _count(_("rated or past the rating link"))
    unrated = _count(_("unrated"))
    replied = _count(_("bad reviews called back"))
    rectified = _count(_("bad reviews rectified"))
    satisfied = _count(_("satisfied with the follow-up"))
    # complaints (complaints.figures)
    complaints = _count(_("complaints received"))
    complaints_substantiated = _count(_("complaints substantiated"))
    # the ledger's points that stand (violations.figures)
    violation_points = _count(_("violation points"))
    # presence (queueing.figures.presence_counts)
    late_sign_ins = _count(_("late sign-ins"))
    long_pauses = _count(_("long pauses"))

    class Meta:
        abstract = True


class DayFigures(Figures):
    """What a window, or a whole unit, did in a day: a person's figures and more."""

    # cases finished that day (cases.figures.case_counts)
    cases_on_time = _count(_("cases finished in time"))
    cases_overdue = _count(_("cases finished late"))
    # ratings of the cases concluded that day, once per matter (一事一评,
    # feedback.figures.case_rating_counts): kept apart from the visits' ratings
    cases_concluded = _count(_("cases concluded (for ratings)"))
    case_rated = _count(_("cases rated"))
    case_good = _count(_("cases: good reviews"))
    case_bad = _count(_("cases: bad reviews"))
    case_settled = _count(_("cases rated or past the rating link"))
    case_unrated = _count(_("cases unrated"))
    case_replied = _count(_("cases: bad reviews called back"))
    case_rectified = _count(_("cases: bad reviews rectified"))
    case_satisfied = _count(_("cases: satisfied with the follow-up"))
    # hotline calls that rang that day (hotline.services.call_counts)
    hotline_calls = _count(_("hotline calls"))
    hotline_answered = _count(_("hotline calls answered"))
    hotline_in_time = _count(_("answered within 15 seconds"))

    class Meta:
        abstract = True


class WindowDay(DayFigures):
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+"
    )
    window = models.ForeignKey(
        "org.Window",
        verbose_name=_("window"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: the unit's own row (hotline calls, points, numbers never called)."),
    )
    day = models.DateField(_("day"))

    class Meta:
        verbose_name = _("window day")
        verbose_name_plural = _("window days")
        constraints = [
            models.UniqueConstraint(
                fields=["window", "day"],
                name="one_row_per_window_day",
                condition=Q(window__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["unit", "day"],
                name="one_unit_row_per_day",
                condition=Q(window__isnull=True),
            ),
        ]
        indexes = [models.Index(fields=["day", "unit"], name="window_day_day_unit")]

    def __str__(self):
        return f"{self.day} {self.window or self.unit}"


class UnitDay(DayFigures):
    """A unit's whole day: the sum of its WindowDay rows (its windows' and its own), stored
    with them by the same roll-up. What scores and reports per unit read, for any period
    (month, quarter, campaign): a unit's year is 365 rows, not 365 × its windows."""

    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField(_("day"))

    class Meta:
        verbose_name = _("unit day")
        verbose_name_plural = _("unit days")
        constraints = [models.UniqueConstraint(fields=["unit", "day"], name="one_row_per_unit_day")]
        indexes = [models.Index(fields=["day"], name="unit_day_day")]

    def __str__(self):
        return f"{self.day} {self.unit}"


class StaffDay(Figures):
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+"
    )
    staff = models.ForeignKey(
        "org.Staff", verbose_name=_("staff member"), on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField(_("day"))

    class Meta:
        verbose_name = _("staff day")
        verbose_name_plural = _("staff days")
        constraints = [
            models.UniqueConstraint(fields=["staff", "unit", "day"], name="one_row_per_staff_day")
        ]
        indexes = [models.Index(fields=["day", "unit"], name="staff_day_day_unit")]

    def __str__(self):
        return f"{self.day} {self.staff}"


class RolledDay(models.Model):
    """When a day was last rolled up, and when a change to its source rows was last seen: the
    day is redone while marked_at is after rolled_at (a mark during a roll-up is kept)."""

    day = models.DateField(_("day"), primary_key=True)
    rolled_at = models.DateTimeField(_("rolled up at"), null=True, blank=True)
    marked_at = models.DateTimeField(_("source changed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("rolled-up day")
        verbose_name_plural = _("rolled-up days")
        ordering = ["-day"]

    def __str__(self):
        return str(self.day)
